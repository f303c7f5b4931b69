using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ConsentDbContext = Platform.Consent.Api.Data.ConsentDbContext;
using Platform.Consent.Api.Grpc;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Procurement.V1;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;
using Platform.Evidence.Api.Grpc;
using ProcurementDbContext = Platform.Procurement.Api.Data.ProcurementDbContext;
using Platform.Procurement.Api.Grpc;
using Platform.Testing;
using Xunit;
using EvidenceContracts = Platform.Contracts.Evidence.V1;
using IdentityContracts = Platform.Contracts.Identity.V1;
using static Platform.Procurement.Api.Tests.ProcurementGateEvidence;

namespace Platform.Tools.LocalRunner.Tests;

/// <summary>
/// Procurement, evidence and consent hosted side by side on one fake clock, their events carried between them by
/// <see cref="SidecarRelay"/> from each service's own outbox: nothing a test asserts on was handed to a service but by
/// another service's event (the identity directory's ward events, from a service not hosted here, are played).
/// </summary>
public sealed class ProcurementEvidenceConsentFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);
    public ServiceFactory<ProcurementGrpcService> Procurement { get; private set; } = null!;
    public ServiceFactory<EvidenceGrpcService> Evidence { get; private set; } = null!;
    public ServiceFactory<ConsentGrpcService> Consent { get; private set; } = null!;
    public SidecarRelay Relay { get; } = new();
    private readonly string _consentData = Directory.CreateTempSubdirectory("platform-e2e-consent-").FullName;

    public async Task InitializeAsync()
    {
        void OnTheClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
        Procurement = await ServiceFactory<ProcurementGrpcService>.StartOnPostgresAsync("procurement", new Dictionary<string, string?>
        {
            [SidecarRelay.OwnRelayOff.Key] = SidecarRelay.OwnRelayOff.Value,
            // The sweep wakes every hour of the fake clock: a test that moves the clock by days wakes it.
            ["Procurement:ExpirySweep:Interval"] = "01:00:00",
        }, OnTheClock);
        Evidence = await ServiceFactory<EvidenceGrpcService>.StartOnPostgresAsync("evidence", new Dictionary<string, string?>
        {
            [SidecarRelay.OwnRelayOff.Key] = SidecarRelay.OwnRelayOff.Value,
        }, OnTheClock);
        Consent = await ServiceFactory<ConsentGrpcService>.StartOnPostgresAsync("consent", new Dictionary<string, string?>
        {
            [SidecarRelay.OwnRelayOff.Key] = SidecarRelay.OwnRelayOff.Value,
            ["Consent:Schedules:Enabled"] = "false",
            // On SQLite, as the local platform that runs in this test process after it: consent's compiled queries are
            // static, bound to the first model that runs them, so a PostgreSQL consent here would break the local
            // platform's SQLite one ("executed with a different model than it was compiled against").
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = _consentData,
            ["ConnectionStrings:consent"] = $"Data Source={Path.Combine(_consentData, "consent.db")}",
            ["ConnectionStrings:consent-owner"] = $"Data Source={Path.Combine(_consentData, "consent.db")}",
        }, OnTheClock);
        await Relay.AddAsync<ProcurementGrpcService, ProcurementDbContext>("procurement", Procurement);
        await Relay.AddAsync<EvidenceGrpcService, EvidenceDbContext>("evidence", Evidence);
        await Relay.AddAsync<ConsentGrpcService, ConsentDbContext>("consent", Consent);
    }

    public async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Consent.DisposeAsync();
        await Evidence.DisposeAsync();
        await Procurement.DisposeAsync();
        Directory.Delete(_consentData, recursive: true);
    }
}

