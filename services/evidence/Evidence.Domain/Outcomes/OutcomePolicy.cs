using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>A trust's settings for outcome aggregates. Every value has a safe default.</summary>
public sealed record OutcomePolicy
{
    /// <summary>domain.md: "Small cells are suppressed (fewer than 5 → not shown)". A trust may raise it, not lower it.</summary>
    public const int LowestSuppressionThreshold = 5;

    /// <summary>Counts from 1 to one below this are never shown.</summary>
    public int SuppressionThreshold { get; init; } = LowestSuppressionThreshold;
    /// <summary>Flag when the mean outcome of two groups differs by at least this share of the instrument's range.</summary>
    public double DisparityThresholdShareOfRange { get; init; } = 0.10;
    /// <summary>The fewest patients a no-benefit finding may rest on.</summary>
    public int NoBenefitMinimumPatients { get; init; } = 10;
    /// <summary>A mean improvement at or below this share of the instrument's range counts as no benefit (0: no improvement at all).</summary>
    public double NoBenefitMaximumImprovementShareOfRange { get; init; }

    public static OutcomePolicy Default { get; } = new();

    public Refusal? Validate()
    {
        if (SuppressionThreshold < LowestSuppressionThreshold)
            return Refusal.Invalid("outcome-policy.threshold-too-low", $"Small-number suppression cannot be set below {LowestSuppressionThreshold}.");
        if (DisparityThresholdShareOfRange is <= 0 or > 1)
            return Refusal.Invalid("outcome-policy.disparity-range", "The disparity threshold must be a share of the instrument's range above 0 and at most 1.");
        if (NoBenefitMinimumPatients < SuppressionThreshold)
            return Refusal.Invalid("outcome-policy.no-benefit-minimum", "A no-benefit finding must rest on at least as many patients as the suppression threshold.");
        if (NoBenefitMaximumImprovementShareOfRange is < 0 or > 0.5)
            return Refusal.Invalid("outcome-policy.no-benefit-range", "The no-benefit margin must be a share of the instrument's range from 0 to 0.5.");
        return null;
    }
}
