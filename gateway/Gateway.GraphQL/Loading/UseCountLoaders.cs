using Platform.Contracts.Consent.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loaders of consent's counts of active uses (ADR 0040): one CountActiveUses per distinct ward asked for
/// (the empty key: every ward), at most <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight; one
/// GetRegionalActiveUseCounts per published date asked for, however many fields and aliases ask for it.
/// </summary>
public sealed class UseCountLoaders(ConsentService.ConsentServiceClient consent, GraphQLOptions options)
{
    public BatchLoader<string, ActiveUseCounts?> ByWard { get; } = new((wards, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, wards, async (ward, c) =>
        (ActiveUseCounts?)await consent.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = ward }, cancellationToken: c), ct), null);

    /// <summary>
    /// Keyed by the published date asked for (<c>yyyy-MM-dd</c>; empty: the latest), ADR 0047: the region is the
    /// deployment's (ADR 0034), so one call per distinct date however many aliases ask.
    /// </summary>
    public BatchLoader<string, RegionalActiveUseCounts?> Region { get; } = new((dates, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, dates, async (asAt, c) =>
        (RegionalActiveUseCounts?)await consent.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest { AsAt = asAt }, cancellationToken: c), ct), null);
}
