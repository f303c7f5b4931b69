using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Contracts.Evidence.V1;
using Platform.Evidence.Api;
using Platform.Evidence.Api.Application;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Platform.Tools.AuditServiceBench;
using Outcomes = Platform.Evidence.Domain;

namespace Platform.Tools.OutcomeReportBench;

// The evidence service's outcome report (P8: aggregates per technology and setting by every characteristic, small
// cells suppressed with secondary suppression) for one trust holding 100,000 outcome measurements in the quarter, on
// real PostgreSQL 15 (Platform.Testing's server), beside a plain SQL GROUP BY of the same counts on the same database.
// One sweep = every report of the trust for the quarter (each technology x instrument), which together count every
// measurement once. Targets, in alternating rounds after a warm-up: GetOutcomeReport over gRPC against the hosted
// service (EvidenceApp, Production environment, h2c on loopback, a bearer token of an evidence reviewer), the
// application call it makes (OutcomeReports.ReportAsync from a new DI scope), and the GROUP BY (GroupByQuery) written two
// ways (grouping sets per characteristic column, and characteristics unpivoted to rows first); the aim is read against
// the faster.
// Before measuring, every report's shown counts and means must equal the GROUP BY's, and every count under the
// threshold must be hidden; the run exits 1 otherwise.
// Usage: dotnet OutcomeReportBench.dll [--rounds 9] [--warmup 3] [--measurements 100000] [--seed 15]
public static class Program
{
    private const string Trust = "RX3";

    public static async Task<int> Main(string[] args)
    {
        var rounds = Option(args, "--rounds", 9);
        var warmup = Option(args, "--warmup", 3);
        var measurements = Option(args, "--measurements", 100_000);
        var quarter = ReportingPeriod.LastEnded(DateTime.UtcNow);

        var pg = await PostgresServer.SharedAsync();
        var database = await pg.CreateDatabaseAsync("outcomebench");
        var grpcAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        await using var app = await StartEvidenceAsync(pg, database, grpcAddress, args);
        var seeder = new Seeder(pg, database, Trust, quarter, Option(args, "--seed", 15));
        var seeded = await seeder.SeedAsync(measurements);
        Console.WriteLine($"OutcomeReportBench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}  trust {Trust}, quarter {quarter.Code}");
        Console.WriteLine($"seeded {seeded.Measurements:N0} measurements of {seeded.Patients:N0} patients ({seeded.Profiles:N0} equality profiles) under {seeder.Technologies.Count} technologies in {seeded.Seconds:F1} s");

        var reports = seeder.Technologies.SelectMany(t => Outcomes.Instruments.All.Select(i => (Technology: t, i.Instrument))).ToList();
        using var channel = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        var client = new EvidenceService.EvidenceServiceClient(channel);
        var headers = new Metadata { { "Authorization", $"Bearer {TestTokens.Shared.Mint(Trust, ["evidence-reviewer"], lifetime: TimeSpan.FromHours(6))}" } };
        await using var appRole = NpgsqlDataSource.Create(pg.AppConnectionString(database));
        var groupBy = new GroupByQuery(appRole, Trust, GroupByQuery.Shape.GroupingSets);
        var unpivoted = new GroupByQuery(appRole, Trust, GroupByQuery.Shape.Unpivoted);

        Task<OutcomeReport> ReportOverGrpc((Guid Technology, Outcomes.Instrument Instrument) r) => client.GetOutcomeReportAsync(
            new GetOutcomeReportRequest { TechnologyId = r.Technology.ToString(), Instrument = (Instrument)r.Instrument, Period = quarter.Code },
            headers, DateTime.UtcNow.AddMinutes(2)).ResponseAsync;

        async Task ReportInProcess((Guid Technology, Outcomes.Instrument Instrument) r)
        {
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Trust);
            var built = await scope.ServiceProvider.GetRequiredService<OutcomeReports>().ReportAsync(r.Technology.ToString(), r.Instrument, quarter.Code);
            if (built.IsRefused) throw new InvalidOperationException(built.Refusal!.Message);
        }

        var targets = new List<(string Name, Func<(Guid, Outcomes.Instrument), Task> Run)>
        {
            ("plain SQL GROUP BY, grouping sets", r => groupBy.RunAsync(r.Item1, r.Item2, quarter)),
            ("plain SQL GROUP BY, unpivoted", r => unpivoted.RunAsync(r.Item1, r.Item2, quarter)),
            ("GetOutcomeReport over gRPC", ReportOverGrpc),
            ("OutcomeReports.ReportAsync (application)", ReportInProcess),
        };

