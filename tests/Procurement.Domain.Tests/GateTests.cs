using Platform.Domain;
using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class GateTests
{
    private static readonly Technology TheTechnology = Technology();

    private static Outcome<GateRecord> Try(GateEvidence evidence, ProcurementCase? @case = null, Technology? technology = null, ProcurementPolicy? policy = null)
    {
        technology ??= TheTechnology;
        @case ??= OpenCase(technology);
        return @case.RecordGate(new GateSubmission(evidence, "DOC-1"), technology, ActorFor(evidence.Gate), policy ?? Policy, Guid.NewGuid(), Now);
    }

    private static void Passes(GateEvidence evidence, ProcurementCase? @case = null, Technology? technology = null) =>
        Assert.Equal(GateOutcome.Passed, Try(evidence, @case, technology).Value.Outcome);

    private static string Fails(GateEvidence evidence, ProcurementPolicy? policy = null)
    {
        var record = Try(evidence, policy: policy).Value;
        Assert.Equal(GateOutcome.Failed, record.Outcome);
        return ShownRefusals.Readable(record.FailureReason, sentence: false);
    }

    private static string? Refused(GateEvidence evidence, ProcurementCase? @case = null, Technology? technology = null) => Try(evidence, @case, technology).Refusal.ShownRule();

    [Fact]
    public void Every_complete_gate_passes()
    {
        var @case = OpenCase(TheTechnology);
        foreach (var evidence in AllGates(TheTechnology))
            Passes(evidence, @case);
        Assert.Empty(@case.OpenGates(Now));
    }

    [Fact]
    public void Legal_procurement_compliance_needs_the_route_and_fails_when_not_compliant()
    {
        Passes(Legal());
        Assert.Equal("legal-procurement-compliance.route-missing", Refused(Legal() with { ProcurementRoute = "" }));
        Assert.Contains("legislation", Fails(Legal() with { Compliant = false }));
    }

    [Fact]
    public void The_local_procurement_policy_gate_names_the_policy_and_the_financial_instructions()
    {
        Passes(LocalPolicy());
        Assert.Equal("local-procurement-policy.policy-reference-missing", Refused(LocalPolicy() with { LocalPolicyReference = " " }));
        Assert.Equal("local-procurement-policy.financial-instructions-reference-missing", Refused(LocalPolicy() with { FinancialInstructionsReference = "" }));
        Assert.Contains("financial instructions", Fails(LocalPolicy() with { Compliant = false }));
    }

    [Fact]
    public void Clinical_safety_needs_the_suppliers_dcb0129_case_and_the_trusts_own_dcb0160_case_and_hazard_log()
    {
        Passes(ClinicalSafety());
        Assert.Equal("dtac-c1-clinical-safety.dcb0129-reference-missing", Refused(ClinicalSafety() with { SupplierDcb0129SafetyCaseReference = "" }));
        Assert.Equal("dtac-c1-clinical-safety.dcb0160-reference-missing", Refused(ClinicalSafety() with { TrustDcb0160SafetyCaseReference = "" }));
        Assert.Equal("dtac-c1-clinical-safety.hazard-log-reference-missing", Refused(ClinicalSafety() with { HazardLogReference = "" }));
        Assert.Contains("clinical safety", Fails(ClinicalSafety() with { Passed = false }));
    }

    [Fact]
    public void Every_dtac_section_needs_the_suppliers_answers_and_a_renewal_date_still_ahead()
    {
        Assert.Equal("dtac-c4-interoperability.supplier-dtac-reference-missing", Refused(Interoperability() with { SupplierDtacReference = "" }));
        Assert.Equal("dtac-c4-interoperability.dtac-renewal-due-missing", Refused(Interoperability() with { DtacRenewalDue = default }));
        Assert.Equal("dtac-c2-data-protection.dtac-renewal-due-past", Refused(DataProtection() with { DtacRenewalDue = Days(-1) }));
    }

    [Theory]
    [InlineData(DsptStatus.ApproachingStandards)]
    [InlineData(DsptStatus.StandardsNotMet)]
    [InlineData(DsptStatus.NotPublished)]
    public void Data_protection_fails_when_the_suppliers_dspt_status_falls_short(DsptStatus status)
    {
        Assert.Contains("DSPT", Fails(DataProtection() with { SupplierDsptStatus = status }));
    }

    [Fact]
    public void Data_protection_needs_a_current_dspt_status_and_the_ig_leads_acceptance()
    {
        Passes(DataProtection() with { SupplierDsptStatus = DsptStatus.StandardsExceeded });
        Assert.Equal("dtac-c2-data-protection.dspt-status-missing", Refused(DataProtection() with { SupplierDsptStatus = DsptStatus.Unspecified }));
        Assert.Equal("dtac-c2-data-protection.dspt-valid-until-past", Refused(DataProtection() with { DsptValidUntil = Days(-2) }));
        Assert.Contains("data protection", Fails(DataProtection() with { Passed = false }));
    }

    [Fact]
    public void Technical_security_needs_a_current_penetration_test()
    {
        Assert.Equal("dtac-c3-technical-security.penetration-test-reference-missing", Refused(TechnicalSecurity() with { PenetrationTestReference = "" }));
        Assert.Equal("dtac-c3-technical-security.penetration-tested-on-in-future", Refused(TechnicalSecurity() with { PenetrationTestedOn = Days(1) }));
        Assert.Equal("dtac-c3-technical-security.penetration-test-valid-until-past", Refused(TechnicalSecurity() with { PenetrationTestValidUntil = Now }));
        Assert.Contains("penetration test", Fails(TechnicalSecurity() with { Passed = false }));
    }

    [Fact]
    public void Interoperability_is_pass_or_fail()
    {
        Passes(Interoperability());
        Assert.Contains("interoperability", Fails(Interoperability() with { Passed = false }));
    }

    [Fact]
    public void Usability_is_scored_and_judged_against_the_trusts_minimum()
    {
        Passes(Usability(0));
        Assert.Equal("dtac-d1-usability-accessibility.score-range", Refused(Usability(101)));
        Assert.Equal("dtac-d1-usability-accessibility.score-range", Refused(Usability(-1)));
        Assert.Contains("below the trust's minimum of 70%", Fails(Usability(65), ProcurementPolicy.Default with { MinimumUsabilityScorePercent = 70 }));
    }

    [Fact]
    public void The_evidence_appraisal_gate_fails_on_insufficient_evidence_and_must_match_the_case()
    {
        Passes(Appraisal(TheTechnology, EvidenceConclusion.Minimal));
        Assert.Contains("insufficient", Fails(Appraisal(TheTechnology, EvidenceConclusion.Insufficient)));
        Assert.Equal("evidence-appraisal.other-setting", Refused(Appraisal(TheTechnology, setting: OtherSetting)));
        Assert.Equal("evidence-appraisal.other-technology", Refused(Appraisal(Technology())));
        Assert.Equal("evidence-appraisal.conclusion-missing", Refused(Appraisal(TheTechnology) with { Conclusion = EvidenceConclusion.Unspecified }));
        Assert.Equal("evidence-appraisal.tier-missing", Refused(Appraisal(TheTechnology) with { Tier = EsfTier.Unspecified }));
        Assert.Equal("evidence-appraisal.appraisal-missing", Refused(Appraisal(TheTechnology) with { AppraisalId = Guid.Empty }));
        Assert.Equal("evidence-appraisal.completed-at-in-future", Refused(Appraisal(TheTechnology) with { CompletedAt = Days(1) }));
    }

    [Fact]
    public void Every_ehia_risk_needs_a_clear_mitigation()
    {
        var ehia = Ehia() with { Risks = [new(AffectedGroup.Disability, "Screen reader users cannot use the app", " ")] };
        Assert.Equal("ehia.mitigation-missing", Refused(ehia));
        Assert.Equal("ehia.risk-group-missing", Refused(Ehia() with { Risks = [new(AffectedGroup.Unspecified, "A risk", "A mitigation")] }));
        Assert.Equal("ehia.risk-missing", Refused(Ehia() with { Risks = [new(AffectedGroup.Race, " ", "A mitigation")] }));
        Assert.Equal("ehia.completed-on-in-future", Refused(Ehia() with { CompletedOn = Days(1) }));
    }

    [Fact]
    public void An_ehia_with_no_risks_must_say_why_and_must_be_reviewed_regularly()
    {
        Assert.Equal("ehia.no-risks-rationale-missing", Refused(Ehia() with { Risks = [] }));
        Passes(Ehia() with { Risks = [], NoRisksRationale = "Offered to every patient in accessible formats; assessed with the equality lead" });
        Assert.Equal("ehia.review-too-far", Refused(Ehia() with { ReviewBy = Days(400) }));
        Assert.Equal("ehia.review-by-past", Refused(Ehia() with { ReviewBy = Days(-1) }));
    }

    [Fact]
    public void A_surveillance_technology_needs_an_ehia_that_assesses_trauma_and_paranoia()
    {
        var camera = Technology(surveillance: true);
        var @case = OpenCase(camera);
        var noParanoia = Ehia() with { Risks = Ehia().Risks.Where(r => r.Group != AffectedGroup.Paranoia).ToList() };
        var refusal = Try(noParanoia, @case, camera).Refusal;
        Assert.Equal("ehia.surveillance-groups-missing", refusal.ShownRule());
        Assert.Contains("paranoia", refusal!.Message);
        Assert.Equal("ehia.surveillance-groups-missing", Refused(Ehia() with { Risks = [], NoRisksRationale = "None found" }, @case, camera));
        Passes(Ehia(), @case, camera);
    }

    [Fact]
    public void A_high_residual_risk_in_the_dpia_needs_prior_consultation_with_the_ico()
    {
        Assert.Equal("dpia.ico-consultation-missing", Refused(Dpia() with { ResidualRisk = ResidualRisk.High }));
        Passes(Dpia() with { ResidualRisk = ResidualRisk.High, IcoPriorConsultationReference = "ICO-PC-2026-0031" });
        Assert.Equal("dpia.residual-risk-missing", Refused(Dpia() with { ResidualRisk = ResidualRisk.Unspecified }));
        Assert.Equal("dpia.completed-on-in-future", Refused(Dpia() with { CompletedOn = Days(1) }));
        Assert.Equal("dpia.review-by-past", Refused(Dpia() with { ReviewBy = Days(-1) }));
    }

    [Fact]
    public void Data_sharing_lists_the_agreements_or_why_none_is_needed()
    {
        Assert.Equal("data-sharing-agreements.none-needed-rationale-missing", Refused(DataSharing() with { Agreements = [] }));
        Passes(DataSharing() with { Agreements = [], NoneNeededRationale = "Data stay on trust servers; the supplier has no access" });
        Assert.Equal("data-sharing-agreements.agreement-incomplete", Refused(DataSharing() with { Agreements = [new("", "REF", null)] }));
        Assert.Equal("data-sharing-agreements.agreement-expired", Refused(DataSharing() with { Agreements = [new("Calm Digital Ltd", "REF", Days(-3))] }));
    }

    [Fact]
    public void The_privacy_notice_must_cover_the_use_and_storage_of_data_and_the_patients_rights()
    {
        Passes(PrivacyNotice());
        Assert.Equal("privacy-notice.reference-missing", Refused(PrivacyNotice() with { PrivacyNoticeReference = "" }));
        Assert.Equal("privacy-notice.patient-information-reference-missing", Refused(PrivacyNotice() with { PatientInformationReference = "" }));
        Assert.Equal("privacy-notice.updated-on-missing", Refused(PrivacyNotice() with { UpdatedOn = default }));
        Assert.Contains("used and stored", Fails(PrivacyNotice() with { CoversUseAndStorageOfData = false }));
        Assert.Contains("rights", Fails(PrivacyNotice() with { CoversPatientRights = false }));
    }

    [Fact]
    public void Information_governance_signs_off_only_after_the_data_protection_work_and_names_what_is_still_open()
    {
        var @case = OpenCase(TheTechnology);
        Record(@case, TheTechnology, Dpia());
        var refusal = Try(IgSignOff(), @case).Refusal;
        Assert.Equal("ig-sign-off.prerequisites-open", refusal.ShownRule());
        Assert.Contains("DTAC C2 data protection (not recorded)", refusal!.Message);
        Assert.Contains("Data sharing agreements (not recorded)", refusal.Message);
        Assert.Contains("Privacy notice and patient information (not recorded)", refusal.Message);
        Assert.DoesNotContain("Data protection impact assessment", refusal.Message);

        Record(@case, TheTechnology, DataProtection());
        Record(@case, TheTechnology, DataSharing());
        Record(@case, TheTechnology, PrivacyNotice());
        Passes(IgSignOff(), @case);
        Assert.Contains("Data Security and Protection Toolkit", Try(IgSignOff() with { TrustDsptReflectsImplementation = false }, @case).Value.FailureReason);
    }

    [Fact]
    public void Co_production_needs_people_with_lived_experience_at_procurement_and_the_suppliers_assurance()
    {
        var testingOnly = CoProduction() with { Activities = CoProduction().Activities.Where(a => a.Stage != CoProductionStage.Procurement).ToList() };
        Assert.Contains("at procurement", Fails(testingOnly));
        Assert.Contains("supplier cannot evidence", Fails(CoProduction() with { SupplierAssurance = new(false, "Supplier letter: no user involvement") }));
        Assert.Equal("co-production.supplier-assurance-missing", Refused(CoProduction() with { SupplierAssurance = null }));
        Assert.Equal("co-production.participants-missing", Refused(CoProduction() with { Activities = [new(CoProductionStage.Procurement, Days(-3), 0, "None", "REF")] }));
        Assert.Equal("co-production.representation-missing", Refused(CoProduction() with { Activities = [new(CoProductionStage.Procurement, Days(-3), 3, " ", "REF")] }));
        Assert.Equal("co-production.reference-missing", Refused(CoProduction() with { Activities = [new(CoProductionStage.Procurement, Days(-3), 3, "Former inpatients", "")] }));
        Assert.Equal("co-production.held-on-invalid", Refused(CoProduction() with { Activities = [new(CoProductionStage.Procurement, Days(3), 3, "Former inpatients", "REF")] }));
        Assert.Equal("co-production.stage-missing", Refused(CoProduction() with { Activities = [new(CoProductionStage.Unspecified, Days(-3), 3, "Former inpatients", "REF")] }));
    }

    [Fact]
    public void The_policy_must_have_every_item_of_its_minimum_content_and_each_missing_one_is_named()
    {
        var refusal = Try(PolicyAndProcedure() with { Covers = PolicyContent.ScopeAndEvidenceBase | PolicyContent.DataProtection | PolicyContent.StaffTrainingAndCompetency }).Refusal;
        Assert.Equal("policy-and-sop.content-missing", refusal.ShownRule());
        foreach (var words in new[] { "guidance and principles of use", "patient consent and mental capacity", "safeguarding",
                     "how often the policy is reviewed", "the contingency plan should the technology need to be withdrawn" })
            Assert.Contains(words, refusal!.Message);
        Assert.DoesNotContain("data protection", refusal!.Message);
    }

    [Fact]
    public void The_policy_needs_its_documents_a_review_frequency_and_co_production()
    {
        Assert.Equal("policy-and-sop.policy-reference-missing", Refused(PolicyAndProcedure() with { PolicyReference = "" }));
        Assert.Equal("policy-and-sop.procedure-reference-missing", Refused(PolicyAndProcedure() with { ProcedureReference = "" }));
        Assert.Equal("policy-and-sop.review-frequency-range", Refused(PolicyAndProcedure() with { ReviewEveryMonths = 0 }));
        Assert.Equal("policy-and-sop.approved-on-in-future", Refused(PolicyAndProcedure() with { ApprovedOn = Days(2) }));
        Assert.Equal("policy-and-sop.review-overdue", Refused(PolicyAndProcedure() with { ApprovedOn = Days(-40), ReviewEveryMonths = 1 }));
        Assert.Contains("co-production", Fails(PolicyAndProcedure() with { CoProduced = false }));
        Assert.Equal(Days(-8).AddMonths(12), Try(PolicyAndProcedure()).Value.ExpiresAt);
    }

    [Fact]
    public void The_training_plan_must_include_bank_and_agency_staff_and_refreshers_and_names_every_gap()
    {
        Assert.Equal("staff-training.plan-reference-missing", Refused(Training() with { PlanReference = "" }));
        var refusal = Try(Training() with { Includes = StaffGroups.Substantive, RefresherEveryMonths = 0 }).Refusal;
        Assert.Equal("staff-training.plan-incomplete", refusal.ShownRule());
        Assert.Contains("bank staff", refusal!.Message);
        Assert.Contains("agency staff", refusal.Message);
        Assert.Contains("regular refresher training", refusal.Message);

        Assert.Contains("human rights", Try(Training() with { Covers = TrainingContent.UseOfTheTechnology | TrainingContent.PolicyMatters }).Refusal!.Message);
        Assert.Contains("the matters set out in the policy", Try(Training() with { Covers = TrainingContent.UseOfTheTechnology | TrainingContent.HumanRightsAndEthics }).Refusal!.Message);
        Assert.Contains("when staff start", Try(Training() with { TrainedBeforeFirstUse = false }).Refusal!.Message);
        Assert.Contains("at least every 12 months", Try(Training() with { RefresherEveryMonths = 18 }).Refusal!.Message);
    }

    [Fact]
    public void A_gate_for_another_technology_is_refused()
    {
        var @case = OpenCase(TheTechnology);
        var outcome = @case.RecordGate(new GateSubmission(Legal(), "DOC-1"), Technology(), Lead, Policy, Guid.NewGuid(), Now);
        Assert.Equal("gate.other-technology", outcome.Refusal.ShownRule());
    }
}
