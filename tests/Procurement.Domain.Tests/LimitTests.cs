using Platform.Domain;
using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

/// <summary>
/// Issue 21 (the mutation run of procurement-domain): every limit the gates and the trust's policy set, tried on the
/// limit and one tick past it. Before these tests a limit could move by one (`&lt;` for `&lt;=`) with every test green.
/// </summary>
public class LimitTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static Outcome<GateRecord> Try(GateEvidence evidence, ProcurementPolicy? policy = null)
    {
        var technology = Technology();
        return OpenCase(technology).RecordGate(new GateSubmission(evidence, "DOC-1"), technology, ActorFor(evidence.Gate), policy ?? Policy, Guid.NewGuid(), Now);
    }

    private static string? Refused(GateEvidence evidence, ProcurementPolicy? policy = null) => Try(evidence, policy).Refusal.ShownRule();

    private static GateOutcome Judged(GateEvidence evidence, ProcurementPolicy? policy = null) => Try(evidence, policy).Value.Outcome;

    private static string? TrialRefused(ApprovalRequest request, ProcurementPolicy? policy = null)
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        var outcome = @case.Approve(request, technology, Lead, policy ?? Policy, Guid.NewGuid(), Now);
        if (!outcome.IsRefused) Assert.Equal((ApprovalKind.Trial, request.TrialEndsOn), (outcome.Value.Kind, outcome.Value.TrialEndsOn));
        return outcome.Refusal.ShownRule();
    }

    [Fact]
    public void A_trial_ends_after_now_and_within_the_trusts_longest_trial_to_the_tick()
    {
        var longest = Policy.MaxTrialLength;
        Assert.Equal("approval.trial-end-past", TrialRefused(Trial(ends: Now)));
        Assert.Null(TrialRefused(Trial(ends: Now + longest, plan: Trial().Evaluation! with { ReportDueBy = Now + longest })));
        Assert.Equal("approval.trial-too-long", TrialRefused(Trial(ends: Now + longest + Tick)));
    }

    [Fact]
    public void The_trial_is_refused_naming_the_trusts_own_longest_trial_in_days()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        var shorter = Policy with { MaxTrialLength = TimeSpan.FromDays(90) };
        var refusal = @case.Approve(Trial(ends: Days(91)), technology, Lead, shorter, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("approval.trial-too-long", refusal.ShownRule());
        Assert.Contains("at most 90 days", refusal!.Message);
    }

    [Fact]
    public void The_evaluation_reports_after_today_and_no_later_than_the_trials_end_to_the_tick()
    {
        var ends = Days(180);
        var plan = Trial().Evaluation!;
        Assert.Equal("approval.evaluation-report-date", TrialRefused(Trial(ends, plan with { ReportDueBy = Now })));
        Assert.Null(TrialRefused(Trial(ends, plan with { ReportDueBy = Now + Tick })));
        Assert.Null(TrialRefused(Trial(ends, plan with { ReportDueBy = ends })));
        Assert.Equal("approval.evaluation-report-date", TrialRefused(Trial(ends, plan with { ReportDueBy = ends + Tick })));
    }

    [Fact]
    public void A_trial_ending_one_tick_from_now_is_not_yet_past()
    {
        var ends = Now + TimeSpan.FromMinutes(1);
        Assert.Null(TrialRefused(Trial(ends, Trial().Evaluation! with { ReportDueBy = ends })));
    }

    [Fact]
    public void The_trusts_policy_bounds_hold_on_their_limits_and_refuse_one_past_them()
    {
        string? Rule(ProcurementPolicy p) => p.Validate().ShownRule();
        var p = ProcurementPolicy.Default;
        Assert.Null(Rule(p with { ExpiryGracePeriod = TimeSpan.Zero }));
        Assert.Null(Rule(p with { ExpiryGracePeriod = TimeSpan.FromDays(90) }));
        Assert.Equal("procurement-policy.grace-period-range", Rule(p with { ExpiryGracePeriod = -Tick }));
        Assert.Equal("procurement-policy.grace-period-range", Rule(p with { ExpiryGracePeriod = TimeSpan.FromDays(90) + Tick }));
        Assert.Null(Rule(p with { MaxTrialLength = Tick, MaxEhiaReviewInterval = Tick }));
        Assert.Equal("procurement-policy.period-required", Rule(p with { MaxTrialLength = TimeSpan.Zero }));
        Assert.Equal("procurement-policy.period-required", Rule(p with { MaxEhiaReviewInterval = TimeSpan.Zero }));
        Assert.Equal("procurement-policy.period-required", Rule(p with { MaxEhiaReviewInterval = -Tick }));
        Assert.Null(Rule(p with { MaxRefresherIntervalMonths = 1 }));
        Assert.Null(Rule(p with { MaxRefresherIntervalMonths = 36 }));
        Assert.Equal("procurement-policy.refresher-range", Rule(p with { MaxRefresherIntervalMonths = 0 }));
        Assert.Equal("procurement-policy.refresher-range", Rule(p with { MaxRefresherIntervalMonths = 37 }));
        Assert.Null(Rule(p with { MinimumUsabilityScorePercent = 0 }));
        Assert.Null(Rule(p with { MinimumUsabilityScorePercent = 100 }));
        Assert.Equal("procurement-policy.usability-range", Rule(p with { MinimumUsabilityScorePercent = -1 }));
        Assert.Equal("procurement-policy.usability-range", Rule(p with { MinimumUsabilityScorePercent = 101 }));
    }

    [Fact]
    public void The_usability_score_is_a_percentage_and_passes_at_the_trusts_minimum_exactly()
    {
        Assert.Equal(GateOutcome.Passed, Judged(Usability(100)));
        Assert.Equal(GateOutcome.Passed, Judged(Usability(0)));
        var seventy = Policy with { MinimumUsabilityScorePercent = 70 };
        Assert.Equal(GateOutcome.Passed, Judged(Usability(70), seventy));
        var failed = Try(Usability(69), seventy).Value;
        Assert.Equal(GateOutcome.Failed, failed.Outcome);
        Assert.Equal("the usability and accessibility score 69% is below the trust's minimum of 70%", failed.FailureReason);
        var refusal = Try(Usability(101)).Refusal;
        Assert.Equal("dtac-d1-usability-accessibility.score-range", refusal.ShownRule());
        Assert.Contains("percentage from 0 to 100", refusal!.Message);
    }

    [Fact]
    public void A_co_production_activity_is_held_on_a_day_up_to_now_with_at_least_one_person()
    {
        CoProductionEvidence With(CoProductionActivity activity) => CoProduction() with { Activities = [activity, .. CoProduction().Activities] };
        var held = new CoProductionActivity(CoProductionStage.Evaluation, Now, 1, "Former inpatients", "RX3-COPRO-03");
        Assert.Equal(GateOutcome.Passed, Judged(With(held)));
        Assert.Equal("co-production.held-on-invalid", Refused(With(held with { HeldOn = Now + Tick })));
        Assert.Equal("co-production.held-on-invalid", Refused(With(held with { HeldOn = default })));
        Assert.Equal("co-production.participants-missing", Refused(With(held with { LivedExperienceParticipants = 0 })));
        Assert.Equal("co-production.participants-missing", Refused(With(held with { LivedExperienceParticipants = -1 })));
        Assert.Equal("co-production.stage-missing", Refused(With(held with { Stage = (CoProductionStage)99 })));
        Assert.Equal("co-production.supplier-assurance-missing", Refused(CoProduction() with { SupplierAssurance = new(true, " ") }));
    }

    [Fact]
    public void The_ehia_review_falls_within_the_trusts_interval_of_its_completion_to_the_tick()
    {
        var completed = Days(-20);
        var interval = Policy.MaxEhiaReviewInterval;
        Assert.Equal(GateOutcome.Passed, Judged(Ehia() with { CompletedOn = completed, ReviewBy = completed + interval }));
        var refusal = Try(Ehia() with { CompletedOn = completed, ReviewBy = completed + interval + Tick }).Refusal;
        Assert.Equal("ehia.review-too-far", refusal.ShownRule());
        Assert.Contains($"at least every {interval.TotalDays:0} days", refusal!.Message);
        Assert.Equal("ehia.review-by-past", Refused(Ehia() with { ReviewBy = Now }));
        Assert.Equal("ehia.review-by-missing", Refused(Ehia() with { ReviewBy = default }));
        Assert.Equal("ehia.completed-on-missing", Refused(Ehia() with { CompletedOn = default }));
        Assert.Equal(GateOutcome.Passed, Judged(Ehia() with { CompletedOn = Now, ReviewBy = Now + Tick }));
        Assert.Equal("ehia.risk-group-missing", Refused(Ehia() with { Risks = [new((AffectedGroup)99, "A risk", "A mitigation")] }));
    }

    [Fact]
    public void An_ehia_risk_without_mitigation_is_refused_naming_the_group_it_falls_on()
    {
        var refusal = Try(Ehia() with { Risks = [new(AffectedGroup.Disability, "Screen reader users cannot use the app", "")] }).Refusal;
        Assert.Equal("ehia.mitigation-missing", refusal.ShownRule());
        Assert.Contains("the risk for disability has none", refusal!.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_data_sharing_agreement_runs_until_its_end_and_not_at_it()
    {
        Assert.Equal(GateOutcome.Passed, Judged(DataSharing() with { Agreements = [new("Calm Digital Ltd", "RX3-DSA-0042", Now + Tick)] }));
        Assert.Equal(GateOutcome.Passed, Judged(DataSharing() with { Agreements = [new("Calm Digital Ltd", "RX3-DSA-0042", null)] }));
        var refusal = Try(DataSharing() with { Agreements = [new(" Calm Digital Ltd ", "RX3-DSA-0042", Now)] }).Refusal;
        Assert.Equal("data-sharing-agreements.agreement-expired", refusal.ShownRule());
        Assert.Contains("with Calm Digital Ltd has already ended", refusal!.Message);
        Assert.Equal("data-sharing-agreements.agreement-incomplete", Refused(DataSharing() with { Agreements = [new("Calm Digital Ltd", " ", null)] }));
    }

    [Fact]
    public void The_policy_review_falls_due_its_frequency_in_months_after_approval_and_not_before()
    {
        var approved = Days(-31);
        Assert.Equal(GateOutcome.Passed, Judged(PolicyAndProcedure() with { ApprovedOn = approved, ReviewEveryMonths = 36 }));
        Assert.Equal(approved.AddMonths(36), Try(PolicyAndProcedure() with { ApprovedOn = approved, ReviewEveryMonths = 36 }).Value.ExpiresAt);
        Assert.Equal("policy-and-sop.review-frequency-range", Refused(PolicyAndProcedure() with { ReviewEveryMonths = 37 }));
        Assert.Equal("policy-and-sop.review-frequency-range", Refused(PolicyAndProcedure() with { ReviewEveryMonths = -1 }));
        // Approved a month ago to the tick: the monthly review is due now, so the policy must be reviewed first.
        Assert.Equal("policy-and-sop.review-overdue", Refused(PolicyAndProcedure() with { ApprovedOn = Now.AddMonths(-1), ReviewEveryMonths = 1 }));
        Assert.Equal(GateOutcome.Passed, Judged(PolicyAndProcedure() with { ApprovedOn = Now.AddMonths(-1) + Tick, ReviewEveryMonths = 1 }));
        Assert.Equal("policy-and-sop.approved-on-missing", Refused(PolicyAndProcedure() with { ApprovedOn = default }));
        Assert.Equal(default, (PolicyAndProcedure() with { ReviewEveryMonths = 0 }).ReviewDue);
        Assert.Equal(default, (PolicyAndProcedure() with { ApprovedOn = default }).ReviewDue);
    }

    [Fact]
    public void Refresher_training_comes_round_at_most_as_often_as_the_trust_allows()
    {
        var everyYear = Policy with { MaxRefresherIntervalMonths = 12 };
        Assert.Equal(GateOutcome.Passed, Judged(Training() with { RefresherEveryMonths = 12 }, everyYear));
        Assert.Equal(GateOutcome.Passed, Judged(Training() with { RefresherEveryMonths = 1 }, everyYear));
        var refusal = Try(Training() with { RefresherEveryMonths = 13 }, everyYear).Refusal;
        Assert.Equal("staff-training.plan-incomplete", refusal.ShownRule());
        Assert.Equal("The training plan is missing: refresher training at least every 12 months.", refusal!.Message);
        var none = Try(Training() with { Includes = StaffGroups.Bank | StaffGroups.Agency, Covers = TrainingContent.None, TrainedBeforeFirstUse = false, RefresherEveryMonths = 0 }).Refusal;
        Assert.Equal("The training plan is missing: training in the use of the technology; the human rights and ethical considerations of its use; " +
                     "the matters set out in the policy; the trust's own staff; training when staff start using the technology; regular refresher training.", none!.Message);
    }

    [Fact]
    public void A_text_over_its_limit_is_refused_naming_the_limit_and_one_at_the_limit_is_taken()
    {
        Assert.Equal(GateOutcome.Passed, Judged(Legal() with { ProcurementRoute = new string('r', 500) }));
        Assert.Equal(GateOutcome.Passed, Judged(Legal() with { ProcurementRoute = " " + new string('r', 500) + " " }));
        var refusal = Try(Legal() with { ProcurementRoute = new string('r', 501) }).Refusal;
        Assert.Equal("legal-procurement-compliance.route-too-long", refusal.ShownRule());
        Assert.Equal("Record the procurement route used, so its legal basis can be checked in at most 500 characters.", refusal!.Message);
    }

    [Fact]
    public void Missing_and_past_dates_are_refused_naming_what_runs_out_or_happened()
    {
        var missing = Try(TechnicalSecurity() with { PenetrationTestValidUntil = default }).Refusal;
        Assert.Equal("dtac-c3-technical-security.penetration-test-valid-until-missing", missing.ShownRule());
        Assert.Equal("Record when the penetration test runs out.", missing!.Message);
        var past = Try(DataProtection() with { DsptValidUntil = Now }).Refusal;
        Assert.Equal("dtac-c2-data-protection.dspt-valid-until-past", past.ShownRule());
        Assert.Equal("The supplier's DSPT status has already run out: renew it before recording the gate.", past!.Message);
        var notYet = Try(TechnicalSecurity() with { PenetrationTestedOn = default }).Refusal;
        Assert.Equal("dtac-c3-technical-security.penetration-tested-on-missing", notYet.ShownRule());
        Assert.Equal("Record when the penetration test happened.", notYet!.Message);
        var future = Try(Dpia() with { CompletedOn = Now + Tick }).Refusal;
        Assert.Equal("dpia.completed-on-in-future", future.ShownRule());
        Assert.Equal("The DPIA cannot be dated in the future.", future!.Message);
        Assert.Equal(GateOutcome.Passed, Judged(Dpia() with { CompletedOn = Now }));
        Assert.Equal(GateOutcome.Passed, Judged(TechnicalSecurity() with { PenetrationTestedOn = Now, PenetrationTestValidUntil = Now + Tick }));
    }
}
