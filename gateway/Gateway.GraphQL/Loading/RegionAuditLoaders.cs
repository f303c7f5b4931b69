using Platform.Contracts.Audit.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loader of audit's regional checkpoints (ADR 0042): one GetRegionalCheckpoints however many fields and
/// aliases ask for it.
/// </summary>
public sealed class RegionAuditLoaders(AuditService.AuditServiceClient audit)
{
    /// <summary>Keyed by nothing: the region is the deployment's (ADR 0034); true is its one key.</summary>
    public BatchLoader<bool, IReadOnlyList<TrustCheckpoint>> Region { get; } = new(async (keys, ct) =>
        new Dictionary<bool, IReadOnlyList<TrustCheckpoint>>
        {
            [true] = (await audit.GetRegionalCheckpointsAsync(new GetRegionalCheckpointsRequest(), cancellationToken: ct)).Trusts,
        }, []);
}
