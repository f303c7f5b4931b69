using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Gateway.V1;
using Platform.Gateway.Tenancy;
using Platform.Grpc;
using Platform.Grpc.Client;
using Xunit;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Gateway.Tests;

public class TenancyGrpcTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly Method<RegisterWardRequest, Platform.Contracts.Gateway.V1.Ward> Register = Method<RegisterWardRequest, Platform.Contracts.Gateway.V1.Ward>.From(TenancyReflection.Descriptor.Services[0], "RegisterWard");
    private static readonly Method<ListWardsRequest, ListWardsResponse> List = Method<ListWardsRequest, ListWardsResponse>.From(TenancyReflection.Descriptor.Services[0], "ListWards");

    [Fact]
    public async Task A_trust_registers_and_lists_its_wards_over_grpc_and_an_unknown_trust_is_failed_precondition()
    {
        await fixture.App.InTenantAsync("RW1", sp => sp.GetRequiredService<TrustDirectory>().RegisterTrustAsync("RW1", "West Trust"));
        using var channel = fixture.App.CreateGrpcChannel();
        await channel.UnaryCall(Register, new RegisterWardRequest { WardCode = "CEDAR", Name = "Cedar", Setting = Common.WardSetting.Secure, Beds = 14 }, fixture.App.CallAs("RW1")).ResponseAsync;
        var wards = await channel.UnaryCall(List, new ListWardsRequest(), fixture.App.CallAs("RW1")).ResponseAsync;
        Assert.Contains(wards.Wards, w => w.WardCode == "CEDAR" && w.Setting == Common.WardSetting.Secure);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Register,
            new RegisterWardRequest { WardCode = "CEDAR", Name = "Cedar", Setting = Common.WardSetting.Secure, Beds = 14 }, fixture.App.CallAs("XX9")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
        Assert.Empty((await channel.UnaryCall(List, new ListWardsRequest(), fixture.App.CallAs("XX9")).ResponseAsync).Wards);
    }
}
