using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The relay's one-by-one path, which a Dapr sidecar without bulk publish uses: after an event of a subject fails, none
/// of that subject's later events leaves before it does, in the same pass or a later one (issue 21: removing the
/// guard left every test green, because the ordering tests all ran in bulk). The relay is driven pass by pass on a
/// fake clock against a transport that answers as scripted, so nothing here waits on time.
/// </summary>
public class OneByOneOrderingTests
{
    /// <summary>Sends one row per call (no <see cref="IBatchEventTransport"/>); fails a subject's rows while it is listed.</summary>
    private sealed class ScriptedTransport : IEventTransport
    {
        public ConcurrentDictionary<string, bool> Failing { get; } = new();
        public ConcurrentQueue<(string Subject, long Sequence, bool Delivered)> Attempts { get; } = new();

        public Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            var delivered = !Failing.ContainsKey(message.Subject);
            Attempts.Enqueue((message.Subject, message.Sequence, delivered));
            return Task.FromResult(delivered ? SendResult.Ok : new SendResult(SendStatus.Unreachable, "sidecar down"));
        }

        public List<long> Tried(string subject) => [.. Attempts.Where(a => a.Subject == subject).Select(a => a.Sequence)];
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_subjects_later_events_wait_for_its_failed_event_and_then_go_in_order(string provider)
    {
        var db = provider == "sqlite" ? await TestDb.SqliteAsync() : await TestDb.PostgresAsync();
        await using var app = await MessagingApp.StartAsync("ledger", db, new() { ["Messaging:Relay:Enabled"] = "false" }, handlers: false);
        await app.PublishAsync(LedgerData.Credits(accounts: 1, perAccount: 3, prefix: "held")
            .Concat(LedgerData.Credits(accounts: 1, perAccount: 2, prefix: "free")));
        long[] held;
        await using (var read = db.Open())
        {
            held = [.. await read.Set<OutboxMessage>().Where(m => m.Subject == "held-000").OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync()];
        }

        var transport = new ScriptedTransport();
        transport.Failing["held-000"] = true;
        // The clock starts after the rows were written (their due time is the publisher's clock), and moves only when told.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1));
        var options = app.Services.GetRequiredService<IOptions<MessagingOptions>>();
        var relay = new OutboxRelay<LedgerDbContext>(app.Services.GetRequiredService<IServiceScopeFactory>(), transport, options,
            app.Services.GetRequiredService<MessagingMetrics>(), clock, NullLogger<OutboxRelay<LedgerDbContext>>.Instance);

        // Pass 1: the held subject's first event fails; its two later events are not tried; the other subject is not held up.
        var first = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal((5, 2, 1), (first.Selected, first.Sent, first.Failed));
        Assert.Equal([held[0]], transport.Tried("held-000"));
        Assert.Equal(2, transport.Tried("free-000").Count);

        // Pass 2, still inside the failed event's backoff: nothing of the held subject is due, not even its later events.
        var second = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, second.Selected);
        Assert.Equal([held[0]], transport.Tried("held-000"));

        // Pass 3, after the backoff, with the sidecar back: the three go in their order.
        transport.Failing.Clear();
        clock.Advance(options.Value.Relay.MaxBackoff * 2);
        var third = await relay.RunOnceAsync(CancellationToken.None);
        Assert.Equal(3, third.Sent);
        Assert.Equal([held[0], held[0], held[1], held[2]], transport.Tried("held-000"));
        await using var after = db.Open();
        Assert.Equal(0, await after.Set<OutboxMessage>().CountAsync(m => m.SentAt == null));
        Assert.Equal(1, await after.Set<OutboxMessage>().Where(m => m.Sequence == held[0]).Select(m => m.Attempts).SingleAsync());
    }
}
