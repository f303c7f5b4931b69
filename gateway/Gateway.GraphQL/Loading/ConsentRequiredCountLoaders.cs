using Platform.Contracts.Consent.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loaders of consent's counts of uses in "consent required" after capacity was regained (ADR 0045):
/// one CountConsentRequired per distinct ward asked for (the empty key: every ward), at most
/// <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight; one GetRegionalConsentRequiredCounts per published date
/// asked for, however many fields and aliases ask for it (ADR 0045 as amended, ADR 0047).
/// </summary>
public sealed class ConsentRequiredCountLoaders(ConsentService.ConsentServiceClient consent, GraphQLOptions options)
{
    public BatchLoader<string, ConsentRequiredCounts?> ByWard { get; } = new((wards, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, wards, async (ward, c) =>
        (ConsentRequiredCounts?)await consent.CountConsentRequiredAsync(new CountConsentRequiredRequest { WardCode = ward }, cancellationToken: c), ct), null);

    /// <summary>Keyed by the published date asked for (<c>yyyy-MM-dd</c>; empty: the latest); the region is the deployment's (ADR 0034).</summary>
    public BatchLoader<string, RegionalConsentRequiredCounts?> Region { get; } = new((dates, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, dates, async (asAt, c) =>
        (RegionalConsentRequiredCounts?)await consent.GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest { AsAt = asAt }, cancellationToken: c), ct), null);
}
