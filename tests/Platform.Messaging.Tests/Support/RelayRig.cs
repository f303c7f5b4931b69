using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Messaging.Outbox;

namespace Platform.Messaging.Tests.Support;

/// <summary>
/// A publishing app on SQLite whose own relay is off, and relays built by hand on a fake clock over a scripted transport,
/// so a test drives the relay pass by pass and reads what it left in the outbox. Nothing here waits on time.
/// </summary>
public sealed class RelayRig : IAsyncDisposable
{
    private RelayRig(TestDb db, MessagingApp app)
    {
        Db = db;
        App = app;
    }

    public TestDb Db { get; }
    public MessagingApp App { get; }

    /// <summary>Starts after the rows the test publishes were written (their due time is the publisher's clock); moves only when told.</summary>
    public RelayClock Clock { get; } = new(DateTimeOffset.UtcNow.AddMinutes(1));

    /// <summary>What the rig's relays logged.</summary>
    public FakeLogger<OutboxRelay<LedgerDbContext>> Log { get; } = new();

    public RelayOptions Options => App.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.Relay;
    public MessagingMetrics Metrics => App.Services.GetRequiredService<MessagingMetrics>();
    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static async Task<RelayRig> StartAsync(Dictionary<string, string?>? config = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        var db = await TestDb.SqliteAsync();
        var settings = new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = "false" };
        foreach (var (k, v) in config ?? []) settings[k] = v;
        return new RelayRig(db, await MessagingApp.StartAsync("ledger", db, settings, handlers: false, configure: configure));
    }

    /// <summary>A relay on the rig's clock; <paramref name="configure"/> changes its settings from the app's.</summary>
    public OutboxRelay<LedgerDbContext> Relay(IEventTransport transport, Action<RelayOptions>? configure = null)
    {
        var options = App.Services.GetRequiredService<IOptions<MessagingOptions>>();
        if (configure is not null)
        {
            var own = new MessagingOptions();
            App.Services.GetRequiredService<IConfiguration>().GetSection("Messaging").Bind(own);
            configure(own.Relay);
            options = Microsoft.Extensions.Options.Options.Create(own);
        }
        return new OutboxRelay<LedgerDbContext>(App.Services.GetRequiredService<IServiceScopeFactory>(), transport, options,
            Metrics, Clock, Log);
    }

    /// <summary>Every outbox row, in append order.</summary>
    public async Task<List<OutboxMessage>> RowsAsync()
    {
        await using var read = Db.Open();
        return await read.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync();
    }

    public async Task UpdateAsync(Action<List<OutboxMessage>> change)
    {
        await using var ctx = Db.Open();
        var rows = await ctx.Set<OutboxMessage>().OrderBy(m => m.Sequence).ToListAsync();
        change(rows);
        await ctx.SaveChangesAsync();
    }

    /// <summary>The relay lease's holder and end.</summary>
    public async Task<(string? Owner, DateTime Until)> LeaseAsync()
    {
        await using var read = Db.Open();
        var lease = await read.Set<OutboxLease>().AsNoTracking().SingleAsync();
        return (lease.Owner, lease.Until);
    }

    /// <summary>Gives the lease to <paramref name="owner"/> until <paramref name="until"/> (another instance, as far as the relays know).</summary>
    public async Task SetLeaseAsync(string? owner, DateTime until)
    {
        await using var ctx = Db.Open();
        await ctx.Set<OutboxLease>().ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.Until, until));
    }

    public void SetNow(DateTime utc) => Clock.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>A fake clock that also records every wait started on it (the due time of each timer), so a test can read
/// how long the relay chose to wait without waiting for it.</summary>
public sealed class RelayClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Waits.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>A row as the tests name it: subject and its number within the subject (1-based), e.g. <c>A2</c>.</summary>
public static class RowNames
{
    public static string Of(OutboxMessage m, IReadOnlyList<OutboxMessage> rows) =>
        m.Subject + (rows.Where(r => r.Subject == m.Subject).OrderBy(r => r.Sequence).ToList().FindIndex(r => r.Id == m.Id) + 1);
}

/// <summary>Sends one row per call (no batching) and answers as scripted; records every attempt in order.</summary>
public sealed class OneByOneTransport(Func<OutboxMessage, SendResult>? answer = null) : IEventTransport
{
    public ConcurrentQueue<OutboxMessage> Attempts { get; } = new();

    public Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Attempts.Enqueue(message);
        return Task.FromResult(answer?.Invoke(message) ?? SendResult.Ok);
    }
}

/// <summary>
/// A batching transport (as bulk publish or the local runner's bulk deliveries are): answers each row of a chunk as
/// scripted and records the chunks; <see cref="BeforeChunk"/> runs before a chunk is answered (to look at the database,
/// or to hold the chunk). Its single-row <see cref="SendAsync"/> is recorded apart.
/// </summary>
public sealed class ChunkTransport(int max, bool ordered, Func<OutboxMessage, SendResult>? answer = null) : IEventTransport, IBatchEventTransport
{
    public ConcurrentQueue<IReadOnlyList<OutboxMessage>> Chunks { get; } = new();
    public ConcurrentQueue<OutboxMessage> Singles { get; } = new();
    public Func<IReadOnlyList<OutboxMessage>, CancellationToken, Task>? BeforeChunk { get; set; }

    public bool OrderedWithinBatch => ordered;

    public ValueTask<int> MaxBatchSizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(max);

    public async Task<SendResult[]> SendBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        Chunks.Enqueue([.. messages]);
        if (BeforeChunk is not null) await BeforeChunk(messages, cancellationToken);
        return [.. messages.Select(m => answer?.Invoke(m) ?? SendResult.Ok)];
    }

    public Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Singles.Enqueue(message);
        return Task.FromResult(answer?.Invoke(message) ?? SendResult.Ok);
    }
}
