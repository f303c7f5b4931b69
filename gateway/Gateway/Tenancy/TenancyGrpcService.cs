using Grpc.Core;
using Platform.Contracts.Gateway.V1;
using Platform.Grpc;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Gateway.Tenancy;

/// <summary>platform.gateway.v1.TenancyService: the region's trusts (onboarded by a region operator) and the caller's own trust's wards.</summary>
public sealed class TenancyGrpcService(TrustDirectory directory) : TenancyService.TenancyServiceBase
{
    [RequiresRole(TenancyRoles.RegionOperator)]
    public override async Task<Contracts.Gateway.V1.Trust> RegisterTrust(RegisterTrustRequest request, ServerCallContext context)
    {
        var trust = (await directory.RegisterTrustAsync(request.OdsCode, request.Name, context.CancellationToken)).OrThrow();
        return new Contracts.Gateway.V1.Trust { OdsCode = trust.OdsCode, Name = trust.Name };
    }

    public override async Task<Contracts.Gateway.V1.Ward> RegisterWard(RegisterWardRequest request, ServerCallContext context) =>
        ToMessage((await directory.RegisterWardAsync(new RegisterWard(request.WardCode, request.Name, (WardSetting)request.Setting, request.Beds), context.CancellationToken)).OrThrow());

    public override async Task<ListWardsResponse> ListWards(ListWardsRequest request, ServerCallContext context)
    {
        var response = new ListWardsResponse();
        response.Wards.AddRange((await directory.ListWardsAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    private static Contracts.Gateway.V1.Ward ToMessage(Ward w) => new()
    {
        WardCode = w.Code,
        Name = w.Name,
        Setting = (Common.WardSetting)w.Setting,
        Beds = w.Beds,
    };
}
