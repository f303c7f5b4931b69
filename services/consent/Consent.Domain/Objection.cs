using Platform.Domain;

namespace Platform.Consent.Domain;

public enum ObjectionExpression
{
    Unspecified = 0,
    Words = 1,
    Behaviour = 2,
    WordsAndBehaviour = 3,
}

public enum RedecisionOutcome
{
    Unspecified = 0,
    Continue = 1,
    Change = 2,
    /// <summary>Stop: the use ends.</summary>
    Stop = 3,
}

/// <summary>The re-decision an objection forces: the outcome, the s6 restraint test, and the human-rights balancing.</summary>
public sealed record ObjectionRedecision(
    DateTime DecidedAt,
    string DecidedBy,
    RedecisionOutcome Outcome,
    string Reasons,
    /// <summary>The harm to the patient that continuing prevents (MCA s6(2)).</summary>
    string? HarmPrevented,
    /// <summary>Why continuing is a proportionate response to the likelihood and seriousness of that harm (s6(3)).</summary>
    string? WhyProportionate,
    HumanRightsBalancing? HumanRights,
    /// <summary>The deprivation-of-liberty screen done for this re-decision, where the use monitors continuously or restricts.</summary>
    Guid? DeprivationOfLibertyScreenId)
{
    // For the persistence layer, which sets the properties (an owned record cannot be built through a constructor that
    // takes another owned record, HumanRights).
    private ObjectionRedecision() : this(default, "", default, "", null, null, null, null) { }
}

/// <summary>
/// A patient who lacks capacity objects (in words or behaviour) after a use started. The objection is never silently
/// overridden: it forces a re-decision within the trust's set hours, with the s6 restraint test (using a technology
/// a person resists is restraint: s6(4)), a human-rights record, and the deprivation-of-liberty screen. Until it is
/// made the use continues with a warning; once the hours pass without it, the check denies.
/// </summary>
public sealed class PatientObjection : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public Guid UseId { get; init; }
    public DateTime ObservedAt { get; set; }
    public ObjectionExpression Expressed { get; set; }
    /// <summary>What the patient said or did, in the recorder's words.</summary>
    public string Description { get; set; } = "";
    public string RecordedBy { get; set; } = "";
    public ObjectionRedecision? Redecision { get; set; }

    public bool IsOpen => Redecision is null;

    public DateTime RedecisionDueBy(TrustPolicy policy) => ObservedAt + policy.ObjectionRedecisionWithin;

    /// <summary>
    /// Records an objection to <paramref name="use"/>. A patient who has capacity (or Gillick competence) for the
    /// decision does not "object": they refuse or withdraw consent, and that is recorded as such.
    /// </summary>
    public static Outcome<PatientObjection> Record(
        PatientConsentRecords records, TechnologyUse use, DateTime observedAt, ObjectionExpression expressed, string? description, string? recordedBy,
        Guid id, TrustPolicy policy, DateTime now)
    {
        if (use.PatientId != records.PatientId) return ObjectionRefusals.NotThisPatient;
        if (use.Status is not (UseStatus.Active or UseStatus.Suspended)) return ObjectionRefusals.UseNotLive;
        if (observedAt == default || observedAt > now) return ObjectionRefusals.ObservedAtInvalid;
        if (expressed == ObjectionExpression.Unspecified || !Enum.IsDefined(expressed)) return ObjectionRefusals.ExpressionMissing;
        if (string.IsNullOrWhiteSpace(description)) return ObjectionRefusals.DescriptionMissing;
        if (string.IsNullOrWhiteSpace(recordedBy)) return ObjectionRefusals.RecordedByMissing;
        if (FreeText.First(FreeText.Narrative("description", description), FreeText.Short("recorded-by", recordedBy)) is { } bad) return bad;
        if (LawfulBasisRules.DecidesForThemselves(records, use.TechnologyId, policy, observedAt)) return ObjectionRefusals.PatientHasCapacity;
        return new PatientObjection
        {
            Id = id,
            PatientId = use.PatientId,
            TechnologyId = use.TechnologyId,
            UseId = use.Id,
            ObservedAt = observedAt,
            Expressed = expressed,
            Description = description.Trim(),
            RecordedBy = recordedBy.Trim(),
        };
    }

    /// <summary>
    /// Makes the re-decision. To continue (or continue changed) it needs the s6 test and a human-rights record, and a
    /// deprivation-of-liberty screen done since the objection where the use monitors continuously or restricts; a
    /// decision to stop ends the use at once.
    /// </summary>
    public Refusal? Redecide(ObjectionRedecision decision, TechnologyUse use, PatientConsentRecords records, DateTime now)
    {
        if (!IsOpen) return ObjectionRefusals.AlreadyRedecided;
        if (use.Id != UseId) return ObjectionRefusals.NotThisPatient;
        if (decision.DecidedAt == default || decision.DecidedAt < ObservedAt || decision.DecidedAt > now) return ObjectionRefusals.DecidedAtInvalid;
        if (string.IsNullOrWhiteSpace(decision.DecidedBy)) return ObjectionRefusals.DecidedByMissing;
        if (decision.Outcome == RedecisionOutcome.Unspecified || !Enum.IsDefined(decision.Outcome)) return ObjectionRefusals.OutcomeMissing;
        if (string.IsNullOrWhiteSpace(decision.Reasons)) return ObjectionRefusals.ReasonsMissing;
        if (FreeText.First(FreeText.Short("decided-by", decision.DecidedBy), FreeText.Narrative("reasons", decision.Reasons),
                FreeText.Narrative("harm-prevented", decision.HarmPrevented), FreeText.Narrative("why-proportionate", decision.WhyProportionate)) is { } bad)
            return bad;
        if (decision.Outcome != RedecisionOutcome.Stop)
        {
            if (string.IsNullOrWhiteSpace(decision.HarmPrevented)) return ObjectionRefusals.HarmMissing;
            if (string.IsNullOrWhiteSpace(decision.WhyProportionate)) return ObjectionRefusals.ProportionateMissing;
            if (decision.HumanRights is null) return ObjectionRefusals.HumanRightsMissing;
            if (decision.HumanRights.Validate() is { } gap) return gap;
            if (use.ContinuousMonitoringOrRestrictive)
            {
                var screen = decision.DeprivationOfLibertyScreenId is { } screenId ? Find(records.DeprivationOfLibertyScreens, screenId) : null;
                if (screen is null || screen.TechnologyId != TechnologyId || screen.ScreenedAt < ObservedAt) return ObjectionRefusals.ScreenMissing;
                if (screen.Validate() is { } incomplete) return incomplete;
            }
        }
        Redecision = decision with { DecidedBy = decision.DecidedBy.Trim(), Reasons = decision.Reasons.Trim() };
        if (decision.Outcome == RedecisionOutcome.Stop) use.End(UseEndReason.ObjectionRedecidedToStop, decision.DecidedAt);
        else
        {
            // The objection is now part of the use's record: every later check requires its human-rights balancing.
            use.PatientObjects = true;
            use.HumanRights = decision.HumanRights;
        }
        return null;
    }

    private static DeprivationOfLibertyScreen? Find(DeprivationOfLibertyScreen[] screens, Guid id)
    {
        foreach (var s in screens)
            if (s.Id == id) return s;
        return null;
    }
}

