using Microsoft.Extensions.Time.Testing;
using Platform.Messaging.Outbox;
using Xunit;

namespace Platform.Messaging.Tests;

// The group commit under the access records (docs/decisions/0027), driven by a fake clock and a write the test holds
// open, so every step is decided by the test, not by timing.
public sealed class GroupCommitTests
{
    private sealed class Writes
    {
        private readonly Lock _gate = new();
        public List<(string Partition, List<string> Items)> Done { get; } = [];
        public List<TaskCompletionSource> Held { get; } = [];
        public Func<IReadOnlyList<string>, Exception?> FailWhen { get; set; } = _ => null;
        public bool Hold { get; set; }

        public async Task WriteAsync(string partition, IReadOnlyList<string> items)
        {
            if (Hold)
            {
                var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_gate) Held.Add(held);
                await held.Task;
            }

            if (FailWhen(items) is { } error) throw error;
            lock (_gate) Done.Add((partition, [.. items]));
        }

        public int HeldCount
        {
            get { lock (_gate) return Held.Count; }
        }
    }

    private static GroupCommit<string> Commit(Writes writes, FakeTimeProvider clock, int maxBatch = 64, bool writeAtOnceWhenIdle = true) =>
        new(item => item.Split(':')[0], writes.WriteAsync, maxBatch, TimeSpan.FromMilliseconds(2), clock, writeAtOnceWhenIdle);

    [Fact]
    public async Task Set_not_to_write_at_once_when_idle_even_a_lone_item_waits_for_the_delay_or_a_full_batch()
    {
        var writes = new Writes();
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock, maxBatch: 2, writeAtOnceWhenIdle: false);
        var lone = commit.WriteAsync("A:1", CancellationToken.None);
        await Task.Yield();
        Assert.False(lone.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        await lone;

        await Task.WhenAll(commit.WriteAsync("A:2", CancellationToken.None), commit.WriteAsync("A:3", CancellationToken.None));
        Assert.Equal([["A:1"], ["A:2", "A:3"]], writes.Done.Select(d => d.Items));
    }

    // Waits on the condition, polling; the bound only ends a test that would otherwise hang. (A count of 5,000
    // yields was the bound before: on a loaded two-core machine the write it waited for could take longer than that.)
    private static async Task Until(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition() && !bound.IsCancellationRequested) await Task.Delay(1, CancellationToken.None);
        Assert.True(condition(), "the condition never held");
    }

    [Fact]
    public async Task Items_that_arrive_while_a_write_is_in_flight_are_written_together_once_each_and_each_caller_waits_for_its_own()
    {
        var writes = new Writes { Hold = true };
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock);
        var first = commit.WriteAsync("A:1", CancellationToken.None);
        await Until(() => writes.HeldCount == 1);
        var rest = Enumerable.Range(2, 10).Select(i => commit.WriteAsync($"A:{i}", CancellationToken.None)).ToList();
        writes.Hold = false;

        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(rest, t => t.IsCompleted);
        writes.Held[0].SetResult();
        await first;
        await Task.WhenAll(rest);

        Assert.Equal([["A:1"], [.. Enumerable.Range(2, 10).Select(i => $"A:{i}")]], writes.Done.Select(d => d.Items));
    }

    [Fact]
    public async Task A_full_batch_is_written_at_once_and_a_short_one_after_at_most_the_delay()
    {
        var writes = new Writes { Hold = true };
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock, maxBatch: 3);
        var first = commit.WriteAsync("A:0", CancellationToken.None);
        await Until(() => writes.HeldCount == 1);
        writes.Hold = false;

        var full = Enumerable.Range(1, 3).Select(i => commit.WriteAsync($"A:{i}", CancellationToken.None)).ToList();
        await Task.WhenAll(full);
        Assert.Equal(["A:1", "A:2", "A:3"], Assert.Single(writes.Done).Items);

        var shortBatch = commit.WriteAsync("A:4", CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Task.Yield();
        Assert.False(shortBatch.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await shortBatch;
        Assert.Equal(["A:4"], writes.Done[^1].Items);

        writes.Held[0].SetResult();
        await first;
    }

    [Fact]
    public async Task A_failed_write_fails_every_caller_in_it_and_no_other()
    {
        var writes = new Writes { Hold = true, FailWhen = items => items.Contains("A:bad") ? new InvalidOperationException("disk full") : null };
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock);
        var first = commit.WriteAsync("A:0", CancellationToken.None);
        await Until(() => writes.HeldCount == 1);
        writes.Hold = false;
        var doomed = new[] { commit.WriteAsync("A:1", CancellationToken.None), commit.WriteAsync("A:bad", CancellationToken.None) };
        var otherTrust = commit.WriteAsync("B:1", CancellationToken.None);

        writes.Held[0].SetResult();
        await first;
        await otherTrust;
        foreach (var task in doomed) Assert.Equal("disk full", (await Assert.ThrowsAsync<InvalidOperationException>(() => task)).Message);
        Assert.DoesNotContain(writes.Done, d => d.Items.Contains("A:1"));

        await commit.WriteAsync("A:2", CancellationToken.None);
        Assert.Equal(["A:2"], writes.Done[^1].Items);
    }

    [Fact]
    public async Task A_caller_that_cancels_while_waiting_takes_its_item_back_and_the_others_are_still_written()
    {
        var writes = new Writes { Hold = true };
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock);
        var first = commit.WriteAsync("A:0", CancellationToken.None);
        await Until(() => writes.HeldCount == 1);
        writes.Hold = false;
        using var cancel = new CancellationTokenSource();
        var kept1 = commit.WriteAsync("A:1", CancellationToken.None);
        var cancelled = commit.WriteAsync("A:2", cancel.Token);
        var kept2 = commit.WriteAsync("A:3", CancellationToken.None);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        writes.Held[0].SetResult();
        await Task.WhenAll(first, kept1, kept2);
        Assert.Equal(["A:1", "A:3"], writes.Done[^1].Items);
    }

    [Fact]
    public async Task A_caller_that_cancels_once_its_item_is_being_written_stops_waiting_and_the_item_is_written_all_the_same()
    {
        var writes = new Writes { Hold = true };
        var clock = new FakeTimeProvider();
        using var commit = Commit(writes, clock);
        using var cancel = new CancellationTokenSource();
        var other = commit.WriteAsync("A:0", CancellationToken.None);
        await Until(() => writes.HeldCount == 1);
        var mine = commit.WriteAsync("A:1", cancel.Token);
        var kept = commit.WriteAsync("A:2", CancellationToken.None);
        writes.Held[0].SetResult();
        await other;
        await Until(() => writes.HeldCount == 2);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mine);
        writes.Held[1].SetResult();
        await kept;
        Assert.Equal(["A:1", "A:2"], writes.Done[^1].Items);
    }
}
