using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>The evidence service's conclusion, as procurement learns it from the appraisal event.</summary>
public enum EvidenceConclusion
{
    Unspecified = 0,
    Sufficient = 1,
    /// <summary>Only minimal evidence: proceed with caution, as a trial with independent evaluation (P7).</summary>
    Minimal = 2,
    Insufficient = 3,
}

/// <summary>NICE Evidence Standards Framework tier.</summary>
public enum EsfTier
{
    Unspecified = 0,
    A = 1,
    B = 2,
    C = 3,
}

/// <summary>
/// The critical review of the evidence base (P7), fed from the evidence service's completed appraisal for this
/// technology and this setting ("specific to the type of service or ward").
/// </summary>
public sealed record EvidenceAppraisalEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.EvidenceAppraisal;
    public Guid AppraisalId { get; init; }
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public EsfTier Tier { get; init; }
    public EvidenceConclusion Conclusion { get; init; }
    public DateTime CompletedAt { get; init; }

    internal override Refusal? Validate(GateContext context)
    {
        if (AppraisalId == Guid.Empty) return Refusal.Invalid("evidence-appraisal.appraisal-missing", "Name the evidence service's appraisal this gate rests on.");
        if (TechnologyId != context.Case.TechnologyId)
            return Refusal.Invalid("evidence-appraisal.other-technology", "This appraisal is of another technology.");
        if (!string.Equals(SettingCode, context.Case.SettingCode, StringComparison.Ordinal))
            return Refusal.Invalid("evidence-appraisal.other-setting",
                "This appraisal is for another setting: the evidence must be assessed for the type of ward this case is about (P7).");
        if (Tier == EsfTier.Unspecified || !Enum.IsDefined(Tier))
            return Refusal.Invalid("evidence-appraisal.tier-missing", "The appraisal must name its NICE Evidence Standards Framework tier.");
        if (Conclusion == EvidenceConclusion.Unspecified || !Enum.IsDefined(Conclusion))
            return Refusal.Invalid("evidence-appraisal.conclusion-missing", "The appraisal must reach a conclusion: sufficient, minimal or insufficient.");
        return NotFuture("evidence-appraisal", "completed-at", CompletedAt, context.Now, "appraisal");
    }

    internal override GateVerdict Judge(GateContext context) =>
        Conclusion == EvidenceConclusion.Insufficient
            ? GateVerdict.Fail("the critical review found the evidence base insufficient")
            : GateVerdict.Pass;

    internal override SupplierEvidenceContent? Shareable(SupplierEvidenceKind kind) =>
        kind == SupplierEvidenceKind.EsfAppraisal ? new EsfAppraisalContent(AppraisalId, Tier, Conclusion, SettingCode, CompletedAt) : null;

    internal override GateEvidence? TakeIn(SupplierEvidenceContent content) =>
        content is EsfAppraisalContent esf
            ? this with { AppraisalId = esf.AppraisalId, SettingCode = esf.SettingCode, Tier = esf.Tier, Conclusion = esf.Conclusion, CompletedAt = esf.CompletedAt }
            : null;
}
