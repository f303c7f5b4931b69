using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>A trust's settings for the consent rules. Stored once per tenant; every value has a safe default.</summary>
public sealed record TrustPolicy
{
    /// <summary>How long a proxy or best-interests basis may continue after a newer assessment shows capacity, while the patient's own consent is sought.</summary>
    public TimeSpan CapacityRegainedGracePeriod { get; init; } = TimeSpan.FromHours(72);
    /// <summary>A fluctuating-capacity assessment older than this is stale.</summary>
    public TimeSpan FluctuatingAssessmentMaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>How long after its review date a use may continue (visibly overdue) before the use check denies it.</summary>
    public TimeSpan ReviewGracePeriod { get; init; } = TimeSpan.FromDays(3);
    /// <summary>A review is "due soon" this long before its date.</summary>
    public TimeSpan ReviewDueSoonNotice { get; init; } = TimeSpan.FromDays(7);
    /// <summary>The next review may be set at most this far ahead.</summary>
    public TimeSpan MaxReviewInterval { get; init; } = TimeSpan.FromDays(92);
    /// <summary>Blanket-use signal: share of a ward's patients on one technology above which a ward is flagged.</summary>
    public double BlanketShareThreshold { get; init; } = 0.5;
    /// <summary>Blanket-use signal: the window in which those uses started.</summary>
    public TimeSpan BlanketWindow { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Blanket-use signal: fewer uses than this are never flagged on share alone (tiny wards).</summary>
    public int BlanketMinimumUses { get; init; } = 3;
    /// <summary>Rationales at or above this normalised similarity (0..1) count as copies.</summary>
    public double RationaleSimilarityThreshold { get; init; } = 0.9;
    /// <summary>How many near-identical rationales on one ward raise a signal.</summary>
    public int RationaleCopyMinimumUses { get; init; } = 3;

    public static TrustPolicy Default { get; } = new();

    public Refusal? Validate()
    {
        if (CapacityRegainedGracePeriod < TimeSpan.Zero || ReviewGracePeriod < TimeSpan.Zero || ReviewDueSoonNotice < TimeSpan.Zero)
            return Refusal.Invalid("trust-policy.negative-period", "Grace and notice periods cannot be negative.");
        if (FluctuatingAssessmentMaxAge <= TimeSpan.Zero || MaxReviewInterval <= TimeSpan.Zero || BlanketWindow <= TimeSpan.Zero)
            return Refusal.Invalid("trust-policy.period-required", "The fluctuating-capacity limit, maximum review interval and blanket-use window must be positive.");
        if (BlanketShareThreshold is <= 0 or > 1 || RationaleSimilarityThreshold is <= 0 or > 1)
            return Refusal.Invalid("trust-policy.threshold-range", "Blanket-use thresholds must be between 0 and 1.");
        if (BlanketMinimumUses < 2 || RationaleCopyMinimumUses < 2)
            return Refusal.Invalid("trust-policy.minimum-uses", "Blanket-use minimum counts must be at least 2.");
        return null;
    }
}
