using Platform.Domain;
using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class CaseTests
{
    [Fact]
    public void A_technology_needs_a_name_a_supplier_an_intended_use_and_a_category()
    {
        var complete = new TechnologyRegistration("Sleep sensor", "Acme", "Night-time sleep monitoring with the patient's agreement", TechnologyCategory.Monitoring, false, false);
        Assert.False(Platform.Procurement.Domain.Technology.Register(complete, Guid.NewGuid(), Now).IsRefused);
        Assert.Equal("name.required", Platform.Procurement.Domain.Technology.Register(complete with { Name = " " }, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("supplier.required", Platform.Procurement.Domain.Technology.Register(complete with { Supplier = null }, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("intended-use.required", Platform.Procurement.Domain.Technology.Register(complete with { IntendedUse = "" }, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("category.required", Platform.Procurement.Domain.Technology.Register(complete with { Category = TechnologyCategory.Unspecified }, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void A_patient_safety_technology_manages_a_safety_risk_and_a_surveillance_flag_is_kept()
    {
        var technology = Platform.Procurement.Domain.Technology.Register(
            new TechnologyRegistration("Vision monitor", "Acme", "Night observations by video", TechnologyCategory.PatientSafety, true, false), Guid.NewGuid(), Now).Value;
        Assert.True(technology.ManagesSafetyRisk);
        Assert.True(technology.IsSurveillance);
    }

    [Theory]
    [InlineData(ProcurementRole.Clinician)]
    [InlineData(ProcurementRole.Device)]
    [InlineData(ProcurementRole.InformationGovernanceLead)]
    [InlineData(ProcurementRole.EvidenceReviewer)]
    public void Only_the_procurement_lead_opens_a_case(ProcurementRole role)
    {
        var technology = Technology();
        var outcome = ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute wards", StatedPurpose.DirectCareOrTreatment),
            technology, [], new ProcurementActor("someone", role), Guid.NewGuid(), Now);
        Assert.Equal(("procurement.role-required", RefusalKind.PermissionDenied), (outcome.Refusal.ShownRule(), outcome.Refusal?.Kind));
        Assert.Contains("procurement lead", outcome.Refusal!.Message);
    }

    [Fact]
    public void An_act_without_a_subject_is_refused()
    {
        var technology = Technology();
        var outcome = ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute wards", StatedPurpose.DirectCareOrTreatment),
            technology, [], Lead with { Subject = " " }, Guid.NewGuid(), Now);
        Assert.Equal("actor.required", outcome.Refusal.ShownRule());
    }

    [Fact]
    public void A_case_must_define_and_describe_its_setting_and_state_a_purpose()
    {
        var technology = Technology();
        OpenCaseRequest Request() => new(technology.Id, Setting, "Adult acute wards", StatedPurpose.DirectCareOrTreatment);
        Assert.Equal("setting.required", ProcurementCase.Open(Request() with { SettingCode = "" }, technology, [], Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("setting-description.required", ProcurementCase.Open(Request() with { SettingDescription = " " }, technology, [], Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("purpose.required", ProcurementCase.Open(Request() with { Purpose = StatedPurpose.Unspecified }, technology, [], Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("case.technology-required", ProcurementCase.Open(Request() with { TechnologyId = Guid.NewGuid() }, technology, [], Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Theory]
    [InlineData(StatedPurpose.ReduceStaffTimeWithPatients)]
    [InlineData(StatedPurpose.CoverLowStaffing)]
    public void A_purpose_of_reducing_staff_time_with_patients_or_covering_low_staffing_is_refused(StatedPurpose purpose)
    {
        var technology = Technology();
        var outcome = ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute wards", purpose), technology, [], Lead, Guid.NewGuid(), Now);
        Assert.Equal("case.purpose-reduces-staff-time", outcome.Refusal.ShownRule());
        Assert.Contains("P5", outcome.Refusal!.Message);
    }

    [Fact]
    public void Releasing_time_to_care_is_an_accepted_purpose()
    {
        var technology = Technology();
        Assert.False(ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute wards", StatedPurpose.ReleasingTimeToCare),
            technology, [], Lead, Guid.NewGuid(), Now).IsRefused);
    }

    [Fact]
    public void A_setting_has_one_case_and_a_new_setting_gets_its_own()
    {
        var technology = Technology();
        var acute = OpenCase(technology);
        var again = ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute wards", StatedPurpose.DirectCareOrTreatment), technology, [acute], Lead, Guid.NewGuid(), Now);
        Assert.Equal("case.exists-for-setting", again.Refusal.ShownRule());
        var picu = ProcurementCase.Open(new OpenCaseRequest(technology.Id, OtherSetting, "Psychiatric intensive care, 10 beds", StatedPurpose.DirectCareOrTreatment), technology, [acute], Lead, Guid.NewGuid(), Now);
        Assert.False(picu.IsRefused);
    }

    [Fact]
    public void An_approval_covers_only_its_own_setting_and_a_new_setting_repeats_every_gate()
    {
        var technology = Technology();
        var acute = ReadyCase(technology);
        Approved(acute, technology);
        Assert.True(acute.Covers(technology.Id, Setting, Now));
        Assert.False(acute.Covers(technology.Id, OtherSetting, Now));

        var picu = ProcurementCase.Open(new OpenCaseRequest(technology.Id, OtherSetting, "Psychiatric intensive care, 10 beds", StatedPurpose.DirectCareOrTreatment),
            technology, [acute], Lead, Guid.NewGuid(), Now).Value;
        Assert.Equal(GateCatalogue.All.Count, picu.OpenGates(Now).Count);
        var refused = picu.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now);
        Assert.Equal("approval.gates-open", refused.Refusal.ShownRule());
    }

    [Fact]
    public void The_roles_that_complete_each_gate_are_data()
    {
        Assert.Equal(ProcurementRole.ProcurementLead, ProcurementRoles.Decides);
        Assert.Equal(ProcurementRole.ClinicalSafetyOfficer, ProcurementRoles.CompletesGate(GateKind.DtacClinicalSafety));
        Assert.Equal(ProcurementRole.EvidenceReviewer, ProcurementRoles.CompletesGate(GateKind.EvidenceAppraisal));
        Assert.All(new[] { GateKind.DtacDataProtection, GateKind.DtacTechnicalSecurity, GateKind.DataProtectionImpactAssessment,
                GateKind.DataSharingAgreements, GateKind.PrivacyNotice, GateKind.InformationGovernanceSignOff },
            gate => Assert.Equal(ProcurementRole.InformationGovernanceLead, ProcurementRoles.CompletesGate(gate)));
        Assert.Equal("ig-lead", ProcurementRoles.Code(ProcurementRole.InformationGovernanceLead));
        Assert.Equal(ProcurementRole.ClinicalSafetyOfficer, ProcurementRoles.Parse("clinical-safety-officer"));
        Assert.Equal(ProcurementRole.Unspecified, ProcurementRoles.Parse("auditor"));
    }

    public static TheoryData<GateKind, ProcurementRole> WrongRoles()
    {
        var data = new TheoryData<GateKind, ProcurementRole>();
        foreach (var gate in GateCatalogue.All)
            foreach (var role in Enum.GetValues<ProcurementRole>().Where(r => r != ProcurementRole.Unspecified && r != gate.CompletedBy))
                data.Add(gate.Kind, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(WrongRoles))]
    public void A_gate_recorded_by_a_role_other_than_its_own_is_refused_and_changes_nothing(GateKind gate, ProcurementRole role)
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        var evidence = AllGates(technology).Single(e => e.Gate == gate);
        var outcome = @case.RecordGate(new GateSubmission(evidence, "DOC-1"), technology, new ProcurementActor("someone", role), Policy, Guid.NewGuid(), Now);
        Assert.Equal(RefusalKind.PermissionDenied, outcome.Refusal?.Kind);
        Assert.Empty(@case.GateRecords);
    }

    [Theory]
    [InlineData(ProcurementRole.Clinician)]
    [InlineData(ProcurementRole.Device)]
    public void A_clinician_or_device_cannot_decide_or_withdraw(ProcurementRole role)
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var actor = new ProcurementActor("someone", role);
        Assert.Equal(RefusalKind.PermissionDenied, @case.Approve(Full(), technology, actor, Policy, Guid.NewGuid(), Now).Refusal?.Kind);
        Approved(@case, technology);
        Assert.Equal(RefusalKind.PermissionDenied, @case.Withdraw("Not wanted", actor, Now).Refusal?.Kind);
        Assert.Equal(RefusalKind.PermissionDenied,
            @case.WithdrawForLackOfBenefit(new NoBenefitFinding(Guid.NewGuid(), technology.Id, Setting, "core-10", Now), "No benefit", actor, Now).Refusal?.Kind);
        Assert.Equal(CaseStatus.Approved, @case.Status);
    }

    [Fact]
    public void A_gate_record_keeps_who_when_the_evidence_reference_the_outcome_and_the_expiry()
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        var record = @case.RecordGate(new GateSubmission(TechnicalSecurity(), "RX3-C3-REVIEW-1"), technology, IgLead, Policy, Guid.NewGuid(), Now).Value;
        Assert.Equal((GateKind.DtacTechnicalSecurity, "ig-3", ProcurementRole.InformationGovernanceLead, Now, "RX3-C3-REVIEW-1", GateOutcome.Passed),
            (record.Gate, record.RecordedBy, record.RecordedAs, record.RecordedAt, record.EvidenceReference, record.Outcome));
        Assert.Equal(Days(200), record.ExpiresAt);
        Assert.Equal(GateState.Passed, @case.GateStateAt(GateKind.DtacTechnicalSecurity, Now));
    }

    [Fact]
    public void A_gate_needs_an_evidence_reference()
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        Assert.Equal("gate.evidence-required", @case.RecordGate(new GateSubmission(null!, "DOC-1"), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("evidence-reference.required", @case.RecordGate(new GateSubmission(Legal(), " "), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void Recording_a_gate_again_keeps_the_history_and_the_latest_counts()
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        Record(@case, technology, Legal() with { Compliant = false });
        Assert.Equal(GateState.Failed, @case.GateStateAt(GateKind.LegalProcurementCompliance, Now));
        Record(@case, technology, Legal(), Now.AddHours(1));
        Assert.Equal(GateState.Passed, @case.GateStateAt(GateKind.LegalProcurementCompliance, Now.AddHours(1)));
        Assert.Equal(2, @case.GateRecords.Count);
    }

    [Fact]
    public void The_trust_policy_refuses_settings_out_of_range()
    {
        Assert.Null(ProcurementPolicy.Default.Validate());
        Assert.Equal("procurement-policy.grace-period-range", (ProcurementPolicy.Default with { ExpiryGracePeriod = TimeSpan.FromDays(-1) }).Validate().ShownRule());
        Assert.Equal("procurement-policy.refresher-range", (ProcurementPolicy.Default with { MaxRefresherIntervalMonths = 0 }).Validate().ShownRule());
        Assert.Equal("procurement-policy.usability-range", (ProcurementPolicy.Default with { MinimumUsabilityScorePercent = 101 }).Validate().ShownRule());
        Assert.Equal("procurement-policy.period-required", (ProcurementPolicy.Default with { MaxTrialLength = TimeSpan.Zero }).Validate().ShownRule());
    }
}
