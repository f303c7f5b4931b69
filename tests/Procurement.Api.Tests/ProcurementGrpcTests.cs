using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Grpc.Client;
using Xunit;

namespace Platform.Procurement.Api.Tests;

public class ProcurementGrpcTests(ProcurementServiceFixture fixture) : IClassFixture<ProcurementServiceFixture>
{
    private static readonly Method<RegisterTechnologyRequest, Technology> Register = Method<RegisterTechnologyRequest, Technology>.From(ProcurementReflection.Descriptor.Services[0], "RegisterTechnology");
    private static readonly Method<GetTechnologyRequest, Technology> Get = Method<GetTechnologyRequest, Technology>.From(ProcurementReflection.Descriptor.Services[0], "GetTechnology");

    [Fact]
    public async Task A_technology_registered_over_grpc_is_visible_to_its_trust_only()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var created = await channel.UnaryCall(Register, new RegisterTechnologyRequest
        {
            Name = "Sleep tracker", Supplier = "Nightingale", IntendedUse = "Sleep quality monitoring with the patient's agreement",
            Category = TechnologyCategory.Monitoring,
        }, fixture.App.CallAs("RX3")).ResponseAsync;
        var found = await channel.UnaryCall(Get, new GetTechnologyRequest { TechnologyId = created.TechnologyId }, fixture.App.CallAs("RX3")).ResponseAsync;
        Assert.Equal(("Sleep tracker", TechnologyCategory.Monitoring), (found.Name, found.Category));

        var other = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Get, new GetTechnologyRequest { TechnologyId = created.TechnologyId }, fixture.App.CallAs("RTQ")).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task A_technology_without_an_intended_use_is_invalid_argument_and_a_duplicate_already_exists()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var missing = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Register,
            new RegisterTechnologyRequest { Name = "X", Supplier = "Y", Category = TechnologyCategory.DirectCare }, fixture.App.CallAs("RX3")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("Intended use", missing.Status.Detail);

        var request = new RegisterTechnologyRequest { Name = "Mood diary", Supplier = "Y", IntendedUse = "Mood self-report", Category = TechnologyCategory.DirectCare };
        await channel.UnaryCall(Register, request, fixture.App.CallAs("RX3")).ResponseAsync;
        var again = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Register, request, fixture.App.CallAs("RX3")).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
    }
}
