using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Identity.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using ClientKind = Platform.Contracts.Identity.V1.ClientKind;
using RegisterWardRequest = Platform.Contracts.Identity.V1.RegisterWardRequest;
using WardSetting = Platform.Contracts.Common.V1.WardSetting;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// A small demo region: two trusts, wards of several setting types, a few technologies with evidence, and a few
/// patients with synthetic NHS numbers (the 999 range, never issued to real people). Seeded as any client would, through
/// the apps' gRPC contracts with generated clients from Grpc.Net.ClientFactory and tokens from the identity service. Seeding is
/// idempotent: what exists is left alone, so starting twice changes nothing.
/// </summary>
public static class DemoRegion
{
    public sealed record DemoTrust(string OdsCode, string Name, (string Code, string Name, WardSetting Setting, int Beds)[] Wards);

    public static readonly DemoTrust[] Trusts =
    [
        new("RX3", "North Coast Mental Health NHS Foundation Trust",
        [
            ("OAK", "Oak Ward", WardSetting.AcuteAdult, 18),
            ("ASH", "Ash PICU", WardSetting.Picu, 10),
            ("WILLOW", "Willow Ward", WardSetting.OlderAdults, 16),
        ]),
        new("RTQ", "Vale Partnership NHS Foundation Trust",
        [
            ("BIRCH", "Birch Ward", WardSetting.AcuteAdult, 20),
            ("HAZEL", "Hazel Unit", WardSetting.Camhs, 12),
            ("ROWAN", "Rowan Mother and Baby Unit", WardSetting.MotherAndBaby, 8),
        ]),
    ];

    /// <summary>
    /// The clients each demo trust gets (ids "rx3-demo-epr" and so on), with the roles they act in. The seeder seeds the
    /// region: its admin registers the wards, its procurement lead the technologies and approvals, its clinician the patients.
    /// </summary>
    public static readonly (string Name, ClientKind Kind, string[] Roles)[] ClientsPerTrust =
    [
        ("epr", ClientKind.Epr, ["clinician"]),
        ("device", ClientKind.Device, ["device"]),
        ("lead", ClientKind.Integration, ["procurement-lead"]),
        ("auditor", ClientKind.Integration, ["auditor"]),
        ("admin", ClientKind.Integration, ["trust-admin"]),
        ("seeder", ClientKind.Integration, ["clinician", "procurement-lead", "evidence-reviewer", "trust-admin"]),
    ];

    public static string ClientId(string odsCode, string name) => $"{odsCode.ToLowerInvariant()}-demo-{name}";

