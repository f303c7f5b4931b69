using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using MessagingBench;
using MessagingBench.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Messaging;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Subscriptions;
using Platform.Testing;

// Messaging benchmark on a real PostgreSQL 15 (Platform.Testing), loopback HTTP, this machine's cores.
//   1. Outbox append: latency of a state-change transaction with and without an outbox row in it.
//   2. Relay throughput: events/s from a pre-filled outbox to a local subscriber's inbox (handler writes included).
var appends = Arg("--appends", 2000);
var events = Arg("--events", 20000);
var subjects = Arg("--subjects", 1000);

const int Wards = 50;
Console.WriteLine($"MessagingBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, appends={appends}, events={events}, subjects={subjects}");
var server = await PostgresServer.SharedAsync();

// ---- 1. outbox append overhead -------------------------------------------------------------------------------
{
    var db = await CreateDatabaseAsync(server, "bench_append");
    await using var sp = BuildServices(db, "bench", relay: false);
    await using (var ctx = Open(db))
    {
        for (var w = 0; w < Wards; w++) ctx.Wards.Add(new Ward { Code = $"RX4-W{w}", Tenant = "RX4" });
        await ctx.SaveChangesAsync();
    }
    Console.WriteLine();
    Console.WriteLine("1. Outbox append: latency of the state-change SaveChanges without / with IEventPublisher.Publish in it");
    foreach (var (label, command) in new (string, bool)[] { ("command (load ward, count the order on it, insert the order)", true), ("single INSERT of the order", false) })
    {
        for (var i = 0; i < 300; i++) { await PlaceAsync(sp, command, false); await PlaceAsync(sp, command, true); } // warm-up
        var without = new List<double>(appends);
        var with = new List<double>(appends);
        for (var i = 0; i < appends; i++)
        {
            // Interleaved so the shared machine's changing load hits both sides alike.
            if (i % 2 == 0) { without.Add(await PlaceAsync(sp, command, false)); with.Add(await PlaceAsync(sp, command, true)); }
            else { with.Add(await PlaceAsync(sp, command, true)); without.Add(await PlaceAsync(sp, command, false)); }
        }
        var (m0, p0, a0) = Stats(without);
        var (m1, p1, a1) = Stats(with);
        Console.WriteLine($"   {label}:");
        Console.WriteLine($"     without outbox: median {m0:0.000} ms  p95 {p0:0.000} ms  mean {a0:0.000} ms");
        Console.WriteLine($"     with outbox:    median {m1:0.000} ms  p95 {p1:0.000} ms  mean {a1:0.000} ms");
        Console.WriteLine($"     added latency:  median {(m1 / m0 - 1) * 100:+0.0;-0.0}%  mean {(a1 / a0 - 1) * 100:+0.0;-0.0}%  (target <= +20%)");
    }
}

