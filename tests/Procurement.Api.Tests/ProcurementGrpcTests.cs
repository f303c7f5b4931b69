using Platform.Contracts.Procurement.V1;
using Grpc.Core;
using Xunit;

namespace Platform.Procurement.Api.Tests;

public class ProcurementGrpcTests(ProcurementServiceFixture fixture) : IClassFixture<ProcurementServiceFixture>
{
    private ProcurementService.ProcurementServiceClient As(string tenant, params string[] roles) => fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>(tenant, roles);

    [Fact]
    public async Task A_technology_registered_over_grpc_is_visible_to_its_trust_only()
    {
        var created = await As("RX3").RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "Sleep tracker", Supplier = "Nightingale", IntendedUse = "Sleep quality monitoring with the patient's agreement",
            Category = TechnologyCategory.Monitoring,
        }).ResponseAsync;
        var found = await As("RX3").GetTechnologyAsync(new GetTechnologyRequest { TechnologyId = created.TechnologyId }).ResponseAsync;
        Assert.Equal(("Sleep tracker", TechnologyCategory.Monitoring), (found.Name, found.Category));

        var other = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").GetTechnologyAsync(new GetTechnologyRequest { TechnologyId = created.TechnologyId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task A_technology_without_an_intended_use_is_invalid_argument_and_a_duplicate_already_exists()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RegisterTechnologyAsync(new RegisterTechnologyRequest { Name = "X", Supplier = "Y", Category = TechnologyCategory.DirectCare }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("Intended use", missing.Status.Detail);

        var request = new RegisterTechnologyRequest { Name = "Mood diary", Supplier = "Y", IntendedUse = "Mood self-report", Category = TechnologyCategory.DirectCare };
        await As("RX3").RegisterTechnologyAsync(request).ResponseAsync;
        var again = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RegisterTechnologyAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
    }
}
