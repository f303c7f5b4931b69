using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Platform.Messaging.Inbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The inbox's bulk path (Dapr's <c>entries[]</c>) and what a delivery leaves for an operator (issue 21: what the mutation
/// run of the whole dispatcher found unheld): entries dropped one by one, a tenant's events in one transaction in order,
/// the entry-by-entry fallback that holds a subject behind its event to be retried, and the log lines and spans of
/// deliveries that were not handled. Deliveries go through the dispatcher the event routes call, on SQLite, with the
/// ledger's handlers; each test reads the answers, the rows left and the log.
/// </summary>
public class InboxBulkTests
{
    private const string Topic = "ledger.amount_credited.v1";
    private const string CreditType = "platform.ledger.amount_credited.v1";

    /// <summary>Counts the commits a delivery's transaction reports to its participants.</summary>
    public sealed class CommitLog
    {
        public int Committed;
    }

    public sealed class CountingParticipant(CommitLog log) : IDeliveryParticipant
    {
        public Task BeforeCommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void Committed() => Interlocked.Increment(ref log.Committed);
    }

    private sealed record Rig(MessagingApp App, TestDb Db, CommitLog Commits) : IAsyncDisposable
    {
        internal IEventDispatcher Dispatcher => App.Services.GetRequiredService<IEventDispatcher>();
        public FakeLogCollector Log => App.Services.GetFakeLogCollector();

        public List<string> Logged(LogLevel level) =>
            [.. Log.GetSnapshot().Where(r => r.Level == level && r.Category!.Contains("EventDispatcher")).Select(r => r.Message)];

        public async Task<List<Account>> AccountsAsync()
        {
            await using var read = Db.Open();
            return await read.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static async Task<Rig> StartAsync()
    {
        var db = await TestDb.SqliteAsync();
        var commits = new CommitLog();
        var app = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" }, configure: b =>
        {
            b.Logging.AddFakeLogging();
            b.Services.AddSingleton(commits);
            b.Services.AddScoped<IDeliveryParticipant, CountingParticipant>();
        });
        return new Rig(app, db, commits);
    }

    private static BulkEntry Entry(string entryId, string cloudEvent) => new(entryId, Encoding.UTF8.GetBytes(cloudEvent));

    private static string IdOf(string cloudEvent) => System.Text.Json.JsonDocument.Parse(cloudEvent).RootElement.GetProperty("id").GetString()!;

    [Fact]
    public async Task A_tenants_events_are_handled_in_one_transaction_in_order_each_handler_seeing_what_the_earlier_ones_wrote()
    {
        await using var rig = await StartAsync();

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [Entry("a", Events.Credit("acc-1", 1, 1)), Entry("b", Events.Credit("acc-1", 2, 2)), Entry("c", Events.Credit("acc-1", 4, 3))], Topic, CancellationToken.None);

        Assert.Equal([("a", DeliveryStatus.Success), ("b", DeliveryStatus.Success), ("c", DeliveryStatus.Success)], statuses);
        var account = Assert.Single(await rig.AccountsAsync());
        Assert.Equal((7L, 3, 3, 0), (account.Balance, account.Credits, account.LastSeq, account.OutOfOrder));
        Assert.Equal(1, rig.Commits.Committed);
    }

    [Fact]
    public async Task Each_tenant_of_a_bulk_delivery_gets_a_transaction_of_its_own_under_its_own_tenant()
    {
        await using var rig = await StartAsync();

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [Entry("rx4-1", Events.Credit("rx4-acc", 1, 1, tenant: "RX4")), Entry("rrp-1", Events.Credit("rrp-acc", 10, 1, tenant: "RRP")),
             Entry("rx4-2", Events.Credit("rx4-acc", 2, 2, tenant: "RX4")), Entry("rrp-2", Events.Credit("rrp-acc", 20, 2, tenant: "RRP"))],
            Topic, CancellationToken.None);

        Assert.Equal(["rx4-1", "rrp-1", "rx4-2", "rrp-2"], statuses.Select(s => s.EntryId));
        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        Assert.Equal([("rrp-acc", "RRP", 30L), ("rx4-acc", "RX4", 3L)], (await rig.AccountsAsync()).Select(a => (a.Id, a.Tenant, a.Balance)));
        Assert.Equal(2, rig.Commits.Committed);
    }

    [Fact]
    public async Task Entries_that_cannot_be_handled_are_dropped_each_with_a_dead_letter_and_the_rest_of_the_delivery_is_handled()
    {
        await using var rig = await StartAsync();
        var unknown = Events.Of(new AccountClosed { AccountId = "acc-1" }, "acc-1");

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [Entry("good-1", Events.Credit("acc-1", 1, 1)), Entry("malformed", "{ not json"), Entry("unknown", unknown),
             Entry("tenantless", Events.Credit("acc-2", 3, 1, tenant: null!)), Entry("good-2", Events.Credit("acc-1", 2, 2))],
            Topic, CancellationToken.None);

        Assert.Equal([("good-1", DeliveryStatus.Success), ("malformed", DeliveryStatus.Drop), ("unknown", DeliveryStatus.Drop),
            ("tenantless", DeliveryStatus.Drop), ("good-2", DeliveryStatus.Success)], statuses);
        await using var read = rig.Db.Open();
        var letters = await read.Set<DeadLetter>().AsNoTracking().ToListAsync();
        Assert.Equal(3, letters.Count);
        Assert.Contains(letters, d => d.Payload == "{ not json" && d.Reason.StartsWith("malformed CloudEvent: ", StringComparison.Ordinal));
        Assert.Contains(letters, d => d.EventId == IdOf(unknown) && d.Reason == "no handler for event type 'platform.ledger.account_closed.v1'");
        Assert.Contains(letters, d => d.Reason == "the event carries no tenant attribute");
        Assert.Equal(3L, Assert.Single(await rig.AccountsAsync()).Balance);
        Assert.Equal(1, rig.Commits.Committed);
    }

    [Fact]
    public async Task When_a_tenants_transaction_fails_each_event_is_handled_alone_and_a_subject_waits_behind_its_event_to_retry_not_behind_a_dropped_one()
    {
        await using var rig = await StartAsync();
        var faults = rig.App.Faults;
        faults.FailingAccounts["acc-bad"] = true;
        var counts = new ConcurrentDictionary<string, long>();
        var factory = rig.App.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == MessagingMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var label = string.Join(",", tags.ToArray().Where(t => t.Key != "service").Select(t => t.Value));
            counts.AddOrUpdate($"{instrument.Name}[{label}]", value, (_, n) => n + value);
        });
        listener.Start();
        var fails = Events.Credit("acc-bad", 1, 1);
        var behind = Events.Credit("acc-bad", 2, 2);
        var poison = Events.Note("acc-2", "poison");

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [Entry("fails", fails), Entry("behind", behind), Entry("poison", poison), Entry("after-poison", Events.Note("acc-2", "after")),
             Entry("other", Events.Credit("acc-1", 5, 1))], Topic, CancellationToken.None);

        Assert.Equal([("fails", DeliveryStatus.Retry), ("behind", DeliveryStatus.Retry), ("poison", DeliveryStatus.Drop),
            ("after-poison", DeliveryStatus.Success), ("other", DeliveryStatus.Success)], statuses);
        // The batch's run stopped at its first event; then each alone, except the one held behind it.
        Assert.Equal(5, faults.HandlerCalls);
        Assert.DoesNotContain(faults.Envelopes, e => e.Id == IdOf(behind));
        Assert.Equal(2, rig.Commits.Committed);
        Assert.Equal(2L, counts.GetValueOrDefault($"platform.messaging.inbox.retry[{CreditType}]"));
        Assert.Equal(["A batch of 5 events for one tenant failed (the ledger store is busy); handling them one by one"], rig.Logged(LogLevel.Information));
        Assert.Equal(
            [$"Event {IdOf(fails)} from /ledger of type {CreditType} failed; answering RETRY",
             $"Dropping event {IdOf(poison)} from /ledger of type platform.ledger.note_added.v1 on {Topic}: rejected by handler: notes may not say poison"],
            rig.Logged(LogLevel.Warning));
    }

    [Fact]
    public async Task A_lone_entry_of_a_bulk_delivery_is_handled_once_in_its_own_transaction_even_when_it_fails()
    {
        await using var rig = await StartAsync();
        rig.App.Faults.FailingAccounts["acc-bad"] = true;

        var statuses = await rig.Dispatcher.DispatchBulkAsync([Entry("only", Events.Credit("acc-bad", 1, 1))], Topic, CancellationToken.None);

        Assert.Equal([("only", DeliveryStatus.Retry)], statuses);
        Assert.Equal(1, rig.App.Faults.HandlerCalls); // no batch run before it to fall back from
        Assert.Empty(rig.Logged(LogLevel.Information));
    }

    [Fact]
    public async Task Data_with_a_field_this_subscriber_does_not_know_yet_is_handled_not_dropped()
    {
        await using var rig = await StartAsync();
        // A publisher a version ahead added a field to the event's data.
        var newer = Events.Credit("acc-1", 5, 1).Replace("\"accountId\"", "\"addedLater\":\"x\",\"accountId\"");
        Assert.Contains("addedLater", newer);

        var outcome = await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(newer), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Success, outcome.Status);
        Assert.Equal(5L, Assert.Single(await rig.AccountsAsync()).Balance);
    }

    [Fact]
    public async Task A_delivery_whose_dead_letter_cannot_be_stored_is_logged_as_an_error_naming_the_event()
    {
        await using var rig = await StartAsync();
        await using (var ctx = rig.Db.Open()) await ctx.Database.ExecuteSqlRawAsync("DROP TABLE dead_letters");
        var poison = Events.Note("acc-1", "poison");

        var outcome = await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(poison), "ledger.note_added.v1", CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        var error = Assert.Single(rig.Log.GetSnapshot(), r => r.Level == LogLevel.Error && r.Category!.Contains("EventDispatcher"));
        Assert.Equal($"Could not store dead letter for event {IdOf(poison)}; answering RETRY", error.Message);
        Assert.Contains("dead_letters", error.Exception?.Message);
    }

    [Fact]
    public async Task The_span_of_a_delivery_that_was_not_handled_is_marked_failed_with_its_answer_and_why()
    {
        await using var rig = await StartAsync();
        var good = Events.Credit("acc-1", 1, 1);
        var poison = Events.Note("acc-1", "poison");
        var mine = new HashSet<string> { IdOf(good), IdOf(poison) };
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Platform.Messaging",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem("messaging.message.id") is string id && mine.Contains(id)) spans.Add(a);
            },
        };
        ActivitySource.AddActivityListener(listener);

        await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(good), Topic, CancellationToken.None);
        await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(poison), "ledger.note_added.v1", CancellationToken.None);

        var handled = Assert.Single(spans, a => (string?)a.GetTagItem("messaging.message.id") == IdOf(good));
        Assert.Equal(ActivityStatusCode.Unset, handled.Status);
        Assert.Null(handled.GetTagItem("platform.messaging.delivery_status"));
        var dropped = Assert.Single(spans, a => (string?)a.GetTagItem("messaging.message.id") == IdOf(poison));
        Assert.Equal((ActivityStatusCode.Error, "rejected by handler: notes may not say poison", "DROP"),
            (dropped.Status, dropped.StatusDescription, dropped.GetTagItem("platform.messaging.delivery_status") as string));
    }
}
