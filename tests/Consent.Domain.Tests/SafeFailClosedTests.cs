using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 20, "Safe fail-closed", and what the patient's copy promises.</summary>
public class SafeFailClosedTests
{
    [Fact]
    public void Regained_capacity_asks_for_consent_within_the_same_shift_MCA_s1_2_and_principle_2()
    {
        var regainedAt = HoursAgo(13);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(regainedAt));
        Assert.True(TrustPolicy.Default.CapacityRegainedGracePeriod <= TimeSpan.FromHours(12));
        Assert.Equal("lawful-basis.consent-required-after-capacity-regained", LawfulBasisRules.Evaluate(records, Technology, Policy, Now).Refusal?.Rule);
    }

    [Fact]
    public void The_patients_copy_under_best_interests_does_not_promise_to_stop_straight_away_MCA_s4()
    {
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), Now);
        var copy = use.PatientCopy();
        Assert.DoesNotContain("stop using it straight away", copy);
        Assert.Contains("look at the decision again", copy);
    }

    private static (PatientConsentRecords Records, TechnologyUse Use) ConsentedSafetyUse(DateTime lostAt, params object[] more)
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var use = TechnologyUse.Propose(Request(), Approval(safety: true), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), Approval(safety: true), Policy, DaysAgo(5)));
        return (Records(AgeBand.Aged26To64, [Presumed(DaysAgo(6)), consent, use, Lacks(lostAt), .. more]), use);
    }

    private static UseCheckResult Check(PatientConsentRecords records, DateTime? now = null, TechnologyApproval? approval = null) =>
        UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, approval ?? Approval(safety: true), Policy, now ?? Now);

    [Fact]
    public void Loss_of_capacity_on_a_consented_safety_use_opens_a_short_transition_while_a_best_interests_decision_is_made_MCA_s4_and_s5()
    {
        var lostAt = HoursAgo(2);
        var (records, _) = ConsentedSafetyUse(lostAt);
        var within = Check(records);
        Assert.True(within.IsPermitted, string.Join(", ", within.Reasons.Select(r => r.Rule)));
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, within.LawfulBasis?.Status);
        Assert.True(within.Warnings.HasFlag(UseCheckWarnings.BestInterestsDecisionRequired));
        Assert.Equal(lostAt + Policy.CapacityLostTransition, within.DecisionRequiredBy);

        var after = Check(records, lostAt + Policy.CapacityLostTransition);
        Assert.Contains(after.Denials, d => d.Kind == UseDenyReasons.BestInterestsDecisionOverdue && d.Refusal.Rule == "lawful-basis.best-interests-decision-overdue");
        Assert.Equal(SafetyFallback.HumanObservation, after.Fallback);
        Assert.True(TrustPolicy.Default.CapacityLostTransition <= TimeSpan.FromHours(12));
    }

    [Fact]
    public void There_is_no_transition_if_the_patient_objects_after_losing_capacity_MCA_s4_6_a()
    {
        var lostAt = HoursAgo(2);
        var (records, use) = ConsentedSafetyUse(lostAt);
        var objection = PatientObjection.Record(records, use, HoursAgo(1), ObjectionExpression.Words, "Says 'take it away'", "staff:RN-1042", Guid.NewGuid(), Policy, Now).Value;
        var denied = Check(records.With(objection: objection));
        Assert.False(denied.IsPermitted);
        Assert.Contains(denied.Reasons, r => r.Rule == "lawful-basis.none");
    }

    [Fact]
    public void There_is_no_transition_for_a_use_that_does_not_manage_a_safety_risk_MCA_s2_1()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(5));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, use, Lacks(HoursAgo(2)));
        Assert.Contains(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now).Reasons, r => r.Rule == "lawful-basis.none");
    }

    [Fact]
    public void A_deny_on_a_safety_use_names_human_observation_as_the_fallback_P6()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var use = TechnologyUse.Propose(Request(), Approval(safety: true), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), Approval(safety: true), Policy, DaysAgo(5)));
        consent.Withdraw(HoursAgo(1));
        var denied = Check(Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, use));
        Assert.Equal(SafetyFallback.HumanObservation, denied.Fallback);

        var notSafety = ActiveUse(OwnBasis(consent), DaysAgo(5));
        Assert.Equal(SafetyFallback.None, UseCheck.Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, notSafety), Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now).Fallback);
    }

    [Fact]
    public void The_ward_is_warned_before_a_finding_of_incapacity_falls_stale_MCA_s2_1()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var reassessBy = Now.AddHours(20);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10), reassessBy: reassessBy), decision, use);

        var check = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.True(check.IsPermitted);
        Assert.True(check.Warnings.HasFlag(UseCheckWarnings.ReassessmentDueSoon));
        var warning = Assert.Single(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, Now), w => w.Kind == DeadlineKind.CapacityReassessment);
        Assert.Equal((use.Id, reassessBy), (warning.UseId, warning.Deadline));
        Assert.False(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now.AddDays(3)).Warnings.HasFlag(UseCheckWarnings.ReassessmentDueSoon));
    }

    [Fact]
    public void The_ward_is_warned_before_the_grace_period_after_regained_capacity_ends_MCA_s1_2()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var regainedAt = HoursAgo(2);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, HasCapacity(regainedAt));
        var warning = Assert.Single(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, Now), w => w.Kind == DeadlineKind.ConsentRequiredBy);
        Assert.Equal(regainedAt + Policy.CapacityRegainedGracePeriod, warning.Deadline);
    }

    [Fact]
    public void A_human_rights_record_is_required_for_every_use_not_on_the_patients_own_consent_ECHR_Article_8()
    {
        var use = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        CompleteCarePlan(use, Now);
        var bestInterests = new LawfulBasis(LawfulBasisKind.BestInterests, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);
        Assert.Equal("human-rights.required-not-own-consent", use.Activate(bestInterests, Approval(), Policy, Now)?.Rule);

        // A use started on the patient's own consent that now rests on best interests (capacity lost) is denied without one.
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var started = ActiveUse(OwnBasis(consent), DaysAgo(5));
        var decision = BestInterests(DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, started, Lacks(DaysAgo(2)), decision);
        var check = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.Contains(check.Denials, d => d.Kind == UseDenyReasons.HumanRightsRecordRequired);
        started.HumanRights = Balancing();
        Assert.True(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now).IsPermitted);
    }

    [Fact]
    public void A_human_rights_record_is_required_for_every_monitoring_use_even_on_consent_ECHR_Article_8()
    {
        var use = TechnologyUse.Propose(Request() with { Purpose = UsePurpose.Monitoring }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        CompleteCarePlan(use, Now);
        Assert.Equal("human-rights.required-surveillance", use.Activate(OwnBasis(Own(ConsentDecision.Given, Now)), Approval(), Policy, Now)?.Rule);
    }

    [Theory]
    [InlineData(LawfulBasisKind.ProxyConsent, ProxyKind.LastingPowerOfAttorney, "Your attorney can change their mind")]
    [InlineData(LawfulBasisKind.CourtOrder, ProxyKind.Unspecified, "ask the court to look at it again")]
    [InlineData(LawfulBasisKind.MentalHealthActSection63, ProxyKind.Unspecified, "section 63 of the Mental Health Act")]
    public void The_patients_copy_says_what_really_happens_under_each_basis_MCA_s4_MHA_s63(LawfulBasisKind kind, ProxyKind proxy, string words)
    {
        var use = ActiveUse(new LawfulBasis(kind, Guid.NewGuid(), proxy, LawfulBasisStatus.Valid, null), Now);
        var copy = use.PatientCopy(Policy with { ObjectionRedecisionWithin = TimeSpan.FromHours(12) });
        Assert.Contains(words, copy);
        if (kind != LawfulBasisKind.ProxyConsent) Assert.DoesNotContain("straight away", copy);
        else Assert.Contains("within 12 hours", copy);
    }
}
