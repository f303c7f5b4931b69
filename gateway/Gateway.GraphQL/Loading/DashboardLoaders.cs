using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;

namespace Platform.Gateway.GraphQL.Loading;

/// <summary>
/// The request's batch loaders. The evidence and blanket-use methods take one key per call, so a batch is one call per
/// distinct key, made concurrently, however many rows and aliases ask for it; a method taking many keys would make it
/// one call per batch, and only this class would change.
/// </summary>
public sealed class DashboardLoaders(EvidenceService.EvidenceServiceClient evidence, ConsentService.ConsentServiceClient consent)
{
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
