using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>Who a risk in the EHIA falls on: a protected characteristic, or the groups P8 singles out.</summary>
public enum AffectedGroup
{
    Unspecified = 0,
    Age = 1,
    Disability = 2,
    GenderReassignment = 3,
    MarriageAndCivilPartnership = 4,
    PregnancyAndMaternity = 5,
    Race = 6,
    ReligionOrBelief = 7,
    Sex = 8,
    SexualOrientation = 9,
    /// <summary>Patients who have experienced previous trauma (P8).</summary>
    TraumaHistory = 10,
    /// <summary>Patients experiencing paranoia (P8).</summary>
    Paranoia = 11,
    /// <summary>Other health inequalities (e.g. digital exclusion, language, communication needs).</summary>
    OtherHealthInequality = 12,
}

public sealed record EhiaRisk(AffectedGroup Group, string Risk, string Mitigation);

/// <summary>
/// The equality and health inequalities impact assessment (P3): risks "carefully considered with clear mitigations
/// in place", undertaken before procurement and regularly reviewed. The trust's own document: never shared.
/// </summary>
public sealed record EhiaEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.EqualityAndHealthInequalitiesImpactAssessment;
    public DateTime CompletedOn { get; init; }
    public IReadOnlyList<EhiaRisk> Risks { get; init; } = [];
    /// <summary>Why no risk was identified; only allowed for a technology that is not surveillance.</summary>
    public string? NoRisksRationale { get; init; }
    public DateTime ReviewBy { get; init; }

    public override IReadOnlyList<ExpiringEvidence> Expiring => [new(ExpiringEvidenceKind.EhiaReview, ReviewBy)];

    internal override Refusal? Validate(GateContext context)
    {
        if (NotFuture("ehia", "completed-on", CompletedOn, context.Now, "EHIA") is { } badDate) return badDate;
        if (Future("ehia", "review-by", ReviewBy == default ? null : ReviewBy, context.Now, "EHIA (its review date)") is { } badReview) return badReview;
        if (ReviewBy - CompletedOn > context.Policy.MaxEhiaReviewInterval)
            return Refusal.Invalid("ehia.review-too-far", $"Review the EHIA at least every {context.Policy.MaxEhiaReviewInterval.TotalDays:0} days (P3: regularly reviewed).");
        foreach (var risk in Risks)
        {
            if (risk.Group == AffectedGroup.Unspecified || !Enum.IsDefined(risk.Group))
                return Refusal.Invalid("ehia.risk-group-missing", "Say which group each EHIA risk falls on.");
            if (string.IsNullOrWhiteSpace(risk.Risk))
                return Refusal.Invalid("ehia.risk-missing", "Describe each risk the EHIA identified.");
            if (string.IsNullOrWhiteSpace(risk.Mitigation))
                return Refusal.Invalid("ehia.mitigation-missing", $"Every EHIA risk needs a clear mitigation (P3); the risk for {Words(risk.Group)} has none.");
        }
        if (context.Technology.IsSurveillance)
        {
            // Surveillance is a restriction that may breach human rights, and P8 singles out trauma and paranoia as
            // where a technology's impact may be more significant: the EHIA must face both.
            var missing = new[] { AffectedGroup.TraumaHistory, AffectedGroup.Paranoia }.Where(g => Risks.All(r => r.Group != g)).Select(Words).ToList();
            if (missing.Count > 0)
                return Refusal.Invalid("ehia.surveillance-groups-missing",
                    $"This is a surveillance technology: the EHIA must assess the risk to patients with {string.Join(" and to patients with ", missing)}.");
        }
        if (Risks.Count == 0)
            return Text("ehia", "no-risks-rationale", NoRisksRationale, "The EHIA lists no risks: record the risks with their mitigations, or why there are none.");
        return null;
    }

    internal override GateVerdict Judge(GateContext context) => GateVerdict.Pass;

    internal static string Words(AffectedGroup group) => group switch
    {
        AffectedGroup.TraumaHistory => "a history of trauma",
        AffectedGroup.Paranoia => "paranoia",
        AffectedGroup.MarriageAndCivilPartnership => "marriage and civil partnership",
        AffectedGroup.PregnancyAndMaternity => "pregnancy and maternity",
        AffectedGroup.ReligionOrBelief => "religion or belief",
        AffectedGroup.GenderReassignment => "gender reassignment",
        AffectedGroup.SexualOrientation => "sexual orientation",
        AffectedGroup.OtherHealthInequality => "other health inequalities",
        _ => group.ToString().ToLowerInvariant(),
    };
}
