using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

/// <summary>The trust's settings for the consent rules: one row per trust, the defaults until one is set.</summary>
public sealed class TrustPolicyService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, CurrentActor actor, TimeProvider clock, ILogger<TrustPolicyService> logger)
{
    public async Task<TrustPolicy> GetAsync(CancellationToken ct = default) => (await store.GetTrustAsync(ct)).Policy;

    /// <remarks>
    /// Values outside the platform's limits are refused naming the field. The domain's change (who, and each field
    /// before and after) is published as trust_policy_changed in the same unit of work, and logged.
    /// </remarks>
    public async Task<Outcome<TrustPolicy>> SetAsync(TrustPolicy policy, CancellationToken ct = default)
    {
        var before = (await store.GetTrustAsync(ct)).Policy;
        var change = TrustPolicy.Change(before, policy, actor.Get().Subject, clock.GetUtcNow().UtcDateTime);
        if (change.IsRefused) return change.Refusal!;
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
        row.CapacityLostTransition = policy.CapacityLostTransition;
        row.GillickFindingMaxAge = policy.GillickFindingMaxAge;
        row.ObjectionRedecisionWithin = policy.ObjectionRedecisionWithin;
        row.DeadlineWarningNotice = policy.DeadlineWarningNotice;
        row.SuppressionThreshold = policy.SuppressionThreshold;
        if (change.Value.Changes.Count > 0) events.TrustPolicyChanged(change.Value);
        await db.SaveChangesAsync(ct);
        // Every check in the trust reads the policy from the cached settings: drop them.
        store.InvalidateTrustAfterCommit(db);
        foreach (var field in change.Value.Changes)
            logger.LogInformation("Trust policy {Field} changed from {Before} to {After} by {Actor}", field.Field, field.Before, field.After, change.Value.Actor);
        return row.ToPolicy();
    }
}
