using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// The exact instants and limits at which the competence, capacity and review rules change their answer: on the limit
/// and one tick past it. A rule that moved by one comparison operator (what a mutation tester tries) fails here.
/// </summary>
public class RuleEdgeTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public void A_finding_of_incapacity_is_current_on_its_reassess_by_instant_and_stale_one_tick_later()
    {
        var by = Now.AddDays(5);
        var a = Lacks(DaysAgo(10), reassessBy: by);

        Assert.False(a.IsStale(Policy, by));
        Assert.True(a.IsStale(Policy, by + Tick));
        Assert.Equal(by, a.StaleFrom(Policy));
    }

    [Fact]
    public void A_fluctuating_finding_is_current_up_to_the_trusts_limit_and_stale_one_tick_past_it_whichever_comes_first()
    {
        var at = DaysAgo(1);
        var limit = at + Policy.FluctuatingAssessmentMaxAge;
        var a = Lacks(at, reassessBy: limit + TimeSpan.FromDays(30), fluctuating: true);

        Assert.False(a.IsStale(Policy, limit));
        Assert.True(a.IsStale(Policy, limit + Tick));
        Assert.Equal(limit, a.StaleFrom(Policy));

        // A reassess-by date before the fluctuating limit is the earlier of the two, and so the one that counts.
        a.ReassessBy = limit - TimeSpan.FromHours(1);
        Assert.Equal(limit - TimeSpan.FromHours(1), a.StaleFrom(Policy));
        Assert.True(a.IsStale(Policy, limit - TimeSpan.FromHours(1) + Tick));

        // Without a reassess-by date the limit alone counts; a steady finding without one never falls stale by age.
        a.ReassessBy = null;
        Assert.Equal(limit, a.StaleFrom(Policy));
        a.Fluctuating = false;
        Assert.Null(a.StaleFrom(Policy));
        Assert.False(a.IsStale(Policy, Now.AddYears(5)));
    }

    [Fact]
    public void A_Gillick_finding_is_current_on_its_reassess_by_instant_or_up_to_the_trusts_limit_and_stale_one_tick_later()
    {
        var at = DaysAgo(3);
        var g = Gillick(true, at);
        var limit = at + Policy.GillickFindingMaxAge;

        Assert.False(g.IsStale(Policy, limit));
        Assert.True(g.IsStale(Policy, limit + Tick));
        Assert.Equal(limit, g.StaleFrom(Policy));

        // A reassess-by date replaces the trust's limit, later or sooner.
        g.ReassessBy = limit + TimeSpan.FromDays(2);
        Assert.False(g.IsStale(Policy, limit + TimeSpan.FromDays(1)));
        Assert.False(g.IsStale(Policy, g.ReassessBy.Value));
        Assert.True(g.IsStale(Policy, g.ReassessBy.Value + Tick));
        Assert.Equal(g.ReassessBy, g.StaleFrom(Policy));
        g.ReassessBy = at + TimeSpan.FromDays(1);
        Assert.True(g.IsStale(Policy, at + TimeSpan.FromDays(1) + Tick));
    }

    [Fact]
    public void A_new_Gillick_finding_must_be_reassessed_after_it_and_within_the_trusts_limit_inclusive()
    {
        var g = Gillick(true, DaysAgo(1));
        g.Reasons = "Explained the app in her own words, weighed the alerts against her privacy";

        g.ReassessBy = g.AssessedAt + Policy.GillickFindingMaxAge;
        Assert.Null(g.ValidateForRecording(Policy));
        g.ReassessBy = g.AssessedAt + Tick;
        Assert.Null(g.ValidateForRecording(Policy));

        foreach (var outOfRange in new[] { g.AssessedAt, g.AssessedAt - Tick, g.AssessedAt + Policy.GillickFindingMaxAge + Tick })
        {
            g.ReassessBy = outOfRange;
            var refusal = g.ValidateForRecording(Policy);
            Assert.Equal("gillick.reassess-by-out-of-range", refusal?.Rule);
            Assert.Equal($"Set the reassess-by date after the assessment and within {Policy.GillickFindingMaxAge.TotalDays:0} days of it.", refusal?.Message);
        }

        g.ReassessBy = null;
        Assert.Equal("gillick.reassess-by-missing", g.ValidateForRecording(Policy)?.Rule);
        g.ReassessBy = g.AssessedAt + TimeSpan.FromDays(1);
        g.Reasons = " ";
        Assert.Equal("gillick.reasons-missing", g.ValidateForRecording(Policy)?.Rule);
        g.Reasons = null;
        g.Competent = null;
        Assert.Equal("gillick.competence-missing", g.ValidateForRecording(Policy)?.Rule);
    }

    [Fact]
    public void The_next_review_is_after_this_one_and_at_most_the_trusts_interval_away_inclusive()
    {
        var review = Review(ReviewDecision.Continue);
        Assert.Null(review.Validate(Policy));

        review.NextReviewDate = Now + Policy.MaxReviewInterval;
        Assert.Null(review.Validate(Policy));
        review.NextReviewDate = Now + Tick;
        Assert.Null(review.Validate(Policy));

        review.NextReviewDate = Now + Policy.MaxReviewInterval + Tick;
        var tooFar = review.Validate(Policy);
        Assert.Equal("care-plan.next-review-too-far", tooFar?.Rule);
        Assert.Equal($"The next review must be within {Policy.MaxReviewInterval.TotalDays:0} days.", tooFar?.Message);
        review.NextReviewDate = Now;
        Assert.Equal("care-plan.next-review-in-past", review.Validate(Policy)?.Rule);
        review.NextReviewDate = null;
        Assert.Equal("care-plan.next-review-date-missing", review.Validate(Policy)?.Rule);
        review.NextReviewDate = Now.AddDays(7);
        review.NextReviewCovers = "";
        Assert.Equal("care-plan.review-covers-missing", review.Validate(Policy)?.Rule);
    }

    [Fact]
    public void A_decision_to_stop_needs_no_next_review_and_a_change_must_be_described()
    {
        Assert.Null(Review(ReviewDecision.Stop).Validate(Policy));
        Assert.Null(Review(ReviewDecision.Change).Validate(Policy));

        var change = Review(ReviewDecision.Change);
        change.ChangeDescription = " ";
        Assert.Equal("review.change-description-missing", change.Validate(Policy)?.Rule);
        var unspecified = Review(ReviewDecision.Continue);
        unspecified.Decision = ReviewDecision.Unspecified;
        Assert.Equal("review.decision-missing", unspecified.Validate(Policy)?.Rule);
        unspecified.Decision = (ReviewDecision)9;
        Assert.Equal("review.decision-missing", unspecified.Validate(Policy)?.Rule);
    }

    [Fact]
    public void A_review_names_its_participants_from_the_four_kinds_and_the_MDT_by_role()
    {
        var review = Review(ReviewDecision.Continue);
        review.Participants = ReviewParticipants.Advocate;
        Assert.Null(review.Validate(Policy));
        review.Participants = (ReviewParticipants)(1 << 4);
        Assert.Equal("review.participants-missing", review.Validate(Policy)?.Rule);
        review.Participants = ReviewParticipants.Patient | (ReviewParticipants)(1 << 5);
        Assert.Equal("review.participants-missing", review.Validate(Policy)?.Rule);
        review.Participants = ReviewParticipants.MdtMembers;
        review.MdtRoles = null;
        Assert.Equal("review.mdt-roles-missing", review.Validate(Policy)?.Rule);
        review.Participants = ReviewParticipants.FamilyOrCarers;
        Assert.Null(review.Validate(Policy));
    }

    [Fact]
    public void A_review_says_whether_the_patients_views_were_sought_and_what_they_were_or_why_not()
    {
        var review = Review(ReviewDecision.Continue);
        review.PatientViewsSought = null;
        Assert.Equal("review.patient-views-sought-missing", review.Validate(Policy)?.Rule);
        review.PatientViewsSought = true;
        review.PatientViews = "";
        Assert.Equal("review.patient-views-missing", review.Validate(Policy)?.Rule);
        review.PatientViewsSought = false;
        Assert.Equal("review.why-views-not-sought-missing", review.Validate(Policy)?.Rule);
        review.WhyViewsNotSought = "Asleep at every visit this week; advocate spoke for her";
        Assert.Null(review.Validate(Policy));
        review.OutcomeMeasureReferences = ["HoNOS 2026-03-01", " "];
        Assert.Equal("review.outcome-measure-reference-invalid", review.Validate(Policy)?.Rule);
        review.OutcomeMeasureReferences = ["HoNOS 2026-03-01"];
        review.Benefit = "";
        Assert.Equal("review.benefit-missing", review.Validate(Policy)?.Rule);
    }

    [Fact]
    public void Capacity_in_law_needs_no_practicable_steps_or_causation_but_a_finding_of_incapacity_needs_both_and_a_reassess_by_date()
    {
        var able = HasCapacity(DaysAgo(1));
        able.PracticableStepsTaken = null;
        able.ReassessBy = null;
        Assert.Equal(CapacityResult.HasCapacity, able.Result().Value);

        var noImpairment = Lacks(DaysAgo(1));
        noImpairment.ImpairmentOfMindOrBrain = false;
        noImpairment.PracticableStepsTaken = null;
        noImpairment.InabilityBecauseOfImpairment = null;
        Assert.Equal(CapacityResult.HasCapacity, noImpairment.Result().Value);

        var lacks = Lacks(DaysAgo(1));
        lacks.PracticableStepsTaken = " ";
        Assert.Equal("capacity.practicable-steps-missing", lacks.Result().Refusal?.Rule);
        lacks = Lacks(DaysAgo(1));
        lacks.InabilityBecauseOfImpairment = null;
        Assert.Equal("capacity.causation-missing", lacks.Result().Refusal?.Rule);
        lacks = Lacks(DaysAgo(1));
        lacks.ReassessBy = null;
        Assert.Equal("capacity.reassess-by-missing", lacks.Result().Refusal?.Rule);

        // The statutory presumption answers no functional question and is capacity.
        Assert.Equal(CapacityResult.HasCapacity, Presumed(DaysAgo(1)).Result().Value);
    }
}
