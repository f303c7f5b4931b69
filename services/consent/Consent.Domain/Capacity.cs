using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>One of the four functional abilities of the MCA s3 test.</summary>
public enum FunctionalAbility
{
    NotAnswered = 0,
    Able = 1,
    Unable = 2,
}

/// <summary>How a capacity determination was reached.</summary>
public enum CapacityDetermination
{
    Unspecified = 0,
    /// <summary>The two-stage MCA test (diagnostic question, then the four functional abilities).</summary>
    FunctionalAssessment = 1,
    /// <summary>The statutory presumption of capacity (MCA s1(2)), recorded as such; 16 and over only.</summary>
    StatutoryPresumption = 2,
}

public enum CapacityResult
{
    HasCapacity = 1,
    LacksCapacity = 2,
}

/// <summary>
/// A decision-specific, time-specific capacity determination for the decision to use one technology
/// (MCA 2005 ss1-3). The result is derived, never stored, so it cannot disagree with the answers.
/// </summary>
public sealed class CapacityAssessment : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    /// <summary>The technology whose use is the decision in question.</summary>
    public Guid TechnologyId { get; init; }
    /// <summary>The decision in words, e.g. "use of the sleep-monitoring sensor at night".</summary>
    public string Decision { get; set; } = "";
    public CapacityDetermination Determination { get; set; }
    public DateTime AssessedAt { get; set; }
    /// <summary>Staff identifier or role of the assessor, never a patient name.</summary>
    public string AssessedBy { get; set; } = "";
    /// <summary>Diagnostic question: is there an impairment of, or disturbance in the functioning of, the mind or brain? Null = not answered.</summary>
    public bool? ImpairmentOfMindOrBrain { get; set; }
    public string? ImpairmentDescription { get; set; }
    public FunctionalAbility Understand { get; set; }
    public FunctionalAbility Retain { get; set; }
    public FunctionalAbility UseOrWeigh { get; set; }
    public FunctionalAbility Communicate { get; set; }
    /// <summary>Whether an inability is because of the impairment (the causative nexus). Null = not answered.</summary>
    public bool? InabilityBecauseOfImpairment { get; set; }
    /// <summary>All practicable steps taken to help the person decide (MCA s1(3)).</summary>
    public string? PracticableStepsTaken { get; set; }
    public bool Fluctuating { get; set; }
    public DateTime? ReassessBy { get; set; }

    private bool AnyUnable =>
        Understand == FunctionalAbility.Unable || Retain == FunctionalAbility.Unable ||
        UseOrWeigh == FunctionalAbility.Unable || Communicate == FunctionalAbility.Unable;

    /// <summary>
    /// The result, or a refusal naming the first missing item. Lacking capacity needs an impairment, at least one
    /// ability absent, and the inability to be because of the impairment; anything less is capacity in law.
    /// </summary>
    public Outcome<CapacityResult> Result()
    {
        if (Determination == CapacityDetermination.Unspecified)
            return Missing("determination", "Record whether this is a capacity assessment or the statutory presumption of capacity.");
        if (string.IsNullOrWhiteSpace(Decision) || TechnologyId == Guid.Empty)
            return Missing("decision", "Name the decision the assessment is for (use of this technology): capacity is decision-specific.");
        if (AssessedAt == default)
            return Missing("assessed-at", "Record when capacity was assessed: capacity is judged at the material time.");
        if (string.IsNullOrWhiteSpace(AssessedBy))
            return Missing("assessor", "Record who assessed capacity.");
        if (Determination == CapacityDetermination.StatutoryPresumption)
            return CapacityResult.HasCapacity;

        if (ImpairmentOfMindOrBrain is null)
            return Missing("diagnostic-question", "Answer the diagnostic question: is there an impairment of, or disturbance in, the mind or brain?");
        if (ImpairmentOfMindOrBrain == true && string.IsNullOrWhiteSpace(ImpairmentDescription))
            return Missing("impairment-description", "Describe the impairment or disturbance of the mind or brain.");
        if (Understand == FunctionalAbility.NotAnswered)
            return Missing("understand", "Record whether the patient can understand the information relevant to the decision.");
        if (Retain == FunctionalAbility.NotAnswered)
            return Missing("retain", "Record whether the patient can retain the information long enough to decide.");
        if (UseOrWeigh == FunctionalAbility.NotAnswered)
            return Missing("use-or-weigh", "Record whether the patient can use or weigh the information to decide.");
        if (Communicate == FunctionalAbility.NotAnswered)
            return Missing("communicate", "Record whether the patient can communicate their decision by any means.");

        // Without an impairment, or with every ability present, the person has capacity in law (MCA s2(1)).
        if (!AnyUnable || ImpairmentOfMindOrBrain == false)
            return CapacityResult.HasCapacity;
        // A person is not to be treated as unable to decide until all practicable steps to help have failed (s1(3)).
        if (string.IsNullOrWhiteSpace(PracticableStepsTaken))
            return Missing("practicable-steps", "Record the practicable steps taken to support the patient to make the decision (MCA s1(3)).");
        if (InabilityBecauseOfImpairment is null)
            return Missing("causation", "Record whether the inability to decide is because of the impairment of the mind or brain.");
        if (InabilityBecauseOfImpairment == false)
            return CapacityResult.HasCapacity;
        // A finding of incapacity must say when it will be looked at again; it is never open-ended.
        if (ReassessBy is null)
            return Missing("reassess-by", "Set a reassess-by date for this finding that the patient lacks capacity.");
        return CapacityResult.LacksCapacity;
    }

    /// <summary>
    /// Null when the record is complete and may be made for a patient in <paramref name="ageBand"/>: the MCA (and
    /// so its presumption and test) applies from 16; under 16 competence is a Gillick question.
    /// </summary>
    public Refusal? ValidateFor(AgeBand ageBand)
    {
        if (ageBand == AgeBand.Under16)
            return Refusal.Invalid("capacity.not-under-16",
                "The Mental Capacity Act test and its presumption of capacity apply from 16: for a child under 16, record a Gillick competence assessment instead.");
        var result = Result();
        return result.IsRefused ? result.Refusal : null;
    }

    public Refusal? ValidateText() => FreeText.First(
        FreeText.Short("decision", Decision), FreeText.Short("assessed-by", AssessedBy),
        FreeText.Narrative("impairment-description", ImpairmentDescription), FreeText.Narrative("practicable-steps-taken", PracticableStepsTaken));

    /// <summary>When a finding of incapacity falls stale (null for a finding of capacity, which never does).</summary>
    public DateTime? StaleFrom(TrustPolicy policy)
    {
        DateTime? from = ReassessBy;
        if (Fluctuating)
        {
            var limit = AssessedAt + policy.FluctuatingAssessmentMaxAge;
            if (from is null || limit < from) from = limit;
        }
        return from;
    }

    /// <summary>Stale: past its reassess-by date, or flagged fluctuating and older than the trust's limit.</summary>
    public bool IsStale(TrustPolicy policy, DateTime now) =>
        (ReassessBy is { } by && now > by) ||
        (Fluctuating && now - AssessedAt > policy.FluctuatingAssessmentMaxAge);

    private static Refusal Missing(string item, string message) => Refusal.Invalid($"capacity.{item}-missing", message);
}

