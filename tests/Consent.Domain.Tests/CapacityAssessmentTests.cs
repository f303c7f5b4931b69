using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

public class CapacityAssessmentTests
{
    [Fact]
    public void Patient_able_in_all_four_functional_abilities_has_capacity()
    {
        Assert.Equal(CapacityResult.HasCapacity, HasCapacity(DaysAgo(1)).Result().Value);
    }

    public static TheoryData<string> Abilities => ["understand", "retain", "use-or-weigh", "communicate"];

    private static void SetAbility(CapacityAssessment a, string ability, FunctionalAbility value)
    {
        switch (ability)
        {
            case "understand": a.Understand = value; break;
            case "retain": a.Retain = value; break;
            case "use-or-weigh": a.UseOrWeigh = value; break;
            default: a.Communicate = value; break;
        }
    }

    [Theory]
    [MemberData(nameof(Abilities))]
    public void Failing_any_one_ability_because_of_the_impairment_means_lacking_capacity(string ability)
    {
        var a = HasCapacity(DaysAgo(1));
        SetAbility(a, ability, FunctionalAbility.Unable);
        a.InabilityBecauseOfImpairment = true;
        Assert.Equal(CapacityResult.LacksCapacity, a.Result().Value);
    }

    [Theory]
    [MemberData(nameof(Abilities))]
    public void Each_unanswered_ability_is_refused_by_name(string ability)
    {
        var a = HasCapacity(DaysAgo(1));
        SetAbility(a, ability, FunctionalAbility.NotAnswered);
        Assert.Equal($"capacity.{ability}-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void An_inability_not_caused_by_the_impairment_is_capacity_in_law()
    {
        var a = Lacks(DaysAgo(1));
        a.InabilityBecauseOfImpairment = false;
        Assert.Equal(CapacityResult.HasCapacity, a.Result().Value);
    }

    [Fact]
    public void Without_an_impairment_of_mind_or_brain_the_patient_has_capacity()
    {
        var a = Lacks(DaysAgo(1));
        a.ImpairmentOfMindOrBrain = false;
        a.ImpairmentDescription = null;
        Assert.Equal(CapacityResult.HasCapacity, a.Result().Value);
    }

    [Fact]
    public void An_unanswered_diagnostic_question_is_refused()
    {
        var a = Lacks(DaysAgo(1));
        a.ImpairmentOfMindOrBrain = null;
        Assert.Equal("capacity.diagnostic-question-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void An_impairment_must_be_described()
    {
        var a = Lacks(DaysAgo(1));
        a.ImpairmentDescription = "";
        Assert.Equal("capacity.impairment-description-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void Incapacity_without_the_causative_link_answered_is_refused()
    {
        var a = Lacks(DaysAgo(1));
        a.InabilityBecauseOfImpairment = null;
        Assert.Equal("capacity.causation-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void Incapacity_without_practicable_steps_to_support_the_decision_is_refused()
    {
        var a = Lacks(DaysAgo(1));
        a.PracticableStepsTaken = null;
        Assert.Equal("capacity.practicable-steps-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void Incapacity_without_a_reassess_by_date_is_refused()
    {
        var a = Lacks(DaysAgo(1));
        a.ReassessBy = null;
        Assert.Equal("capacity.reassess-by-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void An_assessment_must_name_its_decision_its_time_and_its_assessor()
    {
        var a = HasCapacity(DaysAgo(1));
        a.Decision = "";
        Assert.Equal("capacity.decision-missing", a.Result().Refusal?.Rule);
        a = HasCapacity(DaysAgo(1));
        a.AssessedAt = default;
        Assert.Equal("capacity.assessed-at-missing", a.Result().Refusal?.Rule);
        a = HasCapacity(DaysAgo(1));
        a.AssessedBy = " ";
        Assert.Equal("capacity.assessor-missing", a.Result().Refusal?.Rule);
        a = HasCapacity(DaysAgo(1));
        a.Determination = CapacityDetermination.Unspecified;
        Assert.Equal("capacity.determination-missing", a.Result().Refusal?.Rule);
    }

    [Fact]
    public void The_statutory_presumption_is_recorded_as_such_and_shows_capacity_without_a_functional_test()
    {
        var a = Presumed(DaysAgo(1));
        Assert.Equal(CapacityDetermination.StatutoryPresumption, a.Determination);
        Assert.Equal(CapacityResult.HasCapacity, a.Result().Value);
    }

    [Fact]
    public void The_presumption_and_the_MCA_test_are_refused_for_a_child_under_16()
    {
        Assert.Equal("capacity.not-under-16", Presumed(DaysAgo(1)).ValidateFor(AgeBand.Under16)?.Rule);
        Assert.Equal("capacity.not-under-16", Lacks(DaysAgo(1)).ValidateFor(AgeBand.Under16)?.Rule);
        Assert.Null(Presumed(DaysAgo(1)).ValidateFor(AgeBand.Aged16To17));
        Assert.Null(Lacks(DaysAgo(1)).ValidateFor(AgeBand.Aged65AndOver));
        var incomplete = Lacks(DaysAgo(1));
        incomplete.Communicate = FunctionalAbility.NotAnswered;
        Assert.Equal("capacity.communicate-missing", incomplete.ValidateFor(AgeBand.Aged18To25)?.Rule);
    }

    [Fact]
    public void An_assessment_is_stale_after_its_reassess_by_date()
    {
        var a = Lacks(DaysAgo(10), reassessBy: DaysAgo(1));
        Assert.True(a.IsStale(Policy, Now));
        Assert.False(a.IsStale(Policy, DaysAgo(2)));
    }

    [Fact]
    public void A_fluctuating_assessment_is_stale_once_older_than_the_trusts_limit()
    {
        var a = Lacks(DaysAgo(3), reassessBy: Now.AddDays(20), fluctuating: true);
        Assert.False(a.IsStale(Policy, Now));
        Assert.True(a.IsStale(Policy with { FluctuatingAssessmentMaxAge = TimeSpan.FromDays(2) }, Now));
    }
}

public class GillickAssessmentTests
{
    [Fact]
    public void A_complete_Gillick_assessment_is_valid()
    {
        Assert.Null(Gillick(true, DaysAgo(1)).Validate());
    }

    [Fact]
    public void Each_missing_item_of_a_Gillick_assessment_is_refused_by_name()
    {
        var g = Gillick(true, DaysAgo(1));
        g.Decision = "";
        Assert.Equal("gillick.decision-missing", g.Validate()?.Rule);
        g = Gillick(true, DaysAgo(1));
        g.Competent = null;
        Assert.Equal("gillick.competence-missing", g.Validate()?.Rule);
        g = Gillick(true, DaysAgo(1));
        g.AssessedBy = "";
        Assert.Equal("gillick.assessor-missing", g.Validate()?.Rule);
        g = Gillick(true, DaysAgo(1));
        g.AssessedAt = default;
        Assert.Equal("gillick.assessed-at-missing", g.Validate()?.Rule);
    }
}

public class ProxyAuthorityTests
{
    [Fact]
    public void Verified_proxies_in_force_are_valid_for_the_ages_they_serve()
    {
        Assert.Null(Parent().ValidNow(AgeBand.Under16, Now));
        Assert.Null(Parent().ValidNow(AgeBand.Aged16To17, Now));
        Assert.Null(Lpa().ValidNow(AgeBand.Aged26To64, Now));
        Assert.Null(Deputy().ValidNow(AgeBand.Aged16To17, Now));
        Assert.Null(Deputy().ValidNow(AgeBand.Aged65AndOver, Now));
    }

    [Fact]
    public void A_proxy_without_document_reference_verifier_or_verification_time_is_unverified()
    {
        var a = Deputy();
        a.DocumentReference = null;
        Assert.Equal("proxy.unverified", a.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        a = Deputy();
        a.VerifiedBy = "";
        Assert.Equal("proxy.unverified", a.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        a = Deputy();
        a.VerifiedAt = null;
        Assert.Equal("proxy.unverified", a.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
    }

    [Fact]
    public void Revocation_and_expiry_take_effect_at_their_time()
    {
        var a = Lpa();
        a.RevokedAt = Now;
        Assert.Equal("proxy.revoked", a.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        Assert.Null(a.ValidNow(AgeBand.Aged26To64, Now.AddSeconds(-1)));
        a = Parent();
        a.ExpiresAt = Now;
        Assert.Equal("proxy.expired", a.ValidNow(AgeBand.Under16, Now)?.Rule);
    }

    [Fact]
    public void Kind_specific_details_are_required()
    {
        var pr = Parent();
        pr.ParentalResponsibilityBasis = ParentalResponsibilityBasis.Unspecified;
        Assert.Equal("proxy.parental-responsibility-basis-missing", pr.ValidNow(AgeBand.Under16, Now)?.Rule);
        var lpa = Lpa();
        lpa.DonorWas18OrOverWhenMade = null;
        Assert.Equal("proxy.lpa-donor-age-missing", lpa.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        var deputy = Deputy();
        deputy.CourtOrderReference = null;
        Assert.Equal("proxy.court-order-missing", deputy.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        deputy = Deputy();
        deputy.CoversDecision = false;
        Assert.Equal("lawful-basis.deputy-does-not-cover-decision", deputy.ValidNow(AgeBand.Aged26To64, Now)?.Rule);
        Assert.Equal("proxy.kind-missing", new ProxyAuthority().ValidNow(AgeBand.Aged26To64, Now)?.Rule);
    }
}

public class ConsentRecordTests
{
    [Fact]
    public void A_refusal_stands_without_information_recorded()
    {
        var c = Own(ConsentDecision.Refused, DaysAgo(1));
        c.InformationGiven = "";
        c.InformationFormat = AccessibleFormat.Unspecified;
        Assert.Null(c.Validate());
    }

    [Fact]
    public void A_consent_must_say_whether_it_was_given_who_took_it_and_when()
    {
        var c = Own(ConsentDecision.Unspecified, DaysAgo(1));
        Assert.Equal("consent.decision-missing", c.Validate()?.Rule);
        c = Own(ConsentDecision.Given, default);
        Assert.Equal("consent.recorded-at-missing", c.Validate()?.Rule);
        c = Own(ConsentDecision.Given, DaysAgo(1));
        c.RecordedBy = "";
        Assert.Equal("consent.recorded-by-missing", c.Validate()?.Rule);
    }

    [Fact]
    public void A_proxy_consent_must_name_the_authority_it_was_given_under()
    {
        var c = By(Deputy(), ConsentDecision.Given, DaysAgo(1));
        Assert.Null(c.Validate());
        var orphan = new ProxyConsent { Decision = ConsentDecision.Given, InformationGiven = "x", InformationFormat = AccessibleFormat.Audio, RecordedAt = Now, RecordedBy = "s" };
        Assert.Equal("consent.proxy-authority-missing", orphan.Validate()?.Rule);
    }

    [Fact]
    public void Withdrawing_twice_keeps_the_first_withdrawal_time()
    {
        var c = Own(ConsentDecision.Given, DaysAgo(2));
        c.Withdraw(DaysAgo(1));
        c.Withdraw(Now);
        Assert.Equal(DaysAgo(1), c.WithdrawnAt);
        Assert.True(c.IsWithdrawn(Now));
    }
}

public class BestInterestsDecisionTests
{
    [Fact]
    public void A_complete_checklist_is_valid()
    {
        Assert.Null(BestInterests(DaysAgo(1)).Validate());
    }

    public static TheoryData<string, string> MissingItems => new()
    {
        { "wishes", "best-interests.wishes-and-feelings-missing" },
        { "written", "best-interests.written-statements-missing" },
        { "beliefs", "best-interests.beliefs-and-values-missing" },
        { "regain", "best-interests.regain-capacity-missing" },
        { "regain-when", "best-interests.regain-capacity-when-missing" },
        { "support", "best-interests.support-to-participate-missing" },
        { "consulted-views", "best-interests.consultation-detail-missing" },
        { "no-one", "lawful-basis.best-interests-no-one-consulted" },
        { "imca", "lawful-basis.best-interests-imca-required" },
        { "less-restrictive", "best-interests.less-restrictive-options-missing" },
        { "decision-maker", "best-interests.decision-maker-missing" },
        { "decided-at", "best-interests.decided-at-missing" },
        { "objection", "best-interests.objection-weighed-missing" },
    };

    [Theory]
    [MemberData(nameof(MissingItems))]
    public void Each_missing_checklist_item_is_refused_by_name(string item, string rule)
    {
        var d = BestInterests(DaysAgo(1));
        switch (item)
        {
            case "wishes": d.WishesAndFeelings = ""; break;
            case "written": d.WrittenStatements = ""; break;
            case "beliefs": d.BeliefsAndValues = ""; break;
            case "regain": d.MayRegainCapacity = null; break;
            case "regain-when": d.RegainCapacityWhen = null; break;
            case "support": d.SupportToParticipate = ""; break;
            case "consulted-views": d.PeopleConsulted[0].ViewsGiven = ""; break;
            case "no-one": d.PeopleConsulted.Clear(); break;
            case "imca": d.NoOneAppropriateToConsult = true; break;
            case "less-restrictive": d.LessRestrictiveOptions = ""; break;
            case "decision-maker": d.DecisionMaker = ""; break;
            case "decided-at": d.DecidedAt = default; break;
            case "objection": d.PatientObjects = true; break;
        }
        var refusal = d.Validate();
        Assert.Equal(rule, refusal?.Rule);
        Assert.False(string.IsNullOrWhiteSpace(refusal!.Message));
    }

    [Fact]
    public void A_patient_who_will_not_regain_capacity_needs_no_regain_date()
    {
        var d = BestInterests(DaysAgo(1));
        d.MayRegainCapacity = false;
        d.RegainCapacityWhen = null;
        Assert.Null(d.Validate());
    }
}
