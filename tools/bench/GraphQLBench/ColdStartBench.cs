using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Platform.Audit.Api.Grpc;
using Platform.Consent.Api.Grpc;
using Platform.Evidence.Api.Grpc;
using Platform.Gateway.GraphQL;
using Platform.Procurement.Api.Grpc;
using Platform.ServiceDefaults;
using Platform.Testing;
using Platform.Tools.AuditServiceBench;
using Platform.Tools.ConsentBench;

namespace Platform.Tools.GraphQLBench;

// The first full trust dashboard after start-up (issue 19's 504): the trust of the dashboard bench is seeded once, by
// the four services hosted in this process, which are then stopped. Each run then starts the four services as
// processes of their own (their built dlls, as a container runs them) on the seeded databases, and the gateway's
// GraphQL in a process of its own (this program's `gateway-host` mode: the bench's composition of it), all at once and
// with the gateway's default timeout (10 s) and call deadline (5 s); waits until every one of the five answers 200 on
// /health/ready (polled every 50 ms: the readiness time); then sends the full dashboard at once (the first dashboard),
// then --requests more, one at a time (warm p50 and p95). The services log every call they serve (ASP.NET Core's
// request logging, with its elapsed time), so the first dashboard's time is split per service: calls, the slowest,
// their sum, and how long after the dashboard was sent the first call reached any service (the gateway's own start).
// --compare alternates runs with the start-up warm-up off (StartupWarmup:Enabled=false) and on (the default), so the
// two are measured side by side in one run on the same seed.
internal static class ColdStartBench
{
    private const string Tenant = Trust.Tenant;
    private const int Technologies = 50, EvidencePerTechnology = 4, Wards = 100;

    private static readonly (string Name, string Dll)[] ServiceApps =
        [("consent", "Consent.Api.dll"), ("procurement", "Procurement.Api.dll"), ("evidence", "Evidence.Api.dll"), ("audit", "Audit.Api.dll")];

