using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.KnownTrusts;
using Platform.Testing;

namespace Platform.Tools.AuditServiceBench;

// The real audit service (AuditApp, as Program builds it, Production environment) on real PostgreSQL 15
// (Platform.Testing's shared server), measured two ways:
//   append: sustained appends for one trust with the checkpointer signing every second, through the event route as
//           Dapr's sidecar delivers (one CloudEvent per request, and bulk), and through the application layer
//           (AuditLog.AppendAsync), each side by side with pgbench's single-row INSERT on the same server, in
//           alternating rounds; the headline is the median of per-round ratios to pgbench.
//   proofs: inclusion and consistency proof latency through the service's tree on its database
//           (AuditLog.Tree(), DatabaseMerkleNodeStore) at 10^4, 10^5 and 10^6 entries, sizes visited in rotating order.
// Usage: dotnet AuditServiceBench.dll append [--rounds 5] [--duration 5] [--warmup 10] [--clients 1] [--bulk 100]
//        dotnet AuditServiceBench.dll proofs [--rounds 5] [--proofs 1000] [--warmup 300] [--cpu-proofs 200] [--sizes 10000,100000,1000000]
public static class Program
{
    public const string Deployment = "audit.bench.example";

    public static async Task<int> Main(string[] args)
    {
        var bench = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "append";
        var pg = await PostgresServer.SharedAsync();
        var database = await pg.CreateDatabaseAsync("auditbench");
        string[] trusts = bench == "append" ? [AppendBench.Trust] : ProofBench.Trusts;
        await using var app = await StartAuditAsync(pg, database, trusts, checkpointer: true, args);
        var exit = bench switch
        {
            "append" => await new AppendBench(app, pg, database, args).RunAsync(),
            "proofs" => await new ProofBench(app, pg, database, args).RunAsync(),
            _ => throw new ArgumentException($"Unknown bench '{bench}': append or proofs."),
        };
        await app.StopAsync();
        return exit;
    }

    public static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    private static async Task<WebApplication> StartAuditAsync(PostgresServer pg, string database, IEnumerable<string> trusts, bool checkpointer, string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AuditApp).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateAtStartup"] = "true",
            ["Database:AppRole"] = PostgresServer.AppRole,
            ["ConnectionStrings:audit"] = pg.AppConnectionString(database),
            ["ConnectionStrings:audit-owner"] = pg.OwnerConnectionString(database),
            ["Messaging:AppApiToken"] = SidecarDelivery.AppApiToken,
            ["Audit:Origin"] = Deployment,
            ["Audit:CheckpointerEnabled"] = checkpointer ? "true" : "false",
            ["Audit:CheckpointInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = args.Contains("--log-sql") ? "Information" : "Critical",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Query"] = args.Contains("--log-ef") ? "Debug" : "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Infrastructure"] = args.Contains("--log-ef") ? "Debug" : "Warning",
        };
        foreach (var trust in trusts)
        {
            settings[$"Audit:LogKeys:{trust}"] = NoteSigningKey.Generate(LogOrigin.For(Deployment, trust), NoteSignatureType.Ed25519).ToSecretString();
        }

        builder.Configuration.AddInMemoryCollection(settings);
        var app = AuditApp.Build(builder);
        await app.StartAsync();
        // As the directory's trust_onboarded events would have made them known.
        await using var scope = app.Services.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>();
        foreach (var trust in trusts) await recorder.RecordAsync(new KnownTrustChange(trust, $"Bench trust {trust}", Active: true), default);
        return app;
    }
}
