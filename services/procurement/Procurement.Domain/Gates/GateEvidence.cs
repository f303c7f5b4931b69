using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>What a gate's check sees besides the evidence itself.</summary>
internal sealed record GateContext(ProcurementCase Case, Technology Technology, ProcurementPolicy Policy, DateTime Now);

/// <summary>The result of judging complete evidence: the gate passes, or fails for a reason staff can act on.</summary>
internal readonly record struct GateVerdict(GateOutcome Outcome, string? FailureReason)
{
    public static GateVerdict Pass => new(GateOutcome.Passed, null);
    public static GateVerdict Fail(string reason) => new(GateOutcome.Failed, reason);
}

/// <summary>
/// The content of one gate. Each kind checks that it is complete (refusing, by field, what is missing) and then
/// judges whether the gate passes. Supplier-level parts can be shared with the region and taken in from it.
/// </summary>
public abstract record GateEvidence
{
    public abstract GateKind Gate { get; }

    /// <summary>Everything behind the gate that runs out, with its date.</summary>
    public virtual IReadOnlyList<ExpiringEvidence> Expiring => [];

    internal abstract Refusal? Validate(GateContext context);

    internal abstract GateVerdict Judge(GateContext context);

    /// <summary>The supplier-level part of this evidence of <paramref name="kind"/>, or null when it has none.</summary>
    internal virtual SupplierEvidenceContent? Shareable(SupplierEvidenceKind kind) => null;

    /// <summary>This evidence with the shared supplier-level part put in place of its own, or null if it takes none of that kind.</summary>
    internal virtual GateEvidence? TakeIn(SupplierEvidenceContent content) => null;

    private protected static Refusal? Text(string gateCode, string field, string? value, string message, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(value)) return Refusal.Invalid($"{gateCode}.{field}-missing", message);
        if (value.Trim().Length > maxLength)
            return Refusal.Invalid($"{gateCode}.{field}-too-long", $"{message.TrimEnd('.')} in at most {maxLength} characters.");
        return null;
    }

    private protected static Refusal? Future(string gateCode, string field, DateTime? value, DateTime now, string what)
    {
        if (value is null) return Refusal.Invalid($"{gateCode}.{field}-missing", $"Record when the {what} runs out.");
        if (value.Value <= now) return Refusal.Invalid($"{gateCode}.{field}-past", $"The {what} has already run out: renew it before recording the gate.");
        return null;
    }

    private protected static Refusal? NotFuture(string gateCode, string field, DateTime value, DateTime now, string what)
    {
        if (value == default) return Refusal.Invalid($"{gateCode}.{field}-missing", $"Record when the {what} happened.");
        if (value > now) return Refusal.Invalid($"{gateCode}.{field}-in-future", $"The {what} cannot be dated in the future.");
        return null;
    }
}

/// <summary>"All procurement activity is in line with relevant legal procurement legislation."</summary>
public sealed record LegalProcurementComplianceEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.LegalProcurementCompliance;
    /// <summary>The route used (e.g. a named framework call-off, an open tender), in the trust's words.</summary>
    public string ProcurementRoute { get; init; } = "";
    public bool Compliant { get; init; }

    internal override Refusal? Validate(GateContext context) =>
        Text("legal-procurement-compliance", "route", ProcurementRoute, "Record the procurement route used, so its legal basis can be checked.", 500);

    internal override GateVerdict Judge(GateContext context) =>
        Compliant ? GateVerdict.Pass : GateVerdict.Fail("the procurement route was found not to comply with procurement legislation");
}

/// <summary>"They refer to their local procurement policies and standard financial instructions."</summary>
public sealed record LocalProcurementPolicyEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.LocalProcurementPolicy;
    public string LocalPolicyReference { get; init; } = "";
    public string FinancialInstructionsReference { get; init; } = "";
    public bool Compliant { get; init; }

    internal override Refusal? Validate(GateContext context) =>
        Text("local-procurement-policy", "policy-reference", LocalPolicyReference, "Name the local procurement policy the purchase was checked against.", 300)
        ?? Text("local-procurement-policy", "financial-instructions-reference", FinancialInstructionsReference, "Name the standard financial instructions the purchase was checked against.", 300);

    internal override GateVerdict Judge(GateContext context) =>
        Compliant ? GateVerdict.Pass : GateVerdict.Fail("the purchase does not meet the local procurement policy or financial instructions");
}
