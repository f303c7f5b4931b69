using Platform.Contracts.Evidence.V1;
using Platform.Gateway.GraphQL.Schema;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's loader of evidence's regional appraisals (ADR 0046): one GetRegionalAppraisals per distinct name,
/// cursor and page size, however many fields and aliases ask for it, at most <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight.
/// </summary>
public sealed class RegionAppraisalLoaders(EvidenceService.EvidenceServiceClient evidence, GraphQLOptions options)
{
    public BatchLoader<RegionalAppraisalsKey, GetRegionalAppraisalsResponse> Pages { get; } = new((keys, ct) => DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, keys, async (key, c) =>
        await evidence.GetRegionalAppraisalsAsync(new GetRegionalAppraisalsRequest
        { TechnologyName = key.TechnologyName, AfterTechnologyName = key.AfterTechnologyName, PageSize = key.PageSize }, cancellationToken: c), ct), new());
}
