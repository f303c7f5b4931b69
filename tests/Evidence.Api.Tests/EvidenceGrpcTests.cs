using Platform.Contracts.Evidence.V1;
using Grpc.Core;
using Xunit;

namespace Platform.Evidence.Api.Tests;

public class EvidenceGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, string role = "evidence-reviewer") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    [Fact]
    public async Task The_procurement_lead_may_list_evidence_but_not_record_it()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RX3")).ToString();
        Assert.Empty((await As("RX3", "procurement-lead").ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology })).Items);
        var refused = await Assert.ThrowsAsync<RpcException>(() => As("RX3", "procurement-lead").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Cohort", StudyDesign = StudyDesign.Cohort, SampleSize = 30, SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Low, Citation = "Report 7", RiskOfBias = RiskOfBias.High,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Evidence_recorded_over_grpc_is_listed_for_its_trust_and_not_another()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RX3")).ToString();
        var item = await As("RX3").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Cohort study", StudyDesign = StudyDesign.Cohort, SampleSize = 300,
            IndependentOfSupplier = true, SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Moderate,
            Citation = "doi:10.1000/cohort", RiskOfBias = RiskOfBias.SomeConcerns,
        }).ResponseAsync;
        var mine = await As("RX3").ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology }).ResponseAsync;
        Assert.Equal([item.EvidenceItemId], mine.Items.Select(i => i.EvidenceItemId));
        // Another trust holding the id is told there is no such technology, and cannot attach evidence to it.
        var theirs = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, theirs.StatusCode);
        var attached = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Cohort study", StudyDesign = StudyDesign.Cohort, SampleSize = 300,
            SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Moderate, Citation = "doi:10.1000/cohort", RiskOfBias = RiskOfBias.Low,
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, attached.StatusCode);
        Assert.Contains("No technology with this id in this trust", attached.Status.Detail);
    }

    [Fact]
    public async Task A_sample_size_of_zero_is_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = Guid.NewGuid().ToString(), Title = "T", StudyDesign = StudyDesign.Rct, SampleSize = 0,
            SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.High, Citation = "doi:10.1000/rct", RiskOfBias = RiskOfBias.Low,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Sample size", error.Status.Detail);
    }
}
