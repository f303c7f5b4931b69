using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Inbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The inbox's rules that the mutation run found unheld (issue 21): a handler that loses a race runs again a bounded
/// number of times, a caller's cancellation stops the delivery and answers nothing, a dead letter keeps the whole event
/// once, a delivery whose dead letter cannot be stored is asked for again, participants write inside the delivery's
/// transaction and hear of its commit, and the meter counts each outcome. Deliveries go through the dispatcher the
/// event routes call, on SQLite; each test reads the answer and the rows left.
/// </summary>
public class InboxRuleTests
{
    private const string Topic = "ledger.account_closed.v1";

    /// <summary>What the closing handler does on its next calls.</summary>
    public sealed class Script
    {
        public int ConflictsLeft;
        public int Calls;
        public string? Reject;
        public bool ThrowOwnCancellation;
        public TaskCompletionSource? Gate;
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class ClosingHandler(LedgerDbContext db, Script script) : IEventHandler<AccountClosed>
    {
        public async Task HandleAsync(AccountClosed message, EventEnvelope envelope, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref script.Calls);
            script.Entered.TrySetResult();
            if (script.Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            if (script.Reject is { } reason) throw new EventRejectedException(reason);
            // A timeout of the handler's own (an HTTP call, say), not the caller's cancellation.
            if (script.ThrowOwnCancellation) throw new TaskCanceledException("the registry did not answer in time");
            db.Notes.Add(new Note { Id = Guid.NewGuid(), AccountId = message.AccountId, Tenant = envelope.Tenant, Text = "closed" });
            await db.SaveChangesAsync(cancellationToken);
            if (Interlocked.Decrement(ref script.ConflictsLeft) >= 0) throw new DbUpdateConcurrencyException("the account changed meanwhile");
        }
    }

    /// <summary>Writes a note in the delivery's transaction and counts the commits it hears of.</summary>
    public sealed class Participant(LedgerDbContext db, ParticipantLog log) : IDeliveryParticipant
    {
        public Task BeforeCommitAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref log.BeforeCommit);
            db.Notes.Add(new Note { Id = Guid.NewGuid(), AccountId = "participant", Tenant = "RX4", Text = "deferred" });
            return Task.CompletedTask;
        }

