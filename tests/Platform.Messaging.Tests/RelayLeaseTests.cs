using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The relay's lease, its poll loop after failures, the purge and counters of a pass, and a chunk that cannot be marked
/// sent (issue 21: what the mutation run of the whole relay found unheld). On a fake clock that records the waits the
/// relay starts, against scripted transports; each test reads the lease row, the outbox rows and the waits.
/// </summary>
public class RelayLeaseTests
{
    private const string Elsewhere = "another-pod/1/0";

    private static AmountCredited Credit(string subject, int seq) => new() { AccountId = subject, Amount = seq, Seq = seq };
    private static NoteAdded Note(string subject) => new() { AccountId = subject, Text = "note" };

    /// <summary>What the rig's relays logged at <paramref name="level"/>, as an operator reads it.</summary>
    private static List<string> Logged(RelayRig rig, LogLevel level) =>
        [.. rig.Log.Collector.GetSnapshot().Where(r => r.Level == level).Select(r => r.Message)];

    private static string Chunks(ChunkTransport transport, IReadOnlyList<OutboxMessage> rows) =>
        string.Join('|', transport.Chunks.Select(c => string.Join(' ', c.Select(m => RowNames.Of(m, rows)))));

    [Fact]
    public async Task A_pass_sends_only_while_it_holds_the_lease_which_it_takes_once_the_other_holders_has_run_out_and_renews_while_its_own()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1)]);
        var until = rig.Now.AddSeconds(5);
        await rig.SetLeaseAsync(Elsewhere, until);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport);

        // Held by another instance, up to and at its end: this pass reads and sends nothing.
        rig.SetNow(until);
        Assert.Equal(new OutboxRelay<LedgerDbContext>.BatchResult(false, 0, 0, 0), await relay.RunOnceAsync(CancellationToken.None));
        Assert.Empty(transport.Attempts);
        Assert.Equal((Elsewhere, until), await rig.LeaseAsync());

        // A tick later it has run out: this instance takes it for a lease duration and sends.
        rig.SetNow(until.AddTicks(1));
        Assert.Equal(new OutboxRelay<LedgerDbContext>.BatchResult(true, 1, 1, 0), await relay.RunOnceAsync(CancellationToken.None));
        Assert.Equal((relay.InstanceId, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());

        // Its own lease is renewed at every pass, long before it runs out, and another instance cannot take it meanwhile.
        rig.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new OutboxRelay<LedgerDbContext>.BatchResult(true, 0, 0, 0), await relay.RunOnceAsync(CancellationToken.None));
        Assert.Equal((relay.InstanceId, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());
        var other = rig.Relay(new OneByOneTransport());
        await rig.App.PublishAsync([Credit("B", 1)]);
        Assert.False((await other.RunOnceAsync(CancellationToken.None)).Leader);
        Assert.Equal((relay.InstanceId, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());
        Assert.Single(transport.Attempts);
    }

    [Fact]
    public async Task Without_a_lease_row_the_first_pass_creates_it_as_its_own_and_the_next_instance_finds_it_taken()
    {
        await using var rig = await RelayRig.StartAsync();
        await using (var ctx = rig.Db.Open()) await ctx.Set<OutboxLease>().ExecuteDeleteAsync();
        var first = rig.Relay(new OneByOneTransport());
        var second = rig.Relay(new OneByOneTransport());

        Assert.True((await first.RunOnceAsync(CancellationToken.None)).Leader);
        Assert.Equal((first.InstanceId, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());
        Assert.False((await second.RunOnceAsync(CancellationToken.None)).Leader);
        Assert.Equal((first.InstanceId, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());
    }

    [Fact]
    public async Task An_instance_that_loses_the_race_to_create_the_lease_row_is_not_the_leader_and_sends_nothing()
    {
        // Two instances start on a fresh database: both find no lease row; the other one's insert commits first, just
        // before this one's (the interceptor plays it in between). This one's insert then fails on the row's key.
        var race = new CreateLeaseFirst();
        await using var rig = await RelayRig.StartAsync(configure: b =>
            b.Services.ConfigureDbContext<LedgerDbContext>((_, options) => options.AddInterceptors(race)));
        await rig.App.PublishAsync([Credit("A", 1)]);
        await using (var ctx = rig.Db.Open()) await ctx.Set<OutboxLease>().ExecuteDeleteAsync();
        race.Arm(rig.Db.Open, Elsewhere, rig.Now + rig.Options.LeaseDuration);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport);

        Assert.Equal(new OutboxRelay<LedgerDbContext>.BatchResult(false, 0, 0, 0), await relay.RunOnceAsync(CancellationToken.None));
        Assert.True(race.Played);
        Assert.Empty(transport.Attempts);
        Assert.Equal((Elsewhere, rig.Now + rig.Options.LeaseDuration), await rig.LeaseAsync());
        Assert.Null((await rig.RowsAsync()).Single().SentAt);
    }

    /// <summary>Before the relay's context saves a new lease row, another connection inserts one as another instance.</summary>
    private sealed class CreateLeaseFirst : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        private (Func<LedgerDbContext> Open, string Owner, DateTime Until)? _other;
        public bool Played { get; private set; }

        public void Arm(Func<LedgerDbContext> open, string owner, DateTime until) => _other = (open, owner, until);

        public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> SavingChangesAsync(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (_other is { } other && !Played && eventData.Context is { } context
                && context.ChangeTracker.Entries<OutboxLease>().Any(e => e.State == EntityState.Added))
            {
                Played = true;
                await using var elsewhere = other.Open();
                elsewhere.Set<OutboxLease>().Add(new OutboxLease { Name = OutboxLease.RelayLease, Owner = other.Owner, Until = other.Until });
                await elsewhere.SaveChangesAsync(cancellationToken);
            }
            return result;
        }
    }

    [Fact]
    public async Task Only_a_pass_that_holds_the_lease_purges_and_it_does_so_before_it_sends()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1)]);
        var until = rig.Now.AddSeconds(5);
        var retention = rig.Options.SentRetention;
        await rig.UpdateAsync(rows => rows[0].SentAt = until - retention - TimeSpan.FromTicks(1));
        await rig.SetLeaseAsync(Elsewhere, until);
        var relay = rig.Relay(new OneByOneTransport());

        rig.SetNow(until);
        await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, (await rig.RowsAsync()).Count);

        rig.SetNow(until.AddTicks(1));
        var pass = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal((true, 1, 1), (pass.Leader, pass.Selected, pass.Sent));
        var left = Assert.Single(await rig.RowsAsync());
        Assert.Equal(("B", rig.Now), (left.Subject, left.SentAt));
        Assert.Equal(["Purged 1 sent outbox rows and 0 inbox rows past retention"], Logged(rig, LogLevel.Information));
    }

    [Fact]
    public async Task The_meter_counts_the_events_a_pass_sent_and_each_failed_attempt_by_topic()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Note("B"), Credit("C", 1), Credit("C", 2)]);
        var factory = rig.App.Services.GetRequiredService<IMeterFactory>();
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name is "platform.messaging.outbox.sent" or "platform.messaging.outbox.send_failures")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var topic = tags.ToArray().Where(t => t.Key == "topic").Select(t => t.Value).SingleOrDefault();
            counts.AddOrUpdate($"{instrument.Name}[{topic}]", value, (_, n) => n + value);
        });
        listener.Start();
        var rows = await rig.RowsAsync();
        var relay = rig.Relay(new OneByOneTransport(m => m.Subject is "B" || m.Id == rows[2].Id ? new SendResult(SendStatus.Unreachable, "down") : SendResult.Ok));

        await relay.RunOnceAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, long>
        {
            ["platform.messaging.outbox.sent[]"] = 1,
            [$"platform.messaging.outbox.send_failures[{rows[1].Topic}]"] = 1,
            [$"platform.messaging.outbox.send_failures[{rows[0].Topic}]"] = 1,
        }, counts.ToDictionary());
        // Each failure is logged for an operator with the event, its topic and subject, the attempt, the error and the next try.
        var due = (await rig.RowsAsync()).ToDictionary(m => m.Id, m => DateTime.SpecifyKind(m.DueAt, DateTimeKind.Utc));
        Assert.Equal(
            new[] { rows[1], rows[2] }.Select(m => $"Outbox event {m.Id} on {m.Topic} for {m.Subject} not delivered (attempt 1): down; next try at {due[m.Id]:o}").Order(),
            Logged(rig, LogLevel.Warning).Order());
    }

    [Fact]
    public async Task A_chunk_that_cannot_be_marked_sent_at_once_is_marked_by_the_passs_final_update()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1)]);
        await using (var ctx = rig.Db.Open())
        {
            // The database refuses to mark rows sent while a row is in refuse_marks (as it would while it fails over).
            await ctx.Database.ExecuteSqlRawAsync("CREATE TABLE refuse_marks (x INTEGER)");
            await ctx.Database.ExecuteSqlRawAsync(
                "CREATE TRIGGER refuse_marking BEFORE UPDATE OF sent_at ON outbox_messages WHEN EXISTS (SELECT 1 FROM refuse_marks) BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
        }
        var transport = new ChunkTransport(max: 2, ordered: true);
        var pendingAtEachChunk = new List<string>();
        transport.BeforeChunk = async (_, _) =>
        {
            var rows = await rig.RowsAsync();
            pendingAtEachChunk.Add(string.Join(' ', rows.Where(m => m.SentAt is null).Select(m => RowNames.Of(m, rows))));
            await using var ctx = rig.Db.Open();
            // Refuse the first chunk's marking; let the second's through.
            await ctx.Database.ExecuteSqlRawAsync(pendingAtEachChunk.Count == 1 ? "INSERT INTO refuse_marks VALUES (1)" : "DELETE FROM refuse_marks");
        };

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        Assert.Equal(["A1 B1 C1", "A1 B1 C1"], pendingAtEachChunk);
        Assert.Equal((3, 3, 0), (pass.Selected, pass.Sent, pass.Failed));
        Assert.All(await rig.RowsAsync(), m => Assert.Equal((rig.Now, 0), (m.SentAt, m.Attempts)));
        var refused = Assert.Single(rig.Log.Collector.GetSnapshot(), r => r.Level == LogLevel.Debug);
        Assert.Equal("Could not mark a chunk of 2 outbox rows sent yet; the batch's final update will", refused.Message);
        Assert.Contains("disk I/O error", refused.Exception?.Message);
    }

    [Fact]
    public async Task A_slow_batch_renews_the_lease_every_third_of_its_duration()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1)]);
        var transport = new ChunkTransport(max: 2, ordered: true);
        var relay = rig.Relay(transport);
        var start = rig.Now;
        transport.BeforeChunk = async (_, _) =>
        {
            Assert.Equal((relay.InstanceId, start + rig.Options.LeaseDuration), await rig.LeaseAsync());
            // The chunk is out for a third of the lease: the renewal is due now and must land before the chunk returns.
            rig.Clock.Advance(rig.Options.LeaseDuration / 3);
            await Eventually.HoldsAsync(async () => (await rig.LeaseAsync()).Until == rig.Now + rig.Options.LeaseDuration, "the lease was renewed");
        };

        var pass = await relay.RunOnceAsync(CancellationToken.None);

        Assert.Equal((true, 2), (pass.Leader, pass.Sent));
        // (Task.Delay waits whole milliseconds.)
        Assert.Contains(rig.Clock.Waits, w => Math.Abs((w - rig.Options.LeaseDuration / 3).TotalMilliseconds) < 1);
        Assert.Equal((relay.InstanceId, start + rig.Options.LeaseDuration / 3 + rig.Options.LeaseDuration), await rig.LeaseAsync());
    }

    [Fact]
    public async Task A_relay_that_finds_its_lease_taken_at_a_renewal_stops_the_batch_and_keeps_what_it_did_not_send_unattempted()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1), Credit("D", 1)]);
        var transport = new ChunkTransport(max: 2, ordered: true);
        var relay = rig.Relay(transport);
        transport.BeforeChunk = async (chunk, ct) =>
        {
            if (transport.Chunks.Count == 1) return;
            // While the second chunk is out, another instance takes the lease (this one looked dead to it).
            await rig.SetLeaseAsync(Elsewhere, rig.Now.AddMinutes(1));
            rig.Clock.Advance(rig.Options.LeaseDuration / 3);
            await Task.Delay(Timeout.Infinite, ct).WaitAsync(TimeSpan.FromSeconds(30));
        };

        var pass = await relay.RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal("A1 B1|C1 D1", Chunks(transport, rows));
        Assert.Equal((true, 4, 2, 0), (pass.Leader, pass.Selected, pass.Sent, pass.Failed));
        Assert.Equal(["C1", "D1"], rows.Where(m => m.SentAt is null).Select(m => RowNames.Of(m, rows)));
        Assert.All(rows, m => Assert.Equal((0, (string?)null), (m.Attempts, m.LastError)));
        Assert.Equal(Elsewhere, (await rig.LeaseAsync()).Owner);
        Assert.Equal([$"Outbox relay {relay.InstanceId} lost its lease mid-batch; 2 of 4 events were sent"], Logged(rig, LogLevel.Warning));
    }

    [Fact]
    public async Task A_relay_that_stops_gives_up_only_its_own_lease_never_another_instances()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1)]);
        Assert.True((await rig.Relay(new OneByOneTransport()).RunOnceAsync(CancellationToken.None)).Leader); // creates the lease row
        var until = rig.Now.AddMinutes(1);
        await rig.SetLeaseAsync(Elsewhere, until);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport, o => o.Enabled = true);
        var waits = rig.Clock.Waits.Count;

        await relay.StartAsync(CancellationToken.None);
        // Its first pass found the lease held and it now waits a poll interval on the fake clock.
        await Eventually.HoldsAsync(() => Task.FromResult(rig.Clock.Waits.Count > waits), "the relay's first pass ran");
        await relay.StopAsync(CancellationToken.None);

        Assert.Empty(transport.Attempts);
        Assert.Equal((Elsewhere, until), await rig.LeaseAsync());
    }

    /// <summary>Sends one row per call (no batching), running <paramref name="before"/> first; records every attempt.</summary>
    private sealed class HoldingTransport(Func<OutboxMessage, CancellationToken, Task> before) : IEventTransport
    {
        public ConcurrentQueue<OutboxMessage> Attempts { get; } = new();

        public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(message);
            await before(message, cancellationToken);
            return SendResult.Ok;
        }
    }

    [Fact]
    public async Task On_the_one_by_one_path_a_relay_that_finds_its_lease_taken_stops_at_once_and_sends_no_more_subjects_than_its_parallelism()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1), Credit("D", 1)]);
        HoldingTransport? transport = null;
        transport = new HoldingTransport(async (message, ct) =>
        {
            if (transport!.Attempts.Count == 1) return;
            // While B1 is out, another instance takes the lease; the send in flight is cancelled by the lease's loss.
            await rig.SetLeaseAsync(Elsewhere, rig.Now.AddMinutes(1));
            rig.Clock.Advance(rig.Options.LeaseDuration / 3);
            await Task.Delay(Timeout.Infinite, ct).WaitAsync(TimeSpan.FromSeconds(30));
        });
        var relay = rig.Relay(transport);

        var pass = await relay.RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        // One subject at a time (MaxParallelism 1): C1 was not started beside B1, and nothing after the lease was lost.
        Assert.Equal(["A1", "B1"], transport.Attempts.Select(m => RowNames.Of(m, rows)));
        Assert.Equal((true, 4, 1, 0), (pass.Leader, pass.Selected, pass.Sent, pass.Failed));
        Assert.Equal(["B1", "C1", "D1"], rows.Where(m => m.SentAt is null).Select(m => RowNames.Of(m, rows)));
        Assert.All(rows, m => Assert.Equal(0, m.Attempts));
        Assert.Equal([$"Outbox relay {relay.InstanceId} lost its lease mid-batch; 1 of 4 events were sent"], Logged(rig, LogLevel.Warning));
    }

    [Fact]
    public async Task A_relay_that_cannot_renew_its_lease_stops_the_batch_rather_than_risk_two_senders()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1), Credit("D", 1)]);
        var transport = new ChunkTransport(max: 2, ordered: true);
        var relay = rig.Relay(transport);
        async Task LeasesAsync(bool there)
        {
            await using var ctx = rig.Db.Open();
            await ctx.Database.ExecuteSqlRawAsync(there ? "ALTER TABLE leases_gone RENAME TO outbox_leases" : "ALTER TABLE outbox_leases RENAME TO leases_gone");
        }
        transport.BeforeChunk = async (chunk, ct) =>
        {
            if (transport.Chunks.Count == 1) return;
            // The lease table cannot be read while the second chunk is out: whether this instance still holds it is unknown.
            await LeasesAsync(there: false);
            rig.Clock.Advance(rig.Options.LeaseDuration / 3);
            await Task.Delay(Timeout.Infinite, ct).WaitAsync(TimeSpan.FromSeconds(30));
        };

        var pass = await relay.RunOnceAsync(CancellationToken.None);
        await LeasesAsync(there: true);

        var rows = await rig.RowsAsync();
        Assert.Equal((true, 4, 2, 0), (pass.Leader, pass.Selected, pass.Sent, pass.Failed));
        Assert.Equal(["C1", "D1"], rows.Where(m => m.SentAt is null).Select(m => RowNames.Of(m, rows)));
        Assert.All(rows, m => Assert.Equal(0, m.Attempts));
        var warnings = rig.Log.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        Assert.Equal([$"Outbox relay {relay.InstanceId} could not renew its lease", $"Outbox relay {relay.InstanceId} lost its lease mid-batch; 2 of 4 events were sent"],
            warnings.Select(w => w.Message));
        Assert.Contains("leases", warnings[0].Exception?.Message);
    }

    [Fact]
    public async Task After_a_pass_that_fails_the_loop_backs_off_doubling_while_passes_keep_failing_and_polls_again_once_one_succeeds()
    {
        await using var rig = await RelayRig.StartAsync();
        var relay = rig.Relay(new OneByOneTransport(), o => o.Enabled = true);
        async Task OutboxAsync(bool there)
        {
            // The outbox table gone for a moment: each pass fails on it as it would on a database that is down.
            await using var ctx = rig.Db.Open();
            await ctx.Database.ExecuteSqlRawAsync(there ? "ALTER TABLE outbox_gone RENAME TO outbox_messages" : "ALTER TABLE outbox_messages RENAME TO outbox_gone");
        }
        async Task<TimeSpan> NextWaitAsync(int count)
        {
            await Eventually.HoldsAsync(() => Task.FromResult(rig.Clock.Waits.Count >= count), $"the relay waits a {count}th time");
            var wait = rig.Clock.Waits.ElementAt(count - 1);
            return wait;
        }
        static void InBackoff(TimeSpan wait, double baseMs) =>
            Assert.True(wait.TotalMilliseconds >= baseMs * 0.8 - 0.001 && wait.TotalMilliseconds <= baseMs * 1.2 + 0.001, $"waited {wait.TotalMilliseconds} ms, expected {baseMs} ms ± 20 %");

        await OutboxAsync(there: false);
        await relay.StartAsync(CancellationToken.None);

        InBackoff(await NextWaitAsync(1), 50);
        rig.Clock.Advance(rig.Clock.Waits.ElementAt(0));
        InBackoff(await NextWaitAsync(2), 100);
        await OutboxAsync(there: true);
        rig.Clock.Advance(rig.Clock.Waits.ElementAt(1));
        Assert.Equal(rig.Options.PollInterval, await NextWaitAsync(3));
        await OutboxAsync(there: false);
        rig.Clock.Advance(rig.Options.PollInterval);
        // The good pass reset the count: the first failure after it waits the first backoff again.
        InBackoff(await NextWaitAsync(4), 50);

        await relay.StopAsync(CancellationToken.None);
        Assert.Null((await rig.LeaseAsync()).Owner);
        var errors = rig.Log.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        Assert.Equal(["Outbox relay batch failed (1 in a row)", "Outbox relay batch failed (2 in a row)", "Outbox relay batch failed (1 in a row)"], errors.Select(e => e.Message));
        Assert.All(errors, e => Assert.Contains("outbox_messages", e.Exception?.Message));
    }
}
