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
using Platform.Tools.LocalDelivery;
using MessagingBench.DaprPath;
using Microsoft.Extensions.Options;

// Messaging benchmark on a real PostgreSQL 15 (Platform.Testing), loopback HTTP, this machine's cores.
//   1. Outbox append: latency of a state-change transaction with and without an outbox row in it.
//   2. Relay throughput: events/s from a pre-filled outbox to a local subscriber's inbox (handler writes included).
//   3. (--dapr) Relay throughput to the Dapr sidecar: Dapr.Client over gRPC against the old hand-written HTTP transport,
//      alternating rounds, each against a loopback fake sidecar in a child process.
if (args.FirstOrDefault() == "--fake-sidecars")
{
    await FakeSidecars.RunAsync(int.Parse(args[1]), int.Parse(args[2]));
    return;
}
var appends = Arg("--appends", 8000);
var events = Arg("--events", 20000);
var subjects = Arg("--subjects", 1000);
// Batched delivery (Dapr bulk subscribe) is the default; --single sends one event per request, as before ADR 0005.
var single = args.Contains("--single");
var bulkSize = Arg("--bulk-size", 100);
var warmupSeconds = Arg("--append-warmup-seconds", 5);

const int Wards = 50;
Console.WriteLine($"MessagingBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, appends={appends}, events={events}, subjects={subjects}, " +
    $"delivery={(single ? "single" : $"bulk (maxMessagesCount {bulkSize})")}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
var server = await PostgresServer.SharedAsync();
if (args.Contains("--dapr"))
{
    await DaprPathAsync();
    return;
}

// ---- 1. outbox append overhead (--appends 0 skips it) -----------------------------------------------------------
if (appends > 0)
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
        // Warm-up, long enough for tiered compilation to reach its optimized code on both sides.
        for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(warmupSeconds);) { await PlaceAsync(sp, command, false); await PlaceAsync(sp, command, true); }
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
    var subscriber = await StartSubscriberAsync(subscriberDb, port, token, bulkSize);

    var warmup = Arg("--warmup", 4000);
    // Fill the outbox first (relay off), so the measurement is the relay alone: select, send, subscriber inbox + handler, mark.
    async Task FillAsync(int count)
    {
        await using var fill = BuildServices(publisherDb, "bench", relay: false);
        for (var done = 0; done < count;)
        {
            await using var scope = fill.CreateAsyncScope();
            var ctx = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < 1000 && done < count; i++, done++)
            {
                publisher.Publish(NewOrder(), "RX4", $"order-{done % subjects}");
            }
            await ctx.SaveChangesAsync();
        }
    }

    if (args.Contains("--inbox-only"))
    {
        // Diagnostic: the subscriber's inbox transaction alone, in process, one delivery at a time (no HTTP, no relay, no contention).
        await FillAsync(warmup + events);
        List<string> payloads;
        await using (var ctx = Open(publisherDb)) payloads = await ctx.Set<OutboxMessage>().OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync();
        var dispatcher = subscriber.Services.GetRequiredService<IEventDispatcher>();
        async Task DispatchAllAsync(IEnumerable<string> list)
        {
            if (single)
            {
                foreach (var p in list) await dispatcher.DispatchAsync(System.Text.Encoding.UTF8.GetBytes(p), "bench.order_placed.v1", CancellationToken.None);
                return;
            }
            foreach (var chunk in list.Chunk(bulkSize))
            {
                var entries = chunk.Select((p, i) => new BulkEntry(i.ToString(), System.Text.Encoding.UTF8.GetBytes(p))).ToList();
                await dispatcher.DispatchBulkAsync(entries, "bench.order_placed.v1", CancellationToken.None);
            }
        }
        var meter = new CpuMeter(server.Port);
        await DispatchAllAsync(payloads.Take(warmup)); // JIT and tiering settle first
        var rest = payloads.Skip(warmup).ToList();
        var (c0, p0) = (meter.NowMs(), CpuMeter.ProcessMs());
        var sw = Stopwatch.StartNew();
        await DispatchAllAsync(rest);
        sw.Stop();
        var (c1, p1) = (meter.NowMs(), CpuMeter.ProcessMs());
        Console.WriteLine($"   inbox only ({(single ? "one event per transaction" : $"batches of {bulkSize}")}), sequential, {rest.Count} events after {warmup} warm-up: " +
            $"{sw.Elapsed.TotalMilliseconds / rest.Count:0.000} ms per event; CPU: process {(p1 - p0) / rest.Count:0.000} + PostgreSQL {(c1 - c0 - (p1 - p0)) / rest.Count:0.000} CPU-ms per event");
        return;
    }
    var config = new Dictionary<string, string?>
    {
        ["Messaging:AppApiToken"] = token,
        ["Messaging:Local:Subscribers:0"] = $"http://127.0.0.1:{port}",
        ["Messaging:Relay:BatchSize"] = "1000",
        ["Messaging:Relay:MaxParallelism"] = Arg("--parallelism", 32).ToString(),
        ["Messaging:Relay:PollInterval"] = "00:00:00.010",
        ["Messaging:Local:Bulk"] = (!single).ToString(),
    };
    // One relay run: fill, start a relay, time it until the outbox is empty, stop it. The warm-up run (untimed in the
    // result) lets JIT and tiered compilation settle, so the timed run measures the steady state a service runs in.
    async Task<(double Seconds, long Pending, double CpuMs, double ProcessMs)> RelayRunAsync(int count)
    {
        await FillAsync(count);
        var cpu = new CpuMeter(server.Port);
        var cpuBefore = cpu.NowMs();
        var processBefore = CpuMeter.ProcessMs();
        var stopwatch = Stopwatch.StartNew();
        await using var relayHost = BuildServices(publisherDb, "bench", relay: true, config, s => s.AddLocalEventDelivery());
        var relay = relayHost.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OutboxRelay<BenchDbContext>>().Single();
        await relay.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        bool any;
        do
        {
            // A cheap probe (EXISTS, not COUNT over the backlog): its cost lands in the PostgreSQL CPU figure.
            await Task.Delay(25);
            await using var ctx = Open(publisherDb);
            any = await ctx.Set<OutboxMessage>().AnyAsync(m => m.SentAt == null);
        } while (any && DateTime.UtcNow < deadline);
        stopwatch.Stop();
        long pending;
        await using (var ctx = Open(publisherDb)) pending = await ctx.Set<OutboxMessage>().LongCountAsync(m => m.SentAt == null);
        var result = (stopwatch.Elapsed.TotalSeconds, pending, cpu.NowMs() - cpuBefore, CpuMeter.ProcessMs() - processBefore);
        await relay.StopAsync(CancellationToken.None);
        return result;
    }

    Console.WriteLine();
    var noop = Environment.GetEnvironmentVariable("BENCH_NOOP_SUBSCRIBER") == "1";
    Console.WriteLine(noop
        ? $"2. Relay throughput to a NO-OP subscriber (answers SUCCESS, no database): the relay + HTTP ceiling, {subjects} aggregates, {(single ? "single delivery" : $"bulk delivery of up to {bulkSize}")}"
        : $"2. Relay throughput (Local transport, loopback HTTP, subscriber inbox + handler insert on PostgreSQL, {subjects} aggregates, " +
          (single ? "single delivery: one event per request and per transaction)" : $"bulk delivery: up to {bulkSize} events per request, one transaction per tenant)"));
    if (warmup > 0)
    {
        var w = await RelayRunAsync(warmup);
        Console.WriteLine($"   warm-up: {warmup} events in {w.Seconds:0.00} s = {warmup / w.Seconds:0} events/s (not the result)");
    }
    var run = await RelayRunAsync(events);
    var cpuMsPerEvent = run.CpuMs / events;
    var processMsPerEvent = run.ProcessMs / events;

    long handled;
    await using (var ctx = Open(subscriberDb)) handled = await ctx.Set<InboxMessage>().LongCountAsync();
    long failedAttempts, published;
    await using (var ctx = Open(publisherDb))
    {
        failedAttempts = await ctx.Set<OutboxMessage>().SumAsync(m => (long)m.Attempts);
        published = await ctx.Set<OutboxMessage>().LongCountAsync();
    }
    Console.WriteLine($"   {events} events in {run.Seconds:0.00} s = {events / run.Seconds:0} events/s  (target >= 2000)");
    Console.WriteLine($"   in: {published} published (warm-up included); out: left in outbox {run.Pending}, handled by subscriber (distinct inbox rows) {(noop ? "n/a" : handled.ToString())}, " +
        $"lost {(noop ? "n/a" : (published - handled).ToString())}; failed send attempts (retried): {failedAttempts}");
    Console.WriteLine($"   CPU (this process {processMsPerEvent:0.000} + its PostgreSQL {cpuMsPerEvent - processMsPerEvent:0.000}): {cpuMsPerEvent:0.000} CPU-ms per event => at most {Environment.ProcessorCount * 1000 / cpuMsPerEvent:0} events/s if all {Environment.ProcessorCount} cores were free (load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    await subscriber.StopAsync();
    await subscriber.DisposeAsync();
}