// ---- 2. relay throughput end to end --------------------------------------------------------------------------
{
    var subscriberDb = await CreateDatabaseAsync(server, "bench_sub");
    var publisherDb = await CreateDatabaseAsync(server, "bench_pub");
    var token = Guid.NewGuid().ToString("N");
    var port = FreePort.Next();
    var subscriber = await StartSubscriberAsync(subscriberDb, port, token);

    // Fill the outbox first (relay off), so the measurement is the relay alone: select, send, subscriber inbox + handler, mark.
    await using (var fill = BuildServices(publisherDb, "bench", relay: false))
    {
        for (var done = 0; done < events;)
        {
            await using var scope = fill.CreateAsyncScope();
            var ctx = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < 1000 && done < events; i++, done++)
            {
                publisher.Publish(NewOrder(), "RX4", $"order-{done % subjects}");
            }
            await ctx.SaveChangesAsync();
        }
    }

    if (args.Contains("--inbox-only"))
    {
        // Diagnostic: the subscriber's inbox transaction alone, in process, one at a time (no HTTP, no relay, no contention).
        List<string> payloads;
        await using (var ctx = Open(publisherDb)) payloads = await ctx.Set<OutboxMessage>().OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync();
        var dispatcher = subscriber.Services.GetRequiredService<IEventDispatcher>();
        var meter = new CpuMeter(server.Port);
        var warm = payloads.Take(500).ToList();
        foreach (var p in warm) await dispatcher.DispatchAsync(System.Text.Encoding.UTF8.GetBytes(p), "bench.order_placed.v1", CancellationToken.None);
        var rest = payloads.Skip(500).ToList();
        var (c0, p0) = (meter.NowMs(), CpuMeter.ProcessMs());
        var sw = Stopwatch.StartNew();
        foreach (var p in rest) await dispatcher.DispatchAsync(System.Text.Encoding.UTF8.GetBytes(p), "bench.order_placed.v1", CancellationToken.None);
        sw.Stop();
        var (c1, p1) = (meter.NowMs(), CpuMeter.ProcessMs());
        Console.WriteLine($"   inbox only, sequential: {sw.Elapsed.TotalMilliseconds / rest.Count:0.000} ms per event; CPU: process {(p1 - p0) / rest.Count:0.000} + PostgreSQL {(c1 - c0 - (p1 - p0)) / rest.Count:0.000} CPU-ms per event");
        return;
    }
    var config = new Dictionary<string, string?>
    {
        ["Messaging:AppApiToken"] = token,
        ["Messaging:Transport"] = "Local",
        ["Messaging:Local:Subscribers:0"] = $"http://127.0.0.1:{port}",
        ["Messaging:Relay:BatchSize"] = "1000",
        ["Messaging:Relay:MaxParallelism"] = Arg("--parallelism", 32).ToString(),
        ["Messaging:Relay:PollInterval"] = "00:00:00.010",
    };
    var cpu = new CpuMeter(server.Port);
    var cpuBefore = cpu.NowMs();
    var processBefore = CpuMeter.ProcessMs();
    var stopwatch = Stopwatch.StartNew();
    await using var relayHost = BuildServices(publisherDb, "bench", relay: true, config);
    var relay = relayHost.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OutboxRelay<BenchDbContext>>().Single();
    await relay.StartAsync(CancellationToken.None);
    long pending;
    var deadline = DateTime.UtcNow.AddMinutes(5);
    do
    {
        await Task.Delay(50);
        await using var ctx = Open(publisherDb);
        pending = await ctx.Set<OutboxMessage>().LongCountAsync(m => m.SentAt == null);
    } while (pending > 0 && DateTime.UtcNow < deadline);
    stopwatch.Stop();
    var cpuMsPerEvent = (cpu.NowMs() - cpuBefore) / events;
    var processMsPerEvent = (CpuMeter.ProcessMs() - processBefore) / events;
    await relay.StopAsync(CancellationToken.None);

    long handled;
    await using (var ctx = Open(subscriberDb)) handled = await ctx.Set<InboxMessage>().LongCountAsync();
    long failedAttempts;
    await using (var ctx = Open(publisherDb)) failedAttempts = await ctx.Set<OutboxMessage>().SumAsync(m => (long)m.Attempts);
    Console.WriteLine();
    var noop = Environment.GetEnvironmentVariable("BENCH_NOOP_SUBSCRIBER") == "1";
    Console.WriteLine(noop
        ? $"2. Relay throughput to a NO-OP subscriber (answers SUCCESS, no database): the relay + HTTP ceiling, {subjects} aggregates"
        : $"2. Relay throughput (Local transport, loopback HTTP, subscriber inbox + handler insert on PostgreSQL, {subjects} aggregates)");
    Console.WriteLine($"   {events} events in {stopwatch.Elapsed.TotalSeconds:0.00} s = {events / stopwatch.Elapsed.TotalSeconds:0} events/s  (target >= 2000)");
    Console.WriteLine($"   left in outbox: {pending}; handled by subscriber (distinct inbox rows): {handled}; lost: {(noop ? "n/a" : (events - handled).ToString())}; failed send attempts (retried): {failedAttempts}");
    Console.WriteLine($"   CPU (this process {processMsPerEvent:0.000} + its PostgreSQL {cpuMsPerEvent - processMsPerEvent:0.000}): {cpuMsPerEvent:0.000} CPU-ms per event => at most {Environment.ProcessorCount * 1000 / cpuMsPerEvent:0} events/s if all {Environment.ProcessorCount} cores were free (load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    await subscriber.StopAsync();
    await subscriber.DisposeAsync();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}

