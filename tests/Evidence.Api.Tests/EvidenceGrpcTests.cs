using Platform.Contracts.Evidence.V1;
using Grpc.Core;
using Xunit;

namespace Platform.Evidence.Api.Tests;

public class EvidenceGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, params string[] roles) => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, roles);

    [Fact]
    public async Task Evidence_recorded_over_grpc_is_listed_for_its_trust_and_not_another()
    {
        var technology = Guid.NewGuid().ToString();
        var item = await As("RX3").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Cohort study", StudyDesign = StudyDesign.Cohort, SampleSize = 300,
            IndependentOfSupplier = true, SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Moderate,
        }).ResponseAsync;
        var mine = await As("RX3").ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology }).ResponseAsync;
        Assert.Equal([item.EvidenceItemId], mine.Items.Select(i => i.EvidenceItemId));
        var theirs = await As("RTQ").ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology }).ResponseAsync;
        Assert.Empty(theirs.Items);
    }

    [Fact]
    public async Task A_sample_size_of_zero_is_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = Guid.NewGuid().ToString(), Title = "T", StudyDesign = StudyDesign.Rct, SampleSize = 0,
            SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.High,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Sample size", error.Status.Detail);
    }
}
