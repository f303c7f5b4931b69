using Platform.Contracts.Consent.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loaders of consent's counts of active uses (ADR 0040): one CountActiveUses per distinct ward asked for
/// (the empty key: every ward), at most <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight; one
/// GetRegionalActiveUseCounts however many fields and aliases ask for it.
/// </summary>
public sealed class UseCountLoaders(ConsentService.ConsentServiceClient consent, GraphQLOptions options)
{
    public BatchLoader<string, ActiveUseCounts?> ByWard { get; } = new((wards, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, wards, async (ward, c) =>
        (ActiveUseCounts?)await consent.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = ward }, cancellationToken: c), ct), null);

    /// <summary>Keyed by nothing: the region is the deployment's (ADR 0034); true is its one key.</summary>
    public BatchLoader<bool, RegionalActiveUseCounts?> Region { get; } = new(async (keys, ct) =>
        new Dictionary<bool, RegionalActiveUseCounts?> { [true] = await consent.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest(), cancellationToken: ct) }, null);
}
