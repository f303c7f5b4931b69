using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.V1;
using Platform.Messaging.Outbox;
using Platform.Messaging.Subscriptions;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

public class CloudEventTests
{
    [Fact]
    public void Type_and_topic_derive_from_the_proto_package_and_message_name()
    {
        var credited = EventName.For<AmountCredited>();
        Assert.Equal("platform.ledger.amount_credited.v1", credited.Type);
        Assert.Equal("ledger.amount_credited.v1", credited.Topic);
        Assert.Equal("platform.messaging.dead_letter_replayed.v1", EventName.For<DeadLetterReplayed>().Type);
        Assert.Equal("dtac_passed", EventName.ToSnakeCase("DTACPassed"));
        Assert.Equal("use_authorised", EventName.ToSnakeCase("UseAuthorised"));
        Assert.Equal("step2_done", EventName.ToSnakeCase("Step2Done"));
    }

    [Fact]
    public void A_message_outside_a_platform_service_package_is_refused_with_guidance()
    {
        var e = Assert.Throws<InvalidOperationException>(() => EventName.For(Google.Protobuf.WellKnownTypes.Timestamp.Descriptor));
        Assert.Contains("platform.<service>.v<N>", e.Message);
    }

    [Fact]
    public void Structured_json_round_trips_every_attribute_and_ignores_dapr_additions()
    {
        var original = new CloudEvent
        {
            Id = "e-1", Source = "/consent", Type = "platform.consent.use_authorised.v1", Subject = "patient-9",
            Time = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero), DataSchema = "urn:proto:x",
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", Tenant = "RX4", DataJson = """{"a":1}""",
        };
        var json = original.ToJson();
        // Dapr adds its own attributes to the envelope it delivers.
        var withDapr = json[..^1] + ""","topic":"t","pubsubname":"pubsub","traceid":"x"}""";
        Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(withDapr), out var parsed, out var error), error);
        Assert.Equal(original with { DataJson = parsed!.DataJson }, parsed);
        Assert.Equal("""{"a":1}""", parsed.DataJson);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("1.0", doc.RootElement.GetProperty("specversion").GetString());
        Assert.Equal("application/json", doc.RootElement.GetProperty("datacontenttype").GetString());
        Assert.Equal("2026-11-22T01:02:03.0000000Z", doc.RootElement.GetProperty("time").GetString());
    }

    [Fact]
    public void Time_is_written_in_utc_with_seven_fraction_digits()
    {
        var e = new CloudEvent
        {
            Id = "e-2", Source = "/consent", Type = "t",
            Time = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.FromHours(1)).AddTicks(1234567),
        };
        using var doc = JsonDocument.Parse(e.ToJson());
        Assert.Equal("2026-11-22T00:02:03.1234567Z", doc.RootElement.GetProperty("time").GetString());
    }

    [Fact]
    public void Events_serialized_one_after_another_keep_their_own_content()
    {
        // The writer reuses its buffer on a thread; an outsized event, and the small one after it, must each come out whole.
        var big = new CloudEvent { Id = "big", Source = "/a", Type = "t", DataJson = $$"""{"text":"{{new string('x', 100_000)}}"}""" };
        var small = new CloudEvent { Id = "small", Source = "/a", Type = "t", DataJson = """{"n":2}""" };
        var first = small.ToJson();
        var bigJson = big.ToJson();
        var second = small.ToJson();
        Assert.Equal(first, second);
        using var doc = JsonDocument.Parse(bigJson);
        Assert.Equal(100_000, doc.RootElement.GetProperty("data").GetProperty("text").GetString()!.Length);
        Assert.Equal("big", doc.RootElement.GetProperty("id").GetString());
        Assert.Equal("""{"specversion":"1.0","id":"small","source":"/a","type":"t","datacontenttype":"application/json","data":{"n":2}}""", second);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"specversion":"0.3","id":"1","source":"/a","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","source":"/a","type":"t"}""")]
    [InlineData("[1,2]")]
    public void Malformed_envelopes_are_rejected_with_a_reason(string body)
    {
        Assert.False(CloudEvent.TryParse(Encoding.UTF8.GetBytes(body), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public async Task Publish_writes_the_cloudevent_to_the_outbox_only_when_the_state_change_commits()
    {
        var db = await TestDb.PostgresAsync();
        await using var app = await MessagingApp.StartAsync("ledger", db, new() { ["Messaging:Relay:Enabled"] = "false" }, handlers: false);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var ctx = scope.ServiceProvider.GetRequiredService<LedgerDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            await using var tx = await ctx.Database.BeginTransactionAsync();
            ctx.Accounts.Add(new Account { Id = "rolled-back", Tenant = "RX4" });
            publisher.Publish(new AmountCredited { AccountId = "rolled-back", Amount = 5, Seq = 1 }, "RX4", "rolled-back");
            await ctx.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<OutboxMessage>()));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var ctx = scope.ServiceProvider.GetRequiredService<LedgerDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            ctx.Accounts.Add(new Account { Id = "acc-1", Tenant = "RX4" });
            publisher.Publish(new AmountCredited { AccountId = "acc-1", Amount = 42, Seq = 1 }, "RX4", "acc-1");
            await ctx.SaveChangesAsync();
        }
        await using var read = db.Open();
        var row = await read.Set<OutboxMessage>().SingleAsync();
        Assert.Null(row.SentAt);
        Assert.Equal("ledger.amount_credited.v1", row.Topic);
        using var doc = JsonDocument.Parse(row.Payload);
        var ce = doc.RootElement;
        Assert.Equal("1.0", ce.GetProperty("specversion").GetString());
        Assert.Equal(row.Id.ToString(), ce.GetProperty("id").GetString());
        Assert.Equal("/ledger", ce.GetProperty("source").GetString());
        Assert.Equal("platform.ledger.amount_credited.v1", ce.GetProperty("type").GetString());
        Assert.Equal("acc-1", ce.GetProperty("subject").GetString());
        Assert.Equal("RX4", ce.GetProperty("tenant").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("urn:proto:platform.ledger.v1.AmountCredited", ce.GetProperty("dataschema").GetString());
        Assert.True(DateTimeOffset.TryParse(ce.GetProperty("time").GetString(), out _));
        // data is the protobuf JSON mapping: lowerCamelCase names, int64 as a string.
        Assert.Equal("acc-1", ce.GetProperty("data").GetProperty("accountId").GetString());
        Assert.Equal("42", ce.GetProperty("data").GetProperty("amount").GetString());
    }
}