    public static async Task<int> RunAsync(string[] args)
    {
        var patients = Program.Option(args, "--patients", 10_000);
        var runs = Program.Option(args, "--runs", 1);
        var requests = Program.Option(args, "--requests", 10);
        var compare = args.Contains("--compare");
        // --compare-env NAME=VALUE: runs alternate without and with that environment variable in the five processes
        // (a runtime setting such as DOTNET_TieredPGO=0), the warm-up on in both.
        var i = Array.IndexOf(args, "--compare-env");
        var compareEnv = i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        // --compare-apps-dir DIR: runs alternate between the five apps of this build and those of DIR (the same dlls
        // built another way: `dotnet publish -r linux-x64 -p:PublishReadyToRun=true` of this program), warm-up on in both.
        var d = Array.IndexOf(args, "--compare-apps-dir");
        var compareDir = d >= 0 && d + 1 < args.Length ? Path.GetFullPath(args[d + 1]) : null;
        Environment.CurrentDirectory = AppContext.BaseDirectory;
        var pg = await PostgresServer.SharedAsync();

        // The seed, by the services hosted here (their first calls, their JIT, are this process's, not the runs').
        var clock = Stopwatch.StartNew();
        var started = await Task.WhenAll(
            Start<ConsentGrpcService>("consent"), Start<ProcurementGrpcService>("procurement"),
            Start<EvidenceGrpcService>("evidence"), Start<AuditGrpcService>("audit"));
        var consent = (ServiceFactory<ConsentGrpcService>)started[0];
        var procurement = (ServiceFactory<ProcurementGrpcService>)started[1];
        var evidence = (ServiceFactory<EvidenceGrpcService>)started[2];
        var audit = (ServiceFactory<AuditGrpcService>)started[3];
        var trust = new Trust(patients, Technologies, seed: 19, DateTime.UtcNow);
        var (rows, _) = await trust.SeedAsync(consent.Services);
        await DashboardBench.SeedRegisterAsync(procurement, evidence, Technologies, EvidencePerTechnology);
        var databases = new Dictionary<string, string>
        {
            ["consent"] = consent.Database, ["procurement"] = procurement.Database, ["evidence"] = evidence.Database, ["audit"] = audit.Database,
        };
        foreach (var service in started) await ((IAsyncDisposable)service).DisposeAsync();
        var wards = trust.Wards.Take(Wards).ToArray();
        Console.WriteLine($"GraphQLBench cold  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}  trust {Tenant}");
        Console.WriteLine($"seeded {patients:N0} patients ({rows:N0} consent rows), {Technologies} technologies with {EvidencePerTechnology} evidence items each, in {clock.Elapsed.TotalSeconds:F0} s; the seeding services stopped");

        var body = new JsonObject
        {
            ["query"] = DashboardBench.Query,
            ["variables"] = new JsonObject { ["wards"] = new JsonArray(wards.Select(w => (JsonNode)w).ToArray()), ["ward"] = wards[0] },
        }.ToJsonString();
        var token = TestTokens.Shared.Mint(Tenant, ["procurement-lead", "ward-manager", "auditor", "clinician"], lifetime: TimeSpan.FromHours(6));

        var results = new List<Run>();
        for (var run = 0; run < runs; run++)
        {
            // --compare: off, on, off, on ... (and on, off in odd pairs, so neither always goes first).
            var second = (run % 2 == 0) != (run / 2 % 2 == 0);
            bool? warmup = compare ? second : null;
            var environment = compareEnv is not null && second ? compareEnv : null;
            var appsDir = compareDir is not null && second ? compareDir : AppContext.BaseDirectory;
            if (compareDir is not null && second) environment = $"apps from {compareDir}";
            var result = await OneRunAsync(run + 1, warmup, pg, databases, body, token, requests, compareEnv is not null ? environment : null, appsDir, environment);
            results.Add(result);
        }

        Console.WriteLine();
        foreach (var group in results.GroupBy(r => (r.Warmup, r.Environment)))
        {
            var label = group.Key.Environment ?? group.Key.Warmup switch { null => "as built", true => "warm-up on", false => "warm-up off" };
            Console.WriteLine($"{label,-12} runs {group.Count()}: readiness median {Stats.Median(group.Select(r => r.ReadyMs)) / 1000:F1} s; first dashboard median {Stats.Median(group.Select(r => r.FirstMs)) / 1000:F2} s " +
                $"(runs: {string.Join(", ", group.Select(r => $"{r.FirstMs / 1000:F2} s {r.FirstStatus}"))}); second median {Stats.Median(group.Select(r => r.SecondMs)):F0} ms; " +
                $"warm p50 {Stats.Median(group.Select(r => r.WarmP50)):F0} ms, p95 {Stats.Median(group.Select(r => r.WarmP95)):F0} ms");
        }
        if (compare || compareEnv is not null || compareDir is not null)
        {
            var pairs = results.Chunk(2).Where(p => p.Length == 2).Select(p => compare
                ? (Off: p.Single(r => r.Warmup == false), On: p.Single(r => r.Warmup == true))
                : (Off: p.Single(r => r.Environment is null), On: p.Single(r => r.Environment is not null))).ToList();
            var first = pairs.Select(p => p.On.FirstMs / p.Off.FirstMs).ToList();
            var ready = pairs.Select(p => p.On.ReadyMs / p.Off.ReadyMs).ToList();
            var warm = pairs.Select(p => p.On.WarmP95 / p.Off.WarmP95).ToList();
            Console.WriteLine($"{(compare ? "on / off" : compareEnv is not null ? $"with / without {compareEnv}" : $"apps from {compareDir} / this build's")} first dashboard = {Stats.Median(first):F2} median of pairs ({string.Join(", ", first.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}); " +
                $"readiness {Stats.Median(ready):F2} ({string.Join(", ", ready.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}); warm p95 {Stats.Median(warm):F2}");
        }
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        return results.All(r => r.FirstStatus == "200") ? 0 : 1;
    }

