using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The outbox relay pass by pass, on a fake clock, against transports that answer as scripted (issue 21: these are the
/// rules the mutation run found unheld): what is due, how a failure is recorded and backed off, how a batch is cut into
/// chunks and lanes, when the loop polls, what the purge keeps. Each test reads what the transport was given and what
/// the outbox holds afterwards.
/// </summary>
public class RelayPassTests
{
    private static AmountCredited Credit(string subject, int seq) => new() { AccountId = subject, Amount = seq, Seq = seq };
    private static NoteAdded Note(string subject) => new() { AccountId = subject, Text = "note" };

    private static List<string> Names(IEnumerable<OutboxMessage> sent, IReadOnlyList<OutboxMessage> rows) => [.. sent.Select(m => RowNames.Of(m, rows))];

    [Fact]
    public async Task A_failed_send_counts_its_attempt_and_refusal_keeps_2000_characters_of_the_error_and_backs_off_doubling_with_jitter_up_to_the_cap()
    {
        // MessagingApp's relay settings: first backoff 50 ms, cap 400 ms; jitter is ±20 %.
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1)]);
        var answers = new Queue<SendResult>([
            new(SendStatus.Refused, new string('x', 2500)),
            new(SendStatus.Unreachable, "sidecar down"),
            new(SendStatus.Unreachable, "sidecar down"),
            new(SendStatus.Refused, "retry"),
            new(SendStatus.Unreachable, "sidecar down"),
            SendResult.Ok,
        ]);
        var transport = new OneByOneTransport(_ => answers.Dequeue());
        var relay = rig.Relay(transport);

        (int Refused, double Base)[] expected = [(1, 50), (1, 100), (1, 200), (2, 400), (2, 400)];
        for (var attempt = 1; attempt <= expected.Length; attempt++)
        {
            var pass = await relay.RunOnceAsync(CancellationToken.None);
            Assert.Equal((1, 0, 1), (pass.Selected, pass.Sent, pass.Failed));
            var row = Assert.Single(await rig.RowsAsync());
            Assert.Null(row.SentAt);
            Assert.Equal(attempt, row.Attempts);
            Assert.Equal(expected[attempt - 1].Refused, row.RefusedAttempts);
            Assert.Equal(attempt == 1 ? new string('x', 2000) : attempt == 4 ? "retry" : "sidecar down", row.LastError);
            var backoff = (row.DueAt - rig.Now).TotalMilliseconds;
            // ±20 % jitter, give or take the tick the time is rounded to.
            var (low, high) = (expected[attempt - 1].Base * 0.8 - 0.001, expected[attempt - 1].Base * 1.2 + 0.001);
            Assert.True(backoff >= low && backoff <= high, $"attempt {attempt}: backoff {backoff} ms, expected {low}-{high} ms");

            // Still inside the backoff: not due.
            rig.SetNow(row.DueAt.AddTicks(-1));
            Assert.Equal(0, (await relay.RunOnceAsync(CancellationToken.None)).Selected);
            // Due exactly at its due time.
            rig.SetNow(row.DueAt);
        }
        var last = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal((1, 1, 0), (last.Selected, last.Sent, last.Failed));
        var sent = Assert.Single(await rig.RowsAsync());
        Assert.Equal(rig.Now, sent.SentAt);
        Assert.Null(sent.LastError);
        Assert.Equal(5, sent.Attempts);
        Assert.Equal(6, transport.Attempts.Count);
    }

    [Fact]
    public async Task Only_a_pending_earlier_row_of_the_same_subject_waiting_out_its_backoff_holds_a_row_back()
    {
        await using var rig = await RelayRig.StartAsync();
        // A: its head is due exactly now. B: an earlier subject's head waits, C (another subject) does not wait for it.
        // D: its later row waits, the earlier goes. E: an earlier row already sent, with a due time ahead (another pod's
        // clock), holds nothing back.
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Credit("B", 1), Credit("C", 1), Credit("D", 1), Credit("D", 2), Credit("E", 1), Credit("E", 2)]);
        var now = rig.Now;
        await rig.UpdateAsync(rows =>
        {
            rows[0].DueAt = now;
            rows[2].DueAt = now.AddTicks(1);
            rows[5].DueAt = now.AddMinutes(1);
            rows[6].SentAt = now.AddMinutes(-1);
            rows[6].DueAt = now.AddMinutes(1);
        });
        var transport = new OneByOneTransport();

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal(["A1", "A2", "C1", "D1", "E2"], Names(transport.Attempts, rows).Order());
        Assert.Equal(["A1", "A2"], Names(transport.Attempts.Where(m => m.Subject == "A"), rows));
        Assert.Equal((5, 5), (pass.Selected, pass.Sent));
        Assert.Equal(["B1", "D2"], Names(rows.Where(m => m.SentAt is null), rows));
    }

    [Fact]
    public async Task A_pass_takes_at_most_the_batch_size_oldest_first_and_the_next_pass_the_rest()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:BatchSize"] = "2" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Credit("A", 3)]);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport);

        var first = await relay.RunOnceAsync(CancellationToken.None);
        var rows = await rig.RowsAsync();
        Assert.Equal((2, 2), (first.Selected, first.Sent));
        Assert.Equal(["A1", "A2"], Names(transport.Attempts, rows));
        Assert.Equal(["A3"], Names(rows.Where(m => m.SentAt is null), rows));

        var second = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal((1, 1), (second.Selected, second.Sent));
        Assert.Equal(["A1", "A2", "A3"], Names(transport.Attempts, rows));
        Assert.Equal(0, (await relay.RunOnceAsync(CancellationToken.None)).Selected);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task A_transport_that_batches_gets_chunks_only_when_it_takes_more_than_one_row(int max, bool chunks)
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1)]);
        var transport = new ChunkTransport(max, ordered: true);

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, pass.Sent);
        Assert.Equal(chunks ? 0 : 2, transport.Singles.Count);
        Assert.Equal(chunks ? 1 : 0, transport.Chunks.Count);
        Assert.DoesNotContain(await rig.RowsAsync(), m => m.SentAt is null);
    }

    [Theory]
    [InlineData(true, "A1 A2 B1|A3 B2")]  // a receiver that keeps order takes a subject's rows of one topic together
    [InlineData(false, "A1 B1|A2 B2|A3")] // bulk publish keeps no order: one row per subject per chunk
    public async Task A_lane_cuts_its_rows_into_chunks_of_at_most_max_rows_and_never_mixes_a_subjects_topics(bool ordered, string expected)
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Note("A"), Credit("B", 1), Credit("B", 2)]);
        var transport = new ChunkTransport(max: 3, ordered);

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal(expected, string.Join('|', transport.Chunks.Select(c => string.Join(' ', Names(c, rows)))));
        Assert.Equal((5, 5, 0), (pass.Selected, pass.Sent, pass.Failed));
        Assert.All(rows, m => Assert.NotNull(m.SentAt));
        Assert.Empty(transport.Singles);
    }

    [Fact]
    public async Task A_row_that_fails_in_a_chunk_stops_its_subject_for_the_pass_and_only_it_counts_an_attempt()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Note("A"), Credit("B", 1), Credit("B", 2)]);
        var before = await rig.RowsAsync();
        // The receiver refuses A1 and, to keep A's order, answers RETRY for A2 unhandled.
        var transport = new ChunkTransport(max: 3, ordered: true,
            m => m.Subject == "A" ? new SendResult(SendStatus.Refused, m.Sequence == before[0].Sequence ? "handler failed" : "held") : SendResult.Ok);

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal("A1 A2 B1|B2", string.Join('|', transport.Chunks.Select(c => string.Join(' ', Names(c, rows)))));
        Assert.Equal((5, 2, 1), (pass.Selected, pass.Sent, pass.Failed));
        Assert.Equal((1, 1, "handler failed"), (rows[0].Attempts, rows[0].RefusedAttempts, rows[0].LastError));
        Assert.True(rows[0].DueAt > rig.Now);
        foreach (var held in rows.Skip(1).Take(2))
        {
            Assert.Equal((0, 0, (string?)null, before.Single(b => b.Id == held.Id).DueAt, (DateTime?)null), (held.Attempts, held.RefusedAttempts, held.LastError, held.DueAt, held.SentAt));
        }
        Assert.All(rows.Where(m => m.Subject == "B"), m => Assert.NotNull(m.SentAt));
    }

    [Fact]
    public async Task A_subjects_row_that_waits_for_the_next_chunk_holds_back_its_later_rows_so_the_order_holds()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        // A2 is of another topic than A1, so it cannot share A1's chunk; A3 could, but must not overtake A2.
        await rig.App.PublishAsync([Credit("A", 1), Note("A"), Credit("A", 3)]);
        var transport = new ChunkTransport(max: 3, ordered: true);

        await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal("A1|A2|A3", string.Join('|', transport.Chunks.Select(c => string.Join(' ', Names(c, rows)))));
    }

    [Fact]
    public async Task A_lane_left_with_only_rows_of_stopped_subjects_sends_no_empty_chunk()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("A", 2)]);
        var transport = new ChunkTransport(max: 2, ordered: false, m => m.Subject == "A" ? new SendResult(SendStatus.Refused, "no") : SendResult.Ok);

        await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal("A1 B1", string.Join('|', transport.Chunks.Select(c => string.Join(' ', Names(c, rows)))));
        Assert.Equal(["A1", "A2"], Names(rows.Where(m => m.SentAt is null), rows));
    }

    [Theory]
    [InlineData(true, "A1 B1")]          // nobody in the chunk was reached: the rest waits for the next pass
    [InlineData(false, "A1 B1|C1")]      // one subject reached: the lane goes on
    public async Task A_chunk_that_reached_nobody_ends_its_lane_for_the_pass(bool bothDown, string expected)
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1)]);
        var transport = new ChunkTransport(max: 2, ordered: true,
            m => m.Subject == "A" || (bothDown && m.Subject == "B") ? new SendResult(SendStatus.Unreachable, "down") : SendResult.Ok);

        await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        Assert.Equal(expected, string.Join('|', transport.Chunks.Select(c => string.Join(' ', Names(c, rows)))));
        Assert.Equal(bothDown ? 0 : 1, rows.Single(m => m.Subject == "C").SentAt is null ? 0 : 1);
        Assert.Equal(0, rows.Single(m => m.Subject == "C").Attempts);
    }

    [Fact]
    public async Task A_lanes_delivered_chunk_is_marked_sent_before_its_next_chunk_goes()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "1" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1)]);
        var transport = new ChunkTransport(max: 2, ordered: true);
        var pendingAtEachChunk = new List<List<string>>();
        transport.BeforeChunk = async (_, _) =>
        {
            var rows = await rig.RowsAsync();
            pendingAtEachChunk.Add(Names(rows.Where(m => m.SentAt is null), rows));
        };

        await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        // A crash while the second chunk is out would resend only C1.
        Assert.Equal(new List<List<string>> { new() { "A1", "B1", "C1" }, new() { "C1" } }, pendingAtEachChunk);
        Assert.All(await rig.RowsAsync(), m => Assert.Equal(rig.Now, m.SentAt));
    }

    [Fact]
    public async Task Subjects_are_dealt_round_robin_to_as_many_lanes_as_chunks_allow_and_the_lanes_send_at_once()
    {
        await using var rig = await RelayRig.StartAsync(new() { ["Messaging:Relay:MaxParallelism"] = "2" });
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1), Credit("D", 1), Credit("A", 2)]);
        var transport = new ChunkTransport(max: 3, ordered: true);
        // Each chunk is held until two are out at once: two lanes in parallel (with one, this never completes).
        var inFlight = 0;
        var bothOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.BeforeChunk = async (_, _) =>
        {
            if (Interlocked.Increment(ref inFlight) == 2) bothOut.TrySetResult();
            await bothOut.Task.WaitAsync(TimeSpan.FromSeconds(30));
        };

        var pass = await rig.Relay(transport).RunOnceAsync(CancellationToken.None);

        var rows = await rig.RowsAsync();
        // Five rows, chunks of three: two lanes; A, C to one and B, D to the other, in order of first appearance.
        Assert.Equal(["A1 C1 A2", "B1 D1"], transport.Chunks.Select(c => string.Join(' ', Names(c, rows))).Order());
        Assert.Equal(5, pass.Sent);
    }

    [Fact]
    public async Task The_relay_runs_full_batches_back_to_back_waits_a_poll_interval_after_a_short_one_and_gives_up_its_lease_when_stopped()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Credit("B", 1), Credit("B", 2), Credit("C", 1)]);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport, o => { o.Enabled = true; o.BatchSize = 2; });

        await relay.StartAsync(CancellationToken.None);
        // The clock does not move: only a full batch (2, 2) is followed at once by another pass; the short one (1) waits.
        await Eventually.HoldsAsync(() => Task.FromResult(transport.Attempts.Count == 5), "three passes ran without the clock moving");
        await rig.App.PublishAsync([Credit("D", 1)]);
        Assert.Equal(5, transport.Attempts.Count);
        // The relay waits a poll interval on the fake clock; move it on until the next pass has sent the new row.
        await Eventually.HoldsAsync(() =>
        {
            rig.Clock.Advance(rig.Options.PollInterval);
            return Task.FromResult(transport.Attempts.Count == 6);
        }, "the next poll sends the new row");

        await relay.StopAsync(CancellationToken.None);
        await using var read = rig.Db.Open();
        var lease = await read.Set<OutboxLease>().SingleAsync();
        Assert.Null(lease.Owner);
        Assert.True(lease.Until < rig.Now);
        Assert.Equal(6, transport.Attempts.Count);
    }

    [Fact]
    public async Task A_disabled_relay_never_starts()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1)]);
        var transport = new OneByOneTransport();
        var relay = rig.Relay(transport);

        await relay.StartAsync(CancellationToken.None);

        // It ends on its own (a relay that ran would poll until stopped).
        await relay.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        await relay.StopAsync(CancellationToken.None);
        Assert.Empty(transport.Attempts);
        await using var read = rig.Db.Open();
        Assert.Null((await read.Set<OutboxLease>().SingleAsync()).Owner); // never taken
    }

    [Fact]
    public async Task The_purge_keeps_rows_until_their_retention_has_passed_and_runs_at_most_once_per_interval()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Credit("A", 2), Credit("A", 3)]);
        var now = rig.Now;
        var (sentRetention, inboxRetention) = (rig.Options.SentRetention, rig.Options.InboxRetention);
        await rig.UpdateAsync(rows =>
        {
            rows[0].SentAt = now - sentRetention;               // exactly at its retention: kept
            rows[1].SentAt = now - sentRetention - TimeSpan.FromTicks(1);
        });
        await using (var ctx = rig.Db.Open())
        {
            ctx.Set<InboxMessage>().Add(new InboxMessage { Source = "/x", EventId = "at", Type = "t", Tenant = "RX4", HandledAt = now - inboxRetention });
            ctx.Set<InboxMessage>().Add(new InboxMessage { Source = "/x", EventId = "past", Type = "t", Tenant = "RX4", HandledAt = now - inboxRetention - TimeSpan.FromTicks(1) });
            await ctx.SaveChangesAsync();
        }
        var relay = rig.Relay(new OneByOneTransport());
        var published = await rig.RowsAsync();

        async Task PurgeAtAsync(DateTime at)
        {
            await using var ctx = rig.Db.Open();
            await relay.PurgeAsync(ctx, at, CancellationToken.None);
        }
        async Task<(List<string> Outbox, List<string> Inbox)> LeftAsync()
        {
            var rows = await rig.RowsAsync();
            await using var read = rig.Db.Open();
            return (Names(rows, published), await read.Set<InboxMessage>().OrderBy(m => m.EventId).Select(m => m.EventId).ToListAsync());
        }

        async Task AssertLeftAsync(string[] outbox, string[] inbox)
        {
            var (leftOutbox, leftInbox) = await LeftAsync();
            Assert.Equal(outbox, leftOutbox);
            Assert.Equal(inbox, leftInbox);
        }

        await PurgeAtAsync(now);
        await AssertLeftAsync(["A1", "A3"], ["at"]);

        // Within the purge interval nothing more goes, though the first row is now past its retention.
        await PurgeAtAsync(now + rig.Options.PurgeInterval - TimeSpan.FromTicks(1));
        await AssertLeftAsync(["A1", "A3"], ["at"]);

        // A whole interval later it goes, and the pending row never.
        await PurgeAtAsync(now + rig.Options.PurgeInterval);
        await AssertLeftAsync(["A3"], []);
    }

    [Fact]
    public async Task Each_pass_counts_the_backlog_and_the_age_of_its_oldest_row_at_most_once_a_second()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.App.PublishAsync([Credit("A", 1), Credit("B", 1), Credit("C", 1)]);
        var now = rig.Now;
        await rig.UpdateAsync(rows =>
        {
            rows[0].CreatedAt = now.AddSeconds(-90);
            rows[1].CreatedAt = now.AddSeconds(-30);
        });
        var relay = rig.Relay(new OneByOneTransport(_ => new SendResult(SendStatus.Unreachable, "down")));
        double oldest = -1;
        var factory = rig.App.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "platform.messaging.outbox.oldest_pending_age") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => oldest = value);
        listener.Start();

        await relay.RunOnceAsync(CancellationToken.None);
        listener.RecordObservableInstruments();
        Assert.Equal((3L, 90.0), (rig.Metrics.Backlog, oldest));

        // Within the second the count is not taken again.
        await rig.App.PublishAsync([Credit("D", 1)]);
        rig.Clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal(3L, rig.Metrics.Backlog);

        rig.Clock.Advance(TimeSpan.FromTicks(1));
        await relay.RunOnceAsync(CancellationToken.None);
        listener.RecordObservableInstruments();
        Assert.Equal((4L, 91.0), (rig.Metrics.Backlog, oldest));

        // Nothing pending: no age.
        await rig.UpdateAsync(rows => rows.ForEach(m => m.SentAt = now));
        rig.Clock.Advance(TimeSpan.FromSeconds(1));
        await relay.RunOnceAsync(CancellationToken.None);
        listener.RecordObservableInstruments();
        Assert.Equal((0L, 0.0), (rig.Metrics.Backlog, oldest));
    }
}
