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
    };
}
