using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>The trust's settings for the consent rules: one row per trust, the defaults until one is set.</summary>
public sealed class TrustPolicyService(ConsentDbContext db, PatientRecordsStore store, ILogger<TrustPolicyService> logger)
{
    public async Task<TrustPolicy> GetAsync(CancellationToken ct = default) => (await store.GetTrustAsync(ct)).Policy;

    public async Task<Outcome<TrustPolicy>> SetAsync(TrustPolicy policy, CancellationToken ct = default)
    {
        if (policy.Validate() is { } refusal) return refusal;
        var row = await db.TrustPolicies.SingleOrDefaultAsync(ct);
        if (row is null)
        {
            // The row is keyed by the tenant, so it is set here rather than stamped on save.
            row = new TrustPolicySettings { TenantId = db.CurrentTenant ?? "" };
            db.TrustPolicies.Add(row);
        }
        row.CapacityRegainedGracePeriod = policy.CapacityRegainedGracePeriod;
        row.FluctuatingAssessmentMaxAge = policy.FluctuatingAssessmentMaxAge;
        row.ReviewGracePeriod = policy.ReviewGracePeriod;
        row.ReviewDueSoonNotice = policy.ReviewDueSoonNotice;
        row.MaxReviewInterval = policy.MaxReviewInterval;
        row.BlanketShareThreshold = policy.BlanketShareThreshold;
        row.BlanketWindow = policy.BlanketWindow;
        row.BlanketMinimumUses = policy.BlanketMinimumUses;
        row.RationaleSimilarityThreshold = policy.RationaleSimilarityThreshold;
        row.RationaleCopyMinimumUses = policy.RationaleCopyMinimumUses;
        await db.SaveChangesAsync(ct);
        // Every check in the trust reads the policy from the cached settings: drop them.
        store.InvalidateTrustAfterCommit(db);
        logger.LogInformation("Trust policy updated");
        return row.ToPolicy();
    }
}
