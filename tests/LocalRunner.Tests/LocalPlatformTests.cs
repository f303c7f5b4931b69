using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Tools.LocalRunner;
using Xunit;
using GateCatalogue = Platform.Procurement.Domain.GateCatalogue;
using GateKind = Platform.Procurement.Domain.GateKind;
using ProcurementRoles = Platform.Procurement.Domain.ProcurementRoles;

namespace Platform.Tools.LocalRunner.Tests;

[Collection(LocalPlatformCollection.Name)]
public sealed class LocalPlatformTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("platform-local-").FullName;
    private readonly int _offset = FindFreeOffset();
    private readonly DemoClientFactory _clients;

    public LocalPlatformTests() => _clients = new DemoClientFactory(_offset);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task All_six_apps_become_ready_with_a_seeded_region_and_a_second_start_is_refused_naming_the_port()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using (var platform = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token))
        {
            await platform.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cts.Token);
            using var http = new HttpClient();
            foreach (var spec in LocalPlatform.Apps)
            {
                var ready = await http.GetAsync($"http://127.0.0.1:{spec.HttpPort + _offset}/health/ready");
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                var anonymous = await http.GetAsync($"http://127.0.0.1:{spec.HttpPort + _offset}/me");
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            // A demo client's token from the identity service's token endpoint works against every service; the
            // services know the demo trusts from the directory's events, and no other.
            var token = await DemoClientFactory.TokenAsync(platform, "rtq-demo-auditor");
            foreach (var port in new[] { 5001, 5011, 5021, 5031 })
            {
                using var me = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port + _offset}/me");
                me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var body = await (await http.SendAsync(me)).Content.ReadAsStringAsync();
                Assert.Contains("\"tenant\":\"RTQ\"", body);
            }
            _platform = platform;

            Assert.Equal(4, await CountPatients("RX3"));
            Assert.Equal(3, await CountPatients("RTQ"));

            await A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery();
            await The_demo_approvals_came_through_procurement_cases_with_every_gate_passed_and_reached_consent_without_the_override();
            await The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied();
            await A_use_of_the_night_observations_approved_through_procurement_starts_only_after_a_deprivation_of_liberty_screen();
            await Through_the_gateway_rtq_sees_nothing_of_rx3_by_guessed_ids_or_forged_tenant_headers();

            casesBeforeRestart = await ProcurementCasesAsSeen();

            var clash = await Assert.ThrowsAsync<PortInUseException>(() => LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token));
            Assert.Contains($"Port {8080 + _offset} (gateway HTTP) is already in use", clash.Message);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{5001 + _offset}/health/ready")).StatusCode);
        }

        // Starting again on the same data changes nothing: the seed is idempotent and the data survived. The cases are the
        // same cases, with the same gate records and the same one approval each: none opened, recorded or approved twice.
        await using (var again = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token))
        {
            _platform = again;
            Assert.Equal(DemoRegion.Trusts.Length * DemoRegion.ClientsPerTrust.Length, again.DemoClients.Count);
            Assert.Equal(4, await CountPatients("RX3"));
            Assert.Equal(3, await CountPatients("RTQ"));
            Assert.Equal(casesBeforeRestart, await ProcurementCasesAsSeen());
        }
    }

    // The README's walk-through rests on these: the companion app approved on OAK's setting type (acute-adult) in full,
    // on the two other RX3 ward types as trials (minimal evidence there), and the night observations as a trial.
    private static readonly (string Technology, string Setting, ApprovalKind Kind)[] s_demoApprovals =
    [
        ("Contact-free night observations", "acute-adult", ApprovalKind.Trial),
        ("Ward companion app", "acute-adult", ApprovalKind.Full),
        ("Ward companion app", "older-adults", ApprovalKind.Trial),
        ("Ward companion app", "picu", ApprovalKind.Trial),
    ];

    // Each demo approval is procurement's: its case shows every gate of the catalogue passed, each recorded by the role
    // that completes it (the evidence appraisal by the evidence reviewer, from the evidence service's event), and one
    // approval in force by the procurement lead. Consent holds exactly those approvals, none set by the operator override,
    // and the audit log shows procurement's approval events, by the procurement lead.
    private async Task The_demo_approvals_came_through_procurement_cases_with_every_gate_passed_and_reached_consent_without_the_override()
    {
        var lead = await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-lead");
        var names = (await lead.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 })).Technologies.ToDictionary(t => t.TechnologyId, t => t.Name);
        var cases = (await lead.ListCasesAsync(new ListCasesRequest())).Cases;
        Assert.Equal(s_demoApprovals.Select(a => (a.Technology, a.Setting)), cases.Select(c => (names[c.TechnologyId], c.SettingCode)).Order());

        var reviewer = await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-reviewer");
        foreach (var (technology, setting, kind) in s_demoApprovals)
        {
            var listed = cases.Single(c => names[c.TechnologyId] == technology && c.SettingCode == setting);
            // Read as the evidence reviewer: every role that completes a gate can see the case.
            var shown = await reviewer.GetCaseAsync(new GetCaseRequest { CaseId = listed.CaseId });
            var what = $"RX3's case for the {technology} in {setting}";
            var notPassed = GateCatalogue.All.Where(g => shown.Gates.SingleOrDefault(r => (int)r.Gate == (int)g.Kind) is not { State: GateState.Passed }).Select(g => g.Code).ToList();
            Assert.True(notPassed.Count == 0, $"{what}: gates not passed: {string.Join(", ", notPassed)}");
            foreach (var gate in shown.Gates)
                Assert.True(gate.RecordedAs == ProcurementRoles.Code(ProcurementRoles.CompletesGate((GateKind)(int)gate.Gate)),
                    $"{what}: the gate '{gate.Name}' was recorded as {gate.RecordedAs}, not by the role that completes it.");
            Assert.StartsWith("evidence-appraisal:", shown.Gates.Single(g => g.Gate == Gate.EvidenceAppraisal).EvidenceReference);
            Assert.True(shown.Status == CaseStatus.Approved, $"{what} is {shown.Status}, not approved.");
            var approval = Assert.Single(shown.Approvals);
            Assert.Equal((kind, true, setting), (approval.Kind, approval.InForce, approval.SettingCode));
            Assert.Empty((await reviewer.ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = shown.CaseId, Kind = kind })).OpenGates);
        }

        // The README's step 3: the REST route an integrator follows from the CheckUse's technology to its cases.
        var companionApp = cases.First(c => names[c.TechnologyId] == "Ward companion app").TechnologyId;
        using (var http = new HttpClient())
        {
            using var listed = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{5011 + _offset}/procurement/v1/cases?technologyId={companionApp}");
            listed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await DemoClientFactory.TokenAsync(_platform, "rx3-demo-lead"));
            var answer = await http.SendAsync(listed);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
            var shown = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("cases").EnumerateArray()
                .Select(c => (c.GetProperty("settingCode").GetString(), c.GetProperty("status").GetString())).Order().ToList();
            Assert.Equal([("acute-adult", "CASE_STATUS_APPROVED"), ("older-adults", "CASE_STATUS_APPROVED"), ("picu", "CASE_STATUS_APPROVED")], shown);
        }

        // Consent learns the approvals from procurement's technology_approved events; the seed waited only for the one its
        // demo use needs, so the others may still be on their way.
        var fromProcurement = cases.Select(c => (Guid.Parse(c.TechnologyId), c.SettingCode)).Order().ToList();
        List<Platform.Consent.Domain.TechnologyApproval> approvals = [];
        await Until("consent did not receive procurement's four demo approvals within 30 s", async () =>
        {
            approvals = await ConsentApprovalsAsync("RX3");
            return approvals.Count >= fromProcurement.Count;
        });
        Assert.Equal(fromProcurement, approvals.Select(a => (a.TechnologyId, a.SettingCode)).Order());
        Assert.All(approvals, a => Assert.True(a.OverrideApprovedBy is null && a.OverrideApprovedRole is null && a.OverrideApprovalReason is null,
            $"Consent's approval of {a.TechnologyName} in {a.SettingCode} was set by the operator override ({a.OverrideApprovedRole}: {a.OverrideApprovalReason})."));
        Assert.All(approvals, a => Assert.Equal(a.SettingCode == "acute-adult" && a.TechnologyName == "Ward companion app", a.TrialEndsAt is null));
        // Procurement's event says which technology monitors continuously (the night observations, registered as
        // surveillance; ADR 0033), and consent's copy takes it: its uses need a deprivation-of-liberty screen (Cheshire West).
        Assert.All(approvals, a => Assert.True(a.ContinuousMonitoringOrRestrictive == (a.TechnologyName == "Contact-free night observations"),
            $"Consent's approval of {a.TechnologyName} in {a.SettingCode} has continuous_monitoring_or_restrictive = {a.ContinuousMonitoringOrRestrictive}."));

        var auditor = await Client<AuditService.AuditServiceClient>(5032, "rx3-demo-auditor");
        List<AuditEntry> approved = [];
        await Until("procurement's four technology_approved events did not reach RX3's audit log within 30 s", async () =>
        {
            approved = [.. (await auditor.ListEntriesAsync(new ListEntriesRequest { Type = "technology-approved", PageSize = 500 })).Entries];
            return approved.Count >= fromProcurement.Count;
        });
        Assert.All(approved, e => Assert.Equal(("rx3-demo-lead", "procurement-lead"), (e.Agent.Who, e.Agent.Role)));
    }

    // The night observations came to consent through procurement's case, marked as monitoring continuously: a use of them
    // for a patient on OAK, on her own consent, does not start until a deprivation-of-liberty screen is recorded for her
    // and the technology (P v Cheshire West [2014] UKSC 19; MCA 2005 s4A). With capacity she consents to the arrangements,
    // so the screen finds no deprivation and the use starts; CheckUse then permits it.
    private async Task A_use_of_the_night_observations_approved_through_procurement_starts_only_after_a_deprivation_of_liberty_screen()
    {
        var clinician = await Client<ConsentService.ConsentServiceClient>(5002, "rx3-demo-epr");
        var patient = (await clinician.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK" })).Patients.Single(p => p.NhsNumber == "9990000026").PatientId;
        var technologies = await (await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-lead")).ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 });
        var sensor = technologies.Technologies.Single(t => t.Name == "Contact-free night observations").TechnologyId;
        var now = DateTime.UtcNow;
        await clinician.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patient, TechnologyId = sensor, Decision = "contact-free night observations in her bedroom",
            Determination = CapacityDetermination.StatutoryPresumption, AssessedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now.AddMinutes(-10)), AssessedBy = "named nurse (test)",
        });
        await clinician.RecordConsentAsync(new RecordConsentRequest
        {
            PatientId = patient, TechnologyId = sensor, Decision = ConsentDecision.Given,
            InformationGiven = "what the sensor measures, that no video is kept, and that she can ask for manual observations instead", InformationFormat = AccessibleFormat.EasyRead,
            RecordedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now.AddMinutes(-5)), RecordedBy = "named nurse (test)",
        });
        var proposal = new ProposeUseRequest
        {
            TechnologyId = sensor, WardCode = "OAK", Purpose = UsePurpose.PatientSafety,
            CarePlan = new CarePlanItems
            {
                Reason = "pulse and breathing checked at night without waking her", WhenAndHowUsed = "from 22:00 to 07:00, the sensor's light on when it is",
                InformationGiven = "easy-read leaflet and a talk with her named nurse", InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "she chose it at her care-plan meeting", DataUse = "readings stay in her record; the supplier sees no names",
                NextReviewDate = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now.AddDays(28)), ReviewCovers = "whether she still wants it and how she sleeps",
                HowToWithdraw = "tell any nurse, and manual observations resume",
            },
            HumanRights = new HumanRightsBalancing { RightsEngaged = 4, HowBalanced = "readings only, no images; night-time only; reviewed with her", LegalAdviceSought = false },
            Safety = new SafetyProportionality { WhyProportionate = "night observations woke her every hour", HowRelationalCareContinues = "night staff still check in person when she is awake" },
        };
        proposal.PatientIds.Add(patient);
        var proposed = await clinician.ProposeUseAsync(proposal);

        var refused = await Assert.ThrowsAsync<RpcException>(() => clinician.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "deprivation-of-liberty.screen-required"), (refused.StatusCode, refused.Trailers.GetValue(RefusalStatus.RuleTrailer)));
        var check = new CheckUseRequest { PatientId = patient, TechnologyId = sensor, WardCode = "OAK", Purpose = UsePurpose.PatientSafety };
        Assert.NotEqual(UseCheckDecision.Permit, (await clinician.CheckUseAsync(check)).Decision);

        await clinician.RecordDeprivationOfLibertyScreenAsync(new RecordDeprivationOfLibertyScreenRequest
        {
            PatientId = patient, TechnologyId = sensor, ScreenedBy = "ward manager (test)",
            ContinuousSupervisionAndControl = true, FreeToLeave = false, ValidConsentToArrangements = true,
            ReviewBy = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now.AddDays(28)),
        });
        Assert.Equal(UseStatus.Active, (await clinician.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId })).Status);
        Assert.Equal(UseCheckDecision.Permit, (await clinician.CheckUseAsync(check)).Decision);
    }

    private IReadOnlyList<string>? casesBeforeRestart;

    // Every RX3 case as the procurement lead sees it, by ids: the case, its current gate records, its approvals.
    private async Task<IReadOnlyList<string>> ProcurementCasesAsSeen()
    {
        var lead = await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-lead");
        return (await lead.ListCasesAsync(new ListCasesRequest())).Cases
            .Select(c => $"{c.CaseId} {c.SettingCode} {c.Status} gates: {string.Join(",", c.Gates.Select(g => g.RecordId).Order())} approvals: {string.Join(",", c.Approvals.Select(a => a.ApprovalId))}")
            .Order().ToList();
    }

    // Consent's own copy of the trust's approvals, read in the running consent app: no method lists them, and the override
    // columns are what tells procurement's approvals from hand-set ones (ADR 0029).
    private async Task<List<Platform.Consent.Domain.TechnologyApproval>> ConsentApprovalsAsync(string tenant)
    {
        var consent = _platform.Running.Single(r => r.Spec.Name == "consent").App;
        await using var scope = consent.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Platform.ServiceDefaults.Tenancy.TenantContext>().Use(tenant);
        return await scope.ServiceProvider.GetRequiredService<Platform.Consent.Api.Data.ConsentDbContext>().TechnologyApprovals.AsNoTracking()
            .Where(a => a.WithdrawnAt == null).ToListAsync();
    }

    private static async Task Until(string failure, Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(100);
        }
    }

    private LocalPlatform _platform = null!;

    // The gateway routes identity's token endpoint without a token: an integrator needs one address.
    private Uri GatewayTokenEndpoint => new($"http://127.0.0.1:{8080 + _offset}/connect/token");

    private async Task The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied()
    {
        var clinician = await Client<ConsentService.ConsentServiceClient>(5002, "rx3-demo-epr");
        var device = await Client<ConsentService.ConsentServiceClient>(5002, "rx3-demo-device");
        var patients = await clinician.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK" });
        var patient = patients.Patients.Single(p => p.NhsNumber == "9990000018").PatientId;
        var technologies = await (await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-lead")).ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 });
        var app = technologies.Technologies.Single(t => t.Name == "Ward companion app").TechnologyId;

        var permitted = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Permit, permitted.Decision);
        Assert.Equal(LawfulBasisKind.OwnConsent, permitted.LawfulBasis);
        // The approval the check applied is consent's copy of procurement's approval for OAK's setting type.
        var applied = Assert.Single(await ConsentApprovalsAsync("RX3"), a => a.Id.ToString() == permitted.ApprovalId);
        Assert.Equal((Guid.Parse(app), "acute-adult", null), (applied.TechnologyId, applied.SettingCode, applied.OverrideApprovalReason));
        await A_permitted_check_is_in_a_signed_checkpoint_of_the_trusts_log(patient);
        var elsewhere = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "ASH", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Deny, elsewhere.Decision);
        Assert.NotEmpty(elsewhere.Reasons);

        // The same question through the gateway, over gRPC (8081) and REST (8080), with the runner's ports: the device's
        // token comes from identity's token endpoint through the gateway too (the one route that needs no token).
        var throughGateway = await Client<ConsentService.ConsentServiceClient>(8081, "rx3-demo-device");
        var again = await throughGateway.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Permit, again.Decision);
        using var http = new HttpClient();
        var token = await DemoClientFactory.TokenAsync(_platform, "rx3-demo-device", GatewayTokenEndpoint);
        using var check = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{8080 + _offset}/consent/v1/uses:check")
        {
            Content = new StringContent($"{{\"patientId\":\"{patient}\",\"technologyId\":\"{app}\",\"wardCode\":\"OAK\",\"purpose\":\"USE_PURPOSE_DIRECT_CARE_OR_TREATMENT\"}}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        check.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var answer = await http.SendAsync(check);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("USE_CHECK_DECISION_PERMIT", System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("decision").GetString());

        // A dashboard's GraphQL query at the gateway, as RX3's procurement lead: the trust's technologies from procurement.
        using var graphql = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{8080 + _offset}/graphql")
        {
            Content = new StringContent("{\"query\":\"{ trust { odsCode technologies(first: 50) { edges { node { name } } } } }\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        graphql.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await DemoClientFactory.TokenAsync(_platform, "rx3-demo-lead"));
        var dashboard = await http.SendAsync(graphql);
        var data = await dashboard.Content.ReadAsStringAsync();
        Assert.True(dashboard.StatusCode == HttpStatusCode.OK, data);
        var trust = System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("data").GetProperty("trust");
        Assert.Equal("RX3", trust.GetProperty("odsCode").GetString());
        Assert.Contains("Ward companion app", trust.GetProperty("technologies").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("name").GetString()));
    }

    // Tenant isolation at the front door (OWASP API1): RTQ's clients, holding RX3's ids, get nothing of RX3's through the
    // gateway, over gRPC or REST, and a header naming another trust changes nothing: the trust is the token's.
    private async Task Through_the_gateway_rtq_sees_nothing_of_rx3_by_guessed_ids_or_forged_tenant_headers()
    {
        var (rx3Patient, rx3App) = _platform.DemoUse;
        var consent = await Client<ConsentService.ConsentServiceClient>(8081, "rtq-demo-epr");
        var guessed = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => consent.GetPatientAsync(new GetPatientRequest { PatientId = rx3Patient }).ResponseAsync);
        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, guessed.StatusCode);
        var listed = await consent.ListPatientsAsync(new ListPatientsRequest { PageSize = 500 });
        Assert.DoesNotContain(listed.Patients, p => p.PatientId == rx3Patient || p.NhsNumber == "9990000018");
        try
        {
            var check = await consent.CheckUseAsync(new CheckUseRequest { PatientId = rx3Patient, TechnologyId = rx3App, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
            Assert.Equal(UseCheckDecision.Deny, check.Decision);
        }
        catch (global::Grpc.Core.RpcException e)
        {
            Assert.Equal(global::Grpc.Core.StatusCode.NotFound, e.StatusCode);
        }

        var procurement = await Client<ProcurementService.ProcurementServiceClient>(8081, "rtq-demo-lead");
        var technology = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => procurement.GetTechnologyAsync(new GetTechnologyRequest { TechnologyId = rx3App }).ResponseAsync);
        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, technology.StatusCode);

        var audit = await Client<AuditService.AuditServiceClient>(8081, "rtq-demo-auditor");
        var entries = await audit.ListEntriesAsync(new ListEntriesRequest { PageSize = 500 });
        Assert.DoesNotContain(entries.Entries, e => e.Entity.What.Contains(rx3Patient, StringComparison.Ordinal) || e.Entity.What.Contains(rx3App, StringComparison.Ordinal));

        using var http = new HttpClient();
        var token = await DemoClientFactory.TokenAsync(_platform, "rtq-demo-epr", GatewayTokenEndpoint);
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{8080 + _offset}/consent/v1/patients/{rx3Patient}");
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        forged.Headers.Add("tenant", "RX3");
        forged.Headers.Add("X-Tenant", "RX3");
        forged.Headers.Add("X-Forwarded-Tenant", "RX3");
        var answer = await http.SendAsync(forged);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("9990000018", body);
    }

    // The runner gives the audit service a development key per demo trust, so its checkpointer signs locally: the
    // check's entry reaches the log through the outbox and a checkpoint signed with RX3's key then covers it.
    private async Task A_permitted_check_is_in_a_signed_checkpoint_of_the_trusts_log(string patient)
    {
        var auditor = await Client<AuditService.AuditServiceClient>(5032, "rx3-demo-auditor");
        var keys = await auditor.GetVerifierKeysAsync(new GetVerifierKeysRequest());
        Assert.Equal($"{LocalPlatform.AuditOrigin}/RX3", keys.Origin);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var checks = await auditor.ListEntriesAsync(new ListEntriesRequest { Type = "use-check", Patient = $"Patient/{patient}", PageSize = 500 });
            var permitted = checks.Entries.FirstOrDefault(e => e.Agent.Who == "rx3-demo-device");
            Checkpoint? checkpoint = null;
            if (permitted is not null)
            {
                try
                {
                    checkpoint = await auditor.GetCheckpointAsync(new GetCheckpointRequest());
                }
                catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.NotFound)
                {
                    // None signed yet.
                }
            }

            if (permitted is not null && checkpoint is not null && checkpoint.TreeSize >= permitted.Sequence)
            {
                // Throws unless RX3's published log key signed it.
                var signed = Platform.Audit.Domain.Notes.SignedNote.Parse(checkpoint.SignedNote)
                    .Verify([Platform.Audit.Domain.Notes.NoteVerifierKey.Parse(Assert.Single(keys.LogKeys))]);
                Assert.NotEmpty(signed);
                Assert.StartsWith($"{LocalPlatform.AuditOrigin}/RX3\n{checkpoint.TreeSize}\n", checkpoint.SignedNote);
                return;
            }

            Assert.True(DateTime.UtcNow < until, "The permitted check did not appear in a signed checkpoint of RX3's log within 30 s.");
            await Task.Delay(100);
        }
    }

    private async Task A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery()
    {
        var created = await (await Client<ProcurementService.ProcurementServiceClient>(5012, "rx3-demo-lead")).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "End-to-end tracker", Supplier = "Test", IntendedUse = "Proving local event delivery", Category = TechnologyCategory.Monitoring,
        });

        var auditor = await Client<AuditService.AuditServiceClient>(5032, "rx3-demo-auditor");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var entries = await auditor.ListEntriesAsync(new ListEntriesRequest { PageSize = 500 });
            var entry = entries.Entries.FirstOrDefault(e => e.Entity.What == $"Technology/{created.TechnologyId}");
            // The seeded patients' registrations arrive too, as the internal key only.
            var patients = entries.Entries.Where(e => e.Type == "patient-registered").ToList();
            if (entry is not null && patients.Count >= 4)
            {
                Assert.Equal(("technology-registered", "rx3-demo-lead", "procurement-lead"), (entry.Type, entry.Agent.Who, entry.Agent.Role));
                Assert.False(string.IsNullOrEmpty(entry.SourceEventId));
                Assert.All(patients, p => Assert.Matches("^Patient/[0-9a-f-]{36}$", p.Entity.What));
                return;
            }
            Assert.True(DateTime.UtcNow < until, "The technology_registered and seeded patient_registered events did not reach the audit log within 30 s.");
            await Task.Delay(100);
        }
    }

    private async Task<int> CountPatients(string tenant) =>
        (await (await Client<ConsentService.ConsentServiceClient>(5002, $"{tenant.ToLowerInvariant()}-demo-epr")).ListPatientsAsync(new ListPatientsRequest { PageSize = 500 })).Patients.Count;

    private Task<TClient> Client<TClient>(int defaultPort, string clientId) where TClient : class =>
        _clients.ClientAsync<TClient>(_platform, defaultPort, clientId);

    // The default ports may be in use on a developer's machine (a running platform); move them all to free ones.
    internal static int FindFreeOffset()
    {
        var random = new Random();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var offset = random.Next(20000, 50000);
            if (LocalPlatform.Apps.All(a => IsFree(a.HttpPort + offset) && IsFree(a.GrpcPort + offset))) return offset;
        }
        throw new InvalidOperationException("No free block of ports for the local platform.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
