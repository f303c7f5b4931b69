using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;
using static Platform.Messaging.Tests.LocalTransportTests;

namespace Platform.Messaging.Tests;

/// <summary>
/// Dapr bulk subscribe and bulk publish (ADR 0005), over real HTTP on loopback against real PostgreSQL: the fake sidecar
/// plays Dapr's documented bulk role; the relay's local transport plays it too. Every test counts entries in and out.
/// </summary>
public class BulkDeliveryTests
{
    private static readonly Dictionary<string, string?> Subscriber = new() { ["Messaging:Relay:Enabled"] = "false" };

    private static async Task<(MessagingApp App, FakeDaprSidecar Sidecar)> SubscriberWithSidecarAsync(TestDb db, Dictionary<string, string?>? config = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        var app = await MessagingApp.StartAsync("reports", db, config ?? Subscriber, configure: configure);
        var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = app.BaseUrl;
        return (app, sidecar);
    }

    [Fact]
    public async Task Discovery_advertises_bulk_subscribe_on_every_topic_subscription_and_not_on_the_dead_letter_route()
    {
        var db = await TestDb.PostgresAsync();
        var (app, sidecar) = await SubscriberWithSidecarAsync(db);
        await using var appLease = app;
        await using var sidecarLease = sidecar;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{app.BaseUrl}/dapr/subscribe");
        request.Headers.Add("dapr-api-token", MessagingApp.Token);
        using var doc = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        var entries = doc.RootElement.EnumerateArray().ToList();

        foreach (var topic in new[] { "ledger.amount_credited.v1", "ledger.note_added.v1" })
        {
            var bulk = entries.Single(e => e.GetProperty("topic").GetString() == topic).GetProperty("bulkSubscribe");
            Assert.True(bulk.GetProperty("enabled").GetBoolean());
            Assert.Equal(100, bulk.GetProperty("maxMessagesCount").GetInt32());
            Assert.Equal(100, bulk.GetProperty("maxAwaitDurationMs").GetInt32());
        }
        Assert.False(entries.Single(e => e.GetProperty("topic").GetString() == "reports.dead_letter.v1").TryGetProperty("bulkSubscribe", out _));
        Assert.All(await sidecar.DiscoverAsync(), s => Assert.Equal(s.DeadLetterTopic is not null, s.BulkSubscribe?.Enabled == true));

        // Turned off, the subscriptions say nothing about bulk (the routes still take both shapes).
        var offDb = await TestDb.PostgresAsync();
        await using var off = await MessagingApp.StartAsync("reports", offDb, new(Subscriber) { ["Messaging:BulkSubscribe:Enabled"] = "false" });
        sidecar.AppBaseUrl = off.BaseUrl;
        Assert.All(await sidecar.DiscoverAsync(), s => Assert.Null(s.BulkSubscribe));
        Assert.Equal("SUCCESS", (await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", [("e1", Events.Credit("acc-1", 5, 1))], MessagingApp.Token)).Statuses["e1"]);
    }

    [Fact]
    public async Task A_batch_of_good_duplicate_malformed_rejected_and_failing_entries_gets_one_honest_status_per_entry()
    {
        var db = await TestDb.PostgresAsync();
        var (app, sidecar) = await SubscriberWithSidecarAsync(db);
        await using var appLease = app;
        await using var sidecarLease = sidecar;
        var handledBefore = Events.Credit("acc-9", 100, 1);
        Assert.Equal("SUCCESS", (await sidecar.PostAsync(Events.CreditRoute, handledBefore, MessagingApp.Token)).Status);
        app.Faults.FailingAccounts["acc-bad"] = true;
        var copied = Events.Credit("acc-2", 20, 1);

        var entries = new (string EntryId, string Event, string Expected)[]
        {
            ("good-1", Events.Credit("acc-1", 1, 1), "SUCCESS"),
            ("good-2", Events.Credit("acc-1", 2, 2), "SUCCESS"),
            ("copy-a", copied, "SUCCESS"),
            ("copy-b", copied, "SUCCESS"),                                                  // the same event twice in one batch
            ("seen", handledBefore, "SUCCESS"),                                             // already in the inbox
            ("malformed", "{ this is not json", "DROP"),
            ("unknown", Events.Of(new AccountClosed { AccountId = "acc-1" }, "acc-1"), "DROP"),
            ("tenantless", Events.Credit("acc-3", 3, 1, tenant: null!), "DROP"),
            ("poison", Events.Note("acc-1", "poison"), "DROP"),                              // rejected by its handler
            ("fails", Events.Credit("acc-bad", 7, 1), "RETRY"),                             // transient fault
            ("behind", Events.Credit("acc-bad", 8, 2), "RETRY"),                            // waits for its aggregate's earlier event
            ("good-3", Events.Credit("acc-1", 4, 3), "SUCCESS"),
            ("note", Events.Note("acc-1", "hello"), "SUCCESS"),
        };
        var callsBefore = app.Faults.HandlerCalls;
        var (code, statuses) = await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", entries.Select(e => (e.EntryId, e.Event)), MessagingApp.Token);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(entries.Length, statuses.Count); // every entry in, one status out
        foreach (var (entryId, _, expected) in entries) Assert.True(statuses[entryId] == expected, $"{entryId}: expected {expected}, got {statuses[entryId]}");

        var accounts = await LedgerData.AccountsAsync(db);
        Assert.Equal(7, accounts.Single(a => a.Id == "acc-1").Balance);
        Assert.Equal(0, accounts.Single(a => a.Id == "acc-1").OutOfOrder);
        Assert.Equal(20, accounts.Single(a => a.Id == "acc-2").Balance);
        Assert.Equal(100, accounts.Single(a => a.Id == "acc-9").Balance);
        Assert.DoesNotContain(accounts, a => a.Id == "acc-bad");
        await using var read = db.Open();
        Assert.Equal(["hello"], await read.Notes.Select(n => n.Text).ToListAsync());
        // In: 13 entries, 12 distinct events. Out: 5 newly handled + 1 seen before (6 inbox rows), 4 dead letters, 2 to retry.
        Assert.Equal(6, await read.Set<InboxMessage>().CountAsync());
        Assert.Equal(4, await read.Set<DeadLetter>().CountAsync());
        Assert.Equal(0, await read.Set<InboxMessage>().CountAsync(m => m.EventId == JsonDocument.Parse(entries[9].Event).RootElement.GetProperty("id").GetString()));
        // The event behind the failing one never reached its handler: 1 (failing) + 1 (its retry alone) + the batch's others.
        Assert.DoesNotContain(app.Faults.Envelopes, e => e.Id == JsonDocument.Parse(entries[10].Event).RootElement.GetProperty("id").GetString());
        Assert.True(app.Faults.HandlerCalls > callsBefore);

        // The sidecar redelivers the RETRY entries once the fault is gone: both handled, in order.
        app.Faults.FailingAccounts.Clear();
        var retry = await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", entries.Where(e => e.Expected == "RETRY").Select(e => (e.EntryId, e.Event)), MessagingApp.Token);
        Assert.All(retry.Statuses.Values, s => Assert.Equal("SUCCESS", s));
        var bad = (await LedgerData.AccountsAsync(db)).Single(a => a.Id == "acc-bad");
        Assert.Equal(15, bad.Balance);
        Assert.Equal(0, bad.OutOfOrder);
    }

    [Fact]
    public async Task Redelivery_of_a_whole_batch_is_a_no_op_success()
    {
        var db = await TestDb.PostgresAsync();
        var (app, sidecar) = await SubscriberWithSidecarAsync(db);
        await using var appLease = app;
        await using var sidecarLease = sidecar;
        var batch = LedgerData.Credits(accounts: 4, perAccount: 5).Select((c, i) => ($"e{i}", Events.Credit(c.AccountId, c.Amount, c.Seq))).ToList();

        var first = await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", batch, MessagingApp.Token);
        var calls = app.Faults.HandlerCalls;
        var second = await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", batch, MessagingApp.Token);

        Assert.Equal(20, first.Statuses.Count);
        Assert.All(first.Statuses.Values, s => Assert.Equal("SUCCESS", s));
        Assert.Equal(20, second.Statuses.Count);
        Assert.All(second.Statuses.Values, s => Assert.Equal("SUCCESS", s));
        Assert.Equal(20, calls);
        Assert.Equal(calls, app.Faults.HandlerCalls); // the redelivery reached no handler
        var accounts = await LedgerData.AccountsAsync(db);
        Assert.Equal(4, accounts.Count);
        Assert.All(accounts, a => Assert.Equal(LedgerData.ExpectedBalance(5), a.Balance));
        Assert.All(accounts, a => Assert.Equal(0, a.OutOfOrder));
        Assert.Equal(20, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));
    }

    [Fact]
    public async Task Entries_of_two_tenants_in_one_batch_each_land_under_their_own_tenant_and_row_level_security_hides_them_from_the_other()
    {
        var db = await TestDb.PostgresAsync();
        await TenantIsolation.EnableAsync(db);
        var (app, sidecar) = await SubscriberWithSidecarAsync(db, configure: TenantIsolation.Use);
        await using var appLease = app;
        await using var sidecarLease = sidecar;
        // Interleaved: RX4, RRP, RX4, RRP, ... in one delivery.
        var batch = Enumerable.Range(1, 6).SelectMany(seq => new[]
        {
            ($"rx4-{seq}", Events.Credit("rx4-acc", seq, seq, tenant: "RX4")),
            ($"rrp-{seq}", Events.Credit("rrp-acc", seq * 10, seq, tenant: "RRP")),
        }).Append(("rx4-note", Events.Note("rx4-acc", "for RX4 only", tenant: "RX4")))
          .Append(("rrp-note", Events.Note("rrp-acc", "for RRP only", tenant: "RRP"))).ToList();

        var (code, statuses) = await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", batch, MessagingApp.Token);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(14, statuses.Count);
        Assert.All(statuses.Values, s => Assert.Equal("SUCCESS", s));
        Assert.Equal([("rx4-acc", "RX4")], await TenantIsolation.VisibleAsync(db, "accounts", "RX4"));
        Assert.Equal([("rrp-acc", "RRP")], await TenantIsolation.VisibleAsync(db, "accounts", "RRP"));
        Assert.Empty(await TenantIsolation.VisibleAsync(db, "accounts", null));
        Assert.Equal([("for RX4 only", "RX4")], await TenantIsolation.VisibleAsync(db, "notes", "RX4"));
        Assert.Equal([("for RRP only", "RRP")], await TenantIsolation.VisibleAsync(db, "notes", "RRP"));
        // Each tenant's events went through scopes of that tenant only.
        Assert.All(app.Faults.Envelopes, e => Assert.Equal(e.Subject!.StartsWith("rx4") ? "RX4" : "RRP", e.Tenant));
        await using var owner = new Npgsql.NpgsqlConnection(db.OwnerConnectionString);
        await owner.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT \"Id\", \"Tenant\", \"Balance\" FROM accounts ORDER BY 1", owner);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, long)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        Assert.Equal([("rrp-acc", "RRP", 210L), ("rx4-acc", "RX4", 21L)], rows);
        Assert.Equal(14, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));
    }

    [Fact]
    public async Task A_bulk_delivery_without_the_app_api_token_is_refused_and_writes_nothing()
    {
        var db = await TestDb.PostgresAsync();
        var (app, sidecar) = await SubscriberWithSidecarAsync(db);
        await using var appLease = app;
        await using var sidecarLease = sidecar;
        var batch = new[] { ("e1", Events.Credit("acc-1", 5, 1)), ("e2", "{ not json") };

        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", batch, token: null)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", batch, token: "guess")).Code);
        Assert.Empty(await LedgerData.AccountsAsync(db));
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<DeadLetter>()));
    }

    [Fact]
    public async Task The_relay_delivers_in_bulk_to_a_subscriber_that_advertises_it_and_one_by_one_to_one_that_does_not()
    {
        var bulkDb = await TestDb.PostgresAsync();
        var singleDb = await TestDb.PostgresAsync();
        await using var bulk = await MessagingApp.StartAsync("reports", bulkDb, new(Subscriber) { ["Messaging:BulkSubscribe:MaxMessagesCount"] = "7" });
        await using var single = await MessagingApp.StartAsync("audit", singleDb, new(Subscriber) { ["Messaging:BulkSubscribe:Enabled"] = "false" });
        var ledgerDb = await TestDb.PostgresAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb, LocalPublisher(bulk.BaseUrl, single.BaseUrl), handlers: false);
        var credits = LedgerData.Credits(accounts: 6, perAccount: 10);

        await ledger.PublishAsync([.. credits, new NoteAdded { AccountId = "acc-000", Text = "hello" }]);

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(ledgerDb, c => c.Set<OutboxMessage>().Where(m => m.SentAt == null)) == 0, "the outbox drains");
        foreach (var (app, db) in new[] { (bulk, bulkDb), (single, singleDb) })
        {
            Assert.Equal(61, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));
            var accounts = await LedgerData.AccountsAsync(db);
            Assert.Equal(6, accounts.Count);
            Assert.All(accounts, a => Assert.Equal(LedgerData.ExpectedBalance(10), a.Balance));
            Assert.All(accounts, a => Assert.Equal(0, a.OutOfOrder));
            Assert.Equal(61, app.Deliveries.Count); // no faults: each event exactly once
        }
        Assert.True(bulk.BulkRequests >= 61 / 7, $"bulk deliveries of at most 7: {bulk.BulkRequests}");
        Assert.Equal(0, single.BulkRequests);
        await using var read = ledgerDb.Open();
        Assert.Equal(0, await read.Set<OutboxMessage>().SumAsync(m => m.Attempts));
    }

    [Fact]
    public async Task An_outbox_row_that_is_not_json_is_dead_lettered_by_the_subscriber_and_its_neighbours_in_the_same_bulk_delivery_are_handled()
    {
        var reportsDb = await TestDb.PostgresAsync();
        await using var reports = await MessagingApp.StartAsync("reports", reportsDb, Subscriber);
        var ledgerDb = await TestDb.PostgresAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb, new(LocalPublisher(reports.BaseUrl)) { ["Messaging:Relay:Enabled"] = "false" }, handlers: false);
        await ledger.PublishAsync(LedgerData.Credits(accounts: 3, perAccount: 3));
        await using (var ctx = ledgerDb.Open())
        {
            var victim = await ctx.Set<OutboxMessage>().OrderBy(m => m.Sequence).FirstAsync(m => m.Subject == "acc-001");
            victim.Payload = "{ this row was damaged";
            await ctx.SaveChangesAsync();
        }
        var relay = new OutboxRelay<LedgerDbContext>(ledger.Services.GetRequiredService<IServiceScopeFactory>(), ledger.Services.GetRequiredService<IEventTransport>(),
            ledger.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MessagingOptions>>(), ledger.Services.GetRequiredService<MessagingMetrics>(),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelay<LedgerDbContext>>.Instance);

        var result = await relay.RunOnceAsync(CancellationToken.None);

        // In: 9 rows. Out: 9 sent (8 handled, 1 dead-lettered by the subscriber as malformed), in one bulk request.
        Assert.Equal(9, result.Sent);
        Assert.Equal(0, await LedgerData.CountAsync(ledgerDb, c => c.Set<OutboxMessage>().Where(m => m.SentAt == null)));
        Assert.Equal(1, reports.BulkRequests);
        Assert.Equal(8, await LedgerData.CountAsync(reportsDb, c => c.Set<InboxMessage>()));
        await using var read = reportsDb.Open();
        var letter = Assert.Single(await read.Set<DeadLetter>().ToListAsync());
        Assert.Equal("{ this row was damaged", letter.Payload);
        Assert.StartsWith("malformed", letter.Reason);
    }

    [Fact]
    public async Task Bulk_publish_to_the_sidecar_retries_only_its_failed_entries_and_never_puts_two_events_of_one_subject_in_a_request()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        var failOnce = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // The broker fails every event of acc-001 the first time it sees it.
        sidecar.BulkPublishFails = ev =>
        {
            using var doc = JsonDocument.Parse(ev);
            var id = doc.RootElement.GetProperty("id").GetString()!;
            return doc.RootElement.GetProperty("subject").GetString() == "acc-001" && failOnce.AddOrUpdate(id, 1, (_, n) => n + 1) == 1;
        };
        var db = await TestDb.PostgresAsync();
        await using var publisher = await MessagingApp.StartAsync("ledger", db, new()
        {
            ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint,
            ["Messaging:Dapr:BulkPublish"] = "true",
            ["Messaging:Dapr:TtlInSeconds"] = "60",
        }, handlers: false);

        await publisher.PublishAsync(LedgerData.Credits(accounts: 3, perAccount: 4));

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(db, c => c.Set<OutboxMessage>().Where(m => m.SentAt == null)) == 0, "the outbox drains");
        Assert.Empty(sidecar.Published); // nothing went through the single publish API
        var requests = sidecar.BulkPublished.ToList();
        Assert.All(requests, r =>
        {
            Assert.Equal("pubsub", r.PubSub);
            Assert.Equal("ledger.amount_credited.v1", r.Topic);
            Assert.Equal("false", r.Metadata["rawPayload"]);
            Assert.Equal("60", r.Metadata["ttlInSeconds"]);
            Assert.All(r.Entries, e => Assert.Equal("application/cloudevents+json", e.ContentType));
            var subjects = r.Entries.Select(e => JsonDocument.Parse(e.Event).RootElement.GetProperty("subject").GetString()).ToList();
            Assert.Equal(subjects.Count, subjects.Distinct().Count());
            // Dapr.Client numbers the entries of a call itself.
            Assert.Equal(r.Entries.Count, r.Entries.Select(e => e.EntryId).Distinct().Count());
        });
        // In: 12 events. Out: acc-001's 4 published twice (failed, then taken), the other 8 once; in each account's order.
        var taken = requests.SelectMany(r => r.Entries).GroupBy(e => JsonDocument.Parse(e.Event).RootElement.GetProperty("id").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(12, taken.Count);
        Assert.Equal(4, taken.Values.Count(n => n == 2));
        Assert.Equal(8, taken.Values.Count(n => n == 1));
        await using var read = db.Open();
        var rows = await read.Set<OutboxMessage>().OrderBy(m => m.Sequence).ToListAsync();
        Assert.All(rows.Where(m => m.Subject == "acc-001"), m => Assert.Equal(1, m.Attempts));
        Assert.All(rows.Where(m => m.Subject != "acc-001"), m => Assert.Equal(0, m.Attempts));
        var order = requests.SelectMany(r => r.Entries).Select(e => JsonDocument.Parse(e.Event).RootElement)
            .Where(e => e.GetProperty("subject").GetString() == "acc-002").Select(e => e.GetProperty("data").GetProperty("seq").GetInt32()).ToList();
        Assert.Equal([1, 2, 3, 4], order);
    }
}
