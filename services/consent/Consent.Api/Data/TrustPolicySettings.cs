using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>A trust's stored <see cref="TrustPolicy"/>: one row per tenant, keyed by the tenant. No row means the defaults.</summary>
public sealed class TrustPolicySettings : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public TimeSpan CapacityRegainedGracePeriod { get; set; }
    public TimeSpan FluctuatingAssessmentMaxAge { get; set; }
    public TimeSpan ReviewGracePeriod { get; set; }
    public TimeSpan ReviewDueSoonNotice { get; set; }
    public TimeSpan MaxReviewInterval { get; set; }
    public double BlanketShareThreshold { get; set; }
    public TimeSpan BlanketWindow { get; set; }
    public int BlanketMinimumUses { get; set; }
    public double RationaleSimilarityThreshold { get; set; }
    public int RationaleCopyMinimumUses { get; set; }
    // Added after the legal review (ADR 0014): a row stored before them has none, and reads the defaults.
    public TimeSpan? CapacityLostTransition { get; set; }
    public TimeSpan? GillickFindingMaxAge { get; set; }
    public TimeSpan? ObjectionRedecisionWithin { get; set; }
    public TimeSpan? DeadlineWarningNotice { get; set; }
    // Added for the region's counts (ADR 0040): a row stored before it reads the lowest threshold.
    public int? SuppressionThreshold { get; set; }

    public TrustPolicy ToPolicy() => new()
    {
        CapacityRegainedGracePeriod = CapacityRegainedGracePeriod,
        FluctuatingAssessmentMaxAge = FluctuatingAssessmentMaxAge,
        ReviewGracePeriod = ReviewGracePeriod,
        ReviewDueSoonNotice = ReviewDueSoonNotice,
        MaxReviewInterval = MaxReviewInterval,
        BlanketShareThreshold = BlanketShareThreshold,
        BlanketWindow = BlanketWindow,
        BlanketMinimumUses = BlanketMinimumUses,
        RationaleSimilarityThreshold = RationaleSimilarityThreshold,
        RationaleCopyMinimumUses = RationaleCopyMinimumUses,
        CapacityLostTransition = CapacityLostTransition ?? TrustPolicy.Default.CapacityLostTransition,
        GillickFindingMaxAge = GillickFindingMaxAge ?? TrustPolicy.Default.GillickFindingMaxAge,
        ObjectionRedecisionWithin = ObjectionRedecisionWithin ?? TrustPolicy.Default.ObjectionRedecisionWithin,
        DeadlineWarningNotice = DeadlineWarningNotice ?? TrustPolicy.Default.DeadlineWarningNotice,
        SuppressionThreshold = Math.Max(SuppressionThreshold ?? TrustPolicy.LowestSuppressionThreshold, TrustPolicy.LowestSuppressionThreshold),
    };
}
