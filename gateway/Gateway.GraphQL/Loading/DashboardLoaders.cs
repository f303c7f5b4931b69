using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's batch loaders. The evidence, appraisal, outcome-report and blanket-use methods take one key per call, so a batch is one call per
/// distinct key, made concurrently, however many rows and aliases ask for it; a method taking many keys would make it
/// one call per batch, and only this class would change.
/// </summary>
public sealed class DashboardLoaders(EvidenceService.EvidenceServiceClient evidence, ConsentService.ConsentServiceClient consent)
{
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

/// <summary>One trust outcome report: a technology, an instrument and an ended quarter.</summary>
public readonly record struct OutcomeReportKey(string TechnologyId, Instrument Instrument, string Period);

/// <summary>One regional outcome report: a technology's name, an instrument and an ended quarter.</summary>
public readonly record struct RegionalReportKey(string TechnologyName, Instrument Instrument, string Period);
