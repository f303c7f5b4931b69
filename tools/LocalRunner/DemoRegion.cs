using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Gateway.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using WardSetting = Platform.Contracts.Common.V1.WardSetting;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// A small demo region: two trusts, wards of several setting types, a few technologies with evidence, and a few
/// patients with synthetic NHS numbers (the 999 range, never issued to real people). Seeded as any client would, through
/// the apps' gRPC contracts with generated clients from Grpc.Net.ClientFactory and development tokens. Seeding is
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

    // The seeder acts as the roles each step needs: the region operator onboards the trusts, a procurement lead records
    // approvals, a clinician the patients and their records.
    private static readonly string[] s_seederRoles = ["region-operator", "procurement-lead", "clinician"];

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
        await using var clients = DemoClients.Create(platform);
        foreach (var trust in Trusts)
        {
            var gateway = clients.Get<TenancyService.TenancyServiceClient>("gateway", trust.OdsCode);
            await Expect(gateway.RegisterTrustAsync(new RegisterTrustRequest { OdsCode = trust.OdsCode, Name = trust.Name }, cancellationToken: ct));
            foreach (var w in trust.Wards)
                await Expect(gateway.RegisterWardAsync(new RegisterWardRequest { WardCode = w.Code, Name = w.Name, Setting = w.Setting, Beds = w.Beds }, cancellationToken: ct));

            var procurement = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode);
            foreach (var t in s_technologies) await Expect(procurement.RegisterTechnologyAsync(t, cancellationToken: ct));
            var technologies = (await procurement.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 }, cancellationToken: ct)).Technologies;
            var technologyByName = technologies.ToDictionary(t => t.Name, t => t.TechnologyId, StringComparer.Ordinal);

            var evidence = clients.Get<EvidenceService.EvidenceServiceClient>("evidence", trust.OdsCode);
            foreach (var technology in technologies)
            {
                if ((await evidence.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology.TechnologyId }, cancellationToken: ct)).Items.Count > 0) continue;
                await Expect(evidence.RecordEvidenceItemAsync(new RecordEvidenceItemRequest
                {
                    TechnologyId = technology.TechnologyId, Title = "Service evaluation on two acute wards", StudyDesign = StudyDesign.ServiceEvaluation,
                    SampleSize = 64, IndependentOfSupplier = false, SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.Low,
                }, cancellationToken: ct));
            }

            var consent = clients.Get<ConsentService.ConsentServiceClient>("consent", trust.OdsCode);
            foreach (var p in trust.OdsCode == "RX3" ? s_patientsRx3 : s_patientsRtq)
                await Expect(consent.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = p.Nhs, WardCode = p.Ward, AgeBand = p.Band }, cancellationToken: ct));

            if (trust.OdsCode == "RX3") await SeedConsentAsync(consent, technologyByName, ct);
        }
    }

    /// <summary>
    /// What procurement's approvals would have told the consent service (the companion app on three ward types, the
    /// night observations on acute wards), and one patient with an active use of the app on her own consent, so that
    /// CheckUse has a PERMIT to show. Technologies are found by name in the procurement seed above.
    /// </summary>
    private static async Task SeedConsentAsync(ConsentService.ConsentServiceClient consent, Dictionary<string, string> ids, CancellationToken ct)
    {
        var nightObs = ids["Contact-free night observations"];
        var app = ids["Ward companion app"];
        foreach (var setting in new[] { "acute-adult", "picu", "older-adults" })
            await Expect(consent.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest { TechnologyId = app, TechnologyName = "Ward companion app", SettingCode = setting }, cancellationToken: ct));
        await Expect(consent.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = nightObs, TechnologyName = "Contact-free night observations", SettingCode = "acute-adult", IsSurveillance = true, ManagesSafetyRisk = true,
        }, cancellationToken: ct));

        var patient = (await consent.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK", PageSize = 50 }, cancellationToken: ct)).Patients.Single(p => p.NhsNumber == "9990000018");
        // Seeded before: her use is active and the check permits.
        var check = await consent.CheckUseAsync(new CheckUseRequest { PatientId = patient.PatientId, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment }, cancellationToken: ct);
        if (check.Decision == UseCheckDecision.Permit) return;

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
            TechnologyId = app, WardCode = "OAK", SettingCode = "acute-adult", Purpose = UsePurpose.DirectCareOrTreatment,
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

    /// <summary>Generated clients for each app and trust, made by Grpc.Net.ClientFactory, with a development token per call.</summary>
    private sealed class DemoClients(ServiceProvider services) : IAsyncDisposable
    {
        private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

        public static DemoClients Create(LocalPlatform platform)
        {
            var services = new ServiceCollection();
            foreach (var (spec, _) in platform.Running)
            {
                var address = new Uri($"http://127.0.0.1:{platform.GrpcPort(spec)}");
                foreach (var trust in Trusts)
                {
                    var name = Name(spec.Name, trust.OdsCode);
                    var tenant = trust.OdsCode;
                    Add(spec.Name, services, name, address)
                        ?.AddCallCredentials((_, metadata) =>
                        {
                            metadata.Add("Authorization", $"Bearer {platform.Tokens.Mint(tenant, s_seederRoles, TimeSpan.FromMinutes(5), "demo-seeder")}");
                            return Task.CompletedTask;
                        });
                }
            }

            return new DemoClients(services.BuildServiceProvider());
        }

        public TClient Get<TClient>(string app, string tenant) where TClient : class =>
            services.GetRequiredService<GrpcClientFactory>().CreateClient<TClient>(Name(app, tenant));

        public ValueTask DisposeAsync() => services.DisposeAsync();

        private static string Name(string app, string tenant) => $"{app}/{tenant}";

        private static IHttpClientBuilder? Add(string app, IServiceCollection services, string name, Uri address) => app switch
        {
            "gateway" => services.AddPlatformGrpcClient<TenancyService.TenancyServiceClient>(name, address, s_deadline),
            "consent" => services.AddPlatformGrpcClient<ConsentService.ConsentServiceClient>(name, address, s_deadline),
            "procurement" => services.AddPlatformGrpcClient<ProcurementService.ProcurementServiceClient>(name, address, s_deadline),
            "evidence" => services.AddPlatformGrpcClient<EvidenceService.EvidenceServiceClient>(name, address, s_deadline),
            _ => null,
        };
    }
}