internal static class ObjectionRefusals
{
    public static readonly Refusal NotThisPatient = Refusal.Invalid("objection.use-mismatch", "The objection must name a use of this patient.");
    public static readonly Refusal UseNotLive = Refusal.Precondition("objection.use-not-live", "Only a use that has started (active or suspended) can be objected to; record the objection in the decision instead.");
    public static readonly Refusal ObservedAtInvalid = Refusal.Invalid("objection.observed-at-invalid", "Record when the objection was seen or heard; it cannot be in the future.");
    public static readonly Refusal ExpressionMissing = Refusal.Invalid("objection.expression-missing", "Record how the patient objected: in words, in behaviour, or both.");
    public static readonly Refusal DescriptionMissing = Refusal.Invalid("objection.description-missing", "Describe what the patient said or did.");
    public static readonly Refusal RecordedByMissing = Refusal.Invalid("objection.recorded-by-missing", "Record who saw or heard the objection.");
    public static readonly Refusal PatientHasCapacity = Refusal.Precondition("objection.patient-decides",
        "The patient has capacity (or Gillick competence) for this decision, so this is a refusal or a withdrawal of consent, not an objection: record it as such, and the use stops.");
    public static readonly Refusal AlreadyRedecided = Refusal.Precondition("objection.already-redecided", "This objection has already been re-decided.");
    public static readonly Refusal DecidedAtInvalid = Refusal.Invalid("objection.decided-at-invalid", "Record when the re-decision was made: after the objection and not in the future.");
    public static readonly Refusal DecidedByMissing = Refusal.Invalid("objection.decided-by-missing", "Record who made the re-decision.");
    public static readonly Refusal OutcomeMissing = Refusal.Invalid("objection.outcome-missing", "Record the outcome: continue, change or stop.");
    public static readonly Refusal ReasonsMissing = Refusal.Invalid("objection.reasons-missing", "Record the reasons for the re-decision, weighing the objection.");
    public static readonly Refusal HarmMissing = Refusal.Invalid("objection.harm-prevented-missing",
        "Continuing against the patient's objection is restraint (MCA s6(4)): record the harm to the patient it is necessary to prevent (s6(2)).");
    public static readonly Refusal ProportionateMissing = Refusal.Invalid("objection.why-proportionate-missing",
        "Record why continuing is a proportionate response to the likelihood and seriousness of that harm (MCA s6(3)).");
    public static readonly Refusal HumanRightsMissing = Refusal.Invalid("objection.human-rights-missing",
        "Record the human-rights balancing for continuing against the patient's objection (Article 8; P1).");
    public static readonly Refusal ScreenMissing = Refusal.Precondition("objection.deprivation-of-liberty-screen-required",
        "This use monitors continuously or restricts: screen it for a deprivation of liberty since the objection and reference the screen.");
}
