using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>Why an advance decision is no longer valid (MCA s25(2)).</summary>
public enum AdvanceDecisionInvalidation
{
    None = 0,
    /// <summary>The patient withdrew it while they had capacity (s24(3)).</summary>
    WithdrawnByPatient = 1,
    /// <summary>An LPA made after it gives the attorney authority over this treatment (s25(2)(b)).</summary>
    LaterLpaCoversTreatment = 2,
    /// <summary>The patient did something clearly inconsistent with it remaining their fixed decision (s25(2)(c)).</summary>
    ActedInconsistently = 3,
}

/// <summary>Why an advance decision does not apply to this treatment now (MCA s25(4)).</summary>
public enum AdvanceDecisionInapplicability
{
    None = 0,
    /// <summary>Circumstances the decision specifies are absent (s25(4)(b)).</summary>
    SpecifiedCircumstancesAbsent = 1,
    /// <summary>There are reasonable grounds to believe circumstances exist that the patient did not anticipate and that would have affected the decision (s25(4)(c)).</summary>
    UnanticipatedCircumstances = 2,
}

/// <summary>
/// An advance decision to refuse treatment (MCA ss24-26): made by an adult with capacity, about a specified treatment,
/// to apply when they later lack capacity. While valid and applicable it has the effect of a refusal made with
/// capacity (s26(1)): no attorney, deputy or best-interests decision can consent instead. A refusal the patient says
/// should stand if they lose capacity (<see cref="OwnConsent.RefusalStandsIfCapacityLost"/>) is one too.
/// </summary>
public sealed class AdvanceDecision : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    /// <summary>The technology whose use is refused: the "specified treatment" (s24(1)(a)).</summary>
    public Guid TechnologyId { get; init; }
    /// <summary>The treatment in the patient's own words (lay terms are enough, s24(2)).</summary>
    public string TreatmentRefused { get; set; } = "";
    /// <summary>The circumstances in which it is to apply, if the patient specified any (s24(1)(b)).</summary>
    public string? Circumstances { get; set; }
    public DateTime MadeAt { get; set; }
    /// <summary>Null = not recorded; only a person of 18 or over can make one (s24(1)).</summary>
    public bool? Aged18OrOverWhenMade { get; set; }
    /// <summary>Null = not recorded; it must be made with capacity to make it (s24(1)).</summary>
    public bool? HadCapacityWhenMade { get; set; }
    // The formalities that a decision refusing life-sustaining treatment must meet (s25(5), (6)).
    public bool InWriting { get; set; }
    public bool SignedByPatientOrAtTheirDirection { get; set; }
    public bool SignatureWitnessed { get; set; }
    public bool StatesItAppliesEvenIfLifeAtRisk { get; set; }
    public string? DocumentReference { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }

    public DateTime? InvalidatedAt { get; set; }
    public AdvanceDecisionInvalidation Invalidation { get; set; }
    public DateTime? InapplicableFrom { get; set; }
    public AdvanceDecisionInapplicability Inapplicability { get; set; }
    /// <summary>What was found, for an invalidation or a finding that it does not apply.</summary>
    public string? FindingNote { get; set; }

    /// <summary>Null when the record is complete and the decision could be valid; else the first problem by rule.</summary>
    public Refusal? Validate()
    {
        if (TechnologyId == Guid.Empty || string.IsNullOrWhiteSpace(TreatmentRefused)) return AdvanceDecisionRefusals.TreatmentMissing;
        if (MadeAt == default) return AdvanceDecisionRefusals.MadeAtMissing;
        if (Aged18OrOverWhenMade is null) return AdvanceDecisionRefusals.AgeMissing;
        if (Aged18OrOverWhenMade == false) return AdvanceDecisionRefusals.MadeUnder18;
        if (HadCapacityWhenMade is null) return AdvanceDecisionRefusals.CapacityMissing;
        if (HadCapacityWhenMade == false) return AdvanceDecisionRefusals.MadeWithoutCapacity;
        if (string.IsNullOrWhiteSpace(RecordedBy) || RecordedAt == default) return AdvanceDecisionRefusals.RecordedMissing;
        return null;
    }

    public Refusal? ValidateText() => FreeText.First(
        FreeText.Narrative("treatment-refused", TreatmentRefused), FreeText.Narrative("circumstances", Circumstances),
        FreeText.Short("document-reference", DocumentReference), FreeText.Short("recorded-by", RecordedBy), FreeText.Narrative("finding-note", FindingNote));

    /// <summary>Written, signed, witnessed, and saying it applies even if life is at risk (s25(5), (6)).</summary>
    public bool MeetsLifeSustainingFormalities => InWriting && SignedByPatientOrAtTheirDirection && SignatureWitnessed && StatesItAppliesEvenIfLifeAtRisk;

    /// <summary>
    /// Valid (s25(2)) and applicable (s25(3)-(5)) to <paramref name="technologyId"/> at <paramref name="now"/>. Whether the
    /// patient lacks capacity (s25(3)) is the caller's question. Where the technology may be life-sustaining treatment,
    /// only a decision meeting the s25(5) formalities applies.
    /// </summary>
    public bool AppliesTo(Guid technologyId, bool mayBeLifeSustaining, DateTime now) =>
        TechnologyId == technologyId && Validate() is null && MadeAt <= now &&
        !(InvalidatedAt is { } invalidated && invalidated <= now) &&
        !(InapplicableFrom is { } inapplicable && inapplicable <= now) &&
        (!mayBeLifeSustaining || MeetsLifeSustainingFormalities);

    /// <summary>Records that the decision is no longer valid (s25(2)), with what was found.</summary>
    public Refusal? Invalidate(AdvanceDecisionInvalidation reason, DateTime at, string? note)
    {
        if (reason == AdvanceDecisionInvalidation.None || !Enum.IsDefined(reason)) return AdvanceDecisionRefusals.FindingReasonMissing;
        if (string.IsNullOrWhiteSpace(note)) return AdvanceDecisionRefusals.FindingNoteMissing;
        if (FreeText.Narrative("finding-note", note) is { } bad) return bad;
        if (InvalidatedAt is not null) return AdvanceDecisionRefusals.AlreadyInvalidated;
        InvalidatedAt = at;
        Invalidation = reason;
        FindingNote = note.Trim();
        return null;
    }

    /// <summary>Records a finding that the decision does not apply in the present circumstances (s25(4)(b), (c)).</summary>
    public Refusal? FindNotApplicable(AdvanceDecisionInapplicability reason, DateTime at, string? note)
    {
        if (reason == AdvanceDecisionInapplicability.None || !Enum.IsDefined(reason)) return AdvanceDecisionRefusals.FindingReasonMissing;
        if (string.IsNullOrWhiteSpace(note)) return AdvanceDecisionRefusals.FindingNoteMissing;
        if (FreeText.Narrative("finding-note", note) is { } bad) return bad;
        InapplicableFrom = at;
        Inapplicability = reason;
        FindingNote = note.Trim();
        return null;
    }
}

