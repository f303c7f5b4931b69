using System.Net;
using Platform.Testing;
using Xunit;
using ProcurementContracts = Platform.Contracts.Procurement.V1;

namespace Platform.Evidence.Api.Tests;

/// <summary>Procurement's technology register as evidence learns it: technology_registered delivered as Dapr's sidecar delivers it.</summary>
public static class ProcurementRegister
{
    /// <summary>A new technology registered in <paramref name="tenant"/>'s register; evidence may then be recorded for it there.</summary>
    public static async Task<Guid> RegisterAsync<TProgram>(ServiceFactory<TProgram> app, string tenant, string name = "Contact-free night observations") where TProgram : class
    {
        var id = Guid.CreateVersion7();
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await DeliverAsync(app, tenant, id, name));
        return id;
    }

    public static async Task<(HttpStatusCode Code, string? Status)> DeliverAsync<TProgram>(ServiceFactory<TProgram> app, string tenant, Guid id, string name, string? eventId = null) where TProgram : class
    {
        using var http = app.CreateHttpClient();
        return await SidecarDelivery.PublishAsync(http, new ProcurementContracts.TechnologyRegistered
        {
            TechnologyId = id.ToString(), Name = name, Category = ProcurementContracts.TechnologyCategory.Monitoring, Supplier = "Acme Vision Ltd",
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "lead-1", Role = "procurement-lead" },
        }, tenant, id.ToString(), eventId);
    }
}
