using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Entries;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

// Poison events are visible to an operator of their own trust, and a replay is itself audited.
public class DeadLetterOperationsTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    [Fact]
    public async Task An_operator_lists_and_replays_their_trusts_dead_letters_and_no_one_else_can()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        var poison = new CloudEvent
        {
            Id = "evt-dlq-1", Source = "/procurement", Type = "platform.procurement.technology_registered.v1", Tenant = "DLQ1",
            DataJson = """{"technologyId":42}""",
        };
        Assert.Equal((HttpStatusCode.OK, "DROP"), await SidecarDelivery.DeliverAsync(http, route, poison.ToJson()));

        using var operatorA = fixture.App.ClientFor("DLQ1", "platform-operator");
        var listed = await operatorA.GetFromJsonAsync<JsonElement>("/operations/dead-letters");
        var letter = listed.EnumerateArray().Single(l => l.GetProperty("eventId").GetString() == "evt-dlq-1");
        var id = letter.GetProperty("id").GetString();
        Assert.False(letter.TryGetProperty("payload", out _));

        using var clinicianA = fixture.App.ClientFor("DLQ1", "clinician");
        Assert.Equal(HttpStatusCode.Forbidden, (await clinicianA.GetAsync("/operations/dead-letters")).StatusCode);
        using var anonymous = fixture.App.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/operations/dead-letters/{id}/replay", null)).StatusCode);
        using var operatorB = fixture.App.ClientFor("DLQ2", "platform-operator");
        var listedB = await operatorB.GetFromJsonAsync<JsonElement>("/operations/dead-letters");
        Assert.DoesNotContain(listedB.EnumerateArray(), l => l.GetProperty("eventId").GetString() == "evt-dlq-1");
        Assert.Equal(HttpStatusCode.NotFound, (await operatorB.PostAsync($"/operations/dead-letters/{id}/replay", null)).StatusCode);

        var replay = await operatorA.PostAsync($"/operations/dead-letters/{id}/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("Failed", (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString()); // still malformed

        // The replay is published for the audit trail, for the letter's own trust.
        var published = await fixture.App.InTenantAsync("DLQ1", sp => sp.GetRequiredService<AuditDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Type == "platform.messaging.dead_letter_replayed.v1").ToListAsync());
        var row = Assert.Single(published, m => m.Payload.Contains(id!, StringComparison.Ordinal));
        Assert.Equal("DLQ1", row.Tenant);
    }

    [Fact]
    public async Task A_dead_letter_replayed_event_becomes_an_execute_entry_naming_the_operator()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "messaging.dead_letter_replayed.v1");
        var replayed = new CloudEvent
        {
            Id = "evt-dlq-2", Source = "/procurement", Type = "platform.messaging.dead_letter_replayed.v1", Tenant = "DLQ3",
            DataJson = """{"deadLetterId":"0b4d7c2e-1f5a-4a4e-9a51-7d3f1f9b2c10","eventId":"e-9","replayedBy":"operator-4","outcome":"handled"}""",
        };
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, route, replayed.ToJson()));
        var entries = await fixture.App.InTenantAsync("DLQ3", async sp =>
            (await sp.GetRequiredService<AuditLog>().ListAsync(new AuditQuery(PageSize: 100))).Value.Entries);
        var entry = Assert.Single(entries, e => e.Type == "dead-letter-replayed");
        Assert.Equal((AuditAction.Execute, AuditOutcome.Success, "operator-4", "DeadLetter/0b4d7c2e-1f5a-4a4e-9a51-7d3f1f9b2c10", "evt-dlq-2"),
            (entry.Action, entry.Outcome, entry.Agent.Who, entry.Entity.What, entry.SourceEvent?.Id));
    }
}
