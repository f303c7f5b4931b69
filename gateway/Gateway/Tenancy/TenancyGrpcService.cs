using Platform.Contracts.Gateway.V1;
using Platform.Grpc;
using Platform.Grpc.Server;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Gateway.Tenancy;

/// <summary>platform.gateway.v1.TenancyService: the caller's own trust's wards.</summary>
[GrpcService(typeof(TenancyReflection))]
public sealed class TenancyGrpcService(TrustDirectory directory)
{
    public async Task<Contracts.Gateway.V1.Ward> RegisterWard(RegisterWardRequest request, ServerCallContext context) =>
        ToMessage((await directory.RegisterWardAsync(new RegisterWard(request.WardCode, request.Name, (WardSetting)request.Setting, request.Beds), context.CancellationToken)).OrThrow());

    public async Task<ListWardsResponse> ListWards(ListWardsRequest request, ServerCallContext context)
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
