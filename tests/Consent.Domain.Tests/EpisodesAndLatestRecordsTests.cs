using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21: which finding, decision or record is "the latest" and which belong to the current episode of inability,
/// with the records in any order and with incomplete findings among them (conditions the suite only ever met one way).
/// </summary>
public class EpisodesAndLatestRecordsTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records) => LawfulBasisRules.Evaluate(records, Technology, Policy, Now);

    private static IEnumerable<object[]> BothOrders(object[] records) => [records, records.Reverse().ToArray()];

    // MCA 2005 s2(1), s3: only a complete finding says whether the patient can decide; an incomplete one in between
    // neither ends an episode of incapacity nor starts one.
    [Fact]
    public void An_incomplete_finding_of_capacity_does_not_end_the_episode_a_best_interests_decision_was_made_in_MCA_2005_s2_1()
    {
        var decision = BestInterests(DaysAgo(4));
        var incompleteAble = HasCapacity(DaysAgo(3));
        incompleteAble.AssessedBy = "";
        foreach (var records in BothOrders([Lacks(DaysAgo(5)), decision, incompleteAble, Lacks(DaysAgo(2))]))
            Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, records)).Value.RecordId);

        // A complete finding of capacity in between does end it: the later finding of incapacity starts a new episode.
        Assert.Equal("lawful-basis.none", Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(5)), decision, HasCapacity(DaysAgo(3)), Lacks(DaysAgo(2)))).Refusal?.Rule);
    }

    [Fact]
    public void An_incomplete_Gillick_finding_does_not_end_the_episode_a_parent_decided_in_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(4));
        var incompleteCompetent = Gillick(true, DaysAgo(3));
        incompleteCompetent.AssessedBy = " ";
        foreach (var records in BothOrders([Gillick(false, DaysAgo(5)), parent, consent, incompleteCompetent, Gillick(false, DaysAgo(2))]))
            Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Under16, records)).Value.RecordId);
        Assert.Equal("lawful-basis.proxy-decision-required",
            Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(5)), parent, consent, Gillick(true, DaysAgo(3)), Gillick(false, DaysAgo(2)))).Refusal?.Rule);
    }

    [Fact]
    public void The_latest_Gillick_finding_counts_in_whatever_order_the_records_come_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        foreach (var records in BothOrders([Gillick(false, DaysAgo(3)), Gillick(true, DaysAgo(2)), consent]))
            Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Under16, records)).Value.RecordId);
        foreach (var records in BothOrders([Gillick(true, DaysAgo(3)), consent, Gillick(false, HoursAgo(2))]))
            Assert.True(Evaluate(Records(AgeBand.Under16, records)).IsRefused);
    }

    // MCA 2005 s9 and s11(7)(a), s20(1): an attorney or deputy acts only while the patient lacks capacity; an
    // attorney's refusal, withdrawn consent or consent not yet given is not a decision "for" a patient who has capacity.
    [Fact]
    public void Only_a_live_consent_given_by_an_attorney_is_refused_as_deciding_for_a_patient_with_capacity_MCA_2005_s11_7_a()
    {
        var lpa = Lpa();
        Assert.Equal("lawful-basis.lpa-donor-has-capacity",
            Evaluate(Records(AgeBand.Aged65AndOver, HasCapacity(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)))).Refusal?.Rule);
        Assert.Equal("lawful-basis.no-consent",
            Evaluate(Records(AgeBand.Aged65AndOver, HasCapacity(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Refused, DaysAgo(1)))).Refusal?.Rule);
        var withdrawn = By(lpa, ConsentDecision.Given, DaysAgo(1));
        withdrawn.Withdraw(HoursAgo(5));
        Assert.Equal("lawful-basis.no-consent", Evaluate(Records(AgeBand.Aged65AndOver, HasCapacity(DaysAgo(2)), lpa, withdrawn)).Refusal?.Rule);
        Assert.Equal("lawful-basis.no-consent",
            Evaluate(Records(AgeBand.Aged65AndOver, HasCapacity(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, Now.AddHours(1)))).Refusal?.Rule);
    }

    [Fact]
    public void An_attorneys_incomplete_consent_is_refused_by_its_own_rule_MCA_2005_s9()
    {
        var lpa = Lpa();
        var consent = By(lpa, ConsentDecision.Given, DaysAgo(1));
        consent.RecordedBy = " ";
        Assert.Equal("consent.recorded-by-missing", Evaluate(Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, consent)).Refusal?.Rule);
    }

    // MCA 2005 s1(2) with the trust's grace period: the basis carried over after capacity is regained is the latest
    // decision made for the patient in the episode that ended, attorney or best interests, whatever the record order.
    [Fact]
    public void After_capacity_is_regained_the_latest_decision_of_the_episode_that_ended_runs_out_the_grace_period_MCA_2005_s1_2()
    {
        var lpa = Lpa();
        var earlierAttorney = By(lpa, ConsentDecision.Given, DaysAgo(9));
        var decision = BestInterests(DaysAgo(8));
        foreach (var records in BothOrders([Lacks(DaysAgo(10)), lpa, earlierAttorney, decision, HasCapacity(HoursAgo(2))]))
        {
            var basis = Evaluate(Records(AgeBand.Aged65AndOver, records)).Value;
            Assert.Equal((LawfulBasisKind.BestInterests, decision.Id, LawfulBasisStatus.ConsentRequired), (basis.Kind, basis.RecordId, basis.Status));
        }

        var laterAttorney = By(lpa, ConsentDecision.Given, DaysAgo(7));
        foreach (var records in BothOrders([Lacks(DaysAgo(10)), lpa, earlierAttorney, decision, laterAttorney, HasCapacity(HoursAgo(2))]))
        {
            var basis = Evaluate(Records(AgeBand.Aged65AndOver, records)).Value;
            Assert.Equal((LawfulBasisKind.ProxyConsent, laterAttorney.Id, LawfulBasisStatus.ConsentRequired), (basis.Kind, basis.RecordId, basis.Status));
        }

        var laterDecision = BestInterests(DaysAgo(6));
        foreach (var records in BothOrders([Lacks(DaysAgo(10)), decision, laterDecision, HasCapacity(HoursAgo(2))]))
            Assert.Equal(laterDecision.Id, Evaluate(Records(AgeBand.Aged65AndOver, records)).Value.RecordId);
    }
    // Gillick: a finding of no competence that follows the child's refusal is confirmed by a second, different
    // assessor after the refusal; the same assessor under another spelling, or an opinion from before the refusal, is not.
    [Fact]
    public void A_second_opinion_on_no_competence_after_a_childs_refusal_is_a_different_assessor_since_the_refusal_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, HoursAgo(2));
        var sameAssessor = Gillick(false, DaysAgo(1));
        sameAssessor.AssessedBy = "  STAFF:DR-77 ";
        Assert.Equal("lawful-basis.gillick-second-opinion-required", Evaluate(Records(AgeBand.Under16,
            Gillick(true, DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(9)), Gillick(false, DaysAgo(2)), sameAssessor, parent, consent)).Refusal?.Rule);

        var beforeTheRefusal = Gillick(false, DaysAgo(9.5));
        beforeTheRefusal.AssessedBy = "staff:Dr-31";
        Assert.Equal("lawful-basis.gillick-second-opinion-required", Evaluate(Records(AgeBand.Under16,
            Gillick(true, DaysAgo(10)), beforeTheRefusal, Own(ConsentDecision.Refused, DaysAgo(9)), Gillick(false, DaysAgo(2)), parent, consent)).Refusal?.Rule);

        // The child agreed after refusing: the finding follows an agreement, not a refusal, and needs no second opinion.
        var refused = Own(ConsentDecision.Refused, DaysAgo(9));
        var agreed = Own(ConsentDecision.Given, DaysAgo(5));
        foreach (var records in BothOrders([Gillick(true, DaysAgo(10)), refused, agreed, Gillick(false, DaysAgo(2)), parent, consent]))
            Assert.Equal(consent.Id, Evaluate(Records(AgeBand.Under16, records)).Value.RecordId);
    }

    // MCA 2005 s4(6)(a): a refusal the patient made with capacity, before the decision, about this technology, is weighed.
    [Fact]
    public void Only_a_complete_refusal_of_this_technology_made_with_capacity_before_the_decision_must_be_weighed_MCA_2005_s4_6_a()
    {
        var decision = BestInterests(DaysAgo(1));
        Assert.Equal("best-interests.capacitous-refusal-weighed-missing",
            Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), Own(ConsentDecision.Refused, DaysAgo(19)), Lacks(DaysAgo(10)), decision)).Refusal?.Rule);

        var incomplete = Own(ConsentDecision.Refused, DaysAgo(19));
        incomplete.RecordedBy = "";
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), incomplete, Lacks(DaysAgo(10)), decision)).Value.RecordId);

        var otherTechnology = new OwnConsent
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, Decision = ConsentDecision.Refused, RecordedAt = DaysAgo(19), RecordedBy = "staff:RN-1042",
        };
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), otherTechnology, Lacks(DaysAgo(10)), decision)).Value.RecordId);

        // Said at the very instant of the decision, it was not before it (and, made while lacking capacity, is a wish).
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(1)), decision)).Value.RecordId);
    }

    [Fact]
    public void The_best_interests_decision_that_counts_is_the_latest_live_one_made_by_now_MCA_2005_s4()
    {
        var earlier = BestInterests(DaysAgo(3));
        var later = BestInterests(DaysAgo(2));
        foreach (var records in BothOrders([Lacks(DaysAgo(5)), earlier, later]))
            Assert.Equal(later.Id, Evaluate(Records(AgeBand.Aged26To64, records)).Value.RecordId);

        Assert.Null(later.End(DaysAgo(1), "Replaced after the family meeting"));
        Assert.Equal(earlier.Id, Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(5)), earlier, later)).Value.RecordId);
        Assert.Equal(earlier.Id, Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(5)), earlier, BestInterests(Now.AddHours(1)))).Value.RecordId);
    }
}
