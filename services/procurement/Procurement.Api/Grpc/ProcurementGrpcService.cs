using Grpc.Core;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Procurement.Api.Application;
using Data = Platform.Procurement.Api.Data;

namespace Platform.Procurement.Api.Grpc;

/// <summary>platform.procurement.v1.ProcurementService.</summary>
public sealed class ProcurementGrpcService(TechnologyRegister register) : ProcurementService.ProcurementServiceBase
{
    public override async Task<Technology> RegisterTechnology(RegisterTechnologyRequest request, ServerCallContext context) =>
        ToMessage((await register.RegisterAsync(new RegisterTechnology(request.Name, request.Supplier, request.IntendedUse,
            (Data.TechnologyCategory)request.Category, request.Surveillance), context.CancellationToken)).OrThrow());

    public override async Task<Technology> GetTechnology(GetTechnologyRequest request, ServerCallContext context) =>
        ToMessage((await register.GetAsync(request.TechnologyId, context.CancellationToken)).OrThrow());

    public override async Task<ListTechnologiesResponse> ListTechnologies(ListTechnologiesRequest request, ServerCallContext context)
    {
        var page = (await register.ListAsync(request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListTechnologiesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Technologies.AddRange(page.Technologies.Select(ToMessage));
        return response;
    }

    private static Technology ToMessage(Data.Technology t) => new()
    {
        TechnologyId = t.Id.ToString(),
        Name = t.Name,
        Supplier = t.Supplier,
        IntendedUse = t.IntendedUse,
        Category = (TechnologyCategory)t.Category,
        Surveillance = t.Surveillance,
        RegisteredAt = t.RegisteredAt.ToTimestamp(),
    };
}
