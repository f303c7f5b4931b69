using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Procurement.Api.Grpc;
using Xunit;
using Evidence = Platform.Contracts.Evidence.V1;
using static Platform.Procurement.Api.Tests.ProcurementCaseClient;

namespace Platform.Procurement.Api.Tests;

/// <summary>What the procurement lead, the IG lead, the clinical safety officer and the evidence reviewer see over gRPC.</summary>
public class ProcurementCaseGrpcTests(ProcurementClockFixture fixture) : IClassFixture<ProcurementClockFixture>
{
    private ProcurementCaseClient Trust(string ods) => new(fixture, ods);

    [Fact]
    public async Task Approval_with_every_gate_open_is_refused_listing_every_open_gate_by_name_and_code()
    {
        var a = Trust("RGA1");
        var opened = await a.CaseAsync("Mood diary open gates");

        var refused = await RefusedAsync(() => a.As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Keen to start" }).ResponseAsync,
            StatusCode.FailedPrecondition);
        var info = refused.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("approval.gates-open", info.Reason);
        var open = info.Metadata["open_gates"].Split(',');
        Assert.Equal(16, open.Length);
        Assert.Contains("dpia", open);
        Assert.Contains("evidence-appraisal", open);
        Assert.Contains("16 still open", refused.Status.Detail);
        Assert.Contains("DTAC C1 clinical safety (not recorded)", refused.Status.Detail);
        Assert.Contains("Staff training plan (not recorded)", refused.Status.Detail);

        var listed = await a.As(Safety).ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full });
        Assert.Equal(open, listed.OpenGates.Select(g => g.Code));
        Assert.All(listed.OpenGates, g => Assert.Equal(GateState.NotRecorded, g.State));
    }

    [Fact]
    public async Task With_one_gate_left_open_the_refusal_names_only_that_gate()
    {
        var a = Trust("RGA2");
        var opened = await a.CaseAsync("Sleep app one gate");
        await a.RecordEveryGateButTheAppraisalAsync(opened.CaseId);

        var refused = await RefusedAsync(() => a.As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Ready" }).ResponseAsync,
            StatusCode.FailedPrecondition);
        Assert.Equal("evidence-appraisal", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["open_gates"]);
        Assert.Contains("Critical review of the evidence base (P7) (not recorded)", refused.Status.Detail);
    }

    [Fact]
    public async Task Minimal_evidence_allows_only_a_trial_with_an_independent_evaluation_and_an_end_date()
    {
        var a = Trust("RGA3");
        var opened = await a.CaseAsync("Feedback kiosk minimal");
        await a.RecordEveryGateButTheAppraisalAsync(opened.CaseId);
        await a.DeliverAppraisalAsync(opened.TechnologyId, opened.SettingCode, Evidence.AppraisalConclusion.Minimal);

        var appraisalGate = (await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId })).Gates.Single(g => g.Code == "evidence-appraisal");
        Assert.Equal((GateState.Passed, "evidence-reviewer", "reviewer-7"), (appraisalGate.State, appraisalGate.RecordedAs, appraisalGate.RecordedBy));

        var full = await RefusedAsync(() => a.As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Promising" }).ResponseAsync,
            StatusCode.FailedPrecondition);
        Assert.Equal("approval.minimal-evidence-trial-only", full.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        var noPlan = await RefusedAsync(() => a.As(Lead).ApproveAsync(new ApproveRequest
        {
            CaseId = opened.CaseId, Kind = ApprovalKind.Trial, Rationale = "Trial", TrialEndsOn = Timestamp.FromDateTime(now.AddDays(120)),
        }).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal("approval.evaluation-missing", noPlan.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var trial = await a.As(Lead).ApproveAsync(new ApproveRequest
        {
            CaseId = opened.CaseId, Kind = ApprovalKind.Trial, Rationale = "Minimal evidence: trial on two wards",
            TrialEndsOn = Timestamp.FromDateTime(now.AddDays(120)),
            Evaluation = new IndependentEvaluationPlan
            {
                Evaluator = "University evaluation unit", IndependentOfSupplier = true, Method = "Before-and-after CORE-10 with a comparison ward",
                CoProductionInEvaluation = "Two lived-experience researchers on the evaluation team", ReportDueBy = Timestamp.FromDateTime(now.AddDays(110)),
            },
        });
        Assert.Equal((ApprovalKind.Trial, EvidenceConclusion.Minimal, true), (trial.Kind, trial.EvidenceConclusion, trial.InForce));

        var published = Assert.Single(await a.PublishedAsync("procurement.technology_approved.v1", opened.CaseId));
        Assert.Contains("\"trialOnly\": true", published);
        Assert.Contains($"\"trialEndsAt\": \"{now.AddDays(120):yyyy-MM-ddTHH:mm:ss}Z\"", published);
        Assert.Contains("\"settingCodes\": [ \"acute-adult\" ]", published);
        Assert.DoesNotContain("Minimal evidence: trial", published);
        // A direct-care technology that is not surveillance needs no deprivation-of-liberty screen (proto3 leaves false out).
        Assert.DoesNotContain("continuousMonitoringOrRestrictive", published);
    }

    /// <summary>
    /// Consent asks for a deprivation-of-liberty screen before a use of a technology that monitors continuously or may
    /// restrict (Cheshire West [2014] UKSC 19): procurement says so on its approval, from the category and the
    /// surveillance flag the technology was registered with, failing closed for anything registered to monitor.
    /// </summary>
    [Theory]
    [InlineData(Platform.Procurement.Domain.TechnologyCategory.Monitoring, false, true)]
    [InlineData(Platform.Procurement.Domain.TechnologyCategory.DirectCare, true, true)]
    [InlineData(Platform.Procurement.Domain.TechnologyCategory.DirectCare, false, false)]
    [InlineData(Platform.Procurement.Domain.TechnologyCategory.PatientSafety, false, false)]
    [InlineData(Platform.Procurement.Domain.TechnologyCategory.Communication, false, false)]
    public void An_approval_says_the_technology_monitors_continuously_when_it_was_registered_to_monitor_or_as_surveillance_Cheshire_West_2014_UKSC_19(
        Platform.Procurement.Domain.TechnologyCategory category, bool surveillance, bool monitors) =>
        Assert.Equal(monitors, Platform.Procurement.Api.Application.ProcurementEvents.MonitorsContinuouslyOrRestricts(
            new Platform.Procurement.Domain.Technology { Category = category, IsSurveillance = surveillance }));

    [Theory]
    [InlineData(StatedPurpose.ReduceStaffTimeWithPatients)]
    [InlineData(StatedPurpose.CoverLowStaffing)]
    public async Task A_case_to_reduce_staff_time_with_patients_or_cover_low_staffing_is_refused(StatedPurpose purpose)
    {
        var a = Trust("RGA4");
        var technology = await a.TechnologyAsync($"Remote observation {purpose}");
        var refused = await RefusedAsync(() => a.As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = technology.TechnologyId, SettingCode = "picu", SettingDescription = "Psychiatric intensive care", Purpose = purpose,
        }).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("case.purpose-reduces-staff-time", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("P5", refused.Status.Detail);
        Assert.Empty((await a.As(Lead).ListCasesAsync(new ListCasesRequest { TechnologyId = technology.TechnologyId })).Cases);
    }

    [Fact]
    public async Task A_new_setting_needs_its_own_case_and_the_same_setting_twice_already_exists()
    {
        var a = Trust("RGA5");
        var opened = await a.CaseAsync("Companion app settings");
        var again = await RefusedAsync(() => a.As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = opened.TechnologyId, SettingCode = "acute-adult", SettingDescription = "again", Purpose = StatedPurpose.DirectCareOrTreatment,
        }).ResponseAsync, StatusCode.AlreadyExists);
        Assert.Equal("case.exists-for-setting", again.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        await a.WardAsync("ASH", "picu");
        var picu = await a.As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = opened.TechnologyId, SettingCode = "picu", SettingDescription = "Psychiatric intensive care", Purpose = StatedPurpose.DirectCareOrTreatment,
        });
        Assert.Equal(CaseStatus.Open, picu.Status);
        Assert.Equal(2, (await a.As(Ig).ListCasesAsync(new ListCasesRequest { TechnologyId = opened.TechnologyId })).Cases.Count);
    }

    [Fact]
    public async Task A_case_opens_only_for_a_setting_type_of_an_open_ward_in_the_trusts_directory()
    {
        var a = Trust("RGS1");
        var b = Trust("RGS2");
        var technology = await a.TechnologyAsync("Directory-checked app");
        OpenCaseRequest For(string setting) => new()
        {
            TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = "Wards of this type", Purpose = StatedPurpose.DirectCareOrTreatment,
        };

        // Another trust's CAMHS unit is not this trust's: nothing in RGS1's directory yet.
        await b.WardAsync("HAZEL", "camhs");
        var unknown = await RefusedAsync(() => a.As(Lead).OpenCaseAsync(For("camhs")).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("setting-code.not-in-directory", unknown.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("setting_code 'camhs'", unknown.Status.Detail);
        Assert.Empty((await a.As(Lead).ListCasesAsync(new ListCasesRequest { TechnologyId = technology.TechnologyId })).Cases);

        await a.WardAsync("OAK", "acute-adult");
        var typo = await RefusedAsync(() => a.As(Lead).OpenCaseAsync(For("acute-adlut")).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Contains("it knows: acute-adult", typo.Status.Detail);
        Assert.Equal(CaseStatus.Open, (await a.As(Lead).OpenCaseAsync(For("acute-adult"))).Status);

        // A setting whose only ward has closed takes no new case.
        await a.WardAsync("ELM", "older-adults");
        await a.WardAsync("ELM", "older-adults", closed: true);
        await RefusedAsync(() => a.As(Lead).OpenCaseAsync(For("older-adults")).ResponseAsync, StatusCode.FailedPrecondition);
    }

    [Fact]
    public async Task Only_the_role_responsible_for_a_gate_can_record_it_and_the_appraisal_gate_is_not_recorded_by_hand()
    {
        var a = Trust("RGA6");
        var opened = await a.CaseAsync("Safety gate roles");
        var asIg = new RecordGateRequest
        {
            CaseId = opened.CaseId, EvidenceReference = "CSO-1",
            ClinicalSafety = new ClinicalSafetyEvidence
            {
                Dtac = new DtacAnswers { SupplierDtacReference = "DTAC", DtacRenewalDue = Timestamp.FromDateTimeOffset(ProcurementClockFixture.Start.AddYears(1)) },
                SupplierDcb0129SafetyCaseReference = "A", TrustDcb0160SafetyCaseReference = "B", HazardLogReference = "C", Passed = true,
            },
        };
        var refused = await RefusedAsync(() => a.As(Ig).RecordGateAsync(asIg).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("procurement.role-required", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("clinical safety officer", refused.Status.Detail);

        var incomplete = await RefusedAsync(() => a.As(Ig).RecordGateAsync(new RecordGateRequest
        {
            CaseId = opened.CaseId, EvidenceReference = "DPIA-1", Dpia = new DpiaEvidence { ResidualRisk = ResidualRisk.High, CompletedOn = Timestamp.FromDateTimeOffset(ProcurementClockFixture.Start.AddDays(-1)) },
        }).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal("dpia.ico-consultation-missing", incomplete.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Empty((await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId })).Gates);
    }

    [Fact]
    public async Task Withdrawal_for_lack_of_benefit_names_a_received_flag_and_sets_the_appraisal_aside()
    {
        var a = Trust("RGA7");
        var (opened, _) = await a.ApprovedCaseAsync("Mood tracker no benefit");
        var flagId = Guid.NewGuid().ToString();
        var flag = new Evidence.OutcomeFlagRaised
        {
            FlagId = flagId, Key = $"no-benefit:{opened.TechnologyId}:core10", Kind = Evidence.OutcomeFlagKind.NoBenefit, TechnologyId = opened.TechnologyId,
            SettingCode = opened.SettingCode, Instrument = "core10", Patients = 40, MeanImprovement = 0.2, Period = "2027-Q1",
            RaisedAt = Timestamp.FromDateTimeOffset(fixture.Clock.GetUtcNow()),
        };
        Assert.Equal((System.Net.HttpStatusCode.OK, "SUCCESS"), await a.DeliverAsync(flag, Guid.NewGuid().ToString()));
        var listed = Assert.Single((await a.As(Lead).ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { TechnologyId = opened.TechnologyId })).Flags);
        Assert.Equal((flagId, "core10"), (listed.FlagId, listed.Instrument));

        var unknown = await RefusedAsync(() => a.As(Lead).WithdrawForLackOfBenefitAsync(new WithdrawForLackOfBenefitRequest
        {
            CaseId = opened.CaseId, FlagId = Guid.NewGuid().ToString(), Reason = "No benefit",
        }).ResponseAsync, StatusCode.NotFound);
        Assert.Equal("outcome-flag.not-found", unknown.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        var noReason = await RefusedAsync(() => a.As(Lead).WithdrawForLackOfBenefitAsync(new WithdrawForLackOfBenefitRequest { CaseId = opened.CaseId, FlagId = flagId }).ResponseAsync,
            StatusCode.InvalidArgument);
        Assert.Equal("reason.required", noReason.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

        var withdrawn = await a.As(Lead).WithdrawForLackOfBenefitAsync(new WithdrawForLackOfBenefitRequest
        {
            CaseId = opened.CaseId, FlagId = flagId, Reason = "CORE-10 scores did not improve over two quarters",
        });
        Assert.Equal((WithdrawalCause.LackOfBenefit, flagId, false), (withdrawn.WithdrawalCause, withdrawn.WithdrawalFlagId, withdrawn.InForce));

        var after = await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId });
        Assert.Equal(CaseStatus.Withdrawn, after.Status);
        Assert.Equal(GateState.Invalidated, after.Gates.Single(g => g.Code == "evidence-appraisal").State);
        var published = Assert.Single(await a.PublishedAsync("procurement.technology_approval_withdrawn.v1", opened.CaseId));
        Assert.Contains("\"cause\": \"WITHDRAWAL_CAUSE_LACK_OF_BENEFIT\"", published);
        Assert.Contains($"\"outcomeFlagId\": \"{flagId}\"", published);
        Assert.DoesNotContain("CORE-10 scores", published);
    }

    [Fact]
    public async Task Another_trust_gets_not_found_for_every_case_method_and_sees_none_of_the_cases()
    {
        var a = Trust("RGA8");
        var b = Trust("RGB8");
        var opened = await a.CaseAsync("Isolation app");
        var id = opened.CaseId;

        await RefusedAsync(() => b.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = id }).ResponseAsync, StatusCode.NotFound);
        await RefusedAsync(() => b.As(Lead).ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = id, Kind = ApprovalKind.Full }).ResponseAsync, StatusCode.NotFound);
        await RefusedAsync(() => b.As(Lead).RecordGateAsync(new RecordGateRequest
        {
            CaseId = id, EvidenceReference = "X", LegalCompliance = new LegalComplianceEvidence { ProcurementRoute = "Open tender", Compliant = true },
        }).ResponseAsync, StatusCode.NotFound);
        await RefusedAsync(() => b.As(Lead).ApproveAsync(new ApproveRequest { CaseId = id, Kind = ApprovalKind.Full, Rationale = "x" }).ResponseAsync, StatusCode.NotFound);
        await RefusedAsync(() => b.As(Lead).WithdrawAsync(new WithdrawRequest { CaseId = id, Reason = "x" }).ResponseAsync, StatusCode.NotFound);
        await RefusedAsync(() => b.As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = opened.TechnologyId, SettingCode = "picu", SettingDescription = "x", Purpose = StatedPurpose.DirectCareOrTreatment,
        }).ResponseAsync, StatusCode.NotFound);
        Assert.DoesNotContain((await b.As(Lead).ListCasesAsync(new ListCasesRequest())).Cases, c => c.CaseId == id);
        Assert.Empty((await a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = id })).Gates);
    }

    [Fact]
    public async Task The_trusts_procurement_policy_is_set_by_the_trust_admin_only_and_refused_out_of_range()
    {
        var a = Trust("RGA9");
        Assert.Equal(30, (await a.As(Lead).GetProcurementPolicyAsync(new GetProcurementPolicyRequest())).ExpiryGraceDays);
        var admin = fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>("RGA9", "trust-admin");
        var policy = new ProcurementPolicy { ExpiryGraceDays = 14, MaxTrialDays = 180, MaxEhiaReviewDays = 365, MaxRefresherMonths = 12, MinUsabilityScorePercent = 60 };
        await admin.SetProcurementPolicyAsync(policy);
        Assert.Equal(policy, await a.As(Lead).GetProcurementPolicyAsync(new GetProcurementPolicyRequest()));
        var bad = await RefusedAsync(() => admin.SetProcurementPolicyAsync(new ProcurementPolicy(policy) { ExpiryGraceDays = 120 }).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal("procurement-policy.grace-period-range", bad.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        await RefusedAsync(() => a.As(Lead).SetProcurementPolicyAsync(policy).ResponseAsync, StatusCode.PermissionDenied);
    }

    public static TheoryData<string> WrongRoles => ["clinician", "device", "ward-manager"];

    [Theory]
    [MemberData(nameof(WrongRoles))]
    public async Task A_wrong_role_is_refused_on_every_method(string role)
    {
        var client = fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>("RGA10", role);
        var id = Guid.NewGuid().ToString();
        var calls = new Dictionary<string, Func<Task>>
        {
            ["RegisterTechnology"] = () => client.RegisterTechnologyAsync(new RegisterTechnologyRequest { Name = "x", Supplier = "y", IntendedUse = "z", Category = TechnologyCategory.DirectCare }).ResponseAsync,
            ["GetTechnology"] = () => client.GetTechnologyAsync(new GetTechnologyRequest { TechnologyId = id }).ResponseAsync,
            ["ListTechnologies"] = () => client.ListTechnologiesAsync(new ListTechnologiesRequest()).ResponseAsync,
            ["OpenCase"] = () => client.OpenCaseAsync(new OpenCaseRequest { TechnologyId = id, SettingCode = "picu", SettingDescription = "x", Purpose = StatedPurpose.PatientSafety }).ResponseAsync,
            ["GetCase"] = () => client.GetCaseAsync(new GetCaseRequest { CaseId = id }).ResponseAsync,
            ["ListCases"] = () => client.ListCasesAsync(new ListCasesRequest()).ResponseAsync,
            ["ListOpenGates"] = () => client.ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = id }).ResponseAsync,
            ["ListOpenGatesForCases"] = () => client.ListOpenGatesForCasesAsync(new ListOpenGatesForCasesRequest { Queries = { new ListOpenGatesRequest { CaseId = id } } }).ResponseAsync,
            ["RecordGate"] = () => client.RecordGateAsync(new RecordGateRequest { CaseId = id, EvidenceReference = "x", LegalCompliance = new LegalComplianceEvidence { ProcurementRoute = "x" } }).ResponseAsync,
            ["Approve"] = () => client.ApproveAsync(new ApproveRequest { CaseId = id, Kind = ApprovalKind.Full, Rationale = "x" }).ResponseAsync,
            ["Withdraw"] = () => client.WithdrawAsync(new WithdrawRequest { CaseId = id, Reason = "x" }).ResponseAsync,
            ["WithdrawForLackOfBenefit"] = () => client.WithdrawForLackOfBenefitAsync(new WithdrawForLackOfBenefitRequest { CaseId = id, FlagId = id, Reason = "x" }).ResponseAsync,
            ["ListOutcomeFlags"] = () => client.ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest()).ResponseAsync,
            ["GetProcurementPolicy"] = () => client.GetProcurementPolicyAsync(new GetProcurementPolicyRequest()).ResponseAsync,
            ["SetProcurementPolicy"] = () => client.SetProcurementPolicyAsync(new ProcurementPolicy { ExpiryGraceDays = 1, MaxTrialDays = 1, MaxEhiaReviewDays = 1, MaxRefresherMonths = 1 }).ResponseAsync,
            ["ShareSupplierEvidence"] = () => client.ShareSupplierEvidenceAsync(new ShareSupplierEvidenceRequest { CaseId = id, Gate = Gate.DtacTechnicalSecurity, Kind = SupplierEvidenceKind.PenetrationTest }).ResponseAsync,
            ["WithdrawSharedEvidence"] = () => client.WithdrawSharedEvidenceAsync(new WithdrawSharedEvidenceRequest { SharedEvidenceId = id }).ResponseAsync,
            ["ListSharedSupplierEvidence"] = () => client.ListSharedSupplierEvidenceAsync(new ListSharedSupplierEvidenceRequest()).ResponseAsync,
            // The region's method takes a region token (no trust): called with one in the wrong role.
            ["GetRegionalApprovalCounts"] = () => fixture.App.GrpcClientWithToken<ProcurementService.ProcurementServiceClient>(fixture.App.Tokens.MintForTrusts([], [role]))
                .GetRegionalApprovalCountsAsync(new GetRegionalApprovalCountsRequest()).ResponseAsync,
        };
        var methods = ProcurementService.Descriptor.Methods.Select(m => m.Name).Order().ToList();
        Assert.Equal(methods, calls.Keys.Order().ToList());
        foreach (var (name, call) in calls)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(refused.StatusCode == StatusCode.PermissionDenied, $"{name} as {role}: {refused.StatusCode}");
            Assert.Equal("role.required", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        }
    }

    [Fact]
    public void Every_method_of_the_service_names_the_roles_it_accepts() =>
        Assert.All(ProcurementService.Descriptor.Methods, m =>
            Assert.NotNull(typeof(ProcurementGrpcService).GetMethod(m.Name)!.GetCustomAttribute<RequiresRoleAttribute>()));
}
