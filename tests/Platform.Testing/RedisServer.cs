using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Platform.Testing;

/// <summary>
/// A real redis-server for tests on a free loopback port, with persistence off, shared by every test in the
/// process and stopped when the process exits.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task<RedisServer>> s_shared = new(() => StartAsync(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Process _process;
    private readonly string _dir;
    private int _disposed;

    private RedisServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>host:port, as Redis clients and Dapr components expect.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The one server shared by every test in this process; started on first use.</summary>
    public static Task<RedisServer> SharedAsync() => s_shared.Value;

    /// <summary>
    /// A server of the caller's own, not shared, for a test that stops it (an outage mid-test); stopped by
    /// <see cref="DisposeAsync"/> or when the process exits.
    /// </summary>
    public static Task<RedisServer> StartOwnAsync() => StartAsync();

    private static async Task<RedisServer> StartAsync()
    {
        var binary = FindBinary();
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var dir = Directory.CreateTempSubdirectory("platform-redis-").FullName;
            var psi = ProcessRunner.BuildStartInfo(binary,
                ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--protected-mode", "yes"],
                asUser: null);
            var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, dir, port);
            if (await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(20)) && await server.PingAsync())
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                ProcessRunner.CleanUpWhenThisProcessEnds($"kill {process.Id} 2>/dev/null; rm -rf '{dir}'");
                return server;
            }
            server.Stop();
            if (attempt >= 3) throw new InvalidOperationException($"redis-server did not start on port {port}.");
        }
    }

    /// <summary>Sends PING over RESP and returns true on +PONG.</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var n = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n) == "+PONG\r\n";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string FindBinary()
    {
        foreach (var c in new[] { Environment.GetEnvironmentVariable("PLATFORM_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
        {
            if (!string.IsNullOrEmpty(c) && File.Exists(c)) return c;
        }
        throw new InvalidOperationException("redis-server was not found. Install it with `apt-get install -y redis-server` (the test script does this).");
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
