using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Gateway.V1;
using Platform.Gateway.Tenancy;
using Grpc.Core;
using Xunit;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Gateway.Tests;

public class TenancyGrpcTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private TenancyService.TenancyServiceClient As(string tenant, params string[] roles) => fixture.App.GrpcClient<TenancyService.TenancyServiceClient>(tenant, roles);

    [Fact]
    public async Task A_trust_registers_and_lists_its_wards_over_grpc_and_an_unknown_trust_is_failed_precondition()
    {
        await fixture.App.InTenantAsync("RW1", sp => sp.GetRequiredService<TrustDirectory>().RegisterTrustAsync("RW1", "West Trust"));
        await As("RW1").RegisterWardAsync(new RegisterWardRequest { WardCode = "CEDAR", Name = "Cedar", Setting = Common.WardSetting.Secure, Beds = 14 }).ResponseAsync;
        var wards = await As("RW1").ListWardsAsync(new ListWardsRequest()).ResponseAsync;
        Assert.Contains(wards.Wards, w => w.WardCode == "CEDAR" && w.Setting == Common.WardSetting.Secure);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => As("XX9").RegisterWardAsync(new RegisterWardRequest { WardCode = "CEDAR", Name = "Cedar", Setting = Common.WardSetting.Secure, Beds = 14 }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
        Assert.Empty((await As("XX9").ListWardsAsync(new ListWardsRequest()).ResponseAsync).Wards);
    }

    [Fact]
    public async Task A_region_operator_onboards_a_trust_over_grpc_and_a_clinician_may_not()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => As("RW2", "clinician").RegisterTrustAsync(new RegisterTrustRequest { OdsCode = "RW2", Name = "South Trust" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("role.required", refused.Trailers.GetValue(Platform.Grpc.RefusalStatus.RuleTrailer));
        var notYet = await Assert.ThrowsAsync<RpcException>(() => As("RW2").RegisterWardAsync(new RegisterWardRequest { WardCode = "ELM", Name = "Elm", Setting = Common.WardSetting.AcuteAdult, Beds = 12 }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, notYet.StatusCode);

        var trust = await As("RW2", "region-operator").RegisterTrustAsync(new RegisterTrustRequest { OdsCode = "rw2", Name = "South Trust" });
        Assert.Equal(("RW2", "South Trust"), (trust.OdsCode, trust.Name));
        await As("RW2").RegisterWardAsync(new RegisterWardRequest { WardCode = "ELM", Name = "Elm", Setting = Common.WardSetting.AcuteAdult, Beds = 12 });
        var again = await Assert.ThrowsAsync<RpcException>(() => As("RW2", "region-operator").RegisterTrustAsync(new RegisterTrustRequest { OdsCode = "RW2", Name = "South Trust" }).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
    }
}