static OrderPlaced NewOrder() => new()
{
    OrderId = Guid.NewGuid().ToString(),
    WardCode = "RX4-W12",
    TechnologyId = "tech-" + Random.Shared.Next(1000),
    AmountPence = Random.Shared.Next(100, 100000),
    PlacedBy = "user-" + Random.Shared.Next(100),
    PlacedAt = Timestamp.FromDateTime(DateTime.UtcNow),
};

static async Task<double> PlaceAsync(ServiceProvider sp, bool command, bool withOutbox)
{
    await using var scope = sp.CreateAsyncScope();
    var ctx = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
    var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
    var started = Stopwatch.GetTimestamp();
    var order = NewOrder();
    if (command)
    {
        var code = $"RX4-W{Random.Shared.Next(Wards)}";
        var ward = await ctx.Wards.FirstAsync(w => w.Code == code);
        ward.Orders++;
        order.WardCode = code;
    }
    ctx.Orders.Add(new Order { Id = Guid.Parse(order.OrderId), Tenant = "RX4", Ward = order.WardCode, TechnologyId = order.TechnologyId, AmountPence = order.AmountPence, PlacedBy = order.PlacedBy, PlacedAt = DateTime.UtcNow });
    if (withOutbox) publisher.Publish(order, "RX4", order.OrderId);
    await ctx.SaveChangesAsync();
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

static (double Median, double P95, double Mean) Stats(List<double> xs)
{
    var sorted = xs.OrderBy(x => x).ToArray();
    return (sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.95)], sorted.Average());
}

static async Task<string> CreateDatabaseAsync(PostgresServer server, string prefix)
{
    var name = await server.CreateDatabaseAsync(prefix);
    var options = new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(server.OwnerConnectionString(name)).Options;
    await using (var ctx = new BenchDbContext(options)) await ctx.Database.EnsureCreatedAsync();
    await using var conn = new NpgsqlConnection(server.OwnerConnectionString(name));
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand($"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {PostgresServer.AppRole}", conn);
    await cmd.ExecuteNonQueryAsync();
    return server.AppConnectionString(name) + ";Maximum Pool Size=100";
}

static BenchDbContext Open(string connectionString) => new(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(connectionString).Options);

static ServiceProvider BuildServices(string connectionString, string service, bool relay, Dictionary<string, string?>? extra = null)
{
    var settings = new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = relay.ToString() };
    foreach (var (k, v) in extra ?? []) settings[k] = v;
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    var services = new ServiceCollection();
    services.AddLogging(l => l.SetMinimumLevel(LogLevel.Error).AddSimpleConsole());
    services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString));
    services.AddPlatformMessaging<BenchDbContext>(configuration, service);
    return services.BuildServiceProvider();
}

static async Task<WebApplication> StartSubscriberAsync(string connectionString, int port, string token)
{
    var builder = WebApplication.CreateBuilder();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Messaging:AppApiToken"] = token,
        ["Messaging:Relay:Enabled"] = "false",
    });
    builder.Services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString));
    builder.AddPlatformMessaging<BenchDbContext>("benchview");
    builder.Services.AddEventHandler<OrderPlaced, OrderPlacedHandler>();
    var app = builder.Build();
    if (Environment.GetEnvironmentVariable("BENCH_NOOP_SUBSCRIBER") == "1")
    {
        // Diagnostic: a subscriber that answers SUCCESS without touching its database (the relay + HTTP ceiling).
        app.MapGet("/dapr/subscribe", () => Results.Json(new[] { new { pubsubname = "pubsub", topic = "bench.order_placed.v1", route = "/events/bench.order_placed.v1" } }));
        app.MapPost("/events/bench.order_placed.v1", () => Results.Json(new { status = "SUCCESS" }));
        await app.StartAsync();
        return app;
    }
    app.MapEventSubscriptions();
    await app.StartAsync();
    return app;
}
