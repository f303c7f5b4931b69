using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Messaging.Outbox;
using Xunit;

namespace Platform.Consent.Api.Tests;

public class ConsentOutboxTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task Registering_a_patient_publishes_the_internal_key_never_the_nhs_number_and_a_refusal_publishes_nothing()
    {
        await WardDirectoryEvents.EnsureAsync(fixture.App, "OBC1", "OAK");
        await WardDirectoryEvents.EnsureAsync(fixture.App, "OBC1", "ELM");
        var registered = await fixture.App.InTenantAsync("OBC1", sp => sp.GetRequiredService<PatientRegistry>().RegisterAsync(new RegisterPatient("9990000123", "OAK", AgeBand.Aged18To25)));
        var refused = await fixture.App.InTenantAsync("OBC1", sp => sp.GetRequiredService<PatientRegistry>().RegisterAsync(new RegisterPatient("9990000123", "ELM", AgeBand.Aged18To25)));
        Assert.Equal("patient.already-registered", refused.Refusal?.Rule);

        var rows = await fixture.App.InTenantAsync("OBC1", sp => sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Type == "platform.consent.patient_registered.v1" && m.Tenant == "OBC1").ToListAsync());
        var row = Assert.Single(rows);
        Assert.Equal(registered.Value.Id.ToString(), row.Subject);
        Assert.Contains(registered.Value.Id.ToString(), row.Payload);
        Assert.DoesNotContain("9990000123", row.Payload);
    }
}
