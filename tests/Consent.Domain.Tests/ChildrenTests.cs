using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 20, children and young people: Gillick findings, parental responsibility and the zone of parental control.</summary>
public class ChildrenTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, DateTime? now = null) =>
        LawfulBasisRules.Evaluate(records, Technology, Policy, now ?? Now);

    private static void Refused(Outcome<LawfulBasis> outcome, string rule)
    {
        Assert.True(outcome.IsRefused, $"expected {rule} but was permitted on {(outcome.IsRefused ? "" : outcome.Value.Kind)}");
        Assert.Equal(rule, outcome.Refusal!.Rule);
    }

    [Fact]
    public void Any_live_refusal_by_a_person_with_parental_responsibility_blocks_until_agreement_or_a_court_Children_Act_1989_s2_7()
    {
        var mother = Parent();
        var father = Parent();
        father.Relationship = "father";
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), father, By(father, ConsentDecision.Refused, DaysAgo(1)), mother, By(mother, ConsentDecision.Given, HoursAgo(3)));
        Refused(Evaluate(records), "lawful-basis.parental-responsibility-refusal-blocks");
    }

    [Fact]
    public void A_finding_of_no_competence_that_follows_a_childs_refusal_needs_a_second_opinion_Gillick()
    {
        var parent = Parent();
        var records = Records(AgeBand.Under16,
            Gillick(true, DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(9)), Gillick(false, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.gillick-second-opinion-required");
    }

    [Fact]
    public void A_second_assessor_confirming_no_competence_after_the_childs_refusal_lets_a_parent_decide_Gillick()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, HoursAgo(2));
        var second = Gillick(false, DaysAgo(1));
        second.AssessedBy = "staff:Dr-31";
        var records = Records(AgeBand.Under16,
            Gillick(true, DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(9)), Gillick(false, DaysAgo(2)), second, parent, consent);
        Assert.Equal(consent.Id, Evaluate(records).Value.RecordId);
    }

    [Fact]
    public void A_parent_who_refused_and_later_agrees_is_agreement_Children_Act_1989_s2_7()
    {
        var mother = Parent();
        var father = Parent();
        var consent = By(mother, ConsentDecision.Given, HoursAgo(3));
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), father, By(father, ConsentDecision.Refused, DaysAgo(1)), By(father, ConsentDecision.Given, HoursAgo(4)), mother, consent);
        Assert.Equal(consent.Id, Evaluate(records).Value.RecordId);
    }

    [Fact]
    public void A_Gillick_finding_past_its_reassess_by_date_or_without_one_older_than_the_trusts_limit_is_stale_Gillick()
    {
        var finding = Gillick(true, DaysAgo(10));
        finding.ReassessBy = DaysAgo(1);
        var records = Records(AgeBand.Under16, finding, Own(ConsentDecision.Given, DaysAgo(9)));
        Refused(Evaluate(records), "lawful-basis.gillick-reassessment-required");

        var old = Gillick(true, Now - Policy.GillickFindingMaxAge - TimeSpan.FromHours(1));
        Refused(Evaluate(Records(AgeBand.Under16, old, Own(ConsentDecision.Given, DaysAgo(1)))), "lawful-basis.gillick-reassessment-required");
    }

    [Fact]
    public void A_Gillick_finding_is_recorded_with_its_reasons_and_a_reassess_by_date_Gillick()
    {
        var finding = Gillick(true, DaysAgo(1));
        Assert.Equal("gillick.reasons-missing", finding.ValidateForRecording(Policy)?.Rule);
        finding.Reasons = "Explained in her own words what the app records and who sees it, and why she wants it";
        Assert.Equal("gillick.reassess-by-missing", finding.ValidateForRecording(Policy)?.Rule);
        finding.ReassessBy = finding.AssessedAt + Policy.GillickFindingMaxAge + TimeSpan.FromDays(1);
        Assert.Equal("gillick.reassess-by-out-of-range", finding.ValidateForRecording(Policy)?.Rule);
        finding.ReassessBy = finding.AssessedAt.AddDays(14);
        Assert.Null(finding.ValidateForRecording(Policy));
    }

    [Fact]
    public void A_parent_decides_for_a_16_or_17_year_old_lacking_capacity_only_within_the_zone_of_parental_control_MHA_Code_chapter_19()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(1));
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), parent, consent)), "lawful-basis.zone-of-parental-control-not-recorded");
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: false, DaysAgo(2)), parent, consent)), "lawful-basis.outside-zone-of-parental-control");

        // Outside the zone, or while it is not recorded, a best-interests decision consulting the parents is the route.
        var decision = BestInterests(HoursAgo(3));
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: false, DaysAgo(2)), parent, consent, decision)).Value.RecordId);
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), parent, decision)).Value.RecordId);
        decision.PeopleConsulted[0].Role = ConsultedRole.Carer;
        Refused(Evaluate(Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), parent, decision)), "lawful-basis.best-interests-parents-not-consulted");
    }

    [Fact]
    public void Parental_consent_never_authorises_surveillance_or_confinement_of_a_16_or_17_year_old_Re_D_2019_UKSC_42()
    {
        var parent = Parent();
        var records = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: true, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)));
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, Approval(surveillance: true), null), "lawful-basis.parent-cannot-authorise-surveillance-16-17");
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, Restrictive(), null), "lawful-basis.parent-cannot-authorise-surveillance-16-17");

        var decision = BestInterests(HoursAgo(3));
        var withDecision = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: true, DaysAgo(2)), parent, By(parent, ConsentDecision.Given, DaysAgo(1)), decision);
        Assert.Equal(decision.Id, LawfulBasisRules.Evaluate(withDecision, Technology, Policy, Now, Approval(surveillance: true), null).Value.RecordId);
    }

    [Fact]
    public void A_parents_live_refusal_blocks_a_best_interests_decision_for_a_16_or_17_year_old_until_agreement_or_a_court_Children_Act_1989_s2_7()
    {
        var parent = Parent();
        var records = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: false, DaysAgo(2)), parent, By(parent, ConsentDecision.Refused, DaysAgo(1)), BestInterests(HoursAgo(3)));
        Refused(Evaluate(records), "lawful-basis.parental-responsibility-refusal-blocks");
        var order = Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, HoursAgo(1));
        var decided = Records(AgeBand.Aged16To17, Lacks(DaysAgo(2)), Zone(within: false, DaysAgo(2)), parent, By(parent, ConsentDecision.Refused, DaysAgo(1)), order);
        Assert.Equal(LawfulBasisKind.CourtOrder, Evaluate(decided).Value.Kind);
    }

    [Theory]
    [InlineData(ParentalResponsibilityBasis.SpecialGuardian)]
    [InlineData(ParentalResponsibilityBasis.ChildArrangementsOrder)]
    [InlineData(ParentalResponsibilityBasis.StepParent)]
    public void The_wider_list_of_people_with_parental_responsibility_can_consent_Children_Act_1989_ss4A_12_14C(ParentalResponsibilityBasis holder)
    {
        var authority = Parent();
        authority.ParentalResponsibilityBasis = holder;
        var consent = By(authority, ConsentDecision.Given, DaysAgo(1));
        Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), authority, consent)).Value.RecordId);
    }

    [Theory]
    [InlineData(ParentalResponsibilityBasis.InterimCareOrder)]
    [InlineData(ParentalResponsibilityBasis.EmergencyProtectionOrder)]
    public void Parental_responsibility_under_a_time_limited_order_needs_its_end_recorded_and_ends_with_it_Children_Act_1989_ss38_44(ParentalResponsibilityBasis holder)
    {
        var authority = Parent();
        authority.ParentalResponsibilityBasis = holder;
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), authority, By(authority, ConsentDecision.Given, DaysAgo(1)));
        Refused(Evaluate(records), "proxy.order-expiry-missing");
        authority.ExpiresAt = Now.AddDays(3);
        Assert.False(Evaluate(records).IsRefused);
        Refused(Evaluate(records, Now.AddDays(3)), "proxy.expired");
    }
}
