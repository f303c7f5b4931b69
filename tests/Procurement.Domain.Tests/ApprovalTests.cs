using Platform.Domain;
using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class ApprovalTests
{
    [Fact]
    public void A_case_with_every_gate_passed_is_approved_in_full_with_what_consent_needs()
    {
        var technology = Technology(surveillance: true);
        var @case = OpenCase(technology);
        foreach (var evidence in AllGates(technology)) Record(@case, technology, evidence);
        var approval = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Value;

        Assert.Equal((ApprovalKind.Full, Setting, technology.Id, "Ward companion app", true, "lead-7", (DateTime?)null),
            (approval.Kind, approval.SettingCode, approval.TechnologyId, approval.TechnologyName, approval.IsSurveillance, approval.ApprovedBy, approval.TrialEndsOn));
        Assert.Equal(((EvidenceAppraisalEvidence)@case.Current(GateKind.EvidenceAppraisal)!.Evidence).AppraisalId, approval.EvidenceAppraisalId);
        Assert.Equal(CaseStatus.Approved, @case.Status);
    }

    [Fact]
    public void Approval_is_refused_while_any_gate_is_open_and_the_refusal_names_every_open_gate()
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal(("approval.gates-open", RefusalKind.FailedPrecondition), (refusal.ShownRule(), refusal?.Kind));
        Assert.Contains($"{GateCatalogue.All.Count} still open", refusal!.Message);
        Assert.All(GateCatalogue.All, gate => Assert.Contains($"{gate.Name} (not recorded)", refusal.Message));
        Assert.Equal(CaseStatus.Open, @case.Status);
    }

    [Theory]
    [MemberData(nameof(EachGate))]
    public void Any_single_open_gate_stops_the_approval_and_is_named(GateKind missing)
    {
        var technology = Technology();
        var @case = OpenCase(technology);
        foreach (var evidence in AllGates(technology).Where(e => e.Gate != missing && e.Gate != GateKind.InformationGovernanceSignOff))
            Record(@case, technology, evidence);
        if (missing != GateKind.InformationGovernanceSignOff && !InformationGovernanceSignOffEvidence.Prerequisites.Contains(missing))
            Record(@case, technology, IgSignOff());

        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("approval.gates-open", refusal.ShownRule());
        Assert.Contains(GateCatalogue.Of(missing).Name, refusal!.Message);
    }

    public static TheoryData<GateKind> EachGate() => new(GateCatalogue.All.Select(g => g.Kind));

    [Fact]
    public void The_refusal_says_why_failed_and_expired_gates_are_open()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Record(@case, technology, Legal() with { Compliant = false });
        var later = Days(201);
        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), later).Refusal;
        Assert.Contains("Legal procurement compliance (failed: the procurement route was found not to comply with procurement legislation)", refusal!.Message);
        Assert.Contains("DTAC C3 technical security (expired: penetration test on 18 September 2026)", refusal.Message);
        Assert.Contains("DTAC C2 data protection (expired: DSPT status on 30 June 2026)", refusal.Message);
    }

    [Fact]
    public void Minimal_evidence_allows_only_a_trial()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        var full = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now);
        Assert.Equal("approval.minimal-evidence-trial-only", full.Refusal.ShownRule());
        Assert.Contains("trial with independent evaluation", full.Refusal!.Message);

        var trial = @case.Approve(Trial(), technology, Lead, Policy, Guid.NewGuid(), Now).Value;
        Assert.Equal((ApprovalKind.Trial, Days(180)), (trial.Kind, trial.TrialEndsOn));
        Assert.Equal("University mental health services research unit", trial.Evaluation!.Evaluator);
    }

    [Fact]
    public void A_trial_needs_an_end_date_within_the_trusts_limit()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        string? Rule(ApprovalRequest request) => @case.Approve(request, technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule();
        Assert.Equal("approval.trial-end-missing", Rule(Trial() with { TrialEndsOn = null }));
        Assert.Equal("approval.trial-end-past", Rule(Trial(ends: Days(-1))));
        Assert.Equal("approval.trial-too-long", Rule(Trial(ends: Days(400))));
    }

    [Fact]
    public void A_trial_needs_an_independent_evaluation_plan_with_method_co_production_and_a_report_date()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        var plan = Trial().Evaluation!;
        string? Rule(IndependentEvaluationPlan? p) => @case.Approve(Trial() with { Evaluation = p }, technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule();
        Assert.Equal("approval.evaluation-missing", Rule(null));
        Assert.Equal("approval.evaluator-missing", Rule(plan with { Evaluator = "" }));
        Assert.Equal("approval.evaluation-not-independent", Rule(plan with { IndependentOfSupplier = false }));
        Assert.Equal("approval.evaluation-method-missing", Rule(plan with { Method = " " }));
        Assert.Equal("approval.evaluation-co-production-missing", Rule(plan with { CoProductionInEvaluation = "" }));
        Assert.Equal("approval.evaluation-report-date", Rule(plan with { ReportDueBy = Days(181) }));
        Assert.Equal(CaseStatus.Open, @case.Status);
    }

    [Fact]
    public void A_full_approval_carries_no_trial_terms()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Assert.Equal("approval.trial-terms-on-full", @case.Approve(Full() with { TrialEndsOn = Days(30) }, technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void A_decision_needs_a_rationale()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Assert.Equal("rationale.required", @case.Approve(Full() with { Rationale = "" }, technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("kind.required", @case.Approve(Full() with { Kind = ApprovalKind.Unspecified }, technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
        Assert.Equal("approval.other-technology", @case.Approve(Full(), Technology(), Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void A_full_approval_needs_co_production_at_testing_but_a_trial_does_not()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, testingCoProduction: false);
        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("approval.gates-open", refusal.ShownRule());
        Assert.Contains("testing stage", refusal!.Message);
        Assert.False(@case.Approve(Trial(), technology, Lead, Policy, Guid.NewGuid(), Now).IsRefused);
    }

    [Fact]
    public void A_trial_becomes_a_full_approval_once_the_evidence_is_sufficient()
    {
        var technology = Technology();
        var @case = ReadyCase(technology, EvidenceConclusion.Minimal);
        var trial = Approved(@case, technology, Trial());
        Record(@case, technology, Appraisal(technology, EvidenceConclusion.Sufficient), Days(100));
        var full = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Days(100)).Value;
        Assert.Equal(Days(100), trial.SupersededAt);
        Assert.True(full.IsInForceAt(Days(300)));
        Assert.True(@case.Covers(technology.Id, Setting, Days(300)));
    }

    [Fact]
    public void An_approval_in_force_is_not_given_twice()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        Assert.Equal("approval.already-approved", @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());
    }
}
