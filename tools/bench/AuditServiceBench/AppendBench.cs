using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Entries;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.Access.V1;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;

namespace Platform.Tools.AuditServiceBench;

/// <summary>
/// Sustained appends to one trust's log, checkpointer signing every second, against pgbench's single-row INSERT on
/// the same PostgreSQL, in alternating rounds with the same number of clients. The audit entries are access records
/// (<see cref="AccessRecorded"/>, the events that make most of a trust's log), delivered as Dapr's sidecar delivers
/// them: one structured CloudEvent per request, and Dapr bulk deliveries of <c>--bulk</c> events (the service
/// advertises bulkSubscribe). The application-layer target calls <see cref="AuditLog.AppendAsync(NewAuditEntry, CancellationToken)"/>
/// directly, which is what the handler calls, without HTTP and the inbox row. The clients run in this process, so
/// "server CPU" of an audit target is this process's CPU (service and load generator together) plus PostgreSQL's;
/// pgbench's is PostgreSQL's alone (pgbench is its own process).
/// </summary>
internal sealed class AppendBench(WebApplication app, PostgresServer pg, string database, string[] args)
{
    public const string Trust = "RX3";
    private const string PgBench = "/usr/lib/postgresql/15/bin/pgbench";

    private readonly int _rounds = Program.Option(args, "--rounds", 5);
    private readonly int _duration = Program.Option(args, "--duration", 5);
    private readonly int _warmup = Program.Option(args, "--warmup", 10);
    private readonly int _clients = Program.Option(args, "--clients", 1);
    private readonly int _bulk = Program.Option(args, "--bulk", 100);
    private readonly bool _profile = args.Contains("--profile");
    private readonly CpuMeter _cpu = new(pg.Port);
    private long _eventCounter;
    private long _appended;

    private sealed record Target(string Name, Func<int, Task<(long Operations, double Seconds, double ServerCpuMs, double PostgresCpuMs)>> Run);

