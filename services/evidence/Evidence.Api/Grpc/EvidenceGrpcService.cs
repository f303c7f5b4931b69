using Grpc.Core;
using Platform.Contracts.Evidence.V1;
using Platform.Evidence.Api.Application;
using Platform.Grpc;
using Data = Platform.Evidence.Api.Data;

namespace Platform.Evidence.Api.Grpc;

/// <summary>platform.evidence.v1.EvidenceService.</summary>
public sealed class EvidenceGrpcService(EvidenceLibrary library) : EvidenceService.EvidenceServiceBase
{
    public override async Task<EvidenceItem> RecordEvidenceItem(RecordEvidenceItemRequest request, ServerCallContext context) =>
        ToMessage((await library.RecordAsync(new RecordEvidenceItem(request.TechnologyId, request.Title, (Data.StudyDesign)request.StudyDesign,
            request.SampleSize, request.IndependentOfSupplier, (Data.SettingRelevance)request.SettingRelevance, (Data.EvidenceQuality)request.Quality),
            context.CancellationToken)).OrThrow());

    public override async Task<ListEvidenceItemsResponse> ListEvidenceItems(ListEvidenceItemsRequest request, ServerCallContext context)
    {
        var items = (await library.ListAsync(request.TechnologyId, context.CancellationToken)).OrThrow();
        var response = new ListEvidenceItemsResponse();
        response.Items.AddRange(items.Select(ToMessage));
        return response;
    }

    private static EvidenceItem ToMessage(Data.EvidenceItem i) => new()
    {
        EvidenceItemId = i.Id.ToString(),
        TechnologyId = i.TechnologyId.ToString(),
        Title = i.Title,
        StudyDesign = (StudyDesign)i.StudyDesign,
        SampleSize = i.SampleSize,
        IndependentOfSupplier = i.IndependentOfSupplier,
        SettingRelevance = (SettingRelevance)i.SettingRelevance,
        Quality = (EvidenceQuality)i.Quality,
        RecordedAt = i.RecordedAt.ToTimestamp(),
    };
}
