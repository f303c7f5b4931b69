using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's batch loaders. The evidence, appraisal, outcome-report and blanket-use methods take one key per call, so a batch is one call per
/// distinct key, made concurrently, however many rows and aliases ask for it; a method taking many keys would make it
/// one call per batch, and only this class would change. Procurement's cases are one call per batch (ListCases of the
/// whole trust, or of the one technology when only one is asked for); open gates one call per distinct case and kind.
/// </summary>
public sealed class DashboardLoaders(EvidenceService.EvidenceServiceClient evidence, ConsentService.ConsentServiceClient consent,
    ProcurementService.ProcurementServiceClient procurement)
{
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
            var each = await Task.WhenAll(ids.Select(async id => (id, (await procurement.ListCasesAsync(new ListCasesRequest { TechnologyId = id }, cancellationToken: ct)).Cases)));
            found = each.ToDictionary(r => r.id, r => (IReadOnlyList<ProcurementCase>)r.Cases.ToList(), StringComparer.Ordinal);
        }
        return found;
    }, []);

    /// <summary>How many ListOpenGates calls one batch has in flight at once: a page of technologies can hold hundreds of cases, and each call holds a database connection in procurement.</summary>
    public const int OpenGatesAtOnce = 8;

    public BatchLoader<OpenGatesKey, IReadOnlyList<OpenGate>> OpenGates { get; } = new(async (keys, ct) =>
    {
        using var slots = new SemaphoreSlim(OpenGatesAtOnce);
        var replies = await Task.WhenAll(keys.Select(async key =>
        {
            await slots.WaitAsync(ct);
            try
            {
                return (key, (await procurement.ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = key.CaseId, Kind = key.Kind }, cancellationToken: ct)).OpenGates);
            }
            finally
            {
                slots.Release();
            }
        }));
        return replies.ToDictionary(r => r.key, r => (IReadOnlyList<OpenGate>)r.OpenGates);
    }, []);

    public BatchLoader<OutcomeReportKey, OutcomeReport?> OutcomeReports { get; } = new(async (keys, ct) =>
    {
        var replies = await Task.WhenAll(keys.Select(async key => (key, await evidence.GetOutcomeReportAsync(
            new GetOutcomeReportRequest { TechnologyId = key.TechnologyId, Instrument = key.Instrument, Period = key.Period }, cancellationToken: ct))));
        return replies.ToDictionary(r => r.key, r => (OutcomeReport?)r.Item2);
    }, null);

    public BatchLoader<RegionalReportKey, RegionalOutcomeReport?> RegionalOutcomeReports { get; } = new(async (keys, ct) =>
    {
        var replies = await Task.WhenAll(keys.Select(async key => (key, await evidence.GetRegionalOutcomeReportAsync(
            new GetRegionalOutcomeReportRequest { TechnologyName = key.TechnologyName, Instrument = key.Instrument, Period = key.Period }, cancellationToken: ct))));
        return replies.ToDictionary(r => r.key, r => (RegionalOutcomeReport?)r.Item2);
    }, null);

    public BatchLoader<string, IReadOnlyList<Appraisal>> AppraisalsByTechnology { get; } = new(async (ids, ct) =>
    {
        var replies = await Task.WhenAll(ids.Select(async id =>
            (id, (await evidence.ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = id }, cancellationToken: ct)).Appraisals)));
        return replies.ToDictionary(r => r.id, r => (IReadOnlyList<Appraisal>)r.Appraisals);
    }, []);

    public BatchLoader<string, IReadOnlyList<EvidenceItem>> EvidenceByTechnology { get; } = new(async (ids, ct) =>
    {
        var replies = await Task.WhenAll(ids.Select(async id =>
            (id, (await evidence.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = id }, cancellationToken: ct)).Items)));
        return replies.ToDictionary(r => r.id, r => (IReadOnlyList<EvidenceItem>)r.Items);
    }, []);

    public BatchLoader<string, IReadOnlyList<BlanketUseSignal>> BlanketUseByWard { get; } = new(async (wards, ct) =>
    {
        var replies = await Task.WhenAll(wards.Select(async ward =>
            (ward, (await consent.DetectBlanketUseAsync(new DetectBlanketUseRequest { WardCode = ward }, cancellationToken: ct)).Signals)));
        return replies.ToDictionary(r => r.ward, r => (IReadOnlyList<BlanketUseSignal>)r.Signals);
    }, []);
}

/// <summary>A procurement case's open gates towards one kind of approval.</summary>
public readonly record struct OpenGatesKey(string CaseId, ApprovalKind Kind);

/// <summary>One trust outcome report: a technology, an instrument and an ended quarter.</summary>
public readonly record struct OutcomeReportKey(string TechnologyId, Instrument Instrument, string Period);

/// <summary>One regional outcome report: a technology's name, an instrument and an ended quarter.</summary>
public readonly record struct RegionalReportKey(string TechnologyName, Instrument Instrument, string Period);