    private sealed record Run(bool? Warmup, string? Environment, double ReadyMs, double FirstMs, string FirstStatus, double SecondMs, double WarmP50, double WarmP95);

    private static async Task<Run> OneRunAsync(int number, bool? warmup, PostgresServer pg, Dictionary<string, string> databases, string body, string token, int requests,
        string? environment, string appsDir, string? label)
    {
        var variables = environment is null ? null : new Dictionary<string, string?> { [environment.Split('=')[0]] = environment[(environment.IndexOf('=') + 1)..] };
        var apps = new List<(string Name, AppProcess Process, Uri Http)>();
        var grpc = new Dictionary<string, Uri>();
        var extra = warmup is { } on ? new[] { $"--StartupWarmup:Enabled={(on ? "true" : "false")}" } : [];
        var startedAt = Stopwatch.StartNew();
        try
        {
            foreach (var (name, dll) in ServiceApps)
            {
                var (httpPort, grpcPort) = (FreePort.Next(), FreePort.Next());
                var settings = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
                {
                    ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
                    ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
                    ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
                    ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
                    ["Database:Provider"] = "Postgres",
                    ["Database:MigrateAtStartup"] = "true",
                    ["Database:AppRole"] = PostgresServer.AppRole,
                    [$"ConnectionStrings:{name}"] = pg.AppConnectionString(databases[name]),
                    [$"ConnectionStrings:{name}-owner"] = pg.OwnerConnectionString(databases[name]),
                    ["Messaging:AppApiToken"] = SidecarDelivery.AppApiToken,
                    ["Logging:LogLevel:Default"] = "Warning",
                    // Every call served, with its elapsed time ("Request finished ... 123.4ms"), and the start-up's own lines.
                    ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
                    ["Logging:LogLevel:Platform.ServiceDefaults.Startup"] = "Information",
                };
                var process = AppProcess.Start(Path.Combine(appsDir, dll), settings.Select(s => $"--{s.Key}={s.Value}").Concat(extra), variables);
                apps.Add((name, process, new Uri($"http://127.0.0.1:{httpPort}")));
                grpc[name] = new Uri($"http://127.0.0.1:{grpcPort}");
            }
            var gatewayPort = FreePort.Next();
            var gateway = AppProcess.Start(Path.Combine(appsDir, "GraphQLBench.dll"),
                new[]
                {
                    "gateway-host", $"--urls=http://127.0.0.1:{gatewayPort}",
                    $"--GraphQL:Services:Consent={grpc["consent"]}", $"--GraphQL:Services:Procurement={grpc["procurement"]}",
                    $"--GraphQL:Services:Evidence={grpc["evidence"]}", $"--GraphQL:Services:Audit={grpc["audit"]}",
                }.Concat(TestTokens.Shared.AuthConfiguration().Select(s => $"--{s.Key}={s.Value}")).Concat(extra), variables);
            apps.Add(("gateway", gateway, new Uri($"http://127.0.0.1:{gatewayPort}")));

            // Readiness: each app's first 200 on /health/ready.
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var readyAt = await Task.WhenAll(apps.Select(async a =>
            {
                var bound = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        using var response = await probe.GetAsync(new Uri(a.Http, "/health/ready"));
                        if (response.StatusCode == HttpStatusCode.OK) return startedAt.Elapsed.TotalMilliseconds;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }
                    if (bound.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"{a.Name} was not ready within 5 minutes:\n{a.Process.Output}");
                    await Task.Delay(50);
                }
            }));
            var readyMs = readyAt.Max();

