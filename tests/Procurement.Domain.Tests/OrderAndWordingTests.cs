using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

/// <summary>
/// Issue 21 (the second mutation run of procurement-domain): with two things wrong at once the refusal names the
/// first a form asks for; the words of each role refusal say what was attempted; open gates come in catalogue order;
/// a case rebuilt onto itself is not doubled; and a lead cannot withdraw a trial that has already ended.
/// </summary>
public class OrderAndWordingTests
{
    private static string? Refused(GateEvidence evidence, ProcurementActor? actor = null)
    {
        var technology = Technology();
        return OpenCase(technology).RecordGate(new GateSubmission(evidence, "DOC-1"), technology, actor ?? ActorFor(evidence.Gate), Policy, Guid.NewGuid(), Now)
            .Refusal.ShownRule();
    }

    public static TheoryData<string, GateEvidence, string> TwoFaultsAtOnce() => new()
    {
        { "reference before renewal", Interoperability() with { SupplierDtacReference = "", DtacRenewalDue = default }, "dtac-c4-interoperability.supplier-dtac-reference-missing" },
        { "renewal before the section", ClinicalSafety() with { DtacRenewalDue = default, SupplierDcb0129SafetyCaseReference = "" }, "dtac-c1-clinical-safety.dtac-renewal-due-missing" },
        { "DCB0129 before DCB0160", ClinicalSafety() with { SupplierDcb0129SafetyCaseReference = "", TrustDcb0160SafetyCaseReference = "" }, "dtac-c1-clinical-safety.dcb0129-reference-missing" },
        { "DCB0160 before the hazard log", ClinicalSafety() with { TrustDcb0160SafetyCaseReference = "", HazardLogReference = "" }, "dtac-c1-clinical-safety.dcb0160-reference-missing" },
        { "DSPT status before its date", DataProtection() with { SupplierDsptStatus = DsptStatus.Unspecified, DsptValidUntil = default }, "dtac-c2-data-protection.dspt-status-missing" },
        { "pen test report before its date", TechnicalSecurity() with { PenetrationTestReference = "", PenetrationTestedOn = default }, "dtac-c3-technical-security.penetration-test-reference-missing" },
        { "pen test date before its validity", TechnicalSecurity() with { PenetrationTestedOn = default, PenetrationTestValidUntil = default }, "dtac-c3-technical-security.penetration-tested-on-missing" },
        { "local policy before the SFIs", LocalPolicy() with { LocalPolicyReference = "", FinancialInstructionsReference = "" }, "local-procurement-policy.policy-reference-missing" },
        { "privacy notice before patient information", PrivacyNotice() with { PrivacyNoticeReference = "", PatientInformationReference = "" }, "privacy-notice.reference-missing" },
        { "patient information before the update date", PrivacyNotice() with { PatientInformationReference = "", UpdatedOn = default }, "privacy-notice.patient-information-reference-missing" },
    };

    [Theory]
    [MemberData(nameof(TwoFaultsAtOnce))]
    public void With_two_things_missing_the_refusal_names_the_first_the_form_asks_for(string _, GateEvidence evidence, string rule) =>
        Assert.Equal(rule, Refused(evidence));

    [Fact]
    public void A_dspt_status_with_no_date_is_refused_as_missing_not_as_past() =>
        Assert.Equal("dtac-c2-data-protection.dspt-valid-until-missing", Refused(DataProtection() with { DsptValidUntil = default }));