    public async Task<int> RunAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(HttpAddress()), Timeout = TimeSpan.FromMinutes(2) };
        var topic = EventName.For<AccessRecorded>().Topic;
        var route = await SidecarDelivery.RouteForAsync(http, topic);
        var script = await PreparePgBenchAsync();

        var targets = new List<Target>
        {
            new("pgbench single-row INSERT", seconds => RunPgBenchAsync(script, seconds)),
            new("event route, 1 CloudEvent per request", seconds => RunClientsAsync(seconds, () => DeliverOneAsync(http, route))),
            new($"event route, Dapr bulk of {_bulk}", seconds => RunClientsAsync(seconds, () => DeliverBulkAsync(http, route, topic))),
            new("AuditLog.AppendAsync (application layer)", seconds => RunClientsAsync(seconds, AppendDirectAsync)),
        };
        // BENCH_ONLY=word[,word] keeps pgbench and the targets whose names contain one of the words.
        if (Environment.GetEnvironmentVariable("BENCH_ONLY") is { Length: > 0 } only)
        {
            targets = [targets[0], .. targets.Skip(1).Where(t => only.Split(',').Any(w => t.Name.Contains(w, StringComparison.OrdinalIgnoreCase)))];
        }

        Console.WriteLine($"AuditServiceBench append  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}  trust {Trust}, {_clients} client(s) per target, {_rounds} rounds x {_duration} s after {_warmup} s of warm-up each, checkpoints every 1 s");
        // Warm-up, discarded: long enough for tiered compilation to settle (in the first seconds the JIT took more CPU than the appends).
        foreach (var t in targets) await t.Run(_warmup);
        // What the service costs doing nothing (its relay's polling, the checkpointer's rounds), to read the figures against.
        var idleProcess = CpuMeter.ProcessMs();
        var idlePostgres = _cpu.PostgresMs();
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"idle for 3 s: this process {(CpuMeter.ProcessMs() - idleProcess) / 3:F0} CPU-ms/s, PostgreSQL {(_cpu.PostgresMs() - idlePostgres) / 3:F0} CPU-ms/s");
        if (_profile) await ResetStatementsAsync();
        var checkpointsBefore = await CountCheckpointsAsync();
        var clock = Stopwatch.StartNew();
        var results = targets.Select(_ => new List<(double Rate, double CpuUs, double PostgresUs)>()).ToArray();
        for (var round = 0; round < _rounds; round++)
        {
            // Rotate the order each round, and reverse it every other round, so no target always follows another.
            var order = Enumerable.Range(0, targets.Count).Select(i => (i + round) % targets.Count).ToList();
            if (round % 2 == 1) order.Reverse();
            foreach (var i in order)
            {
                var (operations, seconds, cpuMs, postgresMs) = await targets[i].Run(_duration);
                results[i].Add((operations / seconds, cpuMs * 1000 / operations, postgresMs * 1000 / operations));
            }

            Console.WriteLine($"round {round + 1}: " + string.Join("  ", targets.Select((t, i) => $"{results[i][^1].Rate:N0}/s")) + $"  load {Stats.LoadAverage()}");
        }

        var measured = clock.Elapsed.TotalSeconds;
        var checkpoints = await CountCheckpointsAsync() - checkpointsBefore;
        var treeSize = await TreeSizeAsync();
        Console.WriteLine();
        for (var i = 0; i < targets.Count; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{targets[i].Name,-42} median {Stats.Median(results[i].Select(r => r.Rate)),9:N0} /s  server CPU {Stats.Median(results[i].Select(r => r.CpuUs)),7:F1} us/op (PostgreSQL {Stats.Median(results[i].Select(r => r.PostgresUs)),6:F1})  (rounds: {string.Join(", ", results[i].Select(r => $"{r.Rate:N0}/{r.CpuUs:F0}"))})"));
        }

        for (var i = 1; i < targets.Count; i++)
        {
            var ratios = Enumerable.Range(0, _rounds).Select(r => results[i][r].Rate / results[0][r].Rate).ToList();
            var cpu = Stats.Median(Enumerable.Range(0, _rounds).Select(r => results[0][r].CpuUs / results[i][r].CpuUs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{targets[i].Name} / pgbench = {Stats.Median(ratios):F2} median of rounds ({string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}); server CPU pgbench / this = {cpu:F2}  (aim >= 0.5)"));
        }

        Console.WriteLine($"checkpoints signed for {Trust} while measuring: {checkpoints} in {measured:F0} s; tree size {treeSize:N0} = appends acknowledged {Interlocked.Read(ref _appended):N0}: {(treeSize == Interlocked.Read(ref _appended) ? "yes" : "NO")}");
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        if (_profile) await ProfileAsync(Interlocked.Read(ref _appended));
        return treeSize == Interlocked.Read(ref _appended) ? 0 : 1;
    }

    private string HttpAddress() => app.Configuration["Kestrel:Endpoints:Http:Url"]!;

    // `_clients` loops for `seconds`, each awaiting one operation at a time; returns the appends they completed.
    private async Task<(long Operations, double Seconds, double ServerCpuMs, double PostgresCpuMs)> RunClientsAsync(int seconds, Func<Task<int>> operation)
    {
        var process = CpuMeter.ProcessMs();
        var postgres = _cpu.PostgresMs();
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var counts = await Task.WhenAll(Enumerable.Range(0, _clients).Select(async _ =>
        {
            long done = 0;
            while (clock.Elapsed < until) done += await operation();
            return done;
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var postgresCpu = _cpu.PostgresMs() - postgres;
        var cpu = CpuMeter.ProcessMs() - process + postgresCpu;
        var total = counts.Sum();
        Interlocked.Add(ref _appended, total);
        return (total, elapsed, cpu, postgresCpu);
    }

    private string NextEvent()
    {
        var n = Interlocked.Increment(ref _eventCounter);
        var record = new AccessRecorded
        {
            ActorSubject = "nurse-4411", ActorRole = "clinician", PurposeOfUse = "TREAT", Patient = $"Patient/{Guid.NewGuid()}",
            What = $"TechnologyUse/{Guid.NewGuid()}", EntityType = "Consent", Kind = "use-check", Outcome = "success",
        };
        var name = EventName.For<AccessRecorded>();
        return new CloudEvent
        {
            Id = $"bench-{Environment.ProcessId}-{n}", Source = "/consent", Type = name.Type, Subject = record.Patient, Time = DateTimeOffset.UtcNow,
            Tenant = Trust, DataJson = JsonFormatter.Default.Format(record),
        }.ToJson();
    }

    private async Task<int> DeliverOneAsync(HttpClient http, string route)
    {
        using var content = new StringContent(NextEvent(), Encoding.UTF8, CloudEvent.MediaType);
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
        request.Headers.Add("dapr-api-token", SidecarDelivery.AppApiToken);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || !body.Contains("\"SUCCESS\"", StringComparison.Ordinal)) throw new InvalidOperationException($"delivery failed: {(int)response.StatusCode} {body}");
        return 1;
    }

    // Dapr's bulk delivery (BulkSubscribeMessage): entries carrying structured CloudEvents, sent as application/json.
    private async Task<int> DeliverBulkAsync(HttpClient http, string route, string topic)
    {
        var body = new StringBuilder("{\"id\":\"").Append(Guid.NewGuid()).Append("\",\"topic\":\"").Append(topic)
            .Append("\",\"pubsubname\":\"pubsub\",\"type\":\"com.dapr.event.sent.bulk\",\"metadata\":{},\"entries\":[");
        for (var i = 0; i < _bulk; i++)
        {
            if (i > 0) body.Append(',');
            body.Append("{\"entryId\":\"").Append(i).Append("\",\"contentType\":\"application/cloudevents+json\",\"metadata\":{},\"event\":").Append(NextEvent()).Append('}');
        }

        body.Append("]}");
        using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
        request.Headers.Add("dapr-api-token", SidecarDelivery.AppApiToken);
        using var response = await http.SendAsync(request);
        var reply = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"bulk delivery failed: {(int)response.StatusCode} {reply}");
        using var doc = JsonDocument.Parse(reply);
        // Dapr reads the status as its name or its number (SUCCESS = 0).
        var statuses = doc.RootElement.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status"))
            .Select(s => s.ValueKind == JsonValueKind.String ? s.GetString() == "SUCCESS" : s.GetInt32() == 0).ToList();
        if (statuses.Count != _bulk || statuses.Contains(false)) throw new InvalidOperationException($"bulk delivery not all SUCCESS: {reply}");
        return _bulk;
    }

    private async Task<int> AppendDirectAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Trust);
        var n = Interlocked.Increment(ref _eventCounter);
        var appended = await scope.ServiceProvider.GetRequiredService<AuditLog>().AppendAsync(new NewAuditEntry("use-check", AuditAction.Execute, AuditOutcome.Success,
            new AuditAgent("nurse-4411", "clinician", "TREAT"), new AuditEntity($"TechnologyUse/{Guid.NewGuid()}", "Consent"), $"Patient/{Guid.NewGuid()}",
            new SourceEvent("/consent", $"bench-direct-{Environment.ProcessId}-{n}")));
        if (appended.IsRefused) throw new InvalidOperationException(appended.Refusal!.Message);
        return 1;
    }

    // A table shaped like a small audit row (a key, the trust, a number, some text), in the same database.
    private async Task<string> PreparePgBenchAsync()
    {
        await using (var conn = new NpgsqlConnection(pg.OwnerConnectionString(database)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                CREATE TABLE IF NOT EXISTS bench_single_row (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id varchar(8) NOT NULL,
                    n bigint NOT NULL, payload text NOT NULL, created timestamptz NOT NULL DEFAULT now())
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var script = Path.Combine(Path.GetTempPath(), $"auditbench-insert-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script, """
            \set n random(1, 1000000000)
            INSERT INTO bench_single_row (tenant_id, n, payload) VALUES ('RX3', :n, 'Patient/5f0c7e1a-2b4d-4c8e-9a61-7d3f0b2e4c19 TechnologyUse/0b9d1c2e-3f4a-4b5c-8d6e-7f8091a2b3c4');

            """);
        return script;
    }

    private async Task<(long Operations, double Seconds, double ServerCpuMs, double PostgresCpuMs)> RunPgBenchAsync(string script, int seconds)
    {
        var owner = new NpgsqlConnectionStringBuilder(pg.OwnerConnectionString(database));
        var info = new ProcessStartInfo(PgBench) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-n", "-f", script, "-c", _clients.ToString(CultureInfo.InvariantCulture), "-j", "1", "-T", seconds.ToString(CultureInfo.InvariantCulture),
                     "-h", "127.0.0.1", "-p", pg.Port.ToString(CultureInfo.InvariantCulture), "-U", owner.Username!, database })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGPASSWORD"] = owner.Password;
        var postgres = _cpu.PostgresMs();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = _cpu.PostgresMs() - postgres;
        var text = await output;
        var processed = Regex.Match(text, @"number of transactions actually processed: (\d+)");
        var failed = Regex.Match(text, @"number of failed transactions: (\d+)");
        if (process.ExitCode != 0 || !processed.Success || (failed.Success && failed.Groups[1].Value != "0")) throw new InvalidOperationException($"pgbench failed: {text}{await error}");
        // pgbench's own elapsed time excludes its connection set-up; -T is the run's length.
        return (long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture), Math.Min(elapsed, seconds), cpu, cpu);
    }

    private async Task<long> CountCheckpointsAsync()
    {
        await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM audit_checkpoints WHERE tenant_id = 'RX3'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> TreeSizeAsync()
    {
        await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(tree_size), 0) FROM audit_tree_heads WHERE tenant_id = 'RX3'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task ResetStatementsAsync()
    {
        await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Where PostgreSQL's time goes (--profile; needs PLATFORM_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements"):
    /// the statements of the measured rounds by total execution time, per call and per appended entry, with the WAL each
    /// wrote; the indexes each audit table maintains; and EXPLAIN (ANALYZE, BUFFERS, WAL) of one entry's rows, rolled back.
    /// </summary>
    private async Task ProfileAsync(long appended)
    {
        await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await conn.OpenAsync();
        Console.WriteLine();
        Console.WriteLine($"profile: pg_stat_statements over the measured rounds ({appended:N0} audit entries appended; pgbench's INSERTs included)");
        Console.WriteLine($"{"calls",9} {"rows",9} {"total ms",9} {"mean us",8} {"us/entry",8} {"WAL B/call",10} {"blks dirtied",12}  statement");
        await using (var cmd = new NpgsqlCommand("""
            SELECT calls, rows, total_exec_time, mean_exec_time, wal_bytes, shared_blks_dirtied, regexp_replace(query, '\s+', ' ', 'g')
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT 14
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var calls = reader.GetInt64(0);
                var query = reader.GetString(6);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{calls,9:N0} {reader.GetInt64(1),9:N0} {reader.GetDouble(2),9:F0} {reader.GetDouble(3) * 1000,8:F1} {reader.GetDouble(2) * 1000 / Math.Max(1, appended),8:F1} {reader.GetDecimal(4) / Math.Max(1, calls),10:F0} {reader.GetInt64(5),12:N0}  {(query.Length > 150 ? query[..150] + "..." : query)}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("indexes each row maintains (table: index, size):");
        await using (var cmd = new NpgsqlCommand("""
            SELECT t.relname, i.relname, pg_size_pretty(pg_relation_size(i.oid)), pg_size_pretty(pg_relation_size(t.oid)), t.reltuples::bigint
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname LIKE 'audit_%' OR t.relname LIKE 'inbox%' OR t.relname LIKE 'bench_%' ORDER BY t.relname, i.relname
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) Console.WriteLine($"  {reader.GetString(0)} (heap {reader.GetString(3)}, ~{reader.GetInt64(4):N0} rows): {reader.GetString(1)} {reader.GetString(2)}");
        }

        // One entry's rows as the append writes them, as the application role under row-level security, rolled back.
        await using var app = new NpgsqlConnection(pg.AppConnectionString(database));
        await app.OpenAsync();
        await using var tx = await app.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', 'RX3', true)", app, tx)) await set.ExecuteNonQueryAsync();
        foreach (var (what, sql) in ProfiledStatements())
        {
            Console.WriteLine();
            Console.WriteLine($"EXPLAIN (ANALYZE, BUFFERS, WAL) {what}:");
            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, WAL) " + sql, app, tx);
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync()) Console.WriteLine("  " + reader.GetString(0));
        }

        await tx.RollbackAsync();
    }

    // The statements of one entry's append, with literal values (EXPLAIN takes no parameters without PREPARE).
    private static IEnumerable<(string What, string Sql)> ProfiledStatements()
    {
        var id = Guid.CreateVersion7();
        yield return ("the entry row", $"""
            INSERT INTO audit_entries (id, action, agent_purpose_of_use, agent_role, agent_who, entity_type, entity_what, outcome, patient, recorded,
                sequence, source_event_id, source_event_source, tenant_id, type)
            VALUES ('{id}', 'Execute', 'TREAT', 'clinician', 'nurse-4411', 'Consent', 'TechnologyUse/{Guid.NewGuid()}', 0, 'Patient/{Guid.NewGuid()}',
                now(), 900000000001, 'profile-{id}', '/consent', 'RX3', 'use-check')
            """);
        foreach (var statement in TreeStatements()) yield return statement;
    }

    // The tree's row for a bulk delivery's 100 entries (ADR 0038): their leaves as one run of a level-0 tile.
    private static IEnumerable<(string What, string Sql)> TreeStatements()
    {
        yield return ("the tree's row of 100 entries (one run of leaf hashes)", """
            INSERT INTO audit_tree_tiles (tenant_id, level, start_index, hashes)
            VALUES ('RX3', 0, 900000000000, (SELECT string_agg(sha256(int8send(i)), ''::bytea) FROM generate_series(1, 100) i))
            """);
    }
}