/// <summary>
/// Issue 15's proof over real events: an appraisal in the evidence service passes procurement's gate; procurement's
/// approval for one ward setting lets consent authorise a use there and nowhere else; evidence that expires reopens its
/// gate, and past the trust's grace period procurement withdraws the approval, and the use stops at the next check.
/// </summary>
public sealed class ApprovalLifecycleEndToEndTests(ProcurementEvidenceConsentFixture fixture) : IClassFixture<ProcurementEvidenceConsentFixture>
{
    private const string Acute = "acute-adult";
    private const string Picu = "picu";

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task An_approval_from_procurement_authorises_use_only_in_its_setting_and_when_its_evidence_expires_past_the_grace_period_the_use_stops_at_the_next_check()
    {
        var trust = new Trust(fixture, "RX3");
        await trust.WardsAsync(("OAK", WardSetting.AcuteAdult), ("ASH", WardSetting.Picu));

        // Procurement registers the technology; evidence and consent learn it from its event.
        var technology = await trust.Procurement(Lead).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "Ward companion app", Supplier = "Brightpath Digital", Category = TechnologyCategory.DirectCare,
            IntendedUse = "Patient-held app for care-plan reminders, mood tracking and messages to the named nurse",
        });
        await trust.RelayAsync();

        // The evidence reviewer appraises the evidence for adult acute wards; procurement's gate is passed by that event alone.
        var appraisal = await trust.AppraiseAsync(technology.TechnologyId, Acute);
        var penetrationTestEnds = Now.AddDays(40);
        var (acuteCase, approval) = await trust.ApprovedCaseAsync(technology.TechnologyId, Acute, penetrationTestEnds);
        Assert.Contains(appraisal.AppraisalId, acuteCase.Gates.Single(g => g.Gate == Gate.EvidenceAppraisal).EvidenceReference);
        Assert.Equal((ApprovalKind.Full, Acute, true), (approval.Kind, approval.SettingCode, approval.InForce));

        // Consent knows of the approval only from procurement's event: until it is delivered, no use can start.
        var onOak = await trust.PatientWithConsentAsync(technology.TechnologyId, "OAK");
        var early = await Assert.ThrowsAsync<RpcException>(() => trust.Consent().ProposeUseAsync(Trust.Use(onOak, technology.TechnologyId, "OAK", Now)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "use.no-approval-for-setting"), (early.StatusCode, RuleOf(early)));
        var approved = await trust.RelayAsync();
        Assert.Contains(approved, d => (d.From, d.Type, d.To) == ("procurement", "platform.procurement.technology_approved.v1", "consent"));

        // In the approved setting a clinician starts the use and the device's check permits it.
        await trust.StartUseAsync(onOak, technology.TechnologyId, "OAK");
        var permitted = await trust.CheckAsync(onOak, technology.TechnologyId, "OAK");
        Assert.Equal((UseCheckDecision.Permit, 0), (permitted.Decision, permitted.Reasons.Count));

        // On a PICU ward a patient's consent authorises nothing: the approval was for adult acute wards only, so no use
        // can be started there, and the device there is refused.
        var onAsh = await trust.PatientWithConsentAsync(technology.TechnologyId, "ASH");
        var proposal = await Assert.ThrowsAsync<RpcException>(() => trust.Consent().ProposeUseAsync(Trust.Use(onAsh, technology.TechnologyId, "ASH", Now)).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "use.no-approval-for-setting"), (proposal.StatusCode, RuleOf(proposal)));
        Assert.Equal("The trust has not approved this technology for this ward's setting. Using it in a new setting needs its own approval.", proposal.Status.Detail);
        var refusedOnAsh = await trust.CheckAsync(onAsh, technology.TechnologyId, "ASH");
        Assert.Equal((UseCheckDecision.Deny, "use-check.no-use"), (refusedOnAsh.Decision, Assert.Single(refusedOnAsh.Reasons).Rule));

        // The penetration test runs out: its gate reopens, and through the trust's grace period the approval still stands.
        fixture.Clock.Advance(penetrationTestEnds.AddDays(1) - Now);
        var reopened = await trust.CaseWhenAsync(acuteCase.CaseId, c => c.Gates.Single(g => g.Code == "dtac-c3-technical-security").State == GateState.Expired);
        Assert.Equal((CaseStatus.Approved, true), (reopened.Status, reopened.Approvals[^1].InForce));
        await trust.RelayAsync();
        Assert.Equal(UseCheckDecision.Permit, (await trust.CheckAsync(onOak, technology.TechnologyId, "OAK")).Decision);

        // Not renewed within the grace period (30 days by default): procurement's sweep withdraws the approval and says why.
        fixture.Clock.Advance(TimeSpan.FromDays(30));
        var withdrawn = await trust.CaseWhenAsync(acuteCase.CaseId, c => c.Status == CaseStatus.Withdrawn);
        var lapsed = withdrawn.Approvals[^1];
        Assert.Equal((approval.ApprovalId, false, WithdrawalCause.EvidenceExpired), (lapsed.ApprovalId, lapsed.InForce, lapsed.WithdrawalCause));
        Assert.Equal(["dtac-c3-technical-security"], lapsed.WithdrawalExpiredGates);
        var withdrawal = await trust.RelayAsync();
        Assert.Contains(withdrawal, d => (d.From, d.Type, d.To) == ("procurement", "platform.procurement.technology_approval_withdrawn.v1", "consent"));

        // The very next check refuses, with what the device shows staff; the use itself is suspended.
        var refused = await trust.CheckAsync(onOak, technology.TechnologyId, "OAK");
        Assert.Equal(UseCheckDecision.Deny, refused.Decision);
        var reason = Assert.Single(refused.Reasons, r => r.Kind == "approval-withdrawn");
        Assert.Equal(("use.approval-withdrawn", "The trust has withdrawn its approval for this technology in this setting; it cannot be used."), (reason.Rule, reason.Message));
        var uses = await trust.Consent().ListUsesAsync(new ListUsesRequest { PatientId = onOak });
        Assert.Equal(UseStatus.Suspended, Assert.Single(uses.Uses).Use.Status);
    }

    [Fact]
    public async Task An_approval_for_adult_acute_wards_does_not_cover_a_picu_ward_until_a_case_of_its_own_is_approved_and_its_event_resumes_the_use()
    {
        var trust = new Trust(fixture, "RTQ");
        await trust.WardsAsync(("BIRCH", WardSetting.AcuteAdult), ("ELM", WardSetting.Picu));
        var technology = await trust.Procurement(Lead).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "Mood and sleep diary", Supplier = "Calder Digital", Category = TechnologyCategory.DirectCare,
            IntendedUse = "Self-reported mood and sleep, shared with the care team with the patient's agreement",
        });
        await trust.RelayAsync();
        await trust.AppraiseAsync(technology.TechnologyId, Acute);
        await trust.ApprovedCaseAsync(technology.TechnologyId, Acute, Now.AddDays(365));
        await trust.RelayAsync();
        var patient = await trust.PatientWithConsentAsync(technology.TechnologyId, "BIRCH");
        await trust.StartUseAsync(patient, technology.TechnologyId, "BIRCH");
        Assert.Equal(UseCheckDecision.Permit, (await trust.CheckAsync(patient, technology.TechnologyId, "BIRCH")).Decision);

        // She moves to a PICU ward: the approval for adult acute wards does not follow her, so her use stops there.
        var moved = await trust.Consent().TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "ELM" });
        Assert.Equal(Picu, moved.SettingCode);
        var useId = Assert.Single(moved.SuspendedUseIds);
        var onPicu = await trust.CheckAsync(patient, technology.TechnologyId, "ELM");
        Assert.Equal(UseCheckDecision.Deny, onPicu.Decision);
        Assert.Equal(("use-check.suspended-not-approved-for-ward", "This use is suspended because the patient moved to a ward whose setting the trust has not approved the technology for."),
            (onPicu.Reasons[0].Rule, onPicu.Reasons[0].Message));

        // PICU needs a case of its own: nothing of the adult acute case counts for it, the appraisal included.
        var picuCase = await trust.Procurement(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = technology.TechnologyId, SettingCode = Picu, SettingDescription = "Psychiatric intensive care", Purpose = StatedPurpose.DirectCareOrTreatment,
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() => trust.Procurement(Lead).ApproveAsync(new ApproveRequest
        {
            CaseId = picuCase.CaseId, Kind = ApprovalKind.Full, Rationale = "Approved on the adult acute wards already",
        }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "approval.gates-open"), (refused.StatusCode, RuleOf(refused)));
        var open = refused.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["open_gates"].Split(',');
        Assert.Contains("evidence-appraisal", open);
        Assert.Contains("dtac-c1-clinical-safety", open);
        Assert.Contains("DTAC C1 clinical safety (not recorded)", refused.Status.Detail);
        Assert.DoesNotContain(await trust.RelayAsync(), d => d.Type == "platform.procurement.technology_approved.v1");
        Assert.Equal(UseCheckDecision.Deny, (await trust.CheckAsync(patient, technology.TechnologyId, "ELM")).Decision);

        // Once PICU's own appraisal and gates pass and the lead approves that case, its event resumes her use there.
        await trust.AppraiseAsync(technology.TechnologyId, Picu);
        var (approvedPicu, picuApproval) = await trust.ApprovedCaseAsync(technology.TechnologyId, Picu, Now.AddDays(365), picuCase.CaseId);
        Assert.Equal((CaseStatus.Approved, Picu), (approvedPicu.Status, picuApproval.SettingCode));
        var approved = await trust.RelayAsync();
        Assert.Contains(approved, d => (d.From, d.Type, d.To) == ("procurement", "platform.procurement.technology_approved.v1", "consent"));
        var resumed = await trust.CheckAsync(patient, technology.TechnologyId, "ELM");
        Assert.Equal((UseCheckDecision.Permit, useId), (resumed.Decision, resumed.UseId));
    }

    private static string? RuleOf(RpcException e) => e.Trailers.GetValue(Platform.Grpc.RefusalStatus.RuleTrailer);

    /// <summary>One trust's users of the three services, each call made with the role that step needs.</summary>
    private sealed class Trust(ProcurementEvidenceConsentFixture fixture, string tenant)
    {
        private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

        public ProcurementService.ProcurementServiceClient Procurement(string role) => fixture.Procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(tenant, role);

        public ConsentService.ConsentServiceClient Consent(string role = ConsentRoles.Clinician) => fixture.Consent.GrpcClient<ConsentService.ConsentServiceClient>(tenant, role);

        public Task<IReadOnlyList<SidecarRelay.Delivery>> RelayAsync() => fixture.Relay.RelayUntilQuietAsync(tenant);

        /// <summary>The trust administrator registers wards in the identity directory: its ward_registered events, played.</summary>
        public async Task WardsAsync(params (string Code, WardSetting Setting)[] wards)
        {
            foreach (var (code, setting) in wards)
            {
                var delivered = await fixture.Relay.PublishAsAsync("identity", new IdentityContracts.WardRegistered
                {
                    WardCode = code, Name = $"{code} Ward", Setting = setting, SettingCode = WardSettingCodes.Of(null, setting), Beds = 16,
                    Actor = new Actor { Subject = "admin-1", Role = "trust-admin" },
                }, tenant, $"{tenant}/{code}", fixture.Clock.GetUtcNow());
                Assert.Equal(["consent", "procurement"], delivered.Select(d => d.To).Order());
            }
        }

        /// <summary>The evidence reviewer records an independent trial and completes a sufficient appraisal for <paramref name="setting"/>; its event is relayed.</summary>
        public async Task<EvidenceContracts.Appraisal> AppraiseAsync(string technologyId, string setting)
        {
            var evidence = fixture.Evidence.GrpcClient<EvidenceContracts.EvidenceService.EvidenceServiceClient>(tenant, "evidence-reviewer");
            var item = await evidence.RecordEvidenceItemAsync(new EvidenceContracts.RecordEvidenceItemRequest
            {
                TechnologyId = technologyId, Title = $"Randomised trial on {setting} wards", Citation = $"doi:10.1000/{setting}-rct", StudyDesign = EvidenceContracts.StudyDesign.Rct,
                SampleSize = 120, IndependentOfSupplier = true, SettingRelevance = EvidenceContracts.SettingRelevance.Direct, Quality = EvidenceContracts.EvidenceQuality.High,
                RiskOfBias = EvidenceContracts.RiskOfBias.Low,
            });
            var request = new EvidenceContracts.CompleteAppraisalRequest
            {
                TechnologyId = technologyId, SettingCode = setting, Tier = EvidenceContracts.EsfTier.C, Conclusion = EvidenceContracts.AppraisalConclusion.Sufficient,
                HowEvidenceInformedDecision = "The independent trial in this setting carried the decision; the supplier's own study was read for context only.",
                EvidenceItemIds = { item.EvidenceItemId },
                Standards = { new EvidenceContracts.EsfStandardJudgement { Standard = "C-5", Met = true, Note = "Comparative study in the target setting" } },
            };
            var appraisal = await evidence.CompleteAppraisalAsync(request);
            var delivered = await RelayAsync();
            Assert.Contains(delivered, d => (d.From, d.Type, d.To) == ("evidence", "platform.evidence.appraisal_completed.v1", "procurement"));
            return appraisal;
        }

        /// <summary>The lead opens a case for the setting (unless one is open), each gate is recorded by its role, and the lead approves in full.</summary>
        public async Task<(ProcurementCase Case, Approval Approval)> ApprovedCaseAsync(string technologyId, string setting, DateTime penetrationTestValidUntil, string? openCaseId = null)
        {
            var caseId = openCaseId ?? (await Procurement(Lead).OpenCaseAsync(new OpenCaseRequest
            {
                TechnologyId = technologyId, SettingCode = setting, SettingDescription = $"Inpatient wards of setting {setting}", Purpose = StatedPurpose.DirectCareOrTreatment,
            })).CaseId;
            foreach (var (role, gate) in EveryGateButTheAppraisal(caseId, Now, penetrationTestValidUntil))
                Assert.Equal(GateOutcome.Passed, (await Procurement(role).RecordGateAsync(gate)).Outcome);
            var approval = await Procurement(Lead).ApproveAsync(new ApproveRequest
            {
                CaseId = caseId, Kind = ApprovalKind.Full, Rationale = "Every gate met; evidence sufficient for this ward type.",
            });
            return (await Procurement(Lead).GetCaseAsync(new GetCaseRequest { CaseId = caseId }), approval);
        }

        /// <summary>
        /// Reads the case until <paramref name="done"/> holds: procurement's hosted sweep works on its own after the clock
        /// moves, so the test waits on what it does, never on time. The bound only ends a test whose rule is broken.
        /// </summary>
        public async Task<ProcurementCase> CaseWhenAsync(string caseId, Func<ProcurementCase, bool> done)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var read = await Procurement(Ig).GetCaseAsync(new GetCaseRequest { CaseId = caseId });
                if (done(read)) return read;
                await Task.Delay(25, limit.Token);
            }
        }

        /// <summary>A patient on the ward with capacity, who has consented to the technology.</summary>
        public async Task<string> PatientWithConsentAsync(string technologyId, string ward)
        {
            var consent = Consent();
            var patient = await consent.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NhsNumber(), WardCode = ward, AgeBand = AgeBand._26To64 });
            await consent.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
            {
                PatientId = patient.PatientId, TechnologyId = technologyId, Decision = "using the ward companion app",
                Determination = CapacityDetermination.StatutoryPresumption, AssessedAt = Ts(Now.AddMinutes(-10)), AssessedBy = "named nurse 4411",
            });
            await consent.RecordConsentAsync(new RecordConsentRequest
            {
                PatientId = patient.PatientId, TechnologyId = technologyId, Decision = ConsentDecision.Given,
                InformationGiven = "what the app does, who sees her entries, and that she can stop at any time", InformationFormat = AccessibleFormat.EasyRead,
                RecordedAt = Ts(Now.AddMinutes(-5)), RecordedBy = "named nurse 4411",
            });
            return patient.PatientId;
        }

        /// <summary>The clinician proposes the patient's use of the technology on the ward, with its care plan, and starts it.</summary>
        public async Task StartUseAsync(string patientId, string technologyId, string ward)
        {
            var proposed = await Consent().ProposeUseAsync(Use(patientId, technologyId, ward, Now));
            var active = await Consent().ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId });
            Assert.Equal(UseStatus.Active, active.Status);
            await RelayAsync();
        }

        /// <summary>The device on the ward asks whether it may run for the patient now.</summary>
        public Task<CheckUseResponse> CheckAsync(string patientId, string technologyId, string ward) =>
            Consent(ConsentRoles.Device).CheckUseAsync(new CheckUseRequest
            {
                PatientId = patientId, TechnologyId = technologyId, WardCode = ward, Purpose = UsePurpose.DirectCareOrTreatment,
            }).ResponseAsync;

        public static ProposeUseRequest Use(string patientId, string technologyId, string ward, DateTime now) => new()
        {
            TechnologyId = technologyId, WardCode = ward, Purpose = UsePurpose.DirectCareOrTreatment, PatientIds = { patientId },
            CarePlan = new CarePlanItems
            {
                Reason = "to keep track of her care-plan goals and message her named nurse between ward rounds",
                WhenAndHowUsed = "on the ward tablet or her own phone, when she chooses",
                InformationGiven = "easy-read leaflet and a talk with her named nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "she chose it at her care-plan meeting",
                DataUse = "entries stay in her record; the supplier sees no names",
                // Past every step of this story, and within the trust's longest review interval (92 days).
                NextReviewDate = Ts(now.AddDays(90)),
                ReviewCovers = "whether it helps and whether she still wants it",
                HowToWithdraw = "tell any nurse, or stop using the app",
            },
        };

        private static Timestamp Ts(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

        // Valid NHS numbers (modulus 11) from the 999 test range, unique within the run.
        private static int s_next = Random.Shared.Next(1_000_000, 9_000_000);

        private static string NhsNumber()
        {
            while (true)
            {
                var body = "99" + Interlocked.Increment(ref s_next).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
                var sum = 0;
                for (var i = 0; i < 9; i++) sum += (body[i] - '0') * (10 - i);
                var check = 11 - sum % 11;
                if (check == 10) continue;
                return body + (check == 11 ? 0 : check).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}