internal static class AdvanceDecisionRefusals
{
    public static readonly Refusal TreatmentMissing = Refusal.Invalid("advance-decision.treatment-missing",
        "Name the technology the advance decision refuses: it must specify the treatment (MCA s24(1)(a)).");
    public static readonly Refusal MadeAtMissing = Refusal.Invalid("advance-decision.made-at-missing", "Record when the advance decision was made.");
    public static readonly Refusal AgeMissing = Refusal.Invalid("advance-decision.age-missing", "Record whether the patient was 18 or over when making the advance decision.");
    public static readonly Refusal MadeUnder18 = Refusal.Precondition("advance-decision.made-under-18",
        "Only a person aged 18 or over can make an advance decision (MCA s24(1)); weigh this as the patient's wishes in any best-interests decision instead.");
    public static readonly Refusal CapacityMissing = Refusal.Invalid("advance-decision.capacity-missing", "Record whether the patient had capacity to make the advance decision.");
    public static readonly Refusal MadeWithoutCapacity = Refusal.Precondition("advance-decision.made-without-capacity",
        "An advance decision must be made with capacity (MCA s24(1)); weigh this as the patient's wishes in any best-interests decision instead.");
    public static readonly Refusal RecordedMissing = Refusal.Invalid("advance-decision.recorded-missing", "Record who recorded the advance decision and when.");
    public static readonly Refusal FindingReasonMissing = Refusal.Invalid("advance-decision.finding-reason-missing",
        "Record why: withdrawn, a later LPA covers the treatment, the patient acted inconsistently (s25(2)), or circumstances make it inapplicable (s25(4)).");
    public static readonly Refusal FindingNoteMissing = Refusal.Invalid("advance-decision.finding-note-missing", "Record what was found and by whom.");
    public static readonly Refusal AlreadyInvalidated = Refusal.Precondition("advance-decision.already-invalidated", "This advance decision has already been found not to be valid.");
}