        if (args.Contains("--explain"))
        {
            // The plan of the statement for the report with the most measurements (every technology's HoNOS report is among the largest).
            Console.WriteLine(await groupBy.ExplainAsync(seeder.Technologies[0], Outcomes.Instrument.Honos, quarter));
            Console.WriteLine(await unpivoted.ExplainAsync(seeder.Technologies[0], Outcomes.Instrument.Honos, quarter));
        }

        foreach (var query in new[] { groupBy, unpivoted })
        {
            var check = await CheckAsync(reports, ReportOverGrpc, query, quarter);
            Console.Write($"{query.Name}: ");
            Console.WriteLine(check.Summary);
            if (!check.Equal) return 1;
        }

        var cpu = new CpuMeter(pg.Port);
        for (var w = 0; w < warmup; w++)
            foreach (var (_, run) in targets)
                foreach (var r in reports) await run(r);

        Console.WriteLine($"{reports.Count} reports per sweep ({seeder.Technologies.Count} technologies x {Outcomes.Instruments.All.Count} instruments); {warmup} warm-up sweeps per target, then {rounds} rounds, one sweep per target each, the order rotating");
        Console.WriteLine($"sweep times per round, in this order: {string.Join(", ", targets.Select(t => t.Name))}");
        var results = targets.Select(_ => new List<(double Ms, double ProcessMs, double PostgresMs)>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var order = Enumerable.Range(0, targets.Count).Select(i => (i + round) % targets.Count).ToList();
            if (round % 2 == 1) order.Reverse();
            foreach (var t in order)
            {
                var (process, postgres) = (CpuMeter.ProcessMs(), cpu.PostgresMs());
                var clock = Stopwatch.StartNew();
                foreach (var r in reports) await targets[t].Run(r);
                results[t].Add((clock.Elapsed.TotalMilliseconds, CpuMeter.ProcessMs() - process, cpu.PostgresMs() - postgres));
            }
            Console.WriteLine($"round {round + 1}: {string.Join("  ", results.Select(x => $"{x[^1].Ms,7:F0} ms"))}  load {Stats.LoadAverage()}");
        }

        var perReport = 1.0 / reports.Count;
        for (var t = 0; t < targets.Count; t++)
        {
            var x = results[t];
            Console.WriteLine($"{targets[t].Name,-42} sweep median {Stats.Median(x.Select(v => v.Ms)),7:F0} ms = {Stats.Median(x.Select(v => v.Ms)) * perReport,6:F1} ms/report"
                + $"  CPU per report: this process {Stats.Median(x.Select(v => v.ProcessMs)) * perReport,6:F1} ms, PostgreSQL {Stats.Median(x.Select(v => v.PostgresMs)) * perReport,6:F1} ms"
                + $"  (sweeps: {string.Join(", ", x.Select(v => v.Ms.ToString("F0", CultureInfo.InvariantCulture)))})");
        }