    private static readonly RegisterTechnologyRequest[] s_technologies =
    [
        new() { Name = "Contact-free night observations", Supplier = "Acme Vision Ltd",
            IntendedUse = "Optical sensing of pulse and breathing rate at night so that patients are not woken for observations", Category = TechnologyCategory.PatientSafety, Surveillance = true },
        new() { Name = "Ward companion app", Supplier = "Brightpath Digital",
            IntendedUse = "Patient-held app for care-plan reminders, mood tracking and messages to the named nurse", Category = TechnologyCategory.DirectCare, Surveillance = false },
        new() { Name = "Patient feedback kiosk", Supplier = "Voice Health",
            IntendedUse = "Anonymous real-time feedback on ward experience in accessible formats", Category = TechnologyCategory.Communication, Surveillance = false },
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRx3 =
    [
        ("9990000018", "OAK", AgeBand._26To64),
        ("9990000026", "OAK", AgeBand._18To25),
        ("9990000034", "ASH", AgeBand._26To64),
        ("9990000042", "WILLOW", AgeBand._65AndOver),
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRtq =
    [
        ("9990000050", "BIRCH", AgeBand._26To64),
        ("9990000069", "HAZEL", AgeBand.Under16),
        ("9990000077", "HAZEL", AgeBand._16To17),
    ];

    public static async Task SeedAsync(LocalPlatform platform, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        platform.DemoClients = await OnboardAsync(platform, http, ct);
        await using var clients = DemoClients.Create(platform);
        foreach (var trust in Trusts)
        {
            var seeder = platform.DemoClients.Single(c => c.ClientId == ClientId(trust.OdsCode, "seeder"));
            var token = await TokenAsync(http, platform.TokenEndpoint, seeder.ClientId, seeder.Secret, ct);
            clients.UseToken(trust.OdsCode, token);

            var directory = clients.Get<DirectoryService.DirectoryServiceClient>("identity", trust.OdsCode);
            foreach (var w in trust.Wards)
                await Expect(directory.RegisterWardAsync(new RegisterWardRequest { WardCode = w.Code, Name = w.Name, Setting = w.Setting, Beds = w.Beds }, cancellationToken: ct));
            await WaitUntilServicesKnowAsync(platform, http, trust.OdsCode, token, ct);

            var procurement = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode);
            foreach (var t in s_technologies) await Expect(procurement.RegisterTechnologyAsync(t, cancellationToken: ct));
            var technologies = (await procurement.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 }, cancellationToken: ct)).Technologies;
            var technologyByName = technologies.ToDictionary(t => t.Name, t => t.TechnologyId, StringComparer.Ordinal);

            var evidence = clients.Get<EvidenceService.EvidenceServiceClient>("evidence", trust.OdsCode);
            foreach (var technology in technologies)
            {
                // Evidence learns of the technology from procurement's technology_registered event, delivered after its commit.
                await OnceKnownAsync("technology.not-found", async () =>
                {
                    if ((await evidence.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology.TechnologyId }, cancellationToken: ct)).Items.Count > 0) return;
                    await Expect(evidence.RecordEvidenceItemAsync(new RecordEvidenceItemRequest
                    {
                        TechnologyId = technology.TechnologyId, Title = "Service evaluation on two acute wards", StudyDesign = StudyDesign.ServiceEvaluation,
                        SampleSize = 64, IndependentOfSupplier = false, SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.Low,
                        Citation = "Supplier's service evaluation report, 2026", RiskOfBias = RiskOfBias.High,
                    }, cancellationToken: ct));
                }, ct);
            }

            var consent = clients.Get<ConsentService.ConsentServiceClient>("consent", trust.OdsCode);
            foreach (var p in trust.OdsCode == "RX3" ? s_patientsRx3 : s_patientsRtq)
                await OnceKnownAsync("ward.not-found", () => Expect(consent.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = p.Nhs, WardCode = p.Ward, AgeBand = p.Band }, cancellationToken: ct)), ct);

            if (trust.OdsCode == "RX3") platform.DemoUse = await SeedConsentAsync(consent, technologyByName, ct);
        }
    }

    private const string DemoOverrideReason = "Demo region seed: approvals set by the operator override until the demo runs its procurement cases";

    /// <summary>
    /// What procurement's approvals would have told the consent service, set by the trust admin's operator override (ADR 0029) for now (the companion app on three ward types, the
    /// night observations on acute wards), and one patient with an active use of the app on her own consent, so that
    /// CheckUse has a PERMIT to show. Technologies are found by name in the procurement seed above.
    /// </summary>
    private static async Task<(string PatientId, string TechnologyId)> SeedConsentAsync(ConsentService.ConsentServiceClient consent, Dictionary<string, string> ids, CancellationToken ct)
    {
        var nightObs = ids["Contact-free night observations"];
        var app = ids["Ward companion app"];
        // Consent learns of the technologies from procurement's technology_registered events, delivered after its commit.
        foreach (var setting in new[] { "acute-adult", "picu", "older-adults" })
            await OnceKnownAsync("technology.not-found", () => Expect(consent.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest { TechnologyId = app, TechnologyName = "Ward companion app", SettingCode = setting, Reason = DemoOverrideReason }, cancellationToken: ct)), ct);
        await OnceKnownAsync("technology.not-found", () => Expect(consent.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = nightObs, TechnologyName = "Contact-free night observations", SettingCode = "acute-adult", IsSurveillance = true, ManagesSafetyRisk = true,
            Reason = DemoOverrideReason,
        }, cancellationToken: ct)), ct);

        var patient = (await consent.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK", PageSize = 50 }, cancellationToken: ct)).Patients.Single(p => p.NhsNumber == "9990000018");
        // Seeded before: her use is active and the check permits.
        var check = await consent.CheckUseAsync(new CheckUseRequest { PatientId = patient.PatientId, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment }, cancellationToken: ct);
        if (check.Decision == UseCheckDecision.Permit) return (patient.PatientId, app);

        var now = DateTime.UtcNow;
        await consent.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patient.PatientId, TechnologyId = app, Decision = "using the ward companion app",
            Determination = CapacityDetermination.StatutoryPresumption, AssessedAt = Timestamp.FromDateTime(now.AddMinutes(-10)), AssessedBy = "named nurse (demo)",
        }, cancellationToken: ct);
        await consent.RecordConsentAsync(new RecordConsentRequest
        {
            PatientId = patient.PatientId, TechnologyId = app, Decision = ConsentDecision.Given,
            InformationGiven = "what the app does, who sees her entries, and that she can stop at any time", InformationFormat = AccessibleFormat.EasyRead,
            RecordedAt = Timestamp.FromDateTime(now.AddMinutes(-5)), RecordedBy = "named nurse (demo)",
        }, cancellationToken: ct);
        var proposal = new ProposeUseRequest
        {
            TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment,
            CarePlan = new CarePlanItems
            {
                Reason = "to keep track of her care-plan goals and message her named nurse between ward rounds",
                WhenAndHowUsed = "on the ward tablet or her own phone, when she chooses",
                InformationGiven = "easy-read leaflet and a talk with her named nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "she chose it at her care-plan meeting",
                DataUse = "entries stay in her record; the supplier sees no names",
                NextReviewDate = Timestamp.FromDateTime(now.AddDays(28)),
                ReviewCovers = "whether it helps and whether she still wants it",
                HowToWithdraw = "tell any nurse, or stop using the app",
            },
        };
        proposal.PatientIds.Add(patient.PatientId);
        var proposed = await consent.ProposeUseAsync(proposal, cancellationToken: ct);
        await consent.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }, cancellationToken: ct);
        return (patient.PatientId, app);
    }

    /// <summary>
    /// The region operator onboards each trust with its demo clients. The directory shows a client's secret once, so the
    /// runner keeps the secrets in the data folder; a client whose secret it lacks (data folder partly deleted) gets a new one.
    /// </summary>
    private static async Task<IReadOnlyList<DemoClient>> OnboardAsync(LocalPlatform platform, HttpClient http, CancellationToken ct)
    {
        var secrets = LocalSecrets.LoadClientSecrets(platform.Options.DataDirectory);
        var regionToken = await TokenAsync(http, platform.TokenEndpoint, LocalPlatform.RegionOperatorClientId, platform.RegionOperatorSecret, ct);
        var identity = platform.Running.Single(r => r.Spec.Name == "identity").Spec;
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<DirectoryService.DirectoryServiceClient>(new Uri($"http://127.0.0.1:{platform.GrpcPort(identity)}"), TimeSpan.FromSeconds(30))
            .AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {regionToken}");
                return Task.CompletedTask;
            });
        await using var provider = services.BuildServiceProvider();
        var directory = provider.GetRequiredService<DirectoryService.DirectoryServiceClient>();

        var demo = new List<DemoClient>();
        foreach (var trust in Trusts)
        {
            var request = new OnboardTrustRequest { OdsCode = trust.OdsCode, Name = trust.Name };
            request.Clients.AddRange(ClientsPerTrust.Select(c => new RegisterClientRequest { ClientId = ClientId(trust.OdsCode, c.Name), Kind = c.Kind, Roles = { c.Roles } }));
            try
            {
                var onboarded = await directory.OnboardTrustAsync(request, cancellationToken: ct);
                foreach (var c in onboarded.Clients) secrets[c.Client.ClientId] = c.ClientSecret;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                foreach (var c in request.Clients.Where(c => !secrets.ContainsKey(c.ClientId)))
                    secrets[c.ClientId] = (await directory.ResetClientSecretAsync(new ResetClientSecretRequest { ClientId = c.ClientId }, cancellationToken: ct)).ClientSecret;
            }
            LocalSecrets.SaveClientSecrets(platform.Options.DataDirectory, secrets);
            demo.AddRange(ClientsPerTrust.Select(c => new DemoClient(ClientId(trust.OdsCode, c.Name), secrets[ClientId(trust.OdsCode, c.Name)], trust.OdsCode, c.Roles)));
        }
        return demo;
    }

    /// <summary>A client_credentials token from the identity service's token endpoint (HTTP Basic client authentication).</summary>
    public static async Task<string> TokenAsync(HttpClient http, Uri tokenEndpoint, string clientId, string secret, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The token service refused {clientId}: {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Each service learns of a trust from the directory's trust_onboarded event and refuses its tokens until then:
    /// waits until every service with events answers the trust's token.
    /// </summary>
    private static async Task WaitUntilServicesKnowAsync(LocalPlatform platform, HttpClient http, string odsCode, string token, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        foreach (var (spec, _) in platform.Running.Where(r => r.Spec.HasEvents && r.Spec.Name != "identity"))
        {
            while (true)
            {
                using var me = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{platform.HttpPort(spec)}/me");
                me.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(me, ct);
                if (response.IsSuccessStatusCode) break;
                if (DateTime.UtcNow > until) throw new TimeoutException($"{spec.Name} did not learn of trust {odsCode} from the directory's events within 60 s.");
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>
    /// A service learns what another owns from its events, delivered after the owner's commit: consent a ward (and its
    /// setting) from the directory, evidence a technology from procurement. Until then the call is refused as
    /// <paramref name="notYetKnown"/> (e.g. ward.not-found), and is tried again for up to 60 s.
    /// </summary>
    private static async Task OnceKnownAsync(string notYetKnown, Func<Task> call, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when ((e as RpcException ?? e.InnerException as RpcException) is { StatusCode: StatusCode.NotFound } r
                && r.Trailers.GetValue(RefusalStatus.RuleTrailer) == notYetKnown && DateTime.UtcNow < until)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    // Already-there is what a second start finds; any other refusal means the seed data itself is wrong.
    private static async Task Expect<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            await call;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
        }
        catch (RpcException e)
        {
            throw new InvalidOperationException($"Seeding the demo region was refused: {e.Trailers.GetValue(RefusalStatus.RuleTrailer)}: {e.Status.Detail}", e);
        }
    }

    /// <summary>Generated clients for each app and trust, made by Grpc.Net.ClientFactory, with the trust's seeder token.</summary>
    private sealed class DemoClients(ServiceProvider services, Dictionary<string, string> tokens) : IAsyncDisposable
    {
        private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

        public static DemoClients Create(LocalPlatform platform)
        {
            var services = new ServiceCollection();
            var tokens = new Dictionary<string, string>();
            foreach (var (spec, _) in platform.Running)
            {
                var address = new Uri($"http://127.0.0.1:{platform.GrpcPort(spec)}");
                foreach (var trust in Trusts)
                {
                    var tenant = trust.OdsCode;
                    Add(spec.Name, services, Name(spec.Name, tenant), address)
                        ?.AddCallCredentials((_, metadata) =>
                        {
                            lock (tokens) metadata.Add("Authorization", $"Bearer {tokens[tenant]}");
                            return Task.CompletedTask;
                        });
                }
            }

            return new DemoClients(services.BuildServiceProvider(), tokens);
        }

        public void UseToken(string tenant, string token)
        {
            lock (tokens) tokens[tenant] = token;
        }

        public TClient Get<TClient>(string app, string tenant) where TClient : class =>
            services.GetRequiredService<GrpcClientFactory>().CreateClient<TClient>(Name(app, tenant));

        public ValueTask DisposeAsync() => services.DisposeAsync();

        private static string Name(string app, string tenant) => $"{app}/{tenant}";

        private static IHttpClientBuilder? Add(string app, IServiceCollection services, string name, Uri address) => app switch
        {
            "identity" => services.AddPlatformGrpcClient<DirectoryService.DirectoryServiceClient>(name, address, s_deadline),
            "consent" => services.AddPlatformGrpcClient<ConsentService.ConsentServiceClient>(name, address, s_deadline),
            "procurement" => services.AddPlatformGrpcClient<ProcurementService.ProcurementServiceClient>(name, address, s_deadline),
            "evidence" => services.AddPlatformGrpcClient<EvidenceService.EvidenceServiceClient>(name, address, s_deadline),
            _ => null,
        };
    }
}

/// <summary>A demo client of a trust: what an integrator needs to get a token for it.</summary>
public sealed record DemoClient(string ClientId, string Secret, string OdsCode, IReadOnlyList<string> Roles);
