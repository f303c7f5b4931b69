using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging.Subscriptions;
using Platform.Tools.LocalDelivery;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Testing;

namespace Platform.Messaging.Tests.Support;

/// <summary>
/// A real ASP.NET Core app on Kestrel (loopback, free port) that adopts Platform.Messaging the way a service does:
/// its DbContext, <c>AddPlatformMessaging</c>, handlers, <c>MapEventSubscriptions</c>. Its relay publishes to a Dapr sidecar
/// (<c>DAPR_GRPC_ENDPOINT</c>), or, given <c>Messaging:Local:Subscribers</c>, delivers to them itself (tools/LocalDelivery).
/// </summary>
public sealed class MessagingApp : IAsyncDisposable
{
    public const string Token = "test-run-token-3c1f";

    private readonly WebApplication _app;

    private MessagingApp(WebApplication app, int port, TestDb db)
    {
        _app = app;
        Port = port;
        Db = db;
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public TestDb Db { get; }
    public IServiceProvider Services => _app.Services;
    public Faults Faults => _app.Services.GetRequiredService<Faults>();

    /// <summary>CloudEvent ids of every POST that reached an event route, duplicates included.</summary>
    public ConcurrentQueue<string> Deliveries => _app.Services.GetRequiredService<DeliveryLog>().Ids;

    public sealed class DeliveryLog
    {
        public ConcurrentQueue<string> Ids { get; } = new();
        public int BulkRequests;
    }

    /// <summary>How many bulk deliveries (Dapr's <c>entries[]</c>) reached an event route.</summary>
    public int BulkRequests => Volatile.Read(ref _app.Services.GetRequiredService<DeliveryLog>().BulkRequests);

    public static async Task<MessagingApp> StartAsync(string service, TestDb db, Dictionary<string, string?>? config = null,
        bool handlers = true, int? port = null, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? beforeMap = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var p = port ?? FreePort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseUrls($"http://127.0.0.1:{p}");
            builder.Logging.ClearProviders();
            var settings = new Dictionary<string, string?>
            {
                ["Messaging:AppApiToken"] = Token,
                ["Messaging:Relay:PollInterval"] = "00:00:00.020",
                ["Messaging:Relay:InitialBackoff"] = "00:00:00.050",
                ["Messaging:Relay:MaxBackoff"] = "00:00:00.400",
                ["Messaging:Relay:LeaseDuration"] = "00:00:02",
                ["Messaging:Local:DiscoveryRefresh"] = "00:00:01",
            };
            foreach (var (k, v) in config ?? []) settings[k] = v;
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddDbContext<LedgerDbContext>(db.Configure);
            builder.Services.AddSingleton<Faults>();
            builder.Services.AddSingleton<DeliveryLog>();
            builder.AddPlatformMessaging<LedgerDbContext>(service);
            // A publisher given subscribers delivers to them itself, as the local runner's apps do; any other talks to a sidecar.
            if (settings.Keys.Any(k => k.StartsWith("Messaging:Local:Subscribers:", StringComparison.Ordinal))) builder.Services.AddLocalEventDelivery();
            if (handlers)
            {
                builder.Services.AddEventHandler<AmountCredited, AmountCreditedHandler>();
                builder.Services.AddEventHandler<NoteAdded, NoteAddedHandler>();
            }
            configure?.Invoke(builder);
            var app = builder.Build();
            beforeMap?.Invoke(app);
            app.Use(async (ctx, next) =>
            {
                if (HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments("/events") && ctx.Request.Headers.TryGetValue("Cloudevent.id", out var unwrappedId))
                {
                    // A single CloudEvent, already unwrapped by Dapr.AspNetCore's UseCloudEvents: its id came as a header.
                    ctx.RequestServices.GetRequiredService<DeliveryLog>().Ids.Enqueue(unwrappedId.ToString());
                }
                else if (HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments("/events"))
                {
                    ctx.Request.EnableBuffering();
                    try
                    {
                        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
                        var log = ctx.RequestServices.GetRequiredService<DeliveryLog>();
                        if (doc.RootElement.TryGetProperty("entries", out var entries) && entries.ValueKind == JsonValueKind.Array)
                        {
                            // A bulk delivery: one id per entry (the CloudEvent's own id).
                            foreach (var entry in entries.EnumerateArray())
                            {
                                if (entry.TryGetProperty("event", out var ev) && ev.ValueKind == JsonValueKind.Object && ev.TryGetProperty("id", out var eventId))
                                {
                                    log.Ids.Enqueue(eventId.GetString() ?? "");
                                }
                            }
                            Interlocked.Increment(ref log.BulkRequests);
                        }
                        else if (doc.RootElement.TryGetProperty("id", out var id)) log.Ids.Enqueue(id.GetString() ?? "");
                    }
                    catch (JsonException) { }
                    ctx.Request.Body.Position = 0;
                }
                await next(ctx);
            });
            app.MapEventSubscriptions();
            try
            {
                await app.StartAsync();
                return new MessagingApp(app, p, db);
            }
            catch (IOException) when (attempt < 3 && port is null)
            {
                await app.DisposeAsync(); // the free port was taken meanwhile
            }
        }
    }

    public LedgerDbContext OpenDb() => Db.Open();

    /// <summary>Writes events through the app's own <see cref="Outbox.IEventPublisher"/> in one transaction with a state change.</summary>
    public async Task PublishAsync(IEnumerable<Google.Protobuf.IMessage> messages, string tenant = "RX4", Func<Google.Protobuf.IMessage, string>? subject = null)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LedgerDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<Outbox.IEventPublisher>();
        foreach (var m in messages)
        {
            publisher.Publish(m, tenant, subject?.Invoke(m) ?? (m is AmountCredited c ? c.AccountId : m is NoteAdded n ? n.AccountId : "subject"));
        }
        await db.SaveChangesAsync();
    }

    /// <summary>Stops the app with an already-cancelled token: in-flight work is abandoned, as when a pod is killed.</summary>
    public async Task KillAsync()
    {
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}

public static class LedgerData
{
    /// <summary><paramref name="accounts"/> accounts with <paramref name="perAccount"/> credits each (seq 1..n, amount = seq).</summary>
    public static List<AmountCredited> Credits(int accounts, int perAccount, string prefix = "acc") =>
        Enumerable.Range(1, perAccount)
            .SelectMany(seq => Enumerable.Range(0, accounts).Select(a => new AmountCredited { AccountId = $"{prefix}-{a:D3}", Amount = seq, Seq = seq }))
            .ToList();

    public static long ExpectedBalance(int perAccount) => perAccount * (perAccount + 1L) / 2;

    public static async Task<List<Account>> AccountsAsync(TestDb db)
    {
        await using var ctx = db.Open();
        return await ctx.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
    }

    public static async Task<int> CountAsync<T>(TestDb db, Func<LedgerDbContext, IQueryable<T>> query)
    {
        await using var ctx = db.Open();
        return await query(ctx).CountAsync();
    }
}
