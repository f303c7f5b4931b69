using Platform.Contracts.Consent.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// Consent's blanket-use signals for the request (principle 2; ADR 0044): the wards a request names, however many fields
/// and aliases name them, in one DetectBlanketUseForWards per <see cref="MaxWardsPerCall"/> distinct wards (at most
/// <see cref="GraphQLOptions.LoaderCallsAtOnce"/> in flight), where it was one DetectBlanketUse per ward (that loader
/// stays <see cref="DashboardLoaders.BlanketUseByWard"/>); one GetRegionalBlanketUseSignals per request for the region.
/// </summary>
public sealed class BlanketUseLoaders(ConsentService.ConsentServiceClient consent)
{
    /// <summary>The most wards consent's DetectBlanketUseForWards takes in one call.</summary>
    public const int MaxWardsPerCall = 200;

    /// <summary>The wards' signals, by the ward as asked for (<see cref="DashboardLoaders.BlanketUseByWard"/>'s fetch).</summary>
    internal static async Task<IReadOnlyDictionary<string, IReadOnlyList<BlanketUseSignal>>> ForWardsAsync(
        ConsentService.ConsentServiceClient consent, GraphQLOptions options, IReadOnlyList<string> wards, CancellationToken ct)
    {
        var chunks = wards.Chunk(MaxWardsPerCall).ToList();
        var replies = await DashboardLoaders.EachAsync(options.LoaderCallsAtOnce, Enumerable.Range(0, chunks.Count).ToList(), async (i, c) =>
        {
            var request = new DetectBlanketUseForWardsRequest();
            request.WardCodes.AddRange(chunks[i]);
            return (await consent.DetectBlanketUseForWardsAsync(request, cancellationToken: c)).Wards;
        }, ct);
        // Consent answers the wards in the order asked (codes normalised), so each answer is the key at its place.
        var found = new Dictionary<string, IReadOnlyList<BlanketUseSignal>>(StringComparer.Ordinal);
        for (var i = 0; i < chunks.Count; i++)
            for (var w = 0; w < chunks[i].Length && w < replies[i].Count; w++)
                found[chunks[i][w]] = replies[i][w].Signals;
        return found;
    }

    /// <summary>Keyed by nothing: the region is the deployment's (ADR 0034); true is its one key.</summary>
    public BatchLoader<bool, RegionalBlanketUseSignals?> Region { get; } = new(async (keys, ct) =>
        new Dictionary<bool, RegionalBlanketUseSignals?> { [true] = await consent.GetRegionalBlanketUseSignalsAsync(new GetRegionalBlanketUseSignalsRequest(), cancellationToken: ct) }, null);
}
