using System.Net;
using System.Net.Sockets;
using Platform.Testing;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

/// <summary>
/// The local runner as a user starts it (its built dll, a process of its own), stopped the way Kubernetes, systemd and
/// `kill` stop a process: SIGTERM, then a wait bounded by the runner's shutdown timeout.
/// </summary>
public sealed class RunnerShutdownTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("platform-local-").FullName;
    private readonly int _offset = FindFreeOffset();

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private AppProcess StartRunner() =>
        AppProcess.Start(Path.Combine(AppContext.BaseDirectory, "LocalRunner.dll"),
            ["--data", _data, "--port-offset", _offset.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [Fact]
    public async Task On_SIGTERM_the_running_platform_stops_every_app_and_exits_0_within_its_shutdown_timeout()
    {
        using var runner = StartRunner();
        await runner.WaitForOutputAsync("Ctrl+C stops everything.", TimeSpan.FromMinutes(3));

        runner.Terminate();

        Assert.Equal(0, await runner.WaitForExitAsync(LocalPlatform.ShutdownTimeout));
        Assert.EndsWith("Stopped.", runner.Output.TrimEnd());
        // Every app let go of its ports: the platform can start again at once.
        Assert.All(LocalPlatform.Apps, a => Assert.True(IsFree(a.HttpPort + _offset) && IsFree(a.GrpcPort + _offset), $"{a.Name} still holds a port"));
    }

    [Fact]
    public async Task On_SIGTERM_while_starting_the_runner_stops_what_it_started_and_exits_0()
    {
        using var runner = StartRunner();
        await runner.WaitForOutputAsync("Starting the platform", TimeSpan.FromMinutes(1));

        runner.Terminate();

        Assert.Equal(0, await runner.WaitForExitAsync(LocalPlatform.ShutdownTimeout));
        Assert.EndsWith("Stopped.", runner.Output.TrimEnd());
        Assert.All(LocalPlatform.Apps, a => Assert.True(IsFree(a.HttpPort + _offset) && IsFree(a.GrpcPort + _offset), $"{a.Name} still holds a port"));
    }

    // The default ports may be in use on a developer's machine (a running platform); move them all to free ones.
    private static int FindFreeOffset()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var offset = Random.Shared.Next(20000, 50000);
            if (LocalPlatform.Apps.All(a => IsFree(a.HttpPort + offset) && IsFree(a.GrpcPort + offset))) return offset;
        }
        throw new InvalidOperationException("No free block of ports for the local platform.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
