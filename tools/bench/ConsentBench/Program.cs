using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api;
using Platform.Consent.Api.Application;
using Platform.Grpc;
using Grpc.Core;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// CheckUse benchmark (issue #5): the real consent service (ConsentApp, the composition Program and the tests use) on
/// real PostgreSQL 15 from Platform.Testing, a trust of 10,000 patients and 50 approved technologies, the decision path
/// timed in process, and CheckUse driven over h2c on loopback by a load generator in a separate process.
/// </summary>
public static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "client") return await LoadClient.RunAsync(args);
        return await Coordinator.RunAsync(BenchSettings.Parse(args));
    }
}

public sealed record BenchSettings(
    int Patients, int Technologies, int Duration, int Rounds, double[] Rates, int Concurrency, int Connections, int ColdConcurrency,
    string LoadCpus, string ServerCpus, string Provider, int InProcessCalls, bool Sweeps, int Warmup, int H2Connections, int Hold,
    int[] H2InFlight)
{
    public static BenchSettings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int I(string name, string fallback) => int.Parse(Get(name, fallback), CultureInfo.InvariantCulture);
        return new BenchSettings(I("patients", "10000"), I("technologies", "50"), I("duration", "10"), I("rounds", "3"),
            Get("rates", "5000,1000").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray(), I("concurrency", "32"), I("connections", "4"), I("cold-concurrency", "16"),
            Get("load-cpus", "1"), Get("server-cpus", "0"), Get("provider", "postgres"), I("in-process-calls", "200000"), args.Contains("--sweeps"), I("warmup", "20"), I("h2-connections", "32"), I("hold", "0"),
            Get("h2-in-flight", "8,16,32").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray())
        {
            Only = Get("only", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
            WardQueryRounds = I("ward-query-rounds", "9"),
            WardQueryCalls = I("ward-query-calls", "200"),
        };
    }

    /// <summary>Empty: every phase. Else only these of "ward-queries" and "in-process" run (after seeding and validation).</summary>
    public HashSet<string> Only { get; init; } = [];
    public int WardQueryRounds { get; init; } = 9;
    public int WardQueryCalls { get; init; } = 200;

    public bool Runs(string phase) => Only.Count == 0 || Only.Contains(phase);
}

public static class Coordinator
{
    private const double TargetRate = 5000;
    private const double TargetP99Ms = 5;
    private const double TargetDecisionMicros = 50;

