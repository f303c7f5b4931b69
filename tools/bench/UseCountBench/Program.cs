using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Platform.Tools.AuditServiceBench;
using Rules = Platform.Consent.Domain;

namespace Platform.Tools.UseCountBench;

// Consent's counts of active uses (ADR 0040) on real PostgreSQL 15 (Platform.Testing's server), the service hosted in
// this process (ConsentApp, Production environment, h2c on loopback, bearer tokens validated as deployed). Each trust
// holds --uses active uses (default 3,000) of as many patients over 10 wards, bases spread as a ward's might be.
// Targets, in alternating rounds after a warm-up:
// - CountActiveUses over gRPC (a ward manager; the whole trust);
// - the same counts got by paging ListUses (status active, 100 a page, as the dashboard's activeUses connection asks)
//   over every ward and counting in the client: what a dashboard would do without the count method (it also writes an
//   access record per patient, and evaluates each use's check);
// - GetRegionalActiveUseCounts over gRPC (a region analyst), over --trusts trusts (default 5) of --uses each: since
//   ADR 0047 a read of the day's published rows (published once after seeding, its time printed), not a count;
// - CountConsentRequired (ADR 0045): every live proxy/best-interests use (about three in ten here) loaded with its
//   patient's records in bulk and evaluated by the consent rules; GetRegionalConsentRequiredCounts: since ADR 0045's
//   amendment a read of the same published rows (the day's publication now takes these too). The seeded patients
//   have no capacity records, so the rule finds none in "consent required": this measures the load and evaluation, and
//   Decide on fuller records would cost more.
// Before measuring, the counted totals must equal the paged ones; the run exits 1 otherwise.
// Usage: dotnet UseCountBench.dll [--rounds 7] [--warmup 2] [--uses 3000] [--trusts 5]
public static class Program
{
    private const string Trust = "RX3";
    private static readonly string[] Wards = ["W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08", "W09", "W10"];

    public static async Task<int> Main(string[] args)
    {
        var rounds = Option(args, "--rounds", 7);
        var warmup = Option(args, "--warmup", 2);
        var uses = Option(args, "--uses", 3_000);
        var trustCount = Option(args, "--trusts", 5);
        var trusts = new[] { Trust }.Concat(Enumerable.Range(1, trustCount - 1).Select(i => $"RB{i:D2}")).ToList();

        var pg = await PostgresServer.SharedAsync();
        var database = await pg.CreateDatabaseAsync("usecountbench");
        var grpcAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        await using var app = await StartConsentAsync(pg, database, grpcAddress, trusts);
        var seeding = Stopwatch.StartNew();
        foreach (var trust in trusts) await SeedAsync(app, trust, uses);
        // The region's counts are the day's publication (ADR 0047): published once the uses are seeded, as the
        // scheduler's run would; GetRegionalActiveUseCounts below reads the published rows, it does not count.
        var publishing = Stopwatch.StartNew();
        var published = await app.Services.GetRequiredService<Platform.Consent.Api.Application.UseCountPublisher>().PublishAsync();
        Console.WriteLine($"published the region's counts as at {published.AsAt:yyyy-MM-dd} ({published.TrustsRecorded} trusts) in {publishing.Elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"UseCountBench  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}");
        Console.WriteLine($"seeded {trusts.Count} trusts x {uses:N0} active uses (one patient each, {Wards.Length} wards) in {seeding.Elapsed.TotalSeconds:F1} s");

        using var channel = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        var client = new ConsentService.ConsentServiceClient(channel);
        var manager = new Metadata { { "Authorization", $"Bearer {TestTokens.Shared.Mint(Trust, ["ward-manager"], lifetime: TimeSpan.FromHours(6))}" } };
        var analyst = new Metadata { { "Authorization", $"Bearer {TestTokens.Shared.MintForTrusts([], ["region-analyst"])}" } };

        async Task<int> CountAsync() => (await client.CountActiveUsesAsync(new CountActiveUsesRequest(), manager, DateTime.UtcNow.AddMinutes(2))).Uses;

        async Task<int> PageAsync()
        {
            var total = 0;
            foreach (var ward in Wards)
            {
                var token = "";
                do
                {
                    var request = new ListUsesRequest { WardCode = ward, PageSize = 100, PageToken = token };
                    request.Statuses.Add(UseStatus.Active);
                    var page = await client.ListUsesAsync(request, manager, DateTime.UtcNow.AddMinutes(2));
                    total += page.Uses.Count;
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }
            return total;
        }

        async Task<int> RegionAsync()
        {
            var counts = await client.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest(), analyst, DateTime.UtcNow.AddMinutes(2));
            return counts.Tables[0].Rows[^1].Total.Uses;
        }

        var (counted, paged, region) = (await CountAsync(), await PageAsync(), await RegionAsync());
        Console.WriteLine($"check: CountActiveUses {counted:N0}, paged ListUses {paged:N0}, region {region:N0} over {trusts.Count} trusts");
        // About a tenth of the uses are past their review (seeded so), counted in the same grouped statement.
        var overdue = await client.CountActiveUsesAsync(new CountActiveUsesRequest(), manager, DateTime.UtcNow.AddMinutes(2));
        var regionalOverdue = (await client.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest(), analyst, DateTime.UtcNow.AddMinutes(2))).Tables.Single(t => t.Dimension == "review").Rows[^1].Cells[0].Uses;
        Console.WriteLine($"check: overdue reviews {overdue.OverdueReviews:N0} of the trust's, {regionalOverdue:N0} of the region's");
        if (counted != uses || paged != uses || region != uses * trusts.Count) return 1;