/// <summary>
/// Gillick competence for one decision, for a patient under 16 (where the MCA does not apply): whether the child
/// understands enough to decide, why the assessor thinks so, and when it will be looked at again.
/// </summary>
public sealed class GillickAssessment : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public string Decision { get; set; } = "";
    /// <summary>Null = not answered.</summary>
    public bool? Competent { get; set; }
    public string AssessedBy { get; set; } = "";
    public DateTime AssessedAt { get; set; }
    /// <summary>Why the child is (or is not) competent: what they understood, weighed and said (Gillick; Axon).</summary>
    public string? Reasons { get; set; }
    /// <summary>When the finding is looked at again; without one it is stale after the trust's limit.</summary>
    public DateTime? ReassessBy { get; set; }

    /// <summary>Null when complete enough for the decision table, else a refusal naming the missing item.</summary>
    public Refusal? Validate()
    {
        if (string.IsNullOrWhiteSpace(Decision) || TechnologyId == Guid.Empty)
            return Refusal.Invalid("gillick.decision-missing", "Name the decision the competence assessment is for (use of this technology).");
        if (Competent is null)
            return Refusal.Invalid("gillick.competence-missing", "Record whether the child is Gillick competent for this decision.");
        if (string.IsNullOrWhiteSpace(AssessedBy))
            return Refusal.Invalid("gillick.assessor-missing", "Record who assessed Gillick competence.");
        if (AssessedAt == default)
            return Refusal.Invalid("gillick.assessed-at-missing", "Record when Gillick competence was assessed.");
        return null;
    }

    /// <summary>
    /// What a new finding must carry when it is written: the table's items, the reasons, and a reassess-by date in the
    /// future and within the trust's limit.
    /// </summary>
    public Refusal? ValidateForRecording(TrustPolicy policy)
    {
        if (Validate() is { } incomplete) return incomplete;
        if (string.IsNullOrWhiteSpace(Reasons)) return GillickRefusals.ReasonsMissing;
        if (ReassessBy is not { } by) return GillickRefusals.ReassessByMissing;
        if (by <= AssessedAt || by - AssessedAt > policy.GillickFindingMaxAge)
            return Refusal.Invalid("gillick.reassess-by-out-of-range", $"Set the reassess-by date after the assessment and within {policy.GillickFindingMaxAge.TotalDays:0} days of it.");
        return ValidateText();
    }

    public Refusal? ValidateText() => FreeText.First(
        FreeText.Short("decision", Decision), FreeText.Short("assessed-by", AssessedBy), FreeText.Narrative("reasons", Reasons));

    /// <summary>Stale: past its reassess-by date or, without one, older than the trust's limit for a Gillick finding.</summary>
    public bool IsStale(TrustPolicy policy, DateTime now) =>
        ReassessBy is { } by ? now > by : now - AssessedAt > policy.GillickFindingMaxAge;

    /// <summary>When the finding falls stale.</summary>
    public DateTime StaleFrom(TrustPolicy policy) => ReassessBy ?? AssessedAt + policy.GillickFindingMaxAge;
}

internal static class GillickRefusals
{
    public static readonly Refusal ReasonsMissing = Refusal.Invalid("gillick.reasons-missing",
        "Record the reasons for the finding: what the child understood about this technology, how they weighed it and what they said.");
    public static readonly Refusal ReassessByMissing = Refusal.Invalid("gillick.reassess-by-missing",
        "Set a date by which Gillick competence for this decision will be assessed again: competence grows and changes.");
}