    public static async Task<int> RunAsync(BenchSettings s)
    {
        Console.WriteLine($"ConsentBench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  commit {Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? Git("rev-parse --short HEAD")}  load average {LoadAverage()}  " +
            $"CPUs online {OnlineCpus()}, this process may use {Affinity()}");
        var postgres = s.Provider == "postgres";

        // ---- the service, composed exactly as Program does, configured as Platform.Testing's ServiceFactory does
        var grpcPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var config = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:MigrateAtStartup"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            // EF logs the probe for a missing __EFMigrationsHistory on a fresh database as an error; nothing else of it matters here.
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
            // The service's 5-minute review and blanket-use sweep would land mid-run and, over 40,000 uses, raise about
            // 500 overdue reviews (invalidating those patients) and analyse 400 wards on the same core: --sweeps keeps it.
            ["Consent:Schedules:Enabled"] = s.Sweeps ? "true" : "false",
        };
        PostgresServer? pg = null;
        string? sqliteFile = null;
        if (postgres)
        {
            pg = await PostgresServer.SharedAsync();
            var database = await pg.CreateDatabaseAsync("consentbench");
            config["Database:Provider"] = "Postgres";
            config["Database:AppRole"] = PostgresServer.AppRole;
            config["ConnectionStrings:consent"] = pg.AppConnectionString(database);
            config["ConnectionStrings:consent-owner"] = pg.OwnerConnectionString(database);
        }
        else
        {
            sqliteFile = Path.Combine(Path.GetTempPath(), $"consentbench-{Environment.ProcessId}.db");
            config["Database:Provider"] = "Sqlite";
            config["ConnectionStrings:consent"] = $"Data Source={sqliteFile}";
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ConsentApp).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(config);
        // BENCH_ACCESS_RECORDS=off: CheckUse's access record (issue 16, ADR 0027) left out, as CheckUseAccessRecords'
        // "off" instance does, to compare the decision path with a build from before access records were wired.
        var accessRecordsOff = Environment.GetEnvironmentVariable("BENCH_ACCESS_RECORDS") == "off";
        if (accessRecordsOff)
            builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services =>
                Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(services,
                    ServiceDescriptor.Scoped<Platform.Messaging.Access.IAccessRecorder, NoAccessRecorder>())));
        await using var app = ConsentApp.Build(builder);
        if (accessRecordsOff) Console.WriteLine("access records: OFF (BENCH_ACCESS_RECORDS=off): CheckUse writes no access record");
        await app.StartAsync();
        // The trust, as the directory's trust_onboarded event would have made it known: since the known-trusts merge a
        // token of an unknown trust is refused, and without this every call of the bench was PERMISSION_DENIED.
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Platform.KnownTrusts.KnownTrustRecorder>()
                .RecordAsync(new Platform.KnownTrusts.KnownTrustChange(Trust.Tenant, $"Bench trust {Trust.Tenant}", Active: true), default);
        var address = new Uri($"http://127.0.0.1:{grpcPort}");
        Console.WriteLine($"background review/blanket-use sweeps: {(s.Sweeps ? "on (every 5 minutes)" : "off (--sweeps to keep them)")}");
        Console.WriteLine($"consent service on {address} ({(postgres ? $"PostgreSQL 15 on port {pg!.Port}, app role {PostgresServer.AppRole} under row-level security" : $"SQLite {sqliteFile}")})");

        // ---- seed
        var trust = new Trust(s.Patients, s.Technologies, seed: 42, now: DateTime.UtcNow);
        var (rows, seedTime) = await trust.SeedAsync(app.Services);
        var uses = trust.Patients.Sum(p => p.Uses.Length);
        Console.WriteLine($"seeded {trust.Patients.Length:N0} patients, {s.Technologies} approvals, {uses:N0} current uses ({rows:N0} rows) in {seedTime.TotalSeconds:0.0} s through ConsentDbContext; " +
            "mix: " + string.Join(", ", trust.Patients.GroupBy(p => p.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}")));

        // Seeding used every core; from here on the service (and its PostgreSQL) keep to their own CPU(s) and the load
        // generator to the other, as GrpcBench does.
        Pin(Environment.ProcessId, s.ServerCpus);
        if (pg is not null) foreach (var pid in PostgresPids(pg)) Pin(pid, s.ServerCpus);
        Console.WriteLine($"pinned: this process (the service) {(pg is not null ? "and its PostgreSQL " : "")}to CPU(s) {s.ServerCpus}; the load generator will run on CPU(s) {s.LoadCpus}");

        // ---- prove the seeded records are what the API would write
        var token = TestTokens.Shared.Mint(Trust.Tenant, lifetime: TimeSpan.FromHours(4));
        if (!await ValidateAsync(address, token, trust)) return 1;

        // Forget everything validation cached, so the cold pass starts from an empty cache.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Trust.Tenant);
            var store = scope.ServiceProvider.GetRequiredService<PatientRecordsStore>();
            foreach (var p in trust.Patients) store.InvalidatePatient(p.Id);
            store.InvalidateTrust();
        }

        // ---- load over gRPC from a separate process
        var work = Path.Combine(Path.GetTempPath(), $"consentbench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var tokenFile = Path.Combine(work, "token");
        var targetsFile = Path.Combine(work, "targets");
        await File.WriteAllTextAsync(tokenFile, token);
        await WriteTargetsAsync(targetsFile, trust);
        if (s.Hold > 0)
        {
            // Exploration: keep the seeded, pinned service up for h2load (or anything else) run by hand.
            await H2Load.PrepareAsync(address, token, trust, work);
            Console.WriteLine($"holding for {s.Hold} s: {address}platform.consent.v1.ConsentService/CheckUse, bodies {work}/h2load-body-N, token {tokenFile}");
            using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
            using var gcPhases = Environment.GetEnvironmentVariable("BENCH_GC_PHASES") == "1" ? new GcPhaseListener() : null;
            using var stop = new CancellationTokenSource();
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            for (var left = s.Hold; left > 0 && !stop.IsCancellationRequested; left -= 5)
            {
                if (sampler is not null && File.Exists(Path.Combine(work, "report"))) { File.Delete(Path.Combine(work, "report")); Console.WriteLine("allocations by type (sampled):\n" + sampler.TakeReport()); }
                try { await Task.Delay(TimeSpan.FromSeconds(5), stop.Token); } catch (OperationCanceledException) { break; }
                if (gcPhases is not null) Console.WriteLine(gcPhases.TakeReport());
                var gc = GC.GetGCMemoryInfo(GCKind.Ephemeral);
                Console.WriteLine($"last ephemeral GC #{gc.Index} gen{gc.Generation}: pause {gc.PauseDurations[0].TotalMilliseconds:0.00} ms, promoted {gc.PromotedBytes / 1024:N0} KiB, " +
                    $"heap {gc.HeapSizeBytes / 1048576:N0} MiB, gen0 before {gc.GenerationInfo[0].SizeBeforeBytes / 1048576.0:0.0} MiB, gen1 before {gc.GenerationInfo[1].SizeBeforeBytes / 1048576.0:0.0} MiB, " +
                    $"pinned {gc.PinnedObjectsCount}, total GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, pause total {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms, " +
                    $"allocated in all {GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MiB");
            }
            Directory.Delete(work, recursive: true);
            await app.StopAsync();
            return 0;
        }
        if (s.Runs("ward-queries"))
        {
            Console.WriteLine();
            Console.WriteLine($"Ward queries over {Trust.QueryWard}, a full {Trust.QueryWardBeds}-bed ward of the {s.Patients:N0}-patient trust ({trust.Patients.Where(p => p.Ward == Trust.QueryWard).Sum(p => p.Uses.Length)} current uses), " +
                $"against one CheckUse round trip; {s.WardQueryRounds} rounds of {s.WardQueryCalls} calls of each, one at a time on one connection, the order alternating:");
            var wardRows = await WardQueryPhase.RunAsync(address, token, trust, s.WardQueryRounds, s.WardQueryCalls, () => PostgresCpuSeconds(pg));
            foreach (var r in wardRows)
                Console.WriteLine($"  {r.Name,-36} {r.Items,4} items  median {r.MeanMicros,8:0} us per call  = {r.Ratio,5:0.00} x CheckUse  process CPU {r.ProcessCpuMicros,7:0} us/call (service and client)  PostgreSQL CPU {r.PostgresCpuMicros,6:0} us/call");
            Console.WriteLine($"  load average {LoadAverage()}");
        }
        if (s.Only.Count > 0)
        {
            if (s.Runs("in-process"))
            {
                Console.WriteLine();
                Console.WriteLine($"In-process decision ({s.InProcessCalls:N0} calls each, random patients across all {s.Patients:N0}, the same 90/10 mix; warm cache; timed call by call, ns resolution):");
                foreach (var t in await InProcess.RunAsync(app.Services, trust, s.InProcessCalls, seed: 11))
                    Console.WriteLine($"  {t.Name,-56} mean {t.Nanos.Mean / 1000,6:0.00} us  median {t.Nanos.Percentile(0.5) / 1000.0,6:0.00} us  p99 {t.Nanos.Percentile(0.99) / 1000.0,6:0.00} us  p99.9 {t.Nanos.Percentile(0.999) / 1000.0,7:0.00} us  permit {t.Permits:N0} deny {t.Denies:N0}");
            }
            Directory.Delete(work, recursive: true);
            await app.StopAsync();
            return 0;
        }
        var phases = new List<string> { $"cold:cold:c={s.ColdConcurrency}", $"warmup:closed:c={s.Concurrency},d={s.Warmup}", $"warmup-open:open:r={s.Rates.Min().ToString(CultureInfo.InvariantCulture)},d=3" };
        for (var r = 1; r <= s.Rounds; r++)
        {
            var round = new List<string> { $"closed{r}:closed:c={s.Concurrency},d={s.Duration}" };
            round.AddRange(s.Rates.Select(rate => $"open{r}@{rate.ToString(CultureInfo.InvariantCulture)}:open:r={rate.ToString(CultureInfo.InvariantCulture)},d={s.Duration}"));
            if (r % 2 == 0) round.Reverse();
            phases.AddRange(round);
        }
        var results = await RunLoadAsync(s, address, tokenFile, targetsFile, phases, pg);
        var h2 = new List<H2Load.Result>();
        var h2Poisson = new List<H2Poisson.Result>();
        if (H2Load.Available())
        {
            Console.WriteLine();
            Console.WriteLine("h2load (nghttp2, C) as the load generator, on the load CPU(s); one fixed CheckUse body per process (2 own-consent permits, 1 best-interests permit, 1 review-overdue deny), " +
                $"closed loops of 4 processes at {string.Join(", ", s.H2InFlight)} in flight, open loop one process per connection; then h2poisson (one process over all the connections, the same bodies):");
            var bodies = await H2Load.PrepareAsync(address, token, trust, work);
            var wake = WakeProbe.Run(FirstCpu(s.ServerCpus), FirstCpu(s.LoadCpus));
            Console.WriteLine($"this machine's floor now (UDP ping-pong on loopback between threads on CPU {FirstCpu(s.ServerCpus)} and CPU {FirstCpu(s.LoadCpus)}, the receiver asleep each time): " +
                $"round trip p50 {wake.P50Us:0} us, p99 {wake.P99Us:0} us, max {wake.MaxUs:0} us");
            var poisson = H2Poisson.Build(work);
            // Per round: closed loops at each in-flight count (what the service sustains at each depth of queue), then
            // the open loops: h2load's, then h2poisson's at the same rates.
            var phasesH2 = new List<(string Name, int Streams, double? Rate, bool Poisson)>();
            for (var r = 1; r <= s.Rounds; r++)
            {
                phasesH2.AddRange(s.H2InFlight.Select(n => ($"h2closed{r}x{n}", Math.Max(1, n / bodies.Count), (double?)null, false)));
                phasesH2.AddRange(s.Rates.Select(rate => ($"h2open{r}@{rate.ToString(CultureInfo.InvariantCulture)}", 1, (double?)rate, false)));
                if (poisson is not null)
                    phasesH2.AddRange(s.Rates.Select(rate => ($"h2poisson{r}@{rate.ToString(CultureInfo.InvariantCulture)}", 1, (double?)rate, true)));
            }
            foreach (var (name, streams, rate, isPoisson) in phasesH2)
            {
                var me = Process.GetCurrentProcess();
                var (cpu0, gc0, pause0, alloc0) = (me.TotalProcessorTime, GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
                long calls;
                string line;
                if (isPoisson)
                {
                    var p = await H2Poisson.RunAsync(poisson!, name, address, tokenFile, bodies.Count, work, s.LoadCpus, s.H2Connections, rate!.Value, s.Duration, seed: h2Poisson.Count + 1);
                    calls = p.Calls;
                    Console.WriteLine($"{name,-14} h2poisson open loop (one process, nghttp2), Poisson arrivals at {rate:N0}/s in total over {s.H2Connections} connections");
                    line = $"    {p.Calls:N0} checks in {s.Duration} s = {p.Calls / (double)s.Duration:N0} checks/s; latency from sent p50 {Ms(p.FromSent.Percentile(0.5))} p95 {Ms(p.FromSent.Percentile(0.95))} " +
                        $"p99 {Ms(p.FromSent.Percentile(0.99))} p99.9 {Ms(p.FromSent.Percentile(0.999))} max {Ms(p.FromSent.Max)} ms; from due p99 {Ms(p.FromDue.Percentile(0.99))} ms; " +
                        $"generator late p50 {Ms(p.Late.Percentile(0.5))} p99 {Ms(p.Late.Percentile(0.99))} ms; not answered {p.NotAnswered}";
                    h2Poisson.Add(p);
                }
                else
                {
                    var result = rate is { } open
                        ? await H2Load.RunOpenAsync(name, address, token, bodies.Count, work, s.LoadCpus, s.H2Connections, open, s.Duration)
                        : await H2Load.RunClosedAsync(name, address, token, bodies.Count, work, s.LoadCpus, 1, streams, s.Duration);
                    calls = result.Requests;
                    var l = result.Latency;
                    Console.WriteLine($"{name,-14} {(rate is { } x ? $"h2load open loop, Poisson arrivals at {x:N0}/s in total over {s.H2Connections} connections (one h2load process each)" : $"h2load closed loop, {result.InFlight} in flight")}");
                    line = $"    {result.Requests:N0} checks in {s.Duration} s = {result.Requests / (double)s.Duration:N0} checks/s; latency p50 {Ms(l.Percentile(0.5))} p95 {Ms(l.Percentile(0.95))} p99 {Ms(l.Percentile(0.99))} p99.9 {Ms(l.Percentile(0.999))} max {Ms(l.Max)} ms; " +
                        $"not OK {result.NonSuccess}";
                    h2.Add(result);
                }
                me.Refresh();
                var cpu = (me.TotalProcessorTime - cpu0).TotalSeconds * 1e6 / Math.Max(1, calls);
                Console.WriteLine(line + $"; service CPU {cpu:0.0} us/check, allocated {(GC.GetTotalAllocatedBytes() - alloc0) / (double)Math.Max(1, calls) / 1024:0.0} KiB/check; " +
                    $"GCs gen0 {GC.CollectionCount(0) - gc0}, pause {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:0} ms");
            }
        }
        else
        {
            Console.WriteLine("h2load not found (apt-get install nghttp2-client): the independent-generator phases are skipped.");
        }
        Directory.Delete(work, recursive: true);

        // ---- in process
        Console.WriteLine();
        Console.WriteLine($"In-process decision ({s.InProcessCalls:N0} calls each, random patients across all {s.Patients:N0}, the same 90/10 mix; warm cache; timed call by call, ns resolution):");
        var timings = await InProcess.RunAsync(app.Services, trust, s.InProcessCalls, seed: 11);
        foreach (var t in timings)
        {
            var p99 = t.Nanos.Percentile(0.99) / 1000.0;
            Console.WriteLine($"  {t.Name,-56} mean {t.Nanos.Mean / 1000,6:0.00} us  median {t.Nanos.Percentile(0.5) / 1000.0,6:0.00} us  p99 {p99,6:0.00} us  p99.9 {t.Nanos.Percentile(0.999) / 1000.0,7:0.00} us  max {t.Nanos.Max / 1000.0,8:0.0} us" +
                $"  (budget {TargetDecisionMicros:0} us: p99 {TargetDecisionMicros / p99:0.0}x under)  permit {t.Permits:N0} deny {t.Denies:N0}");
        }

        // ---- the review and blanket-use sweep, timed at this size. Last, because it raises the seeded overdue reviews,
        // which drops those patients' cached snapshots. The first sweep raises what the seed left due; the second is
        // what every later 5-minute sweep costs when nothing new is due.
        Console.WriteLine();
        Console.WriteLine($"The review and blanket-use sweep (ConsentScheduler.SweepAsync, what runs every 5 minutes) over {uses:N0} uses:");
        var scheduler = app.Services.GetRequiredService<ConsentScheduler>();
        for (var i = 1; i <= 2; i++)
        {
            var me = Process.GetCurrentProcess();
            var (cpu0, pg0) = (me.TotalProcessorTime, PostgresCpuSeconds(pg));
            var clock = Stopwatch.StartNew();
            var swept = await scheduler.SweepAsync();
            clock.Stop();
            me.Refresh();
            Console.WriteLine($"  sweep {i}: {clock.Elapsed.TotalSeconds:0.00} s, service CPU {(me.TotalProcessorTime - cpu0).TotalSeconds:0.00} s" +
                (pg is not null ? $", PostgreSQL CPU {PostgresCpuSeconds(pg) - pg0:0.00} s" : "") +
                $"; {swept.OverdueReviewsRaised:N0} overdue reviews and {swept.BlanketSignalsRaised:N0} blanket-use signals raised");
        }

        // ---- summary
        Console.WriteLine();
        Summarise(results, timings, s, h2, h2Poisson);
        await app.StopAsync();
        if (sqliteFile is not null) foreach (var f in Directory.GetFiles(Path.GetDirectoryName(sqliteFile)!, Path.GetFileName(sqliteFile) + "*")) File.Delete(f);
        return results.Sum(r => r.Result.Errors.Values.Sum()) + h2.Sum(r => r.NonSuccess) + h2Poisson.Sum(r => r.NotAnswered) == 0 ? 0 : 1;
    }

    private static int FirstCpu(string cpus) => int.TryParse(cpus.Split(',', '-')[0], CultureInfo.InvariantCulture, out var cpu) ? cpu : -1;

    private static async Task<bool> ValidateAsync(Uri address, string token, Trust trust)
    {
        using var clients = ConsentClients.Create(address, token);
        var sample = new ApiSample(clients.First, trust);
        var ok = true;
        Console.WriteLine("validation: CheckUse over gRPC for seeded patients of each kind, and for one patient of each kind built through the API:");
        foreach (var kind in Enum.GetValues<PatientKind>())
        {
            var expected = ApiSample.Expected(kind);
            var seeded = trust.Patients.Where(p => p.Kind == kind).Take(8).ToArray();
            var agree = 0;
            foreach (var p in seeded)
            {
                var shape = ApiSample.Shape(await sample.CheckAsync(p.Id, p.Uses[0].TechnologyId, p.Ward));
                if (shape == expected) agree++;
                else Console.WriteLine($"  MISMATCH seeded {kind} {p.Id}: {shape}");
            }
            var (patient, technology, ward) = await sample.BuildAsync(kind, seeded[0].Ward);
            var built = ApiSample.Shape(await sample.CheckAsync(patient, technology, ward));
            var pass = agree == seeded.Length && built == expected;
            ok &= pass;
            Console.WriteLine($"  {(pass ? "ok  " : "FAIL")} {kind,-18} expected {expected,-62} seeded {agree}/{seeded.Length}; API-built: {built}");
        }
        // No approval: the API refuses to start such a use at all, and a check for it is denied on both counts.
        var someone = trust.Patients[0];
        var denied = ApiSample.Shape(await sample.CheckAsync(someone.Id, trust.Unapproved[0], someone.Ward));
        const string noApproval = "DENY lawful-basis.capacity-not-recorded use-check.no-use use.no-approval-for-setting";
        string refusal;
        try
        {
            var request = new C.ProposeUseRequest { TechnologyId = trust.Unapproved[0].ToString(), WardCode = someone.Ward, Purpose = C.UsePurpose.DirectCareOrTreatment };
            request.PatientIds.Add(someone.Id.ToString());
            await sample.Call(c => c.ProposeUseAsync(request));
            refusal = "accepted (wrong)";
        }
        catch (RpcException e)
        {
            refusal = $"{e.StatusCode} {e.Trailers.GetValue(Platform.Grpc.RefusalStatus.RuleTrailer)}";
        }
        var noApprovalOk = denied == noApproval && refusal == "FailedPrecondition use.no-approval-for-setting";
        ok &= noApprovalOk;
        Console.WriteLine($"  {(noApprovalOk ? "ok  " : "FAIL")} {"NoApproval",-18} expected {noApproval,-62} seeded: {denied}; API ProposeUse: {refusal}");
        return ok;
    }

    private static async Task WriteTargetsAsync(string path, Trust trust)
    {
        var rng = new Random(5);
        var text = new StringBuilder();
        foreach (var p in trust.Patients)
        {
            foreach (var u in p.Uses) text.Append("u ").Append(p.Id).Append(' ').Append(u.TechnologyId).Append(' ').Append(u.Ward).Append('\n');
            for (var i = 0; i < 2; i++)
                text.Append("o ").Append(p.Id).Append(' ').Append(p.OtherTechnologies[rng.Next(p.OtherTechnologies.Length)]).Append(' ').Append(p.Ward).Append('\n');
        }
        await File.WriteAllTextAsync(path, text.ToString());
    }

    public sealed record Measured(PhaseResult Result, double ServerCpuSeconds, double PostgresCpuSeconds, int Gen0, int Gen1, int Gen2, TimeSpan GcPause);

    private static async Task<List<Measured>> RunLoadAsync(BenchSettings s, Uri address, string tokenFile, string targetsFile, List<string> phases, PostgresServer? pg)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", s.LoadCpus, Environment.ProcessPath!, typeof(BenchMain).Assembly.Location, "client", address.ToString(), tokenFile, targetsFile, s.Connections.ToString(CultureInfo.InvariantCulture) }.Concat(phases))
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        using var client = Process.Start(info) ?? throw new InvalidOperationException("could not start the load generator");
        var results = new List<Measured>();
        var me = Process.GetCurrentProcess();
        TimeSpan cpu0 = default, pause0 = default;
        double pg0 = 0;
        int g0 = 0, g1 = 0, g2 = 0;
        while (await client.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("BEGIN ", StringComparison.Ordinal))
            {
                me.Refresh();
                cpu0 = me.TotalProcessorTime;
                pg0 = PostgresCpuSeconds(pg);
                (g0, g1, g2, pause0) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            }
            else if (line.StartsWith("END ", StringComparison.Ordinal))
            {
                me.Refresh();
                var json = line[(line.IndexOf('{'))..];
                var result = JsonSerializer.Deserialize<PhaseResult>(json)!;
                var m = new Measured(result, (me.TotalProcessorTime - cpu0).TotalSeconds, PostgresCpuSeconds(pg) - pg0,
                    GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2, GC.GetTotalPauseDuration() - pause0);
                results.Add(m);
                Print(m);
            }
            else
            {
                Console.WriteLine("  client: " + line);
            }
        }
        await client.WaitForExitAsync();
        if (client.ExitCode != 0) throw new InvalidOperationException($"load generator exited {client.ExitCode}");
        return results;
    }

    private static void Print(Measured m)
    {
        var r = m.Result;
        var h = Histogram.Deserialize(r.Latency);
        var rate = r.Ok / r.Seconds;
        var errors = r.Errors.Values.Sum();
        var what = r.Mode switch
        {
            "cold" => $"cold pass: every patient once (a cache miss each), {r.Concurrency} in flight",
            "closed" => $"closed loop, {r.Concurrency} in flight",
            _ => $"open loop at {r.TargetRate:N0}/s",
        };
        Console.WriteLine($"{r.Name,-12} {what}");
        Console.WriteLine($"    {r.Ok:N0} checks in {r.Seconds:0.00} s = {rate:N0} checks/s; latency p50 {Ms(h.Percentile(0.5))} p95 {Ms(h.Percentile(0.95))} p99 {Ms(h.Percentile(0.99))} p99.9 {Ms(h.Percentile(0.999))} max {Ms(h.Max)} ms; errors {errors}" +
            (errors > 0 ? " (" + string.Join(", ", r.Errors.Select(e => $"{e.Key} {e.Value}")) + ")" : ""));
        if (r.LatencyFromIntended is { } intended)
        {
            var hi = Histogram.Deserialize(intended);
            Console.WriteLine($"    from each call's intended start (open loop, includes generator timer slack ~1 ms): p50 {Ms(hi.Percentile(0.5))} p95 {Ms(hi.Percentile(0.95))} p99 {Ms(hi.Percentile(0.99))} max {Ms(hi.Max)} ms");
        }
        var permitShare = r.Ok == 0 ? 0 : 100.0 * r.Permit / r.Ok;
        Console.WriteLine($"    permit {r.Permit:N0} ({permitShare:0.0}%) deny {r.Deny:N0} ({100 - permitShare:0.0}%): " +
            string.Join(", ", r.DenyRules.OrderByDescending(x => x.Value).Select(x => $"{x.Key} {x.Value:N0}")));
        Console.WriteLine($"    service CPU {m.ServerCpuSeconds * 1e6 / Math.Max(1, r.Ok):0.0} us/check" +
            (m.PostgresCpuSeconds > 0 ? $", PostgreSQL CPU {m.PostgresCpuSeconds * 1e6 / Math.Max(1, r.Ok):0.0} us/check" : "") +
            $"; load generator CPU {r.ClientCpuSeconds * 1e6 / Math.Max(1, r.Sent):0.0} us/check; GCs gen0 {m.Gen0} gen1 {m.Gen1} gen2 {m.Gen2}, pause {m.GcPause.TotalMilliseconds:0} ms; load average {LoadAverage()}");
    }

    private static void Summarise(List<Measured> results, List<InProcess.Timing> timings, BenchSettings s, List<H2Load.Result> h2, List<H2Poisson.Result> h2Poisson)
    {
        Console.WriteLine($"Summary against issue #5 (targets: >= {TargetRate:N0} checks/s over gRPC with p99 < {TargetP99Ms} ms; in-process decision < {TargetDecisionMicros} us; {s.Patients:N0} patients, {s.Technologies} technologies):");
        var cold = results.FirstOrDefault(r => r.Result.Mode == "cold");
        if (cold is not null)
        {
            var h = Histogram.Deserialize(cold.Result.Latency);
            Console.WriteLine($"  cold pass (cache misses on {(cold.PostgresCpuSeconds > 0 ? "PostgreSQL" : "the database")}): {cold.Result.Ok / cold.Result.Seconds:N0} checks/s, p50 {Ms(h.Percentile(0.5))} p99 {Ms(h.Percentile(0.99))} ms (no target; reported separately)");
        }
        var closed = results.Where(r => r.Result.Mode == "closed" && !r.Result.Name.StartsWith("warmup", StringComparison.Ordinal)).ToList();
        var openByRate = results.Where(r => r.Result.Mode == "open" && !r.Result.Name.StartsWith("warmup", StringComparison.Ordinal)).GroupBy(r => r.Result.TargetRate).OrderByDescending(g => g.Key);
        if (closed.Count > 0)
        {
            var rates = closed.Select(r => r.Result.Ok / r.Result.Seconds).ToList();
            var p99s = closed.Select(r => Histogram.Deserialize(r.Result.Latency).Percentile(0.99) / 1e6).ToList();
            var cpu = closed.Sum(r => r.ServerCpuSeconds) * 1e6 / closed.Sum(r => r.Result.Ok);
            Console.WriteLine($"  closed loop ({s.Concurrency} in flight), median of {closed.Count} rounds: checks/s {Median(rates):N0} (target {TargetRate:N0}: {Median(rates) / TargetRate:0.00}x)  " +
                $"p99 {Median(p99s):0.00} ms (target < {TargetP99Ms} ms: {TargetP99Ms / Median(p99s):0.0}x under)  [rounds: {string.Join(", ", rates.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))}]");
            Console.WriteLine($"  service CPU per check {cpu:0.0} us => one free core would serve at most {1e6 / cpu:N0} checks/s");
        }
        foreach (var group in openByRate)
        {
            var open = group.ToList();
            var rates = open.Select(r => r.Result.Ok / r.Result.Seconds).ToList();
            var p99s = open.Select(r => Histogram.Deserialize(r.Result.Latency).Percentile(0.99) / 1e6).ToList();
            var p99i = open.Select(r => Histogram.Deserialize(r.Result.LatencyFromIntended!).Percentile(0.99) / 1e6).ToList();
            Console.WriteLine($"  open loop at {group.Key:N0}/s, median of {open.Count} rounds: achieved {Median(rates):N0} checks/s (target {TargetRate:N0}: {Median(rates) / TargetRate:0.00}x)  " +
                $"p99 {Median(p99s):0.00} ms (target < {TargetP99Ms} ms: {TargetP99Ms / Median(p99s):0.0}x under); from intended start p99 {Median(p99i):0.00} ms  [p99 by round: {string.Join(", ", p99s.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)))}]");
        }
        (double Rate, double P99)? best = null;
        foreach (var group in h2.GroupBy(r => (r.TargetRate, r.InFlight)).OrderBy(g => g.Key.TargetRate).ThenBy(g => g.Key.InFlight))
        {
            var runs = group.ToList();
            var rates = runs.Select(r => r.Requests / r.Seconds).ToList();
            var p99s = runs.Select(r => r.Latency.Percentile(0.99) / 1e6).ToList();
            Console.WriteLine($"  h2load {(group.Key.TargetRate == 0 ? $"closed loop ({group.Key.InFlight} in flight)" : $"at {group.Key.TargetRate:N0}/s")}, median of {runs.Count} rounds: {Median(rates):N0} checks/s (target {TargetRate:N0}: {Median(rates) / TargetRate:0.00}x)  " +
                $"p99 {Median(p99s):0.00} ms (target < {TargetP99Ms} ms: {(Median(p99s) < TargetP99Ms ? "met" : "missed")})  [p99 by round: {string.Join(", ", p99s.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)))}]");
            if (group.Key.TargetRate == 0 && Median(p99s) < TargetP99Ms && (best is null || Median(rates) > best.Value.Rate)) best = (Median(rates), Median(p99s));
        }
        if (h2.Any(r => r.TargetRate == 0))
            Console.WriteLine(best is { } b
                ? $"  h2load closed loop, most checks/s with a median p99 under {TargetP99Ms} ms: {b.Rate:N0} checks/s at p99 {b.P99:0.00} ms (target {TargetRate:N0}: {b.Rate / TargetRate:0.00}x)"
                : $"  h2load closed loop: no in-flight count kept a median p99 under {TargetP99Ms} ms");
        foreach (var group in h2Poisson.GroupBy(r => r.TargetRate).OrderByDescending(g => g.Key))
        {
            var runs = group.ToList();
            string P99s(Func<H2Poisson.Result, Histogram> pick) => string.Join(" / ", runs.Select(r => Ms(pick(r).Percentile(0.99))));
            Console.WriteLine($"  h2poisson at {group.Key:N0}/s, {runs.Count} rounds: p99 from sent {P99s(r => r.FromSent)} ms, from due {P99s(r => r.FromDue)} ms; " +
                $"the generator's own lateness p99 {P99s(r => r.Late)} ms");
        }
        var errors = results.Sum(r => r.Result.Errors.Values.Sum()) + h2.Sum(r => r.NonSuccess) + h2Poisson.Sum(r => r.NotAnswered);
        Console.WriteLine($"  errors over all phases: {errors} of {results.Sum(r => r.Result.Sent) + h2.Sum(r => r.Requests) + h2Poisson.Sum(r => r.Calls):N0} calls");
        foreach (var t in timings)
            Console.WriteLine($"  in process, {t.Name}: median {t.Nanos.Percentile(0.5) / 1000.0:0.00} us, p99 {t.Nanos.Percentile(0.99) / 1000.0:0.00} us (budget {TargetDecisionMicros:0} us: {TargetDecisionMicros / (t.Nanos.Percentile(0.99) / 1000.0):0.0}x under)");
    }

    private static string Ms(long nanos) => (nanos / 1e6).ToString("0.00", CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Pin(int pid, string cpus)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"taskset {pid}: {error}");
    }

    private static string OnlineCpus()
    {
        try { return File.ReadAllText("/sys/devices/system/cpu/online").Trim(); }
        catch (IOException) { return "?"; }
    }

    private static List<int> PostgresPids(PostgresServer pg)
    {
        var (postmaster, stats) = PostgresProcesses(pg);
        return postmaster < 0 ? [] : stats.Where(kv => kv.Key == postmaster || kv.Value.Parent == postmaster).Select(kv => kv.Key).ToList();
    }

    private static (int Postmaster, Dictionary<int, (int Parent, long Ticks)> Stats) PostgresProcesses(PostgresServer pg)
    {
        var stats = new Dictionary<int, (int Parent, long Ticks)>();
        var postmaster = -1;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                stats[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
                if (stat.Contains("(postgres)", StringComparison.Ordinal) &&
                    File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').SkipWhile(a => a != "-p").Skip(1).FirstOrDefault() == pg.Port.ToString(CultureInfo.InvariantCulture))
                    postmaster = pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return (postmaster, stats);
    }

    /// <summary>CPU seconds used so far by the PostgreSQL server listening on the bench's port and its backends.</summary>
    private static double PostgresCpuSeconds(PostgresServer? pg)
    {
        if (pg is null) return 0;
        var (postmaster, stats) = PostgresProcesses(pg);
        if (postmaster < 0) return 0;
        return stats.Where(kv => kv.Key == postmaster || kv.Value.Parent == postmaster).Sum(kv => kv.Value.Ticks) / 100.0; // USER_HZ
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string Affinity()
    {
        try { return File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"; }
        catch (IOException) { return "?"; }
    }

    private static string Git(string arguments)
    {
        try
        {
            var info = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}

/// <summary>BENCH_ACCESS_RECORDS=off: records nothing, costs nothing (as in CheckUseAccessRecords).</summary>
internal sealed class NoAccessRecorder : Platform.Messaging.Access.IAccessRecorder
{
    public Guid Record(Platform.Messaging.Access.AccessRecord access) => Guid.Empty;

    public Task<Guid> RecordDurablyAsync(Platform.Messaging.Access.AccessRecord access, CancellationToken cancellationToken) => Task.FromResult(Guid.Empty);
}

/// <summary>The default service provider, built after <paramref name="lastWord"/> has had the last word on the registrations.</summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> lastWord) : IServiceProviderFactory<IServiceCollection>
{
    private readonly DefaultServiceProviderFactory _inner = new();

    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        lastWord(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => _inner.CreateServiceProvider(containerBuilder);
}
