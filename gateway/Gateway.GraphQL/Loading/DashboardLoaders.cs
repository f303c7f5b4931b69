using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's batch loaders. The evidence, appraisal, outcome-report and regional approval-count methods take one key per call (blanket use takes up to 200 wards a call: one call per batch), so a
/// batch is one call per distinct key, made concurrently, however many rows and aliases ask for it; a method taking many
/// keys would make it one call per batch, and only this class would change. Each per-key loader has at most
/// <see cref="GraphQLOptions.LoaderCallsAtOnce"/> calls in flight at once (each holds a database connection in the
/// service it asks). Procurement's cases are one call per batch (ListCases of the whole trust, or of the one technology
/// when only one is asked for); open gates one ListOpenGatesForCases per batch of up to 200 cases and kinds (ADR 0043).
/// </summary>
public sealed class DashboardLoaders(EvidenceService.EvidenceServiceClient evidence, ConsentService.ConsentServiceClient consent,
    ProcurementService.ProcurementServiceClient procurement, GraphQLOptions options)
{
    /// <summary>One call per key, at most <see cref="GraphQLOptions.LoaderCallsAtOnce"/> of them in flight at once.</summary>
    internal static async Task<IReadOnlyDictionary<TKey, TValue>> EachAsync<TKey, TValue>(int atOnce, IReadOnlyList<TKey> keys,
        Func<TKey, CancellationToken, Task<TValue>> call, CancellationToken ct) where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(atOnce, 1, "GraphQL:LoaderCallsAtOnce");
        using var slots = new SemaphoreSlim(atOnce);
        var replies = await Task.WhenAll(keys.Select(async key =>
        {
            await slots.WaitAsync(ct);
            try
            {
                return (key, value: await call(key, ct));
            }
            finally
            {
                slots.Release();
            }
        }));
        return replies.ToDictionary(r => r.key, r => r.value);
    }

    /// <summary>The most cases procurement's ListCases answers with (ProcurementCases.ListAsync).</summary>
    public const int ListCasesLimit = 500;

    public BatchLoader<string, IReadOnlyList<ProcurementCase>> CasesByTechnology { get; } = new(async (ids, ct) =>
    {
        // One technology: its own cases. Several: every case of the trust in one call, grouped here (ListCases answers
        // at most 500, the register's cases oldest first; a trust's cases are one per technology and setting type).
        var reply = await procurement.ListCasesAsync(new ListCasesRequest { TechnologyId = ids.Count == 1 ? ids[0] : "" }, cancellationToken: ct);
        var found = reply.Cases.GroupBy(c => c.TechnologyId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ProcurementCase>)g.ToList(), StringComparer.Ordinal);
        if (ids.Count > 1 && reply.Cases.Count >= ListCasesLimit)
        {
            // The trust has more cases than one answer holds: the technologies asked for are then fetched one by one.
            var each = await EachAsync(options.LoaderCallsAtOnce, ids, async (id, c) =>
                (IReadOnlyList<ProcurementCase>)(await procurement.ListCasesAsync(new ListCasesRequest { TechnologyId = id }, cancellationToken: c)).Cases.ToList(), ct);
            found = each.ToDictionary(StringComparer.Ordinal);
        }
        return found;
    }, []);

    /// <summary>The most queries procurement's ListOpenGatesForCases takes in one call (OpenGatesForCases.MaxQueries).</summary>
    public const int OpenGatesPerCall = 200;

    /// <summary>
    /// Open gates per case and kind: one ListOpenGatesForCases per batch of at most <see cref="OpenGatesPerCall"/> keys
    /// (ADR 0043), answers matched to keys by position. Null for a case procurement did not find in the trust.
    /// </summary>
    public BatchLoader<OpenGatesKey, IReadOnlyList<OpenGate>?> OpenGates { get; } = new(async (keys, ct) =>
    {
        var chunks = keys.Chunk(OpenGatesPerCall).ToList();
        var answered = await EachAsync(options.LoaderCallsAtOnce, Enumerable.Range(0, chunks.Count).ToList(), async (i, c) =>
        {
            var request = new ListOpenGatesForCasesRequest();
            request.Queries.AddRange(chunks[i].Select(k => new ListOpenGatesRequest { CaseId = k.CaseId, Kind = k.Kind }));
            var reply = await procurement.ListOpenGatesForCasesAsync(request, cancellationToken: c);
            if (reply.Results.Count != chunks[i].Length)
                throw new InvalidOperationException($"ListOpenGatesForCases answered {reply.Results.Count} of {chunks[i].Length} queries.");
            return reply.Results;
        }, ct);
        var found = new Dictionary<OpenGatesKey, IReadOnlyList<OpenGate>?>();
        for (var i = 0; i < chunks.Count; i++)
            for (var j = 0; j < chunks[i].Length; j++)
                found[chunks[i][j]] = answered[i][j].Found ? answered[i][j].OpenGates : null;
        return found;
    }, null);

    public BatchLoader<OutcomeReportKey, OutcomeReport?> OutcomeReports { get; } = new((keys, ct) => EachAsync(options.LoaderCallsAtOnce, keys, async (key, c) =>
        (OutcomeReport?)await evidence.GetOutcomeReportAsync(
            new GetOutcomeReportRequest { TechnologyId = key.TechnologyId, Instrument = key.Instrument, Period = key.Period }, cancellationToken: c), ct), null);

    public BatchLoader<RegionalReportKey, RegionalOutcomeReport?> RegionalOutcomeReports { get; } = new((keys, ct) => EachAsync(options.LoaderCallsAtOnce, keys, async (key, c) =>
        (RegionalOutcomeReport?)await evidence.GetRegionalOutcomeReportAsync(
            new GetRegionalOutcomeReportRequest { TechnologyName = key.TechnologyName, Instrument = key.Instrument, Period = key.Period }, cancellationToken: c), ct), null);

    public BatchLoader<Schema.RegionalApprovalCountsKey, GetRegionalApprovalCountsResponse> RegionalApprovalCounts { get; } = new((keys, ct) => EachAsync(options.LoaderCallsAtOnce, keys, async (key, c) =>
        await procurement.GetRegionalApprovalCountsAsync(new GetRegionalApprovalCountsRequest
        { TechnologyName = key.TechnologyName, AfterTechnologyName = key.AfterTechnologyName, PageSize = key.PageSize }, cancellationToken: c), ct), new());

    public BatchLoader<string, IReadOnlyList<Appraisal>> AppraisalsByTechnology { get; } = new((ids, ct) => EachAsync(options.LoaderCallsAtOnce, ids, async (id, c) =>
        (IReadOnlyList<Appraisal>)(await evidence.ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = id }, cancellationToken: c)).Appraisals, ct), []);

    public BatchLoader<string, IReadOnlyList<EvidenceItem>> EvidenceByTechnology { get; } = new((ids, ct) => EachAsync(options.LoaderCallsAtOnce, ids, async (id, c) =>
        (IReadOnlyList<EvidenceItem>)(await evidence.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = id }, cancellationToken: c)).Items, ct), []);

    /// <summary>The wards of a batch in one DetectBlanketUseForWards per <see cref="BlanketUseLoaders.MaxWardsPerCall"/> (ADR 0044).</summary>
    public BatchLoader<string, IReadOnlyList<BlanketUseSignal>> BlanketUseByWard { get; } = new((wards, ct) => BlanketUseLoaders.ForWardsAsync(consent, options, wards, ct), []);
}

/// <summary>A procurement case's open gates towards one kind of approval.</summary>
public readonly record struct OpenGatesKey(string CaseId, ApprovalKind Kind);

/// <summary>One trust outcome report: a technology, an instrument and an ended quarter.</summary>
public readonly record struct OutcomeReportKey(string TechnologyId, Instrument Instrument, string Period);

/// <summary>One regional outcome report: a technology's name, an instrument and an ended quarter.</summary>
public readonly record struct RegionalReportKey(string TechnologyName, Instrument Instrument, string Period);
