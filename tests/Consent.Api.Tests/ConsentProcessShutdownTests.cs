using System.Net;
using Microsoft.Extensions.Hosting;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The consent service's own Program as a process of its own (its built dll), as a container runs it, on PostgreSQL
/// with its background work on (the outbox relay, the review and blanket-use sweeps), stopped the way Kubernetes and
/// systemd stop it: SIGTERM, then a wait bounded by the host's shutdown timeout.
/// </summary>
public sealed class ConsentProcessShutdownTests
{
    [Fact]
    public async Task On_SIGTERM_the_service_stops_gracefully_and_exits_0_within_its_shutdown_timeout()
    {
        var pg = await PostgresServer.SharedAsync();
        var db = await pg.CreateDatabaseAsync("consent");
        var httpPort = FreePort.Next();
        var settings = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateAtStartup"] = "true",
            ["Database:AppRole"] = PostgresServer.AppRole,
            ["ConnectionStrings:consent"] = pg.AppConnectionString(db),
            ["ConnectionStrings:consent-owner"] = pg.OwnerConnectionString(db),
            ["Messaging:AppApiToken"] = ServiceFactory<Program>.AppApiToken,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        using var service = AppProcess.Start(Path.Combine(AppContext.BaseDirectory, "Consent.Api.dll"),
            settings.Select(s => $"--{s.Key}={s.Value}"));
        await service.WaitForOutputAsync("Application started", TimeSpan.FromMinutes(2));
        using (var http = new HttpClient())
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{httpPort}/health/ready")).StatusCode);

        service.Terminate();

        // The host's default shutdown timeout: the service sets none of its own.
        Assert.Equal(0, await service.WaitForExitAsync(new HostOptions().ShutdownTimeout));
        var output = service.Output;
        var stopping = output.IndexOf("Application is shutting down", StringComparison.Ordinal);
        Assert.True(stopping >= 0, $"The host did not log that it was shutting down:\n{output}");
        // Nothing failed on the way down (a background loop that throws when cancelled, a connection cut mid-write).
        var shutdown = output[stopping..];
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", shutdown);
        Assert.DoesNotContain("\"LogLevel\":\"Critical\"", shutdown);
    }
}