        // Consent required after capacity regained (ADR 0045): evaluated per proxy/best-interests use, so not one GROUP BY.
        async Task<int> ConsentRequiredAsync() => (await client.CountConsentRequiredAsync(new CountConsentRequiredRequest(), manager, DateTime.UtcNow.AddMinutes(2))).Uses;
        async Task<int> RegionConsentRequiredAsync() =>
            (await client.GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest(), analyst, DateTime.UtcNow.AddMinutes(2))).Tables[0].Rows[^1].Total.Uses;
        Console.WriteLine($"check: CountConsentRequired {await ConsentRequiredAsync():N0}, region {await RegionConsentRequiredAsync():N0} (seeded uses carry no capacity records: none is in consent required)");

        var targets = new (string Name, Func<Task<int>> Run)[]
        {
            ("CountActiveUses (gRPC)", CountAsync),
            ("ListUses paged over every ward (gRPC)", PageAsync),
            ($"GetRegionalActiveUseCounts, {trusts.Count} trusts (gRPC)", RegionAsync),
            ("CountConsentRequired (gRPC)", ConsentRequiredAsync),
            ($"GetRegionalConsentRequiredCounts, {trusts.Count} trusts (gRPC)", RegionConsentRequiredAsync),
        };
        var cpu = new CpuMeter(pg.Port);
        for (var w = 0; w < warmup; w++)
            foreach (var (_, run) in targets) await run();
        Console.WriteLine($"{warmup} warm-up calls per target, then {rounds} rounds, one call per target each, the order rotating; columns: {string.Join(", ", targets.Select(t => t.Name))}");
        var results = targets.Select(_ => new List<(double Ms, double ProcessMs, double PostgresMs)>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var order = Enumerable.Range(0, targets.Length).Select(i => (i + round) % targets.Length).ToList();
            if (round % 2 == 1) order.Reverse();
            foreach (var t in order)
            {
                var (process, postgres) = (CpuMeter.ProcessMs(), cpu.PostgresMs());
                var clock = Stopwatch.StartNew();
                await targets[t].Run();
                results[t].Add((clock.Elapsed.TotalMilliseconds, CpuMeter.ProcessMs() - process, cpu.PostgresMs() - postgres));
            }
            Console.WriteLine($"round {round + 1}: {string.Join("  ", results.Select(x => $"{x[^1].Ms,8:F1} ms"))}  load {Stats.LoadAverage()}");
        }
        for (var t = 0; t < targets.Length; t++)
        {
            var x = results[t];
            Console.WriteLine($"{targets[t].Name,-48} median {Stats.Median(x.Select(v => v.Ms)),8:F1} ms  CPU: this process {Stats.Median(x.Select(v => v.ProcessMs)),8:F1} ms, PostgreSQL {Stats.Median(x.Select(v => v.PostgresMs)),8:F1} ms");
        }
        foreach (var other in new[] { 1, 2, 3, 4 })
        {
            var time = results[other].Zip(results[0], (a, b) => a.Ms / b.Ms).ToList();
            var cpuRatio = results[other].Zip(results[0], (a, b) => (a.ProcessMs + a.PostgresMs) / Math.Max(0.1, b.ProcessMs + b.PostgresMs)).ToList();
            Console.WriteLine($"{targets[other].Name} / {targets[0].Name}: time {Stats.Median(time):F1}x median of rounds ({string.Join(", ", time.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}); CPU (process + PostgreSQL) {Stats.Median(cpuRatio):F1}x");
        }
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        await app.StopAsync();
        return 0;
    }

    /// <summary>Active uses written straight into the trust's tables, as many activations would leave them: a patient each.</summary>
    private static async Task SeedAsync(WebApplication app, string trust, int count)
    {
        Rules.LawfulBasisKind[] bases = [.. Enumerable.Repeat(Rules.LawfulBasisKind.OwnConsent, 6), Rules.LawfulBasisKind.BestInterests, Rules.LawfulBasisKind.BestInterests,
            Rules.LawfulBasisKind.ProxyConsent, Rules.LawfulBasisKind.CourtOrder];
        var now = DateTime.UtcNow;
        var random = new Random(19);
        for (var done = 0; done < count;)
        {
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(trust);
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            for (var i = 0; i < 1_000 && done < count; i++, done++)
            {
                var ward = Wards[random.Next(Wards.Length)];
                var patient = new Rules.Patient { Id = Guid.NewGuid(), NhsNumber = $"9{done:D9}", WardCode = ward, AgeBand = Rules.AgeBand.Aged26To64, RegisteredAt = now };
                db.Patients.Add(patient);
                db.TechnologyUses.Add(new Rules.TechnologyUse
                {
                    Id = Guid.NewGuid(), PatientId = patient.Id, TechnologyId = Guid.NewGuid(), WardCode = ward, SettingCode = random.Next(4) == 0 ? "picu" : "acute-adult",
                    Purpose = Rules.UsePurpose.DirectCareOrTreatment, Status = Rules.UseStatus.Active, LawfulBasisKind = bases[random.Next(bases.Length)],
                    LawfulBasisRecordId = Guid.NewGuid(), CarePlan = new Rules.CarePlanRecord { Id = Guid.NewGuid(), NextReviewDate = random.Next(10) == 0 ? now.AddDays(-3) : now.AddDays(30) }, ProposedAt = now.AddSeconds(-done), ActivatedAt = now,
                });
            }
            await db.SaveChangesAsync();
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static async Task<WebApplication> StartConsentAsync(PostgresServer pg, string database, Uri grpcAddress, IEnumerable<string> trusts)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ConsentApp).Assembly.GetName().Name,
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
            ["ConnectionStrings:consent"] = pg.AppConnectionString(database),
            ["ConnectionStrings:consent-owner"] = pg.OwnerConnectionString(database),
            ["Messaging:AppApiToken"] = SidecarDelivery.AppApiToken,
            ["Consent:Schedules:Enabled"] = "false",
            // No sidecar here: the access records ListUses writes stay in the outbox instead of being retried and logged.
            ["Messaging:Relay:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
        });
        var app = ConsentApp.Build(builder);
        await app.StartAsync();
        // As the directory's trust_onboarded events would have made the trusts known.
        await using var scope = app.Services.CreateAsyncScope();
        foreach (var trust in trusts)
            await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange(trust, $"Bench trust {trust}", Active: true), default);
        return app;
    }
}
