using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>What the policy must cover "as a minimum" (Policy section of the principles).</summary>
[Flags]
public enum PolicyContent
{
    None = 0,
    ScopeAndEvidenceBase = 1 << 0,
    GuidanceAndPrinciplesOfUse = 1 << 1,
    ConsentAndCapacity = 1 << 2,
    DataProtection = 1 << 3,
    Safeguarding = 1 << 4,
    StaffTrainingAndCompetency = 1 << 5,
    FrequencyOfReview = 1 << 6,
    WithdrawalContingency = 1 << 7,
}

/// <summary>
/// The product's policy and standard operating procedures, with the minimum content, developed with co-production,
/// and reviewed at the frequency it sets (the gate reopens when the review falls due).
/// </summary>
public sealed record PolicyAndProcedureEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.PolicyAndProcedure;
    public string PolicyReference { get; init; } = "";
    public string ProcedureReference { get; init; } = "";
    public PolicyContent Covers { get; init; }
    public bool CoProduced { get; init; }
    public DateTime ApprovedOn { get; init; }
    public int ReviewEveryMonths { get; init; }

    public static IReadOnlyList<(PolicyContent Item, string Words)> MinimumContent { get; } =
    [
        (PolicyContent.ScopeAndEvidenceBase, "the scope of the technology and its evidence base"),
        (PolicyContent.GuidanceAndPrinciplesOfUse, "guidance and principles of use"),
        (PolicyContent.ConsentAndCapacity, "patient consent and mental capacity"),
        (PolicyContent.DataProtection, "data protection"),
        (PolicyContent.Safeguarding, "safeguarding"),
        (PolicyContent.StaffTrainingAndCompetency, "staff training and competency"),
        (PolicyContent.FrequencyOfReview, "how often the policy is reviewed"),
        (PolicyContent.WithdrawalContingency, "the contingency plan should the technology need to be withdrawn"),
    ];

    public DateTime ReviewDue => ReviewEveryMonths > 0 && ApprovedOn != default ? ApprovedOn.AddMonths(ReviewEveryMonths) : default;

    public override IReadOnlyList<ExpiringEvidence> Expiring => [new(ExpiringEvidenceKind.PolicyReview, ReviewDue)];

    internal override Refusal? Validate(GateContext context)
    {
        if (Text("policy-and-sop", "policy-reference", PolicyReference, "Reference the policy that covers this product.", 300) is { } noPolicy) return noPolicy;
        if (Text("policy-and-sop", "procedure-reference", ProcedureReference, "Reference the standard operating procedure for this product.", 300) is { } noSop) return noSop;
        var missing = MinimumContent.Where(c => !Covers.HasFlag(c.Item)).Select(c => c.Words).ToList();
        if (missing.Count > 0)
            return Refusal.Invalid("policy-and-sop.content-missing", $"The policy must cover, as a minimum, what is still missing: {string.Join("; ", missing)}.");
        if (NotFuture("policy-and-sop", "approved-on", ApprovedOn, context.Now, "policy approval") is { } badDate) return badDate;
        if (ReviewEveryMonths is < 1 or > 36)
            return Refusal.Invalid("policy-and-sop.review-frequency-range", "Set how often the policy is reviewed, from every month to every 36 months.");
        if (ReviewDue <= context.Now)
            return Refusal.Invalid("policy-and-sop.review-overdue", "The policy's review is already due: review it before recording the gate.");
        return null;
    }

    internal override GateVerdict Judge(GateContext context) =>
        CoProduced ? GateVerdict.Pass : GateVerdict.Fail("the policy was not developed with co-production, which current best practice includes");
}

[Flags]
public enum TrainingContent
{
    None = 0,
    UseOfTheTechnology = 1 << 0,
    HumanRightsAndEthics = 1 << 1,
    /// <summary>"As a minimum, training should cover the matters set out in the policy."</summary>
    PolicyMatters = 1 << 2,
}

[Flags]
public enum StaffGroups
{
    None = 0,
    Substantive = 1 << 0,
    Bank = 1 << 1,
    Agency = 1 << 2,
}

/// <summary>
/// "All staff should be appropriately trained ... when they start using the digital technology and they should
/// participate in regular refresher training ... This includes bank and agency staff."
/// </summary>
public sealed record StaffTrainingEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.StaffTraining;
    public string PlanReference { get; init; } = "";
    public TrainingContent Covers { get; init; }
    public StaffGroups Includes { get; init; }
    public bool TrainedBeforeFirstUse { get; init; }
    /// <summary>How often staff repeat the training; 0 when the plan has no refresher.</summary>
    public int RefresherEveryMonths { get; init; }

    internal override Refusal? Validate(GateContext context)
    {
        if (Text("staff-training", "plan-reference", PlanReference, "Reference the staff training plan.", 300) is { } noPlan) return noPlan;
        var missing = new List<string>();
        if (!Covers.HasFlag(TrainingContent.UseOfTheTechnology)) missing.Add("training in the use of the technology");
        if (!Covers.HasFlag(TrainingContent.HumanRightsAndEthics)) missing.Add("the human rights and ethical considerations of its use");
        if (!Covers.HasFlag(TrainingContent.PolicyMatters)) missing.Add("the matters set out in the policy");
        if (!Includes.HasFlag(StaffGroups.Substantive)) missing.Add("the trust's own staff");
        if (!Includes.HasFlag(StaffGroups.Bank)) missing.Add("bank staff");
        if (!Includes.HasFlag(StaffGroups.Agency)) missing.Add("agency staff");
        if (!TrainedBeforeFirstUse) missing.Add("training when staff start using the technology");
        if (RefresherEveryMonths < 1) missing.Add("regular refresher training");
        else if (RefresherEveryMonths > context.Policy.MaxRefresherIntervalMonths)
            missing.Add($"refresher training at least every {context.Policy.MaxRefresherIntervalMonths} months");
        return missing.Count == 0
            ? null
            : Refusal.Invalid("staff-training.plan-incomplete", $"The training plan is missing: {string.Join("; ", missing)}.");
    }

    internal override GateVerdict Judge(GateContext context) => GateVerdict.Pass;
}