            using var http = new HttpClient { BaseAddress = apps[^1].Http, Timeout = TimeSpan.FromSeconds(120) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            http.DefaultRequestHeaders.Accept.ParseAdd("application/graphql-response+json");
            async Task<(double Ms, string Status)> DashboardAsync()
            {
                var one = Stopwatch.StartNew();
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("/graphql", content);
                var text = await response.Content.ReadAsStringAsync();
                var ms = one.Elapsed.TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK) return (ms, $"{(int)response.StatusCode} {Shorten(text)}");
                var errors = JsonNode.Parse(text)!["errors"];
                return (ms, errors is null ? "200" : $"200 with {errors.AsArray().Count} errors: {Shorten(errors.ToJsonString())}");
            }

            var marks = apps.Select(a => a.Process.Output.Length).ToArray();
            var cpu0 = apps.Select(a => CpuMs(a.Process.Id)).ToArray();
            var sentAt = DateTime.UtcNow;
            var (firstMs, firstStatus) = await DashboardAsync();
            var afterFirst = apps.Select(a => a.Process.Output.Length).ToArray();
            var cpu1 = apps.Select(a => CpuMs(a.Process.Id)).ToArray();
            var (secondMs, secondStatus) = await DashboardAsync();
            var afterSecond = apps.Select(a => a.Process.Output.Length).ToArray();
            var cpu2 = apps.Select(a => CpuMs(a.Process.Id)).ToArray();
            var warm = new List<double>();
            for (var i = 0; i < requests; i++) warm.Add((await DashboardAsync()).Ms);

