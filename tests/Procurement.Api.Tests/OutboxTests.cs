using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Outbox;
using Platform.Procurement.Api.Application;
using Platform.Procurement.Api.Data;
using Xunit;

namespace Platform.Procurement.Api.Tests;

public class OutboxTests(ProcurementServiceFixture fixture) : IClassFixture<ProcurementServiceFixture>
{
    [Fact]
    public async Task Registering_a_technology_writes_its_event_to_the_outbox_with_the_trust_and_no_event_when_refused()
    {
        var created = await fixture.App.InTenantAsync("OBX1", sp => sp.GetRequiredService<TechnologyRegister>().RegisterAsync(
            new RegisterTechnology("Outbox tracker", "Acme", "Step counting with consent", TechnologyCategory.Monitoring, false)));
        var id = created.Value.Id.ToString();
        await fixture.App.InTenantAsync("OBX1", sp => sp.GetRequiredService<TechnologyRegister>().RegisterAsync(
            new RegisterTechnology("Outbox tracker", "Acme", "again", TechnologyCategory.Monitoring, false)));

        var rows = await fixture.App.InTenantAsync("OBX1", sp => sp.GetRequiredService<ProcurementDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Subject == id).ToListAsync());
        var row = Assert.Single(rows);
        Assert.Equal(("procurement.technology_registered.v1", "platform.procurement.technology_registered.v1", "OBX1"), (row.Topic, row.Type, row.Tenant));
        Assert.Contains("\"name\": \"Outbox tracker\"", row.Payload);
        Assert.Contains("\"subject\": \"system\"", row.Payload);
    }
}
