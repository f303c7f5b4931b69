using Platform.Contracts.Consent.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loaders of consent's counts of uses in "consent required" after capacity was regained (ADR 0045):
/// one CountConsentRequired per distinct ward asked for (the empty key: every ward), at most
/// <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight; one GetRegionalConsentRequiredCounts however many fields
/// and aliases ask for it.
/// </summary>
public sealed class ConsentRequiredCountLoaders(ConsentService.ConsentServiceClient consent, GraphQLOptions options)
{
    public BatchLoader<string, ConsentRequiredCounts?> ByWard { get; } = new((wards, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, wards, async (ward, c) =>
        (ConsentRequiredCounts?)await consent.CountConsentRequiredAsync(new CountConsentRequiredRequest { WardCode = ward }, cancellationToken: c), ct), null);

    /// <summary>Keyed by nothing: the region is the deployment's (ADR 0034); true is its one key.</summary>
    public BatchLoader<bool, RegionalConsentRequiredCounts?> Region { get; } = new(async (keys, ct) =>
        new Dictionary<bool, RegionalConsentRequiredCounts?> { [true] = await consent.GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest(), cancellationToken: ct) }, null);
}