            var shown = label is not null ? $" ({label})" : warmup switch { null => "", true => " (warm-up on)", false => " (warm-up off)" };
            Console.WriteLine($"run {number}{shown}: ready in {readyMs / 1000:F1} s ({string.Join(", ", apps.Select((a, i) => $"{a.Name} {readyAt[i] / 1000:F1} s"))}); " +
                $"first dashboard {firstMs:F0} ms {firstStatus}; second {secondMs:F0} ms {(secondStatus == "200" ? "" : secondStatus)}; " +
                $"then {requests}: p50 {Stats.Percentile(warm, 0.5):F0} ms p95 {Stats.Percentile(warm, 0.95):F0} ms  load {Stats.LoadAverage()}");
            foreach (var line in StartupLines(apps)) Console.WriteLine($"  {line}");
            // CPU time the five processes spent on each dashboard (/proc/pid/stat, user + system), and until ready.
            Console.WriteLine($"  CPU until ready {cpu0.Sum() / 1000:F1} s; first dashboard {(cpu1.Sum() - cpu0.Sum()) / 1000:F1} s " +
                $"({string.Join(", ", apps.Select((a, i) => $"{a.Name} {(cpu1[i] - cpu0[i]) / 1000:F1}"))}); second {(cpu2.Sum() - cpu1.Sum()) / 1000:F1} s " +
                $"({string.Join(", ", apps.Select((a, i) => $"{a.Name} {(cpu2[i] - cpu1[i]) / 1000:F1}"))})");
            var calls = apps.Take(ServiceApps.Length).Select((a, i) => (a.Name, First: Calls(a.Process.Output[marks[i]..afterFirst[i]]),
                Second: Calls(a.Process.Output[afterFirst[i]..afterSecond[i]]))).ToList();
            var firstCall = calls.SelectMany(c => c.First).Select(c => c.Start).DefaultIfEmpty(sentAt).Min();
            Console.WriteLine($"  first dashboard: the first call reached a service {(firstCall - sentAt).TotalMilliseconds:F0} ms after it was sent");
            foreach (var (name, first, second) in calls)
                Console.WriteLine($"  {name,-12} first dashboard: {Describe(first)}   second: {Describe(second)}");
            return new Run(warmup, label, readyMs, firstMs, firstStatus.Split(' ')[0] == "200" && firstStatus.Length == 3 ? "200" : firstStatus.Split(' ')[0] + (firstStatus.Contains("errors") ? "+errors" : ""),
                secondMs, Stats.Percentile(warm, 0.5), Stats.Percentile(warm, 0.95));
        }
        finally
        {
            foreach (var (_, process, _) in apps) process.Dispose();
        }
    }

    // utime + stime of a process, in ms (fields 14 and 15 of /proc/pid/stat, in clock ticks of 10 ms).
    private static double CpuMs(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private sealed record Call(DateTime Start, string Method, double Ms);

    // ASP.NET Core's "Request finished" lines (JSON console): the path (the gRPC method) and the elapsed time.
    private static List<Call> Calls(string output)
    {
        var calls = new List<Call>();
        foreach (var line in output.Split('\n'))
        {
            if (!line.Contains("\"Request finished", StringComparison.Ordinal)) continue;
            try
            {
                using var json = JsonDocument.Parse(line);
                var state = json.RootElement.GetProperty("State");
                var ms = state.GetProperty("ElapsedMilliseconds").GetDouble();
                var path = state.TryGetProperty("Path", out var p) ? p.GetString() ?? "" : "";
                if (path.StartsWith("/health", StringComparison.Ordinal)) continue; // the readiness probe's last answer
                var end = json.RootElement.GetProperty("Timestamp").GetDateTime().ToUniversalTime();
                calls.Add(new Call(end.AddMilliseconds(-ms), path[(path.LastIndexOf('/') + 1)..], ms));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
            }
        }
        return calls;
    }

    private static string Describe(List<Call> calls)
    {
        if (calls.Count == 0) return "no calls";
        var slowest = calls.MaxBy(c => c.Ms)!;
        var span = (calls.Max(c => c.Start.AddMilliseconds(c.Ms)) - calls.Min(c => c.Start)).TotalMilliseconds;
        var byMethod = calls.GroupBy(c => c.Method).Select(g => $"{g.Key} {g.Count()}x max {g.Max(c => c.Ms):F0}").ToList();
        return $"{calls.Count} calls over {span:F0} ms, slowest {slowest.Method} {slowest.Ms:F0} ms, sum {calls.Sum(c => c.Ms):F0} ms [{string.Join("; ", byMethod)}]";
    }

    // The warm-up's own lines (category Platform.ServiceDefaults.Startup), when the apps have one.
    private static IEnumerable<string> StartupLines(List<(string Name, AppProcess Process, Uri Http)> apps)
    {
        foreach (var (name, process, _) in apps)
            foreach (var line in process.Output.Split('\n'))
            {
                if (!line.Contains("Platform.ServiceDefaults.Startup", StringComparison.Ordinal)) continue;
                string? message = null;
                try { message = JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString(); }
                catch (JsonException) { }
                if (message is not null) yield return $"{name}: {message}";
            }
    }

    private static async Task<object> Start<T>(string name) where T : class => await ServiceFactory<T>.StartOnPostgresAsync(name);

    /// <summary>
    /// <c>gateway-host</c>: the gateway's GraphQL composed as gateway/Gateway composes it (service defaults,
    /// AddPlatformGraphQL, MapDefaultEndpoints, MapPlatformGraphQL) in a process of its own, with the test tokens'
    /// issuer (the parent's, on the command line); configuration from the command line (<c>--urls</c>,
    /// <c>--GraphQL:Services:Consent=...</c>, <c>--Auth:...</c>). Runs until killed.
    /// </summary>
    public static async Task<int> HostGatewayAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Skip(1).ToArray(), EnvironmentName = "Testing", ApplicationName = typeof(ColdStartBench).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Lowest precedence first: the command line (already added) must win over these defaults.
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Platform.ServiceDefaults.Startup"] = "Information",
        };
        var sources = builder.Configuration.Sources.ToList();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(defaults);
        foreach (var source in sources) builder.Configuration.Sources.Add(source);
        builder.AddServiceDefaults();
        builder.Services.AddPlatformGraphQL(builder.Configuration);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGraphQL();
        await app.RunAsync();
        return 0;
    }
}