// ---- 3. the Dapr path: Dapr.Client (gRPC) against the old hand-written HTTP transport ------------------------------
async Task DaprPathAsync()
{
    var rounds = Arg("--rounds", 6);
    var warmupEvents = Arg("--warmup", 4000);
    var bulkPublish = args.Contains("--bulk-publish");
    var (grpcPort, httpPort) = (FreePort.Next(), FreePort.Next());
    using var sidecars = await FakeSidecars.StartChildAsync(grpcPort, httpPort);
    var db = await CreateDatabaseAsync(server, "bench_dapr");
    var config = new Dictionary<string, string?>
    {
        ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{grpcPort}",
        ["Messaging:Dapr:BulkPublish"] = bulkPublish.ToString(),
        ["Messaging:Relay:BatchSize"] = "1000",
        ["Messaging:Relay:MaxParallelism"] = Arg("--parallelism", 32).ToString(),
        ["Messaging:Relay:PollInterval"] = "00:00:00.010",
    };
    Console.WriteLine();
    Console.WriteLine($"3. Relay throughput to a Dapr sidecar ({(bulkPublish ? "bulk publish, at most one event per aggregate per call" : "one publish per event")}, " +
        $"{subjects} aggregates, {events} events per run, {rounds} rounds alternating which path goes first): Dapr.Client over gRPC (h2c) " +
        "vs the old hand-written HTTP/1.1 transport, each against a fake sidecar in a child process that takes every event at once");

    async Task<(double EventsPerSecond, double ProcessMs, double PostgresMs, double SidecarMs)> RunAsync(bool sdk, int count)
    {
        await FillOutboxAsync(db, count, subjects);
        var cpu = new CpuMeter(server.Port);
        var (processBefore, postgresBefore, sidecarBefore) = (CpuMeter.ProcessMs(), cpu.PostgresMs(), FakeSidecars.CpuMs(sidecars.Id));
        var stopwatch = Stopwatch.StartNew();
        await using var relayHost = BuildServices(db, "bench", relay: true, config, sdk ? null : s => s.AddSingleton<IEventTransport>(sp =>
            new HttpDaprTransport($"http://127.0.0.1:{httpPort}", sp.GetRequiredService<IOptions<MessagingOptions>>(), sp.GetRequiredService<ILogger<HttpDaprTransport>>())));
        var relay = relayHost.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OutboxRelay<BenchDbContext>>().Single();
        await relay.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        bool any;
        do
        {
            await Task.Delay(25);
            await using var ctx = Open(db);
            any = await ctx.Set<OutboxMessage>().AnyAsync(m => m.SentAt == null);
        } while (any && DateTime.UtcNow < deadline);
        stopwatch.Stop();
        var result = (count / stopwatch.Elapsed.TotalSeconds, (CpuMeter.ProcessMs() - processBefore) / count,
            (cpu.PostgresMs() - postgresBefore) / count, (FakeSidecars.CpuMs(sidecars.Id) - sidecarBefore) / count);
        await relay.StopAsync(CancellationToken.None);
        await using (var ctx = Open(db))
        {
            if (any || await ctx.Set<OutboxMessage>().SumAsync(m => m.Attempts) > 0) throw new InvalidOperationException($"{(sdk ? "SDK" : "HTTP")} run did not deliver cleanly");
            await ctx.Set<OutboxMessage>().ExecuteDeleteAsync(); // each run starts from an empty table
        }
        return result;
    }

    foreach (var sdk in new[] { true, false }) await RunAsync(sdk, warmupEvents); // JIT and tiering settle on both paths
    var sdkRuns = new List<(double EventsPerSecond, double ProcessMs, double PostgresMs, double SidecarMs)>();
    var httpRuns = new List<(double EventsPerSecond, double ProcessMs, double PostgresMs, double SidecarMs)>();
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var sdk in round % 2 == 1 ? new[] { true, false } : [false, true])
        {
            var r = await RunAsync(sdk, events);
            (sdk ? sdkRuns : httpRuns).Add(r);
        }
        Console.WriteLine($"   round {round}: SDK {sdkRuns[^1].EventsPerSecond:0} events/s, HTTP {httpRuns[^1].EventsPerSecond:0} events/s, ratio {sdkRuns[^1].EventsPerSecond / httpRuns[^1].EventsPerSecond:0.00}");
    }
    static double Median(IEnumerable<double> values) { var v = values.OrderBy(x => x).ToList(); return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2; }
    var ratios = sdkRuns.Zip(httpRuns, (a, b) => a.EventsPerSecond / b.EventsPerSecond).ToList();
    foreach (var (label, runs) in new[] { ("Dapr.Client (gRPC)", sdkRuns), ("old HTTP transport", httpRuns) })
    {
        Console.WriteLine($"   {label,-20} median {Median(runs.Select(r => r.EventsPerSecond)):0} events/s; CPU-ms per event: relay process {Median(runs.Select(r => r.ProcessMs)):0.000}, " +
            $"its PostgreSQL {Median(runs.Select(r => r.PostgresMs)):0.000}, fake sidecar {Median(runs.Select(r => r.SidecarMs)):0.000}");
    }
    Console.WriteLine($"   ratio SDK/HTTP events/s: median of rounds {Median(ratios):0.00} (range {ratios.Min():0.00}-{ratios.Max():0.00}); relay CPU per event SDK/HTTP " +
        $"{Median(sdkRuns.Select(r => r.ProcessMs)) / Median(httpRuns.Select(r => r.ProcessMs)):0.00} (load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    sidecars.StandardInput.Close();
    await sidecars.WaitForExitAsync();
}