        // Each report target against each way of writing the GROUP BY; the aim is read against the faster of the two.
        var faster = Stats.Median(results[0].Select(v => v.Ms)) <= Stats.Median(results[1].Select(v => v.Ms)) ? 0 : 1;
        for (var t = 2; t < targets.Count; t++)
            foreach (var b in new[] { faster, 1 - faster })
            {
                var time = results[t].Zip(results[b], (x, y) => x.Ms / y.Ms).ToList();
                var cpuRatio = results[t].Zip(results[b], (x, y) => (x.ProcessMs + x.PostgresMs) / (y.ProcessMs + y.PostgresMs)).ToList();
                Console.WriteLine($"{targets[t].Name} / {targets[b].Name}: time {Stats.Median(time):F2}x median of rounds (min {time.Min():F2}, max {time.Max():F2}: {string.Join(", ", time.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})"
                    + $"; CPU (process + PostgreSQL) {Stats.Median(cpuRatio):F2}x{(b == faster ? "  (aim: time under 3x of the faster GROUP BY)" : "")}");
            }
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        await app.StopAsync();
        return 0;
    }

    private sealed record CheckResult(bool Equal, string Summary);

    /// <summary>
    /// Every report against the GROUP BY: each shown count and mean equal to the GROUP BY's (means to the report's two
    /// decimals), every count from 1 to under the threshold hidden, and the same settings.
    /// </summary>
    private static async Task<CheckResult> CheckAsync(IReadOnlyList<(Guid Technology, Outcomes.Instrument Instrument)> reports,
        Func<(Guid, Outcomes.Instrument), Task<OutcomeReport>> report, GroupByQuery groupBy, ReportingPeriod quarter)
    {
        int shown = 0, hiddenSmall = 0, hiddenOther = 0, patients = 0;
        var wrong = new List<string>();
        foreach (var r in reports)
        {
            var message = await report(r);
            var counts = await groupBy.RunAsync(r.Technology, r.Instrument, quarter);
            var settings = counts.Keys.Where(k => k.Characteristic < 0 && k.Setting != "").Select(k => k.Setting).Order(StringComparer.Ordinal).ToList();
            if (!settings.SequenceEqual(message.Settings)) wrong.Add($"{r}: settings {string.Join(",", message.Settings)} against {string.Join(",", settings)}");
            patients += counts.Of(-1, "", 0).Patients;
            void Compare(OutcomeCell cell, GroupCount expected, string where)
            {
                if (cell.Suppressed)
                {
                    if (expected.Patients is > 0 and < 5) hiddenSmall++;
                    else hiddenOther++;
                    return;
                }
                shown++;
                var mean = expected.Patients == 0 ? (double?)null : Math.Round(expected.Sum / expected.Patients, 2, MidpointRounding.AwayFromZero);
                if (expected.Patients is > 0 and < 5) wrong.Add($"{where}: {expected.Patients} shown");
                double? got = cell.HasMean ? cell.Mean : null;
                // The report sums in another order than PostgreSQL: a mean may round the other way at its second decimal.
                var meanDiffers = (got is null) != (mean is null) || (got is { } g && mean is { } m && Math.Abs(g - m) > 0.011);
                if (cell.Patients != expected.Patients || meanDiffers)
                    wrong.Add($"{where}: report {cell.Patients}/{(cell.HasMean ? cell.Mean : null)}, GROUP BY {expected.Patients}/{mean}");
            }
            foreach (var breakdown in message.Breakdowns)
            {
                var k = Outcomes.Characteristics.All.Select((d, i) => (d, i)).Single(x => x.d.Code == breakdown.Characteristic).i;
                var categories = Outcomes.Characteristics.All[k].Categories;
                foreach (var row in breakdown.Rows)
                {
                    for (var c = 0; c < row.Cells.Count; c++)
                        Compare(row.Cells[c], counts.Of(k, row.SettingCode, categories[c].Value), $"{r} {breakdown.Characteristic} '{row.SettingCode}' {categories[c].Code}");
                    Compare(row.Total, counts.Of(-1, row.SettingCode, 0), $"{r} {breakdown.Characteristic} '{row.SettingCode}' total");
                }
            }
        }
        var summary = $"check: {reports.Count} reports over {patients:N0} patient outcomes; {shown:N0} shown cells and totals equal to the GROUP BY's counts and means, "
            + $"{hiddenSmall:N0} hidden under the threshold of 5, {hiddenOther:N0} hidden besides (secondary); mismatches {wrong.Count}";
        return new CheckResult(wrong.Count == 0, wrong.Count == 0 ? summary : summary + Environment.NewLine + string.Join(Environment.NewLine, wrong.Take(20)));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static async Task<WebApplication> StartEvidenceAsync(PostgresServer pg, string database, Uri grpcAddress, string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EvidenceApp).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = grpcAddress.ToString(),
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateAtStartup"] = "true",
            ["Database:AppRole"] = PostgresServer.AppRole,
            ["ConnectionStrings:evidence"] = pg.AppConnectionString(database),
            ["ConnectionStrings:evidence-owner"] = pg.OwnerConnectionString(database),
            ["Messaging:AppApiToken"] = SidecarDelivery.AppApiToken,
            ["Logging:LogLevel:Default"] = "Warning",
            // The health checks run before the migrations have; their failures then are expected and would bury the figures.
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = args.Contains("--log-sql") ? "Information" : "Critical",
        });
        var app = EvidenceApp.Build(builder);
        await app.StartAsync();
        // As the directory's trust_onboarded event would have made the trust known.
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange(Trust, $"Bench trust {Trust}", Active: true), default);
        return app;
    }
}
