using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
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

    private static readonly Guid LastClosed = new("0193a000-0000-7000-8000-00000000c105");

    /// <summary>What the closing handler does on its next calls.</summary>
    public sealed class Script
    {
        public int ConflictsLeft;
        public int Calls;
        public string? Reject;
        public bool ThrowOwnCancellation;
        /// <summary>1: the next run adds its note and then fails with a fault the replaying execution strategy retries.</summary>
        public int TransientOnce;
        /// <summary>1: once the conflicting run's connection closes, a racing copy of the event commits its inbox row.</summary>
        public int RacingCopyCommits;
        public Func<Task>? RacingCopy;
        /// <summary>Also records the account as the last closed on a shared note, by attaching a copy of the row (a disconnected update).</summary>
        public bool UpdatesLastClosed;
        public TaskCompletionSource? Gate;
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Writes a note under the tenant its DI scope acts for (set by the event scope hook, "no scope" if none ran).</summary>
    public sealed class ClosingHandler(LedgerDbContext db, Script script, TestTenant tenant) : IEventHandler<AccountClosed>
    {
        public async Task HandleAsync(AccountClosed message, EventEnvelope envelope, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref script.Calls);
            script.Entered.TrySetResult();
            if (script.Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            if (script.Reject is { } reason) throw new EventRejectedException(reason);
            // A timeout of the handler's own (an HTTP call, say), not the caller's cancellation.
            if (script.ThrowOwnCancellation) throw new TaskCanceledException("the registry did not answer in time");
            db.Notes.Add(new Note { Id = Guid.NewGuid(), AccountId = message.AccountId, Tenant = tenant.Id ?? "no scope", Text = "closed" });
            if (Interlocked.Exchange(ref script.TransientOnce, 0) == 1) throw new TransientFault();
            if (script.UpdatesLastClosed) db.Notes.Update(new Note { Id = LastClosed, AccountId = message.AccountId, Tenant = "RX4", Text = "last closed" });
            await db.SaveChangesAsync(cancellationToken);
            var left = Interlocked.Decrement(ref script.ConflictsLeft);
            if (left == 0 && script.RacingCopy is not null) script.RacingCopyCommits = 1;
            if (left >= 0) throw new DbUpdateConcurrencyException("the account changed meanwhile");
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

    public sealed class TransientFault() : Exception("the connection dropped");

    /// <summary>A provider's retry-on-failure, in miniature: it replays the whole delivery once after a <see cref="TransientFault"/>.</summary>
    public sealed class ReplayingStrategy(ExecutionStrategyDependencies dependencies) : ExecutionStrategy(dependencies, 1, TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => exception is TransientFault;
        protected override TimeSpan? GetNextDelay(Exception lastException) => ExceptionsEncountered.Count > MaxRetryCount ? null : TimeSpan.Zero;
    }

    /// <summary>Sets the scope's tenant from the event's, as a service's row-level-security hook does.</summary>
    public sealed class TenantFromEnvelope : IEventScope
    {
        public void Enter(IServiceProvider scope, EventEnvelope envelope) => scope.GetRequiredService<TestTenant>().Id = envelope.Tenant;
    }

    /// <summary>Runs the script's racing copy when a subscriber connection closes (after its transaction rolled back).</summary>
    public sealed class RaceOnClose(Script script) : DbConnectionInterceptor
    {
        public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (Interlocked.Exchange(ref script.RacingCopyCommits, 0) == 1 && script.RacingCopy is { } copy) copy().GetAwaiter().GetResult();
        }

        public override async Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (Interlocked.Exchange(ref script.RacingCopyCommits, 0) == 1 && script.RacingCopy is { } copy) await copy();
        }
    }

    /// <summary>Counts the savepoints the subscriber's contexts create.</summary>
    public sealed class Savepoints : DbTransactionInterceptor
    {
        public int Created;

        public override InterceptionResult CreatingSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            Interlocked.Increment(ref Created);
            return result;
        }

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Created);
            return ValueTask.FromResult(result);
        }
    }

    public sealed class ParticipantLog
    {
        public int BeforeCommit;
        public int Committed;
    }

    private sealed record Rig(MessagingApp App, TestDb Db, Script Script, ParticipantLog Log, FakeTimeProvider Clock, Savepoints Savepoints) : IAsyncDisposable
    {
        internal IEventDispatcher Dispatcher => App.Services.GetRequiredService<IEventDispatcher>();

        public async Task<List<DeadLetter>> LettersAsync()
        {
            await using var read = Db.Open();
            return await read.Set<DeadLetter>().AsNoTracking().OrderBy(d => d.ReceivedAt).ToListAsync();
        }

        /// <summary>The notes' accounts and tenants, in account order.</summary>
        public async Task<List<(string Account, string Tenant)>> NotesAsync()
        {
            await using var read = Db.Open();
            return (await read.Notes.AsNoTracking().OrderBy(n => n.AccountId).ToListAsync()).Select(n => (n.AccountId, n.Tenant)).ToList();
        }

        /// <summary>Inbox rows, and the notes' texts in order, comma-separated.</summary>
        public async Task<(int Inbox, string Notes)> RowsAsync()
        {
            await using var read = Db.Open();
            return (await read.Set<InboxMessage>().CountAsync(), string.Join(",", await read.Notes.OrderBy(n => n.Text).Select(n => n.Text).ToListAsync()));
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static async Task<Rig> StartAsync(bool participant = false, bool replaying = false, bool fakeLogs = false)
    {
        var savepoints = new Savepoints();
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
            b.Services.AddScoped<TestTenant>();
            if (fakeLogs) b.Logging.AddFakeLogging();
            b.Services.AddSingleton<IEventScope, TenantFromEnvelope>();
            b.Services.ConfigureDbContext<LedgerDbContext>((_, options) =>
            {
                options.AddInterceptors(savepoints, new RaceOnClose(script));
                if (replaying) new SqliteDbContextOptionsBuilder(options).ExecutionStrategy(d => new ReplayingStrategy(d));
            });
            if (participant) b.Services.AddScoped<IDeliveryParticipant, Participant>();
        });
        return new Rig(app, db, script, log, clock, savepoints);
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
        using var meter = new InboxMeter(rig);
        var counts = meter.Counts;
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

    /// <summary>The messaging meter's counters of one app, by instrument and tags (the service tag left out).</summary>
    private sealed class InboxMeter : IDisposable
    {
        private readonly MeterListener _listener = new();

        public InboxMeter(Rig rig)
        {
            var factory = rig.App.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Meter.Name == MessagingMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var label = string.Join(",", tags.ToArray().Where(t => t.Key != "service").Select(t => t.Value));
                Counts.AddOrUpdate($"{instrument.Name}[{label}]", value, (_, n) => n + value);
            });
            _listener.Start();
        }

        public ConcurrentDictionary<string, long> Counts { get; } = new();

        public void Dispose() => _listener.Dispose();
    }

    private static byte[] Event(string type, string? dataJson, string? tenant = "RX4", string id = "ev-1") =>
        Encoding.UTF8.GetBytes(new CloudEvent { Id = id, Source = "/ledger", Type = type, Subject = "acc-1", Tenant = tenant, DataJson = dataJson }.ToJson());

    [Fact]
    public async Task Each_dropped_event_is_counted_under_its_reason_and_its_dead_letter_says_why_in_words()
    {
        await using var rig = await StartAsync();
        using var meter = new InboxMeter(rig);
        const string closed = "platform.ledger.account_closed.v1";

        var outcomes = new[]
        {
            await rig.Dispatcher.DispatchAsync(Event("platform.ledger.account_frozen.v1", "{}", id: "unknown"), Topic, CancellationToken.None),
            await rig.Dispatcher.DispatchAsync(Event(closed, "{}", tenant: null, id: "no-tenant"), Topic, CancellationToken.None),
            await rig.Dispatcher.DispatchAsync(Event(closed, """{"accountId": {"nested": true}}""", id: "bad-data"), Topic, CancellationToken.None),
        };
        rig.Script.Reject = "the account is already closed";
        outcomes = [.. outcomes, await rig.Dispatcher.DispatchAsync(Closed("acc-9", id: "rejected"), Topic, CancellationToken.None)];
        // A bulk delivery's entry that is no CloudEvent at all.
        var bulk = await rig.Dispatcher.DispatchBulkAsync([new("garbled", Encoding.UTF8.GetBytes("not an event"))], Topic, CancellationToken.None);
        Assert.Equal(("garbled", DeliveryStatus.Drop), Assert.Single(bulk));

        Assert.All(outcomes, o => Assert.Equal(DeliveryStatus.Drop, o.Status));
        var letters = (await rig.LettersAsync()).ToDictionary(d => d.EventId, d => d.Reason);
        Assert.Equal("no handler for event type 'platform.ledger.account_frozen.v1'", letters["unknown"]);
        Assert.Equal("the event carries no tenant attribute", letters["no-tenant"]);
        Assert.StartsWith($"data is not a valid {closed}: ", letters["bad-data"]);
        Assert.True(letters["bad-data"].Length > $"data is not a valid {closed}: ".Length, letters["bad-data"]); // the parser's own words follow
        Assert.Equal("rejected by handler: the account is already closed", letters["rejected"]);
        Assert.StartsWith("malformed CloudEvent: ", letters[""]);
        Assert.Equal(1, rig.Script.Calls); // only the rejected event reached the handler
        Assert.Equal(new Dictionary<string, long>
        {
            ["platform.messaging.inbox.dropped[unknown_type]"] = 1,
            ["platform.messaging.inbox.dropped[no_tenant]"] = 1,
            ["platform.messaging.inbox.dropped[bad_data]"] = 1,
            ["platform.messaging.inbox.dropped[rejected]"] = 1,
            ["platform.messaging.inbox.dropped[malformed]"] = 1,
            ["platform.messaging.dead_letters[malformed CloudEvent]"] = 1,
            ["platform.messaging.dead_letters[no handler for event type 'platform.ledger.account_frozen.v1']"] = 1,
            ["platform.messaging.dead_letters[the event carries no tenant attribute]"] = 1,
            [$"platform.messaging.dead_letters[data is not a valid {closed}]"] = 1,
            ["platform.messaging.dead_letters[rejected by handler]"] = 1,
        }, meter.Counts.ToDictionary());
    }

    [Fact]
    public async Task A_dropped_event_is_kept_in_its_dead_letter_byte_for_byte_as_it_arrived()
    {
        await using var rig = await StartAsync();
        // Indented, with a member of its own: the operator sees what the sender sent, not the dispatcher's re-serialisation.
        var sent = "{\n  \"specversion\": \"1.0\",\n  \"id\": \"ev-3\",\n  \"source\": \"/ledger\",\n  \"type\": \"platform.ledger.account_frozen.v1\",\n" +
                   "  \"tenant\": \"RX4\",\n  \"sentby\": \"ledger-7f9c\",\n  \"data\": { \"accountId\" : \"acc-3\" }\n}";

        var outcome = await rig.Dispatcher.DispatchAsync(Encoding.UTF8.GetBytes(sent), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Drop, outcome.Status);
        Assert.Equal(sent, Assert.Single(await rig.LettersAsync()).Payload);
    }

    [Fact]
    public async Task An_event_with_no_data_is_handled_as_its_types_empty_message()
    {
        await using var rig = await StartAsync();

        var outcome = await rig.Dispatcher.DispatchAsync(Event("platform.ledger.account_closed.v1", dataJson: null), Topic, CancellationToken.None);

        Assert.Equal((DeliveryStatus.Success, false), (outcome.Status, outcome.Duplicate));
        Assert.Equal([("", "RX4")], await rig.NotesAsync()); // AccountClosed with no account id
        Assert.Empty(await rig.LettersAsync());
    }

    [Fact]
    public async Task A_copy_in_a_bulk_delivery_is_counted_as_a_duplicate_of_its_own_type()
    {
        await using var rig = await StartAsync();
        using var meter = new InboxMeter(rig);
        var closing = Closed("acc-2", id: "k");

        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [new("credit", Encoding.UTF8.GetBytes(Events.Credit("acc-1", 5, 1, id: "c"))), new("close", closing), new("close-again", closing)], Topic, CancellationToken.None);

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        Assert.Equal(new Dictionary<string, long>
        {
            ["platform.messaging.inbox.handled[platform.ledger.amount_credited.v1]"] = 1,
            ["platform.messaging.inbox.handled[platform.ledger.account_closed.v1]"] = 1,
            ["platform.messaging.inbox.duplicates[platform.ledger.account_closed.v1]"] = 1,
        }, meter.Counts.ToDictionary());
    }

    [Fact]
    public async Task A_handler_acts_for_the_events_tenant_on_the_single_and_the_bulk_path()
    {
        await using var rig = await StartAsync();

        Assert.Equal(DeliveryStatus.Success, (await rig.Dispatcher.DispatchAsync(Closed("acc-1", tenant: "RRP"), Topic, CancellationToken.None)).Status);
        var statuses = await rig.Dispatcher.DispatchBulkAsync(
            [new("a", Closed("acc-2", tenant: "RX4")), new("b", Closed("acc-3", tenant: "RAL")), new("c", Closed("acc-4", tenant: "RX4")), new("d", Closed("acc-5", tenant: "RAL"))],
            Topic, CancellationToken.None);

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        // The tenant came from the event scope hook each scope entered, not from the envelope the handler was given.
        Assert.Equal([("acc-1", "RRP"), ("acc-2", "RX4"), ("acc-3", "RAL"), ("acc-4", "RX4"), ("acc-5", "RAL")], await rig.NotesAsync());
        Assert.Equal(5, rig.Script.Calls); // the single delivery, then each bulk tenant group in one transaction: none handled twice
    }

    [Fact]
    public async Task A_delivery_takes_no_savepoints_inside_its_transaction()
    {
        await using var rig = await StartAsync(participant: true);

        Assert.Equal(DeliveryStatus.Success, (await rig.Dispatcher.DispatchAsync(Closed("acc-1"), Topic, CancellationToken.None)).Status);
        var statuses = await rig.Dispatcher.DispatchBulkAsync([new("a", Closed("acc-2")), new("b", Closed("acc-3"))], Topic, CancellationToken.None);

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        Assert.Equal((3, "closed,closed,closed,deferred,deferred"), await rig.RowsAsync());
        // The handler's SaveChanges and the final one each would take one: round trips that buy nothing, as the whole
        // delivery commits or rolls back as one.
        Assert.Equal(0, rig.Savepoints.Created);
    }

    [Fact]
    public async Task A_delivery_replayed_by_the_providers_retry_on_failure_starts_from_a_clean_change_tracker()
    {
        await using var rig = await StartAsync(replaying: true);

        rig.Script.TransientOnce = 1;
        Assert.Equal(DeliveryStatus.Success, (await rig.Dispatcher.DispatchAsync(Closed("acc-1"), Topic, CancellationToken.None)).Status);
        rig.Script.TransientOnce = 1;
        var statuses = await rig.Dispatcher.DispatchBulkAsync([new("a", Closed("acc-2")), new("b", Closed("acc-3"))], Topic, CancellationToken.None);

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        Assert.Equal(5, rig.Script.Calls); // the single delivery's two runs, the bulk's first run (stopped at its first event) and its replay of both
        // The failed run's note was dropped with its transaction: one note per event.
        Assert.Equal([("acc-1", "RX4"), ("acc-2", "RX4"), ("acc-3", "RX4")], await rig.NotesAsync());
        Assert.Equal((3, "closed,closed,closed"), await rig.RowsAsync());
    }

    [Fact]
    public async Task A_delivery_that_loses_its_last_race_to_a_copy_that_committed_is_a_duplicate_success_not_a_retry()
    {
        await using var rig = await StartAsync();
        using var meter = new InboxMeter(rig);
        rig.Script.ConflictsLeft = 3;
        // The third run's conflict was a redelivery of the same event committing first, as another pod would.
        rig.Script.RacingCopy = async () =>
        {
            await using var other = rig.Db.Open();
            other.Set<InboxMessage>().Add(new InboxMessage { Source = "/ledger", EventId = "raced", Type = "platform.ledger.account_closed.v1", Tenant = "RX4", HandledAt = DateTime.UtcNow });
            await other.SaveChangesAsync();
        };

        var outcome = await rig.Dispatcher.DispatchAsync(Closed("acc-1", id: "raced"), Topic, CancellationToken.None);

        Assert.Equal((DeliveryStatus.Success, true), (outcome.Status, outcome.Duplicate));
        Assert.Equal(3, rig.Script.Calls);
        Assert.Equal((1, ""), await rig.RowsAsync()); // the copy's inbox row; this delivery's notes rolled back
        Assert.Equal(new Dictionary<string, long> { ["platform.messaging.inbox.duplicates[platform.ledger.account_closed.v1]"] = 1 }, meter.Counts.ToDictionary());
    }

    [Fact]
    public async Task A_bulk_delivery_the_caller_cancels_stops_without_logging_a_failed_batch_or_trying_one_by_one()
    {
        await using var rig = await StartAsync(fakeLogs: true);
        rig.Script.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var delivery = rig.Dispatcher.DispatchBulkAsync([new("a", Closed("acc-1")), new("b", Closed("acc-2"))], Topic, cancel.Token);
        await rig.Script.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
        Assert.Equal(1, rig.Script.Calls);
        Assert.Equal((0, ""), await rig.RowsAsync());
        // A shutdown is not a failure: nothing says the batch failed.
        Assert.DoesNotContain(rig.App.Services.GetFakeLogCollector().GetSnapshot(), r => r.Message.Contains("handling them one by one"));
    }

    [Fact]
    public async Task Each_event_of_a_bulk_delivery_starts_from_a_clean_change_tracker_as_in_a_scope_of_its_own()
    {
        await using var rig = await StartAsync();
        await using (var seed = rig.Db.Open())
        {
            seed.Notes.Add(new Note { Id = LastClosed, AccountId = "none", Tenant = "RX4", Text = "last closed" });
            await seed.SaveChangesAsync();
        }
        rig.Script.UpdatesLastClosed = true;

        var statuses = await rig.Dispatcher.DispatchBulkAsync([new("a", Closed("acc-1")), new("b", Closed("acc-2"))], Topic, CancellationToken.None);

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s.Status));
        // The second event attached its own copy of the row the first had updated: that works only if the first's
        // entities were let go, and then the batch is not rolled back and handled again one by one.
        Assert.Equal(2, rig.Script.Calls);
        await using var read = rig.Db.Open();
        Assert.Equal("acc-2", (await read.Notes.SingleAsync(n => n.Id == LastClosed)).AccountId);
    }
}