static async Task FillOutboxAsync(string connectionString, int count, int subjects)
{
    await using var fill = BuildServices(connectionString, "bench", relay: false);
    for (var done = 0; done < count;)
    {
        await using var scope = fill.CreateAsyncScope();
        var ctx = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
        for (var i = 0; i < 1000 && done < count; i++, done++) publisher.Publish(NewOrder(), "RX4", $"order-{done % subjects}");
        await ctx.SaveChangesAsync();
    }
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
    // The services' own connection defaults (automatic preparation), as AddPlatformDatabase applies them.
    return Platform.Persistence.PostgresConnections.WithPlatformDefaults(server.AppConnectionString(name) + ";Maximum Pool Size=100");
}

static BenchDbContext Open(string connectionString) => new(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(connectionString).Options);

static ServiceProvider BuildServices(string connectionString, string service, bool relay, Dictionary<string, string?>? extra = null,
    Action<IServiceCollection>? transport = null)
{
    var settings = new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = relay.ToString() };
    foreach (var (k, v) in extra ?? []) settings[k] = v;
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    var services = new ServiceCollection();
    services.AddLogging(l => l.SetMinimumLevel(LogLevel.Error).AddSimpleConsole());
    // Options built once, as AddPlatformDatabase registers them for every service.
    services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString), optionsLifetime: ServiceLifetime.Singleton);
    services.AddSingleton<IConfiguration>(configuration);
    transport?.Invoke(services);
    services.AddPlatformMessaging<BenchDbContext>(configuration, service);
    return services.BuildServiceProvider();
}

