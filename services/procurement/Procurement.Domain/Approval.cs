namespace Platform.Procurement.Domain;

public enum ApprovalKind
{
    Unspecified = 0,
    Full = 1,
    /// <summary>A trial with independent evaluation and an end date, before any full rollout (P7).</summary>
    Trial = 2,
}

public enum WithdrawalCause
{
    Unspecified = 0,
    /// <summary>Evidence behind a gate ran out and was not renewed within the trust's grace period.</summary>
    EvidenceExpired = 1,
    TrialEnded = 2,
    /// <summary>The evidence service's outcomes showed no benefit (P8).</summary>
    LackOfBenefit = 3,
    DecisionByLead = 4,
}

/// <summary>Who evaluates a trial, independently of the supplier, how, with whom, and by when.</summary>
public sealed record IndependentEvaluationPlan(
    string Evaluator, bool IndependentOfSupplier, string Method, string CoProductionInEvaluation, DateTime ReportDueBy);

public sealed record ApprovalRequest(ApprovalKind Kind, string? Rationale, DateTime? TrialEndsOn = null, IndependentEvaluationPlan? Evaluation = null);

/// <summary>The evidence service's finding that a technology shows no benefit, as procurement learns it.</summary>
public sealed record NoBenefitFinding(Guid FlagId, Guid TechnologyId, string? SettingCode, string Instrument, DateTime RaisedAt);

public sealed record ApprovalWithdrawal(
    Guid ApprovalId, WithdrawalCause Cause, string Reason, IReadOnlyList<GateKind> ExpiredGates, Guid? OutcomeFlagId, DateTime WithdrawnAt, string WithdrawnBy)
{
    /// <summary>The subject recorded when the expiry review, not a person, withdraws an approval.</summary>
    public const string ByExpiryReview = "procurement:expiry-review";
}

/// <summary>
/// The trust's decision that a technology may be used in one setting: what TechnologyApproved carries. A new
/// setting has its own case and its own approval.
/// </summary>
public sealed class Approval
{
    public Guid Id { get; init; }
    public Guid CaseId { get; init; }
    public Guid TechnologyId { get; init; }
    public string TechnologyName { get; init; } = "";
    public string SettingCode { get; init; } = "";
    public ApprovalKind Kind { get; init; }
    public string Rationale { get; init; } = "";
    public Guid EvidenceAppraisalId { get; init; }
    public EvidenceConclusion EvidenceConclusion { get; init; }
    public DateTime? TrialEndsOn { get; init; }
    public IndependentEvaluationPlan? Evaluation { get; init; }
    public bool IsSurveillance { get; init; }
    public bool ManagesSafetyRisk { get; init; }
    public DateTime ApprovedAt { get; init; }
    public string ApprovedBy { get; init; } = "";
    /// <summary>A trial approval replaced by a full one.</summary>
    public DateTime? SupersededAt { get; set; }
    public ApprovalWithdrawal? Withdrawal { get; set; }

    public bool IsInForceAt(DateTime now) =>
        Withdrawal is null && SupersededAt is null && ApprovedAt <= now && (Kind == ApprovalKind.Full || now < TrialEndsOn);
}
