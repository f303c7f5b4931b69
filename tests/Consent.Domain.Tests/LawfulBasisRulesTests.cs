using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

public class LawfulBasisRulesTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, DateTime? now = null) =>
        LawfulBasisRules.Evaluate(records, Technology, Policy, now ?? Now);

    private static LawfulBasis Permitted(Outcome<LawfulBasis> outcome, LawfulBasisKind kind, Guid recordId)
    {
        Assert.False(outcome.IsRefused, outcome.Refusal?.Rule);
        Assert.Equal(kind, outcome.Value.Kind);
        Assert.Equal(recordId, outcome.Value.RecordId);
        return outcome.Value;
    }

    private static void Refused(Outcome<LawfulBasis> outcome, string rule)
    {
        Assert.True(outcome.IsRefused, $"expected {rule} but was permitted on {(outcome.IsRefused ? "" : outcome.Value.Kind)}");
        Assert.Equal(rule, outcome.Refusal!.Rule);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Refusal.Message));
    }

    // ---- The examples in lawful-basis.md ----

    [Fact]
    public void Fifteen_year_old_who_is_Gillick_competent_and_consents_is_permitted()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        var basis = Permitted(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), consent)), LawfulBasisKind.OwnConsent, consent.Id);
        Assert.Equal(LawfulBasisStatus.Valid, basis.Status);
    }

    [Fact]
    public void Gillick_competent_fifteen_year_old_who_refuses_is_refused_even_when_a_parent_consents()
    {
        var parent = Parent();
        var records = Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), Own(ConsentDecision.Refused, DaysAgo(1)), parent, By(parent, ConsentDecision.Given, HoursAgo(2)));
        Refused(Evaluate(records), "lawful-basis.under-16-competent-child-refuses");
    }

    [Fact]
    public void Seventeen_year_old_lacking_capacity_for_whom_an_LPA_is_offered_is_refused()
    {
        var lpa = Lpa();
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.no-lpa-under-18");
    }

    [Fact]
    public void Seventeen_year_old_with_an_LPA_offered_is_refused_even_when_a_parent_also_consents()
    {
        var lpa = Lpa();
        var parent = Parent();
        var records = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.no-lpa-under-18");
    }

    [Fact]
    public void Attorney_cannot_consent_for_an_adult_who_has_capacity()
    {
        var lpa = Lpa();
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.lpa-donor-has-capacity");
    }

    [Fact]
    public void Attorney_cannot_consent_for_an_adult_whose_capacity_is_presumed()
    {
        var lpa = Lpa();
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Presumed(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.lpa-donor-has-capacity");
    }

    [Fact]
    public void Adult_lacking_capacity_with_a_registered_LPA_covering_the_decision_is_permitted()
    {
        var lpa = Lpa();
        var consent = By(lpa, ConsentDecision.Given, DaysAgo(1));
        var basis = Permitted(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, consent)), LawfulBasisKind.ProxyConsent, consent.Id);
        Assert.Equal(ProxyKind.LastingPowerOfAttorney, basis.ProxyKind);
    }

    [Fact]
    public void The_same_LPA_unregistered_is_refused()
    {
        var lpa = Lpa(registered: false);
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.lpa-unregistered");
    }

    [Fact]
    public void An_LPA_that_does_not_cover_the_decision_is_refused()
    {
        var lpa = Lpa(covers: false);
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.lpa-does-not-cover-decision");
    }

    [Fact]
    public void An_LPA_registered_only_in_the_future_counts_as_unregistered_now()
    {
        var lpa = Lpa();
        lpa.LpaRegisteredAt = Now.AddDays(3);
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.lpa-unregistered");
    }

    [Fact]
    public void An_LPA_made_by_a_donor_under_18_is_refused()
    {
        var lpa = Lpa(donorAdult: false);
        Refused(Evaluate(Records(AgeBand.Aged18To25, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.no-lpa-under-18");
    }

    [Fact]
    public void Adult_lacking_capacity_with_no_proxy_and_best_interests_with_no_one_consulted_and_no_advocate_is_refused()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.PeopleConsulted.Clear();
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "lawful-basis.best-interests-no-one-consulted");
    }

    [Fact]
    public void Adult_with_best_interests_basis_who_regains_capacity_needs_own_consent_within_the_grace_period()
    {
        var decision = BestInterests(DaysAgo(19));
        // Within the shift (ADR 0014: the grace period is about one shift, 12 hours by default).
        var regainedAt = HoursAgo(6);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), decision, HasCapacity(regainedAt));

        var basis = Permitted(Evaluate(records), LawfulBasisKind.BestInterests, decision.Id);

        Assert.Equal(LawfulBasisStatus.ConsentRequired, basis.Status);
        Assert.Equal(regainedAt + Policy.CapacityRegainedGracePeriod, basis.ConsentRequiredBy);
    }

    [Fact]
    public void Adult_with_best_interests_basis_who_regains_capacity_is_denied_after_the_grace_period()
    {
        var regainedAt = DaysAgo(5);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(regainedAt));
        Refused(Evaluate(records, regainedAt + Policy.CapacityRegainedGracePeriod), "lawful-basis.consent-required-after-capacity-regained");
        Refused(Evaluate(records), "lawful-basis.consent-required-after-capacity-regained");
    }

    [Fact]
    public void Fluctuating_capacity_assessment_past_reassess_by_requires_reassessment()
    {
        var records = Records(AgeBand.Aged26To64, Lacks(HoursAgo(30), reassessBy: HoursAgo(6), fluctuating: true), BestInterests(HoursAgo(29)));
        Refused(Evaluate(records), "lawful-basis.reassessment-required");
    }

    // ---- Capacity at the material time ----

    [Fact]
    public void Fluctuating_capacity_assessment_older_than_the_trusts_limit_requires_reassessment_even_before_reassess_by()
    {
        var assessedAt = Now - Policy.FluctuatingAssessmentMaxAge - TimeSpan.FromHours(1);
        var records = Records(AgeBand.Aged26To64, Lacks(assessedAt, reassessBy: Now.AddDays(10), fluctuating: true), BestInterests(assessedAt.AddHours(1)));
        Refused(Evaluate(records), "lawful-basis.reassessment-required");
    }

    [Fact]
    public void Fresh_fluctuating_capacity_assessment_still_carries_a_best_interests_basis()
    {
        var decision = BestInterests(HoursAgo(20));
        var records = Records(AgeBand.Aged26To64, Lacks(HoursAgo(24), reassessBy: Now.AddDays(2), fluctuating: true), decision);
        Permitted(Evaluate(records), LawfulBasisKind.BestInterests, decision.Id);
    }

    [Fact]
    public void Non_fluctuating_assessment_past_reassess_by_requires_reassessment()
    {
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(40), reassessBy: DaysAgo(12)), BestInterests(DaysAgo(39)));
        Refused(Evaluate(records), "lawful-basis.reassessment-required");
    }

    [Fact]
    public void Capacity_is_decision_specific_so_an_assessment_for_another_technology_is_ignored()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Lacks(HoursAgo(2), technology: OtherTechnology), Presumed(DaysAgo(3)), consent);
        Permitted(Evaluate(records), LawfulBasisKind.OwnConsent, consent.Id);

        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(3), OtherTechnology), consent)), "lawful-basis.capacity-not-recorded");
    }

    [Fact]
    public void Own_consent_needs_a_recorded_presumption_or_assessment_of_capacity()
    {
        Refused(Evaluate(Records(AgeBand.Aged26To64, Own(ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.capacity-not-recorded");
    }

    [Fact]
    public void An_incomplete_latest_assessment_is_refused_with_the_missing_item_named()
    {
        var assessment = Lacks(DaysAgo(2));
        assessment.Retain = FunctionalAbility.NotAnswered;
        Refused(Evaluate(Records(AgeBand.Aged26To64, assessment, BestInterests(DaysAgo(1)))), "capacity.retain-missing");
    }

    [Fact]
    public void The_presumption_cannot_be_re_recorded_after_an_assessment_found_the_patient_lacked_capacity()
    {
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(5)), Presumed(DaysAgo(1)), Own(ConsentDecision.Given, HoursAgo(2)));
        Refused(Evaluate(records), "lawful-basis.presumption-displaced");
    }

    [Fact]
    public void Records_dated_after_the_check_time_are_not_yet_in_force()
    {
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), Own(ConsentDecision.Given, Now.AddHours(1)));
        Refused(Evaluate(records), "lawful-basis.no-consent");
    }

    [Fact]
    public void A_patient_with_no_age_band_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Unspecified, Presumed(DaysAgo(3)), Own(ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.age-band-missing");
    }

    // ---- Under 16 ----

    [Fact]
    public void Under_16_without_a_Gillick_assessment_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Own(ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.under-16-competence-not-assessed");
    }

    [Fact]
    public void The_statutory_presumption_does_not_stand_in_for_Gillick_competence_under_16()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Presumed(DaysAgo(2)), Own(ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.under-16-competence-not-assessed");
    }

    [Fact]
    public void An_incomplete_Gillick_assessment_is_refused_by_name()
    {
        var gillick = Gillick(true, DaysAgo(2));
        gillick.Competent = null;
        Refused(Evaluate(Records(AgeBand.Under16, gillick, Own(ConsentDecision.Given, DaysAgo(1)))), "gillick.competence-missing");
    }

    [Fact]
    public void Gillick_competent_child_needs_their_own_consent_not_a_parents()
    {
        var parent = Parent();
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.under-16-competent-child-must-decide");
    }

    [Fact]
    public void Gillick_competent_child_with_no_decision_recorded_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)))), "lawful-basis.no-consent");
    }

    [Fact]
    public void Child_not_Gillick_competent_with_a_verified_parent_consenting_is_permitted()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(1));
        var basis = Permitted(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), parent, consent)), LawfulBasisKind.ProxyConsent, consent.Id);
        Assert.Equal(ProxyKind.ParentalResponsibility, basis.ProxyKind);
    }

    [Theory]
    [InlineData(ParentalResponsibilityBasis.Guardian)]
    [InlineData(ParentalResponsibilityBasis.LocalAuthorityUnderCareOrder)]
    public void A_guardian_or_local_authority_under_a_care_order_holds_parental_responsibility(ParentalResponsibilityBasis holder)
    {
        var authority = Parent();
        authority.ParentalResponsibilityBasis = holder;
        var consent = By(authority, ConsentDecision.Given, DaysAgo(1));
        Permitted(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), authority, consent)), LawfulBasisKind.ProxyConsent, consent.Id);
    }

    [Fact]
    public void Child_not_Gillick_competent_with_an_unverified_parent_is_refused()
    {
        var parent = Parent();
        parent.VerifiedBy = null;
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "proxy.unverified");
    }

    [Fact]
    public void Child_not_Gillick_competent_with_no_parental_responsibility_holder_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)))), "lawful-basis.under-16-no-verified-parental-responsibility");
    }

    [Fact]
    public void Child_not_Gillick_competent_with_a_verified_parent_who_has_not_decided_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), Parent())), "lawful-basis.proxy-decision-required");
    }

    [Fact]
    public void Best_interests_is_not_available_under_16()
    {
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), BestInterests(DaysAgo(1)))), "lawful-basis.under-16-no-best-interests");
    }

    [Fact]
    public void A_deputy_is_not_a_route_under_16()
    {
        var deputy = Deputy();
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.no-deputy-under-16");
    }

    [Fact]
    public void A_parent_who_refuses_for_a_child_not_Gillick_competent_is_refused()
    {
        var parent = Parent();
        Refused(Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), parent, By(parent, ConsentDecision.Refused, DaysAgo(1)))), "lawful-basis.proxy-refused");
    }

    [Fact]
    public void A_best_interests_decision_made_under_16_gives_no_grace_when_the_child_becomes_competent()
    {
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(11)), BestInterests(DaysAgo(10)), Gillick(true, DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.under-16-no-best-interests");
    }

    [Fact]
    public void The_snapshot_needs_no_patient_id_on_each_record_to_find_a_valid_proxy()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, BestInterests(DaysAgo(1)));
        var anonymous = new PatientConsentRecords
        {
            AgeBand = records.AgeBand,
            CapacityAssessments = records.CapacityAssessments,
            ProxyAuthorities = records.ProxyAuthorities,
            BestInterestsDecisions = records.BestInterestsDecisions,
        };
        Refused(Evaluate(anonymous), "lawful-basis.best-interests-proxy-available");
    }

    [Fact]
    public void Child_who_becomes_Gillick_competent_needs_their_own_consent_after_the_grace_period()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(10));
        var competentAt = HoursAgo(6);
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(11)), parent, consent, Gillick(true, competentAt));

        var basis = Permitted(Evaluate(records), LawfulBasisKind.ProxyConsent, consent.Id);
        Assert.Equal(LawfulBasisStatus.ConsentRequired, basis.Status);
        Refused(Evaluate(records, competentAt + Policy.CapacityRegainedGracePeriod), "lawful-basis.consent-required-after-capacity-regained");
    }

    // ---- 16 and 17 ----

    [Fact]
    public void Sixteen_year_old_presumed_to_have_capacity_who_consents_is_permitted()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        Permitted(Evaluate(Records(AgeBand.Aged16To17, Presumed(DaysAgo(2)), consent)), LawfulBasisKind.OwnConsent, consent.Id);
    }

    [Fact]
    public void Sixteen_year_old_with_capacity_who_refuses_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Aged16To17, Presumed(DaysAgo(2)), Own(ConsentDecision.Refused, DaysAgo(1)))), "lawful-basis.patient-with-capacity-refuses");
    }

    [Fact]
    public void Parent_cannot_consent_for_a_sixteen_year_old_who_has_capacity()
    {
        var parent = Parent();
        Refused(Evaluate(Records(AgeBand.Aged16To17, HasCapacity(DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.parent-patient-has-capacity");
    }

    [Fact]
    public void Sixteen_year_old_lacking_capacity_prefers_a_deputy_over_a_parent()
    {
        var deputy = Deputy();
        var parent = Parent();
        var deputyConsent = By(deputy, ConsentDecision.Given, DaysAgo(1));
        var records = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), deputy, deputyConsent, parent, By(parent, ConsentDecision.Given, HoursAgo(3)));
        var basis = Permitted(Evaluate(records), LawfulBasisKind.ProxyConsent, deputyConsent.Id);
        Assert.Equal(ProxyKind.Deputy, basis.ProxyKind);
    }

    [Fact]
    public void Sixteen_year_old_lacking_capacity_with_no_deputy_rests_on_a_verified_parent()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(1));
        // ADR 0014: a parent decides for a 16-17-year-old only within the recorded zone of parental control.
        Permitted(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: true, DaysAgo(2)), parent, consent)), LawfulBasisKind.ProxyConsent, consent.Id);
    }

    [Fact]
    public void Sixteen_year_old_lacking_capacity_with_no_proxy_rests_on_best_interests()
    {
        var decision = BestInterests(DaysAgo(1));
        Permitted(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), decision)), LawfulBasisKind.BestInterests, decision.Id);
    }

    [Fact]
    public void Best_interests_is_refused_while_a_verified_parent_can_decide_for_a_sixteen_year_old()
    {
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: true, DaysAgo(2)), Parent(), BestInterests(DaysAgo(1)))), "lawful-basis.best-interests-proxy-available");
    }

    // ---- Adults with capacity ----

    [Fact]
    public void Adult_with_capacity_who_consents_is_permitted()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        Permitted(Evaluate(Records(AgeBand.Aged18To25, HasCapacity(DaysAgo(2)), consent)), LawfulBasisKind.OwnConsent, consent.Id);
    }

    [Fact]
    public void Adult_with_capacity_who_refuses_is_refused_even_when_an_attorney_consents()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), Own(ConsentDecision.Refused, DaysAgo(1)), lpa, By(lpa, ConsentDecision.Given, HoursAgo(1)));
        Refused(Evaluate(records), "lawful-basis.patient-with-capacity-refuses");
    }

    [Fact]
    public void Deputy_cannot_act_for_a_patient_who_has_capacity()
    {
        var deputy = Deputy();
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.deputy-patient-has-capacity");
    }

    [Fact]
    public void Best_interests_cannot_be_used_for_a_patient_who_has_capacity()
    {
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), BestInterests(DaysAgo(1)))), "lawful-basis.best-interests-patient-has-capacity");
    }

    [Fact]
    public void Parental_responsibility_ends_at_18()
    {
        var parent = Parent();
        Refused(Evaluate(Records(AgeBand.Aged18To25, HasCapacity(DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.parental-responsibility-ends-at-18");
        Refused(Evaluate(Records(AgeBand.Aged18To25, Lacks(DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.parental-responsibility-ends-at-18");
    }

    [Fact]
    public void Adult_with_capacity_and_no_decision_recorded_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)))), "lawful-basis.no-consent");
    }

    [Fact]
    public void Own_consent_without_the_information_given_is_refused()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        consent.InformationGiven = " ";
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), consent)), "consent.information-given-missing");
    }

    [Fact]
    public void Own_consent_without_its_accessible_format_is_refused()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        consent.InformationFormat = AccessibleFormat.Unspecified;
        Refused(Evaluate(Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(2)), consent)), "consent.accessible-format-missing");
    }

    [Fact]
    public void Withdrawn_own_consent_is_refused_from_the_moment_of_withdrawal()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        consent.Withdraw(HoursAgo(1));
        var records = Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(4)), consent);
        Refused(Evaluate(records), "lawful-basis.consent-withdrawn");
        Permitted(Evaluate(records, HoursAgo(2)), LawfulBasisKind.OwnConsent, consent.Id);
    }

    [Fact]
    public void Own_consent_given_before_a_later_finding_of_incapacity_no_longer_counts()
    {
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(10)), Own(ConsentDecision.Given, DaysAgo(9)), Lacks(DaysAgo(2)));
        Refused(Evaluate(records), "lawful-basis.none");
    }

    // ---- Capacity regained ----

    [Fact]
    public void Proxy_basis_continues_only_as_consent_required_after_capacity_is_regained()
    {
        var lpa = Lpa();
        var consent = By(lpa, ConsentDecision.Given, DaysAgo(19));
        var regainedAt = HoursAgo(10);
        var basis = Permitted(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(20)), lpa, consent, HasCapacity(regainedAt))), LawfulBasisKind.ProxyConsent, consent.Id);
        Assert.Equal(LawfulBasisStatus.ConsentRequired, basis.Status);
        Assert.Equal(ProxyKind.LastingPowerOfAttorney, basis.ProxyKind);
        Assert.Equal(regainedAt + Policy.CapacityRegainedGracePeriod, basis.ConsentRequiredBy);
    }

    [Fact]
    public void After_capacity_is_regained_the_patients_own_consent_becomes_the_basis()
    {
        var own = Own(ConsentDecision.Given, HoursAgo(2));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(HoursAgo(10)), own);
        var basis = Permitted(Evaluate(records, Now.AddDays(30)), LawfulBasisKind.OwnConsent, own.Id);
        Assert.Equal(LawfulBasisStatus.Valid, basis.Status);
    }

    [Fact]
    public void A_patient_who_regains_capacity_and_refuses_is_refused_at_once_within_the_grace_period()
    {
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(HoursAgo(10)), Own(ConsentDecision.Refused, HoursAgo(2)));
        Refused(Evaluate(records), "lawful-basis.patient-with-capacity-refuses");
    }

    [Fact]
    public void A_consent_given_before_losing_capacity_does_not_revive_when_capacity_is_regained()
    {
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(40)), Own(ConsentDecision.Given, DaysAgo(39)), Lacks(DaysAgo(20)), HasCapacity(DaysAgo(10)));
        Refused(Evaluate(records), "lawful-basis.no-consent");
    }

    [Fact]
    public void The_grace_period_is_the_trusts()
    {
        var regainedAt = HoursAgo(10);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(regainedAt));
        var strict = Policy with { CapacityRegainedGracePeriod = TimeSpan.FromHours(8) };
        Assert.Equal("lawful-basis.consent-required-after-capacity-regained", LawfulBasisRules.Evaluate(records, Technology, strict, Now).Refusal?.Rule);
    }

    // ---- Adults lacking capacity ----

    [Fact]
    public void Adult_lacking_capacity_with_no_LPA_rests_on_a_deputy()
    {
        var deputy = Deputy();
        var consent = By(deputy, ConsentDecision.Given, DaysAgo(1));
        var basis = Permitted(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), deputy, consent)), LawfulBasisKind.ProxyConsent, consent.Id);
        Assert.Equal(ProxyKind.Deputy, basis.ProxyKind);
    }

    [Fact]
    public void Deputy_decision_conflicting_with_a_valid_LPA_is_refused()
    {
        var lpa = Lpa();
        var deputy = Deputy();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Refused, DaysAgo(1)), deputy, By(deputy, ConsentDecision.Given, HoursAgo(5)));
        Refused(Evaluate(records), "lawful-basis.deputy-conflicts-with-lpa");
    }

    [Fact]
    public void Deputy_deciding_before_the_attorney_of_a_valid_LPA_is_refused()
    {
        var deputy = Deputy();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), Lpa(), deputy, By(deputy, ConsentDecision.Given, HoursAgo(5)));
        Refused(Evaluate(records), "lawful-basis.deputy-conflicts-with-lpa");
    }

    [Fact]
    public void Deputy_agreeing_with_the_attorney_is_no_conflict_and_the_LPA_is_the_basis()
    {
        var lpa = Lpa();
        var deputy = Deputy();
        var attorneyConsent = By(lpa, ConsentDecision.Given, DaysAgo(1));
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, attorneyConsent, deputy, By(deputy, ConsentDecision.Given, HoursAgo(5)));
        Permitted(Evaluate(records), LawfulBasisKind.ProxyConsent, attorneyConsent.Id);
    }

    [Fact]
    public void An_attorney_who_refuses_is_refused()
    {
        var lpa = Lpa();
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Refused, DaysAgo(1)))), "lawful-basis.proxy-refused");
    }

    [Fact]
    public void Best_interests_is_refused_while_a_valid_attorney_can_decide()
    {
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), Lpa(), BestInterests(DaysAgo(1)))), "lawful-basis.best-interests-proxy-available");
    }

    [Fact]
    public void A_valid_attorney_who_has_not_decided_must_be_asked()
    {
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), Lpa())), "lawful-basis.proxy-decision-required");
    }

    [Fact]
    public void A_revoked_LPA_is_refused()
    {
        var lpa = Lpa();
        lpa.RevokedAt = HoursAgo(1);
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))), "proxy.revoked");
    }

    [Fact]
    public void An_expired_deputyship_is_refused()
    {
        var deputy = Deputy();
        deputy.ExpiresAt = HoursAgo(1);
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(1)))), "proxy.expired");
    }

    [Fact]
    public void Withdrawn_proxy_consent_is_refused()
    {
        var deputy = Deputy();
        var consent = By(deputy, ConsentDecision.Given, DaysAgo(1));
        consent.Withdraw(HoursAgo(1));
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), deputy, consent)), "lawful-basis.consent-withdrawn");
    }

    [Fact]
    public void Adult_lacking_capacity_with_no_proxy_rests_on_a_complete_best_interests_decision()
    {
        var decision = BestInterests(DaysAgo(1));
        var basis = Permitted(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), LawfulBasisKind.BestInterests, decision.Id);
        Assert.Equal(LawfulBasisStatus.Valid, basis.Status);
    }

    [Fact]
    public void Best_interests_with_no_one_appropriate_to_consult_is_permitted_once_an_IMCA_is_consulted()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.NoOneAppropriateToConsult = true;
        decision.PeopleConsulted =
        [
            new ConsultedPerson { Role = ConsultedRole.IndependentMentalCapacityAdvocate, Relationship = "IMCA, referral 5531", ViewsGiven = "No objection if reviewed weekly", ConsultedAt = DaysAgo(2) },
        ];
        Permitted(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), LawfulBasisKind.BestInterests, decision.Id);
    }

    [Fact]
    public void Best_interests_that_the_technology_should_not_be_used_is_refused()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.UseIsInBestInterests = false;
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "lawful-basis.best-interests-against-use");
    }

    [Fact]
    public void Adult_lacking_capacity_with_no_proxy_and_no_best_interests_decision_is_refused()
    {
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)))), "lawful-basis.none");
    }

    [Fact]
    public void An_ended_best_interests_decision_is_no_basis()
    {
        var decision = BestInterests(DaysAgo(3));
        decision.EndedAt = DaysAgo(1);
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(4)), decision)), "lawful-basis.none");
    }

    [Fact]
    public void A_patient_who_lacks_capacity_but_objects_is_not_silently_overridden()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.PatientObjects = true;
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "best-interests.objection-weighed-missing");

        decision.ObjectionWeighed = "She pushes the sensor away at night; weighed against two falls with injury; trial for one week with daily review";
        var basis = Permitted(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), LawfulBasisKind.BestInterests, decision.Id);
        Assert.True(basis.PatientObjects);
    }
}