static async Task<WebApplication> StartSubscriberAsync(string connectionString, int port, string token, int bulkSize)
{
    var builder = WebApplication.CreateBuilder();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Messaging:AppApiToken"] = token,
        ["Messaging:Relay:Enabled"] = "false",
        ["Messaging:BulkSubscribe:MaxMessagesCount"] = bulkSize.ToString(),
    });
    builder.Services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString), optionsLifetime: ServiceLifetime.Singleton);
    builder.AddPlatformMessaging<BenchDbContext>("benchview");
    builder.Services.AddEventHandler<OrderPlaced, OrderPlacedHandler>();
    var app = builder.Build();
    if (Environment.GetEnvironmentVariable("BENCH_NOOP_SUBSCRIBER") == "1")
    {
        // Diagnostic: a subscriber that answers SUCCESS without touching its database (the relay + HTTP ceiling).
        app.MapGet("/dapr/subscribe", () => Results.Json(new[] { new { pubsubname = "pubsub", topic = "bench.order_placed.v1", route = "/events/bench.order_placed.v1",
            bulkSubscribe = new { enabled = true, maxMessagesCount = bulkSize, maxAwaitDurationMs = 100 } } }));
        app.MapPost("/events/bench.order_placed.v1", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            using var doc = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
            if (!doc.RootElement.TryGetProperty("entries", out var entries)) return Results.Json(new { status = "SUCCESS" });
            return Results.Json(new { statuses = entries.EnumerateArray().Select(e => new { entryId = e.GetProperty("entryId").GetString(), status = "SUCCESS" }).ToList() });
        });
        await app.StartAsync();
        return app;
    }
    app.MapEventSubscriptions();
    await app.StartAsync();
    return app;
}
