using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21: rows and conditions of the decision table that only one side of was ever tested (the branch coverage of
/// the suite before the mutation run): the Mental Health Act route for a child and for a patient who refuses, which
/// status and which record is the latest, findings and decisions dated after the check, and incomplete records met
/// on the way.
/// </summary>
public class DecisionTableBranchesTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, TechnologyApproval? approval = null) =>
        LawfulBasisRules.Evaluate(records, Technology, Policy, Now, approval, null);

    private static TechnologyApproval Treatment(MentalDisorderTreatmentRoute route)
    {
        var approval = Approval();
        approval.MentalDisorderTreatmentRoute = route;
        return approval;
    }

    private static void Refused(Outcome<LawfulBasis> outcome, string rule)
    {
        Assert.True(outcome.IsRefused, outcome.IsRefused ? "" : $"permitted on {outcome.Value.Kind}, expected {rule}");
        Assert.Equal(rule, outcome.Refusal!.Rule);
    }

    // ---- Treatment for mental disorder where Part 4 applies (MCA 2005 s28; MHA 1983 s56, s63) ----

    [Fact]
    public void For_a_detained_child_under_16_a_parents_consent_is_no_basis_for_treatment_for_mental_disorder_MCA_2005_s28_MHA_1983_s63()
    {
        var parent = Parent();
        var records = Records(AgeBand.Under16, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Gillick(false, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)));
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.Section63Record)), "lawful-basis.section-63-record-required");
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.ConsentFirst)), "lawful-basis.mha-consent-first-no-consent");
        // The same parent's consent is the basis where the technology is not treatment for mental disorder.
        Assert.Equal(LawfulBasisKind.ProxyConsent, Evaluate(records, Approval()).Value.Kind);

        // A Gillick-competent child's own consent is the basis either way.
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        var competent = Records(AgeBand.Under16, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Gillick(true, DaysAgo(2)), consent);
        Assert.Equal(consent.Id, Evaluate(competent, Treatment(MentalDisorderTreatmentRoute.ConsentFirst)).Value.RecordId);
    }

    [Fact]
    public void A_patient_with_capacity_who_refuses_is_refused_by_name_unless_the_responsible_clinician_records_the_treatment_MHA_1983_s63()
    {
        var refusal = Own(ConsentDecision.Refused, HoursAgo(2));
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), HasCapacity(HoursAgo(3)), refusal);
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.Section63Record)), "lawful-basis.patient-with-capacity-refuses");
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.ConsentFirst)), "lawful-basis.patient-with-capacity-refuses");

        // s63: treatment for mental disorder may be given without consent, under the responsible clinician's record.
        var record = Section63(HoursAgo(1));
        var basis = Evaluate(Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), HasCapacity(HoursAgo(3)), refusal, record),
            Treatment(MentalDisorderTreatmentRoute.Section63Record)).Value;
        Assert.Equal((LawfulBasisKind.MentalHealthActSection63, record.Id), (basis.Kind, basis.RecordId));
    }

    [Fact]
    public void An_incomplete_s63_record_is_refused_by_its_own_rule_and_the_latest_complete_one_is_the_basis_MHA_1983_s63()
    {
        var incomplete = Section63(HoursAgo(1));
        incomplete.PatientViews = "";
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), incomplete);
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.Section63Record)), "section-63.patient-views-missing");

        var older = Section63(DaysAgo(3));
        var newer = Section63(DaysAgo(1));
        foreach (var both in new[] { new[] { older, newer }, new[] { newer, older } })
        {
            var r = Records(AgeBand.Aged26To64, [Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), .. both]);
            Assert.Equal(newer.Id, Evaluate(r, Treatment(MentalDisorderTreatmentRoute.Section63Record)).Value.RecordId);
        }
    }

    [Fact]
    public void On_a_community_treatment_order_not_recalled_only_the_patients_own_consent_serves_MCA_2005_s28_1B()
    {
        var decision = BestInterests(DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.CommunityTreatmentOrder, DaysAgo(30)), Lacks(DaysAgo(2)), decision, Section63(DaysAgo(1)));
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.ConsentFirst)), "lawful-basis.cto-needs-consent");
        // The s63 route is Part 4's; a community patient who has not been recalled is under Part 4A.
        Refused(Evaluate(records, Treatment(MentalDisorderTreatmentRoute.Section63Record)), "lawful-basis.cto-needs-consent");
    }

    [Fact]
    public void The_Mental_Health_Act_status_that_counts_is_the_latest_to_begin_among_those_in_force_MHA_1983_s56()
    {
        var decision = BestInterests(DaysAgo(1));
        var consentFirst = Treatment(MentalDisorderTreatmentRoute.ConsentFirst);
        var section = Mha(MentalHealthActStatus.Section3, DaysAgo(30));
        var informalSince = Mha(MentalHealthActStatus.Informal, DaysAgo(5));
        foreach (var both in new[] { new[] { section, informalSince }, new[] { informalSince, section } })
            Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, [Lacks(DaysAgo(2)), decision, .. both]), consentFirst).Value.RecordId);

        var informalBefore = Mha(MentalHealthActStatus.Informal, DaysAgo(40));
        foreach (var both in new[] { new[] { section, informalBefore }, new[] { informalBefore, section } })
            Refused(Evaluate(Records(AgeBand.Aged26To64, [Lacks(DaysAgo(2)), decision, .. both]), consentFirst), "lawful-basis.mha-consent-first-no-consent");

        // A section that has ended no longer removes the MCA routes.
        var ended = Mha(MentalHealthActStatus.Section3, DaysAgo(30));
        ended.Until = DaysAgo(3);
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, ended, Lacks(DaysAgo(2)), decision), consentFirst).Value.RecordId);
    }

    // ---- Incomplete records met on the way are refused by their own rule ----

    [Fact]
    public void An_incomplete_court_order_is_refused_by_its_own_rule_before_anything_else_is_weighed()
    {
        var order = Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(3));
        order.Reference = " ";
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(5)), order, BestInterests(DaysAgo(1)))), "court-order.reference-missing");
    }

    [Fact]
    public void A_zone_of_parental_control_finding_that_is_incomplete_is_refused_by_its_own_rule_MHA_Code_of_Practice_ch_19()
    {
        var parent = Parent();
        var zone = Zone(within: true, DaysAgo(2));
        zone.Reasons = "";
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), zone, parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "parental-control.reasons-missing");
    }

    [Fact]
    public void The_latest_zone_of_parental_control_finding_is_the_one_that_counts_MHA_Code_of_Practice_ch_19()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, HoursAgo(2));
        var outside = Zone(within: false, DaysAgo(5));
        var within = Zone(within: true, DaysAgo(1));
        foreach (var both in new[] { new[] { outside, within }, new[] { within, outside } })
            Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Aged16To17, [Lacks(DaysAgo(6)), parent, consent, .. both])).Value.RecordId);
        var laterOutside = Zone(within: false, HoursAgo(20));
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(6)), parent, consent, within, laterOutside)), "lawful-basis.outside-zone-of-parental-control");
    }

    [Fact]
    public void A_Gillick_competent_childs_incomplete_or_withdrawn_consent_is_refused_by_name_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var incomplete = Own(ConsentDecision.Given, DaysAgo(1));
        incomplete.RecordedBy = "";
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), incomplete)), "consent.recorded-by-missing");

        var withdrawn = Own(ConsentDecision.Given, DaysAgo(1));
        withdrawn.Withdraw(HoursAgo(2));
        var decision = LawfulBasisRules.Decide(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), withdrawn), Technology, Policy, Now);
        Assert.Equal("lawful-basis.consent-withdrawn", decision.Refusal?.Rule);
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, decision.DenyKind);
    }

    [Fact]
    public void No_attorney_decides_for_a_child_an_LPA_needs_a_donor_of_18_MCA_2005_s9_2_c()
    {
        var lpa = Lpa();
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.no-lpa-under-18");
    }

    [Fact]
    public void A_valid_deputy_with_no_decision_yet_must_be_asked_before_a_best_interests_decision_MCA_2005_s4_and_s20()
    {
        var deputy = Deputy();
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), deputy)), "lawful-basis.proxy-decision-required");
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), deputy, BestInterests(DaysAgo(1)))), "lawful-basis.best-interests-proxy-available");
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), deputy)), "lawful-basis.proxy-decision-required");
        var consent = By(deputy, ConsentDecision.Given, DaysAgo(1));
        Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), deputy, consent)).Value.RecordId);
    }

    [Fact]
    public void A_new_decision_the_table_refuses_outright_is_refused_when_written_with_the_tables_own_reason()
    {
        var incomplete = BestInterests(HoursAgo(1));
        incomplete.WishesAndFeelings = "";
        var candidate = Records(AgeBand.Aged26To64, Lacks(DaysAgo(2))).With(bestInterests: incomplete);
        Assert.Equal("best-interests.wishes-and-feelings-missing",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.BestInterests, ProxyKind.Unspecified, Policy, Now)?.Rule);
    }

    // ---- Findings and decisions dated after the check do not count yet ----

    [Fact]
    public void A_finding_dated_after_the_check_does_not_end_the_grace_period_after_capacity_is_regained_MCA_2005_s1_2()
    {
        var decision = BestInterests(DaysAgo(9));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, HasCapacity(HoursAgo(2)), Lacks(Now.AddDays(1)));
        var basis = Evaluate(records).Value;
        Assert.Equal((LawfulBasisKind.BestInterests, decision.Id, LawfulBasisStatus.ConsentRequired), (basis.Kind, basis.RecordId, basis.Status));
        Assert.Equal(HoursAgo(2) + Policy.CapacityRegainedGracePeriod, basis.ConsentRequiredBy);
    }

    [Fact]
    public void A_finding_of_capacity_dated_after_the_check_does_not_end_the_safety_transition_MCA_2005_s4()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var approval = Approval(safety: true);
        var use = TechnologyUse.Propose(Request(), approval, Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), approval, Policy, DaysAgo(5)));
        var lostAt = HoursAgo(3);
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, use, Lacks(lostAt), HasCapacity(Now.AddHours(1)));
        var basis = LawfulBasisRules.Evaluate(records, Technology, Policy, Now, approval, use).Value;
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, basis.Status);
        Assert.Equal(lostAt + Policy.CapacityLostTransition, basis.DecisionRequiredBy);

        // Consent withdrawn before capacity was lost leaves nothing to carry over.
        consent.Withdraw(DaysAgo(1));
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, approval, use), "lawful-basis.none");
    }

    [Fact]
    public void For_a_Gillick_competent_child_only_a_live_parental_consent_or_best_interests_decision_is_named_as_not_a_basis()
    {
        var parent = Parent();
        var withdrawn = By(parent, ConsentDecision.Given, DaysAgo(1));
        withdrawn.Withdraw(HoursAgo(3));
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), parent, withdrawn)), "lawful-basis.no-consent");
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), parent, By(parent, ConsentDecision.Refused, DaysAgo(1)))), "lawful-basis.no-consent");
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, Now.AddHours(1)))), "lawful-basis.no-consent");
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.under-16-competent-child-must-decide");

        var ended = BestInterests(DaysAgo(1));
        Assert.Null(ended.End(HoursAgo(2), "Replaced"));
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), ended)), "lawful-basis.no-consent");
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), BestInterests(Now.AddHours(1)))), "lawful-basis.no-consent");
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), BestInterests(DaysAgo(1)))), "lawful-basis.under-16-no-best-interests");
    }

    // MCA 2005 s24(1), s25(2)(a): only a refusal made by an adult with capacity, and not since withdrawn, stands once
    // capacity is lost.
    [Fact]
    public void A_refusal_stands_if_capacity_is_lost_only_if_made_with_capacity_and_not_withdrawn_MCA_2005_s24_1_and_s25_2_a()
    {
        var decision = BestInterests(DaysAgo(9));
        decision.CapacitousRefusalWeighed = "Weighed: she refused in March";
        var refusal = Own(ConsentDecision.Refused, DaysAgo(19));
        refusal.RefusalStandsIfCapacityLost = true;
        Refused(Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), refusal, Lacks(DaysAgo(10)), decision)), "lawful-basis.advance-decision-refuses");

        refusal.Withdraw(DaysAgo(15));
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), refusal, Lacks(DaysAgo(10)), decision)).Value.RecordId);

        var whileLacking = Own(ConsentDecision.Refused, DaysAgo(9.5));
        whileLacking.RefusalStandsIfCapacityLost = true;
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), whileLacking, decision)).Value.RecordId);
    }

    [Fact]
    public void A_refusal_made_before_the_patient_turned_18_does_not_stand_as_an_advance_decision_MCA_2005_s24_1()
    {
        var eighteenth = DateOnly.FromDateTime(DaysAgo(100));
        PatientConsentRecords Turned18(params object[] items)
        {
            var r = Records(AgeBand.Aged16To17, items);
            return new PatientConsentRecords
            {
                PatientId = r.PatientId, AgeBand = r.AgeBand, Turns18On = eighteenth, CapacityAssessments = r.CapacityAssessments,
                OwnConsents = r.OwnConsents, BestInterestsDecisions = r.BestInterestsDecisions,
            };
        }
        var decision = BestInterests(DaysAgo(1));
        decision.CapacitousRefusalWeighed = "Weighed: she refused it last year";
        var at17 = Own(ConsentDecision.Refused, DaysAgo(150));
        at17.RefusalStandsIfCapacityLost = true;
        Assert.Equal(decision.Id, Evaluate(Turned18(Presumed(DaysAgo(151)), at17, Lacks(DaysAgo(10)), decision)).Value.RecordId);

        var at18 = Own(ConsentDecision.Refused, DaysAgo(50));
        at18.RefusalStandsIfCapacityLost = true;
        Refused(Evaluate(Turned18(Presumed(DaysAgo(151)), at18, Lacks(DaysAgo(10)), decision)), "lawful-basis.advance-decision-refuses");
    }

    // ---- The use check ----

    [Fact]
    public void A_check_without_an_approval_is_denied_for_want_of_one_and_a_permitted_check_has_no_denials_P4()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), consent, ActiveUse(OwnBasis(consent), DaysAgo(3)));
        var denied = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, (TechnologyApproval?)null, Policy, Now);
        Assert.Equal(UseCheckDecision.Deny, denied.Decision);
        var denial = Assert.Single(denied.Denials);
        Assert.Equal((UseDenyReasons.NoApprovalForSetting, "use.no-approval-for-setting"), (denial.Kind, denial.Refusal.Rule));
        Assert.Null(denied.ApprovalId);

        var permitted = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.True(permitted.IsPermitted);
        Assert.Empty(permitted.Denials);
        Assert.Empty(permitted.Reasons);
    }
}
