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
        await ReadyAsync($"http://127.0.0.1:{httpPort}/health/ready", TimeSpan.FromMinutes(2));

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

    /// <summary>
    /// "Application started" comes before the first readiness check has passed (on a loaded machine the database and
    /// messaging checks may still be answering 503): readiness is asked until it says ready, within a bound, and the
    /// last answer is shown if it never does. The test is about the way down, not the time it takes to come up.
    /// </summary>
    private static async Task ReadyAsync(string url, TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var bound = new CancellationTokenSource(within);
        var last = "no answer";
        while (!bound.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, bound.Token);
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(bound.Token)}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), bound.Token); }
            catch (OperationCanceledException) { break; }
        }
        Assert.Fail($"The service never answered ready at {url} within {within}; last answer: {last}");
    }
}