        public void Committed() => Interlocked.Increment(ref log.Committed);
    }

    public sealed class ParticipantLog
    {
        public int BeforeCommit;
        public int Committed;
    }

    private sealed record Rig(MessagingApp App, TestDb Db, Script Script, ParticipantLog Log, FakeTimeProvider Clock) : IAsyncDisposable
    {
        internal IEventDispatcher Dispatcher => App.Services.GetRequiredService<IEventDispatcher>();

        public async Task<List<DeadLetter>> LettersAsync()
        {
            await using var read = Db.Open();
            return await read.Set<DeadLetter>().AsNoTracking().OrderBy(d => d.ReceivedAt).ToListAsync();
        }

        /// <summary>Inbox rows, and the notes' texts in order, comma-separated.</summary>
        public async Task<(int Inbox, string Notes)> RowsAsync()
        {
            await using var read = Db.Open();
            return (await read.Set<InboxMessage>().CountAsync(), string.Join(",", await read.Notes.OrderBy(n => n.Text).Select(n => n.Text).ToListAsync()));
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static async Task<Rig> StartAsync(bool participant = false)
    {
        var db = await TestDb.SqliteAsync();
        var script = new Script();
        var log = new ParticipantLog();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var app = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" }, configure: b =>
        {
            b.Services.AddSingleton(script);
            b.Services.AddSingleton(log);
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.AddEventHandler<AccountClosed, ClosingHandler>();
            if (participant) b.Services.AddScoped<IDeliveryParticipant, Participant>();
        });
        return new Rig(app, db, script, log, clock);
    }

    private static byte[] Closed(string account, string? id = null, string? tenant = "RX4") =>
        Encoding.UTF8.GetBytes(Events.Of(new AccountClosed { AccountId = account }, account, tenant, id));

    [Theory]
    [InlineData(0, "Success", 1)]
    [InlineData(2, "Success", 3)] // two lost races: the third run commits
    [InlineData(3, "Retry", 3)]   // three: the sender is asked to deliver again
    public async Task A_handler_that_loses_a_race_runs_again_on_fresh_state_at_most_three_times(int conflicts, string status, int calls)
    {
        await using var rig = await StartAsync();
        rig.Script.ConflictsLeft = conflicts;

        var outcome = await rig.Dispatcher.DispatchAsync(Closed("acc-1"), Topic, CancellationToken.None);

        Assert.Equal((Enum.Parse<DeliveryStatus>(status), false), (outcome.Status, outcome.Duplicate));
        Assert.Equal(calls, rig.Script.Calls);
        // Each lost race rolled back its note: one note if it committed, none if not.
        Assert.Equal(status == "Success" ? (1, "closed") : (0, ""), await rig.RowsAsync());
        Assert.Empty(await rig.LettersAsync());
    }

    [Fact]
    public async Task A_caller_that_cancels_stops_the_delivery_which_answers_nothing_and_writes_nothing()
    {
        await using var rig = await StartAsync();
        rig.Script.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var delivery = rig.Dispatcher.DispatchAsync(Closed("acc-1"), Topic, cancel.Token);
        await rig.Script.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
        Assert.Equal((0, ""), await rig.RowsAsync());
        Assert.Empty(await rig.LettersAsync());
    }

    [Fact]
    public async Task A_handlers_own_timeout_is_a_transient_fault_answered_retry()
    {
        await using var rig = await StartAsync();
        rig.Script.ThrowOwnCancellation = true;

        var outcome = await rig.Dispatcher.DispatchAsync(Closed("acc-1"), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal("the registry did not answer in time", outcome.Reason);
        Assert.Equal((0, ""), await rig.RowsAsync());
        Assert.Empty(await rig.LettersAsync());
    }

    [Fact]
    public async Task A_dead_letter_keeps_the_whole_event_and_2000_characters_of_the_reason_once_until_it_is_replayed()
    {
        await using var rig = await StartAsync();
        rig.Script.Reject = new string('r', 3000);
        var body = Closed("acc-7", id: "ev-7", tenant: "RRP");

        var first = await rig.Dispatcher.DispatchAsync(body, Topic, CancellationToken.None);
        rig.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await rig.Dispatcher.DispatchAsync(body, Topic, CancellationToken.None);

        Assert.Equal((DeliveryStatus.Drop, DeliveryStatus.Drop), (first.Status, again.Status));
        var letter = Assert.Single(await rig.LettersAsync()); // the redelivery found it already waiting for an operator
        Assert.Equal(("ev-7", "/ledger", "platform.ledger.account_closed.v1", Topic, "RRP", "acc-7"),
            (letter.EventId, letter.Source, letter.Type, letter.Topic, letter.Tenant, letter.Subject));
        Assert.Equal(Encoding.UTF8.GetString(body), letter.Payload);
        Assert.Equal(2000, letter.Reason.Length);
        Assert.StartsWith("rejected by handler: rrr", letter.Reason);
        Assert.Equal(new DateTime(2026, 12, 3, 9, 0, 0), letter.ReceivedAt);
        Assert.Null(letter.ReplayedAt);

        // Once an operator has replayed it, a new failure is a new letter.
        await using (var ctx = rig.Db.Open())
        {
            await ctx.Set<DeadLetter>().ExecuteUpdateAsync(s => s.SetProperty(d => d.ReplayedAt, new DateTime(2026, 12, 3, 9, 0, 30)));
        }
        Assert.Equal(DeliveryStatus.Drop, (await rig.Dispatcher.DispatchAsync(body, Topic, CancellationToken.None)).Status);
        Assert.Equal(2, (await rig.LettersAsync()).Count);
        Assert.Equal(3, rig.Script.Calls);

        // Another event of the same source is a letter of its own.
        Assert.Equal(DeliveryStatus.Drop, (await rig.Dispatcher.DispatchAsync(Closed("acc-8", id: "ev-8", tenant: "RRP"), Topic, CancellationToken.None)).Status);
        Assert.Equal(["ev-7", "ev-7", "ev-8"], (await rig.LettersAsync()).Select(d => d.EventId).Order());
    }

    [Fact]
    public async Task A_tenant_attribute_of_blanks_is_no_tenant_and_the_event_is_dropped()
    {
        await using var rig = await StartAsync();

        var outcome = await rig.Dispatcher.DispatchAsync(Closed("acc-1", tenant: "  "), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Drop, outcome.Status);
        Assert.Equal("the event carries no tenant attribute", Assert.Single(await rig.LettersAsync()).Reason);
        Assert.Equal(0, rig.Script.Calls);
    }

    [Fact]
    public async Task An_event_whose_dead_letter_cannot_be_stored_is_asked_for_again_not_dropped()
    {
        await using var rig = await StartAsync();
        await using (var ctx = rig.Db.Open()) await ctx.Database.ExecuteSqlRawAsync("DROP TABLE dead_letters");

        var outcome = await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(Events.Credit("acc-1", 1, 1).Replace("amount_credited", "amount_refunded")), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal("no handler for event type 'platform.ledger.amount_refunded.v1'", outcome.Reason);
    }

    [Fact]
    public async Task An_event_on_the_dead_letter_topic_is_stored_once_unless_it_was_handled_meanwhile()
    {
        await using var rig = await StartAsync();
        var handled = Closed("acc-1", id: "handled");
        Assert.Equal(DeliveryStatus.Success, (await rig.Dispatcher.DispatchAsync(handled, Topic, CancellationToken.None)).Status);

        var late = await rig.Dispatcher.StoreDeadLetterAsync(handled, "reports.dead_letter.v1", CancellationToken.None);
        var exhausted = await rig.Dispatcher.StoreDeadLetterAsync(Closed("acc-2", id: "exhausted"), "reports.dead_letter.v1", CancellationToken.None);
        rig.Clock.Advance(TimeSpan.FromSeconds(1));
        var garbage = await rig.Dispatcher.StoreDeadLetterAsync(Encoding.UTF8.GetBytes("not an event"), "reports.dead_letter.v1", CancellationToken.None);

        Assert.Equal((DeliveryStatus.Success, true), (late.Status, late.Duplicate));
        Assert.Equal((DeliveryStatus.Success, false), (exhausted.Status, exhausted.Duplicate));
        Assert.Equal(DeliveryStatus.Success, garbage.Status);
        var letters = await rig.LettersAsync();
        Assert.Equal(["exhausted", ""], letters.Select(d => d.EventId));
        Assert.All(letters, d => Assert.Equal("delivery attempts exhausted", d.Reason));
        Assert.Equal(("not an event", "", "", ""), (letters[1].Payload, letters[1].Source, letters[1].Type, letters[1].Tenant));
    }

    [Fact]
    public async Task A_participant_writes_in_the_deliverys_transaction_and_hears_of_its_commit_only()
    {
        await using var rig = await StartAsync(participant: true);

        // One event: handler and participant commit together.
        Assert.Equal(DeliveryStatus.Success, (await rig.Dispatcher.DispatchAsync(Closed("acc-1", id: "one"), Topic, CancellationToken.None)).Status);
        Assert.Equal((1, "closed,deferred"), await rig.RowsAsync());
        Assert.Equal((1, 1), (rig.Log.BeforeCommit, rig.Log.Committed));

        // A redelivery is not handled: the participant is not called.
        Assert.True((await rig.Dispatcher.DispatchAsync(Closed("acc-1", id: "one"), Topic, CancellationToken.None)).Duplicate);
        Assert.Equal((1, 1), (rig.Log.BeforeCommit, rig.Log.Committed));

        // A bulk delivery of one tenant: one transaction, so the participant writes once and hears of one commit.
        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [new("a", Closed("acc-2")), new("b", Closed("acc-3")), new("c", Closed("acc-4"))], Topic, CancellationToken.None);
        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        Assert.Equal((4, "closed,closed,closed,closed,deferred,deferred"), await rig.RowsAsync());
        Assert.Equal((2, 2), (rig.Log.BeforeCommit, rig.Log.Committed));

        // A delivery whose handler fails: the participant writes nothing and hears of no commit.
        rig.Script.ConflictsLeft = 3;
        Assert.Equal(DeliveryStatus.Retry, (await rig.Dispatcher.DispatchAsync(Closed("acc-5"), Topic, CancellationToken.None)).Status);
        Assert.Equal((4, "closed,closed,closed,closed,deferred,deferred"), await rig.RowsAsync());
        Assert.Equal((2, 2), (rig.Log.BeforeCommit, rig.Log.Committed));
    }

    [Fact]
    public async Task A_copy_of_an_entry_in_one_bulk_delivery_gets_the_answer_of_its_first()
    {
        await using var rig = await StartAsync();
        rig.Script.ThrowOwnCancellation = true;
        var failing = Closed("acc-1", id: "f");

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [new("first", failing), new("copy", failing), new("other", Closed("acc-2", id: "o"))], Topic, CancellationToken.None);

        Assert.Equal(new[] { ("first", DeliveryStatus.Retry), ("copy", DeliveryStatus.Retry), ("other", DeliveryStatus.Retry) }, statuses);
        Assert.Equal(3, rig.Script.Calls); // the batch's run that failed on its first event, then each distinct event on its own
    }

    [Fact]
    public async Task The_meter_counts_each_outcome_of_a_delivery_by_type_and_reason()
    {
        await using var rig = await StartAsync();
        var factory = rig.App.Services.GetRequiredService<IMeterFactory>();
        var counts = new ConcurrentDictionary<string, long>();
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
        const string type = "platform.ledger.account_closed.v1";

        await rig.Dispatcher.DispatchAsync(Closed("acc-1", id: "x"), Topic, CancellationToken.None);                    // handled
        Assert.Equal(new Dictionary<string, long> { [$"platform.messaging.inbox.handled[{type}]"] = 1 }, counts.ToDictionary());
        await rig.Dispatcher.DispatchAsync(Closed("acc-1", id: "x"), Topic, CancellationToken.None);                    // duplicate
        await rig.Dispatcher.DispatchBulkAsync([new("a", Closed("acc-2", id: "y")), new("b", Closed("acc-2", id: "y")), new("c", Closed("acc-1", id: "x")), new("d", Closed("acc-3", id: "z"))],
            Topic, CancellationToken.None);                                                                               // y, z handled; y's copy and x duplicates
        await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes("{}"), Topic, CancellationToken.None);               // malformed
        rig.Script.ThrowOwnCancellation = true;
        await rig.Dispatcher.DispatchAsync(Closed("acc-4"), Topic, CancellationToken.None);                             // retried

        Assert.Equal(new Dictionary<string, long>
        {
            [$"platform.messaging.inbox.handled[{type}]"] = 3,
            [$"platform.messaging.inbox.duplicates[{type}]"] = 3,
            [$"platform.messaging.inbox.retry[{type}]"] = 1,
            ["platform.messaging.inbox.dropped[malformed]"] = 1,
            ["platform.messaging.dead_letters[malformed CloudEvent]"] = 1,
        }, counts.ToDictionary());
    }
}
