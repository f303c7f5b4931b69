using Platform.Contracts.Evidence.V1;
using Platform.Grpc;
using Platform.Grpc.Client;
using Xunit;

namespace Platform.Evidence.Api.Tests;

public class EvidenceGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private static readonly Method<RecordEvidenceItemRequest, EvidenceItem> Record = Method<RecordEvidenceItemRequest, EvidenceItem>.From(EvidenceReflection.Descriptor.Services[0], "RecordEvidenceItem");
    private static readonly Method<ListEvidenceItemsRequest, ListEvidenceItemsResponse> List = Method<ListEvidenceItemsRequest, ListEvidenceItemsResponse>.From(EvidenceReflection.Descriptor.Services[0], "ListEvidenceItems");

    [Fact]
    public async Task Evidence_recorded_over_grpc_is_listed_for_its_trust_and_not_another()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var technology = Guid.NewGuid().ToString();
        var item = await channel.UnaryCall(Record, new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Cohort study", StudyDesign = StudyDesign.Cohort, SampleSize = 300,
            IndependentOfSupplier = true, SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Moderate,
        }, fixture.App.CallAs("RX3")).ResponseAsync;
        var mine = await channel.UnaryCall(List, new ListEvidenceItemsRequest { TechnologyId = technology }, fixture.App.CallAs("RX3")).ResponseAsync;
        Assert.Equal([item.EvidenceItemId], mine.Items.Select(i => i.EvidenceItemId));
        var theirs = await channel.UnaryCall(List, new ListEvidenceItemsRequest { TechnologyId = technology }, fixture.App.CallAs("RTQ")).ResponseAsync;
        Assert.Empty(theirs.Items);
    }

    [Fact]
    public async Task A_sample_size_of_zero_is_invalid_argument()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Record, new RecordEvidenceItemRequest
        {
            TechnologyId = Guid.NewGuid().ToString(), Title = "T", StudyDesign = StudyDesign.Rct, SampleSize = 0,
            SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.High,
        }, fixture.App.CallAs("RX3")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Sample size", error.Status.Detail);
    }
}