    [Fact]
    public void Each_role_refusal_says_what_was_attempted()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var gate = @case.RecordGate(new GateSubmission(Dpia(), "DOC-1"), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("procurement.role-required", gate.ShownRule());
        Assert.Equal("Only the information governance lead can complete the gate 'Data protection impact assessment'; this was attempted as procurement lead.", gate!.Message);

        Assert.Equal("Only the procurement lead can approve a technology; this was attempted as information governance lead.",
            @case.Approve(Full(), technology, IgLead, Policy, Guid.NewGuid(), Now).Refusal!.Message);
        Approved(@case, technology);
        var noReason = @case.Withdraw(" ", Lead, Now).Refusal;
        Assert.Equal("reason.required", noReason.ShownRule());
        Assert.Equal("Reason is required.", noReason!.Message);
        Assert.Equal("Only the procurement lead can withdraw an approval; this was attempted as clinical safety officer.",
            @case.Withdraw("A safety concern", SafetyOfficer, Now).Refusal!.Message);
        Assert.Equal("Only the procurement lead can withdraw an approval; this was attempted as evidence reviewer.",
            @case.WithdrawForLackOfBenefit(new NoBenefitFinding(Guid.NewGuid(), technology.Id, Setting, "core-10", Now), "No benefit shown", Reviewer, Now).Refusal!.Message);

        var share = SharedSupplierEvidence.Share(@case, technology, GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, IgLead, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("Only the procurement lead can share supplier evidence with the region; this was attempted as information governance lead.", share!.Message);
        var shared = SharedSupplierEvidence.Share(@case, technology, GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, Lead, Guid.NewGuid(), Now).Value;
        Assert.Equal("Only the procurement lead can withdraw shared supplier evidence; this was attempted as information governance lead.",
            shared.Withdraw(Trust, IgLead, Now)!.Message);
    }

    [Fact]
    public void Information_governance_sign_off_says_it_waits_for_the_data_protection_work()
    {
        Assert.Equal("ig-sign-off.prerequisites-open", Refused(IgSignOff()));
        var technology = Technology();
        var message = OpenCase(technology).RecordGate(new GateSubmission(IgSignOff(), "DOC-1"), technology, IgLead, Policy, Guid.NewGuid(), Now).Refusal!.Message;
        Assert.Equal("Information governance can sign off only once the data protection work is done. Still open: DTAC C2 data protection (not recorded); " +
                     "Data protection impact assessment (not recorded); Data sharing agreements (not recorded); Privacy notice and patient information (not recorded).", message);
    }

    [Fact]
    public void A_policy_covering_nothing_is_refused_listing_all_eight_minimum_items_in_order()
    {
        Assert.Equal("policy-and-sop.content-missing", Refused(PolicyAndProcedure() with { Covers = PolicyContent.None }));
        var technology = Technology();
        var message = OpenCase(technology).RecordGate(new GateSubmission(PolicyAndProcedure() with { Covers = PolicyContent.None }, "DOC-1"), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal!.Message;
        Assert.Equal("The policy must cover, as a minimum, what is still missing: the scope of the technology and its evidence base; guidance and principles of use; " +
                     "patient consent and mental capacity; data protection; safeguarding; staff training and competency; how often the policy is reviewed; " +
                     "the contingency plan should the technology need to be withdrawn.", message);
    }

    [Fact]
    public void Approval_refused_for_one_open_gate_says_so_in_a_sentence()
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        foreach (var evidence in AllGates(technology).Where(e => e.Gate != GateKind.LegalProcurementCompliance))
            Record(@case, technology, evidence);
        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("approval.gates-open", refusal.ShownRule());
        Assert.Equal("Approval needs every gate met. 1 still open: Legal procurement compliance (not recorded).", refusal!.Message);

        Record(@case, technology, Legal());
        Record(@case, technology, Interoperability() with { Passed = false });
        Record(@case, technology, Usability(10), policy: Policy with { MinimumUsabilityScorePercent = 50 });
        Assert.Equal("Approval needs every gate met. 2 still open: DTAC C4 interoperability (failed: the interoperability answers were not accepted); " +
                     "DTAC D1 usability and accessibility (failed: the usability and accessibility score 10% is below the trust's minimum of 50%).",
            @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal!.Message);
    }

    [Fact]
    public void Open_gates_come_in_catalogue_order()
    {
        var @case = OpenCase(Technology());
        Assert.Equal(GateCatalogue.All.Select(g => g.Kind), @case.OpenGates(Now).Select(g => g.Gate));
        Assert.Equal("Not a gate. (Parameter 'kind')" + Environment.NewLine + "Actual value was 99.",
            Assert.Throws<ArgumentOutOfRangeException>(() => GateCatalogue.Of((GateKind)99)).Message);
    }

    [Fact]
    public void A_case_restored_onto_itself_keeps_one_copy_of_each_record()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        var restored = ProcurementCase.Restore(@case, @case.GateRecords.ToList(), @case.Approvals.ToList());
        Assert.Equal((GateCatalogue.All.Count, 1), (restored.GateRecords.Count, restored.Approvals.Count));
    }

    [Fact]
    public void What_an_expiry_review_changed_counts_reopened_gates_and_withdrawals_each_on_their_own()
    {
        var withdrawal = new ApprovalWithdrawal(Guid.NewGuid(), WithdrawalCause.TrialEnded, "The trial ended.", [], null, Now, ApprovalWithdrawal.ByExpiryReview);
        var reopened = new GateExpiry(GateKind.DataProtectionImpactAssessment, "Data protection impact assessment", []);
        Assert.False(new ExpiryReview([], null, null).ChangedAnything);
        Assert.True(new ExpiryReview([reopened], null, null).ChangedAnything);
        Assert.True(new ExpiryReview([], withdrawal, null).ChangedAnything);
    }

    [Fact]
    public void A_trial_past_its_end_is_not_in_force_so_the_lead_has_nothing_to_withdraw()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        Approved(@case, technology, Trial(ends: Days(30), plan: Trial().Evaluation! with { ReportDueBy = Days(30) }));
        Assert.Equal("withdrawal.not-approved", @case.Withdraw("Changed our mind", Lead, Days(31)).Refusal.ShownRule());
        Assert.Equal(WithdrawalCause.TrialEnded, @case.ReviewExpiries(Policy, Days(31)).Withdrawal?.Cause);
    }
}
