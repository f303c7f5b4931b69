using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Entries;
using Platform.Messaging.CloudEvents;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

// The audit service's real subscription endpoints, driven over HTTP as Dapr's sidecar (or the local runner) drives them.
public class AuditEventTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private static CloudEvent TechnologyRegistered(string tenant, string id) => new()
    {
        Id = id,
        Source = "/procurement",
        Type = "platform.procurement.technology_registered.v1",
        Subject = "7f0c6f1e-6a52-4c3e-9d7e-2f9f1f0d9a11",
        Time = DateTimeOffset.UtcNow,
        Tenant = tenant,
        DataJson = """{"technologyId":"7f0c6f1e-6a52-4c3e-9d7e-2f9f1f0d9a11","name":"Sleep tracker","category":"TECHNOLOGY_CATEGORY_MONITORING","actor":{"subject":"lead-1","role":"procurement-lead"}}""",
    };

    private Task<IReadOnlyList<AuditEntry>> Entries(string tenant) =>
        fixture.App.InTenantAsync(tenant, async sp => (await sp.GetRequiredService<AuditLog>().ListAsync(new AuditQuery(PageSize: 500))).Value.Entries);

    [Fact]
    public async Task A_technology_registered_event_becomes_one_audit_entry_for_its_trust_even_when_delivered_twice()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        var json = TechnologyRegistered("EVA1", "evt-a1").ToJson();

        var first = await SidecarDelivery.DeliverAsync(http, route, json);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), first);
        var again = await SidecarDelivery.DeliverAsync(http, route, json);
        Assert.Equal("SUCCESS", again.Status);

        var entries = await Entries("EVA1");
        var entry = Assert.Single(entries, e => e.Type == "technology-registered");
        Assert.Equal(("evt-a1", "lead-1", "procurement-lead", "Technology/7f0c6f1e-6a52-4c3e-9d7e-2f9f1f0d9a11"),
            (entry.SourceEvent?.Id, entry.Agent.Who, entry.Agent.Role, entry.Entity.What));
        Assert.DoesNotContain(await Entries("EVA2"), e => e.SourceEvent?.Id == "evt-a1");
    }

    [Fact]
    public async Task A_bulk_delivery_enters_each_event_once_in_order_even_with_a_copy_inside_it_and_one_entered_before_past_the_inbox()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        Assert.Equal("SUCCESS", (await SidecarDelivery.DeliverAsync(http, route, TechnologyRegistered("EVB1", "evt-b1").ToJson())).Status);
        // The inbox row is purged (as an operator's retention job would): only the log's own check stands between a
        // redelivery and a second entry.
        await using (var conn = new Npgsql.NpgsqlConnection(fixture.App.Postgres.OwnerConnectionString(fixture.App.Database)))
        {
            await conn.OpenAsync();
            await using var purge = new Npgsql.NpgsqlCommand("DELETE FROM inbox_messages WHERE event_id = 'evt-b1'", conn);
            Assert.Equal(1, await purge.ExecuteNonQueryAsync());
        }

        var statuses = await DeliverBulkAsync(http, route, "procurement.technology_registered.v1",
            [.. new[] { "evt-b2", "evt-b3", "evt-b2", "evt-b1", "evt-b4" }.Select(id => TechnologyRegistered("EVB1", id).ToJson())]);
        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));

        var entries = await Entries("EVB1");
        Assert.Equal(["evt-b1", "evt-b2", "evt-b3", "evt-b4"], entries.Select(e => e.SourceEvent?.Id));
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.Sequence));
        var (size, root) = await fixture.App.InTenantAsync("EVB1", async sp =>
        {
            var head = await sp.GetRequiredService<AuditLog>().Tree().HeadAsync();
            return (head.Size, head.RootHash);
        });
        var leaves = entries.Select(AuditEntryCanonicalForm.LeafHash).ToList();
        Assert.Equal(4L, size);
        Assert.Equal(Platform.Audit.Domain.Verification.AuditLogVerifier.RootOf(leaves, 0, leaves.Count), root);
    }

    private static async Task<List<string?>> DeliverBulkAsync(HttpClient http, string route, string topic, IReadOnlyList<string> events)
    {
        var body = new StringBuilder("{\"id\":\"").Append(Guid.NewGuid()).Append("\",\"topic\":\"").Append(topic)
            .Append("\",\"pubsubname\":\"pubsub\",\"type\":\"com.dapr.event.sent.bulk\",\"metadata\":{},\"entries\":[");
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0) body.Append(',');
            body.Append("{\"entryId\":\"").Append(i).Append("\",\"contentType\":\"application/cloudevents+json\",\"metadata\":{},\"event\":").Append(events[i]).Append('}');
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body.Append("]}").ToString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("dapr-api-token", SidecarDelivery.AppApiToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status"))
            .Select(s => s.ValueKind == JsonValueKind.String ? s.GetString() : s.GetInt32() == 0 ? "SUCCESS" : s.ToString())];
    }

    [Fact]
    public async Task A_delivery_without_the_app_api_token_is_refused_and_writes_nothing()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        var noToken = await SidecarDelivery.DeliverAsync(http, route, TechnologyRegistered("EVA3", "evt-a3").ToJson(), token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Code);
        var wrongToken = await SidecarDelivery.DeliverAsync(http, route, TechnologyRegistered("EVA3", "evt-a3").ToJson(), token: "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.Code);
        Assert.DoesNotContain(await Entries("EVA3"), e => e.SourceEvent?.Id == "evt-a3");
    }

    [Fact]
    public async Task An_event_without_a_tenant_is_dropped_not_guessed()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        var reply = await SidecarDelivery.DeliverAsync(http, route, (TechnologyRegistered("EVA4", "evt-a4") with { Tenant = null }).ToJson());
        Assert.Equal((HttpStatusCode.OK, "DROP"), reply);
    }

    [Fact]
    public async Task An_event_whose_data_is_not_the_event_message_is_dropped_to_the_dead_letters()
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "procurement.technology_registered.v1");
        var bad = TechnologyRegistered("EVA5", "evt-a5") with { DataJson = """{"technologyId":42,"category":"NOT_A_CATEGORY"}""" };
        var reply = await SidecarDelivery.DeliverAsync(http, route, bad.ToJson());
        Assert.Equal((HttpStatusCode.OK, "DROP"), reply);
        Assert.DoesNotContain(await Entries("EVA5"), e => e.SourceEvent?.Id == "evt-a5");
        var letters = await fixture.App.InTenantAsync("EVA5", sp => sp.GetRequiredService<Platform.Messaging.Inbox.IDeadLetterService>().ListAsync(new Platform.Messaging.Inbox.DeadLetterQuery("EVA5")));
        Assert.Contains(letters, l => l.EventId == "evt-a5");
    }

    [Fact]
    public async Task Every_consent_and_approval_decision_becomes_an_entry_naming_the_use_or_record_and_the_agent()
    {
        using var http = fixture.App.CreateHttpClient();
        var actor = new Contracts.Common.V1.Actor { Subject = "nurse-4411", Role = "clinician" };
        var use = Guid.NewGuid().ToString();
        var record = Guid.NewGuid().ToString();
        Google.Protobuf.IMessage[] decisions =
        [
            new Contracts.Consent.V1.UseAuthorised { UseId = use, PatientId = record, Actor = actor },
            new Contracts.Consent.V1.UseSuspended { UseId = use, Actor = actor },
            new Contracts.Consent.V1.ConsentRecorded { ConsentId = record, Actor = actor },
            new Contracts.Consent.V1.GillickAssessed { AssessmentId = record, Actor = actor },
            new Contracts.Consent.V1.ProxyAuthorityRegistered { ProxyAuthorityId = record, Actor = actor },
            new Contracts.Consent.V1.UseResumed { UseId = use, Actor = actor },
            new Contracts.Consent.V1.UseEnded { UseId = use, Actor = actor },
            new Contracts.Consent.V1.ConsentWithdrawn { ConsentId = record, Actor = actor },
            new Contracts.Consent.V1.CapacityAssessed { AssessmentId = record, Actor = actor },
            new Contracts.Consent.V1.UseConsentRequired { UseId = use, Actor = actor },
            new Contracts.Consent.V1.BestInterestsDecisionRecorded { DecisionId = record, Actor = actor },
            new Contracts.Consent.V1.ReviewOverdue { UseId = use, Actor = actor },
            new Contracts.Consent.V1.BlanketUseSignalRaised { SignalId = record, Actor = actor },
            new Contracts.Procurement.V1.TechnologyApproved { TechnologyId = record, Actor = actor },
            new Contracts.Procurement.V1.TechnologyApprovalWithdrawn { TechnologyId = record, Actor = actor },
        ];
        for (var i = 0; i < decisions.Length; i++)
        {
            var name = EventName.For(decisions[i].Descriptor);
            var route = await SidecarDelivery.RouteForAsync(http, name.Topic);
            var ce = new CloudEvent
            {
                Id = $"evd-{i}", Source = "/" + name.Service, Type = name.Type, Subject = use, Time = DateTimeOffset.UtcNow, Tenant = "EVD1",
                DataJson = Google.Protobuf.JsonFormatter.Default.Format(decisions[i]),
            };
            Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, route, ce.ToJson()));
        }

        var entries = (await Entries("EVD1")).Where(e => e.SourceEvent?.Id?.StartsWith("evd-", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(decisions.Length, entries.Count);
        Assert.All(entries, e => Assert.Equal(("nurse-4411", "clinician"), (e.Agent.Who, e.Agent.Role)));
        Assert.Equal(
            ["use-authorised", "use-suspended", "consent-recorded", "gillick-assessed", "proxy-authority-registered", "use-resumed", "use-ended", "consent-withdrawn", "capacity-assessed", "use-consent-required",
             "best-interests-decision-recorded", "review-overdue", "blanket-use-signal", "technology-approved", "technology-approval-withdrawn"],
            entries.OrderBy(e => int.Parse(e.SourceEvent!.Id[4..], System.Globalization.CultureInfo.InvariantCulture)).Select(e => e.Type));
        Assert.Equal($"TechnologyUse/{use}", entries.Single(e => e.Type == "use-authorised").Entity.What);
        Assert.Equal($"Consent/{record}", entries.Single(e => e.Type == "consent-withdrawn").Entity.What);
        Assert.Equal($"Technology/{record}", entries.Single(e => e.Type == "technology-approval-withdrawn").Entity.What);
        Assert.DoesNotContain(await Entries("EVD2"), e => e.SourceEvent?.Id?.StartsWith("evd-", StringComparison.Ordinal) == true);
    }
}
