using System.Diagnostics;
using Npgsql;

namespace Platform.Testing;

/// <summary>
/// A real PostgreSQL 15 server for tests: initdb into a temporary directory, started with pg_ctl on a free
/// loopback port, shared by every test in the process and stopped when the process exits.
/// PostgreSQL refuses to run as root, so under root (as in CI) it runs as the <c>postgres</c> system user.
/// </summary>
/// <remarks>
/// Two login roles are created, matching production: <see cref="OwnerRole"/> owns the schema and runs migrations,
/// <see cref="AppRole"/> is what the services connect as (not an owner, not a superuser, no BYPASSRLS), so
/// row-level security applies to it.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string OwnerRole = "platform_owner";
    public const string AppRole = "platform_app";
    private const string Password = "test-only-password";

    private static readonly Lazy<Task<PostgresServer>> s_shared = new(() => StartAsync(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static int s_databaseCounter;

    private readonly string _dataRoot;
    private readonly string _binDir;
    private readonly string? _runAs;
    private int _disposed;

    private PostgresServer(string dataRoot, string binDir, string? runAs, int port)
    {
        _dataRoot = dataRoot;
        _binDir = binDir;
        _runAs = runAs;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The one server shared by every test in this process; started on first use.</summary>
    public static Task<PostgresServer> SharedAsync() => s_shared.Value;

    /// <summary>Connection string for the bootstrap superuser (set-up only; tests of isolation must not use it).</summary>
    public string SuperuserConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database};Pooling=false";

    /// <summary>Connection string for the schema owner (runs migrations).</summary>
    public string OwnerConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={OwnerRole};Password={Password};Database={database}";

    /// <summary>Connection string for the application role (what a service uses at run time).</summary>
    public string AppConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={AppRole};Password={Password};Database={database}";

    /// <summary>Creates a new, empty database owned by <see cref="OwnerRole"/> and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{Sanitize(prefix)}_{Environment.ProcessId}_{Interlocked.Increment(ref s_databaseCounter)}";
        await using var conn = new NpgsqlConnection(SuperuserConnectionString());
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER {OwnerRole}", conn))
            await cmd.ExecuteNonQueryAsync();
        await using (var cmd = new NpgsqlCommand($"GRANT CONNECT ON DATABASE \"{name}\" TO {AppRole}", conn))
            await cmd.ExecuteNonQueryAsync();
        return name;
    }

    private static string Sanitize(string prefix) =>
        new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray()) is { Length: > 0 } s ? s : "test";

    private static async Task<PostgresServer> StartAsync()
    {
        var binDir = FindBinDir();
        var runAs = ProcessRunner.IsRoot ? "postgres" : null;
        var root = Directory.CreateTempSubdirectory("platform-pg-").FullName;
        var dataDir = Path.Combine(root, "data");
        var socketDir = Path.Combine(root, "sock");
        Directory.CreateDirectory(socketDir);
        var pwFile = Path.Combine(root, "pwfile");
        await File.WriteAllTextAsync(pwFile, Password + "\n");
        if (runAs is not null)
        {
            // The temp dir is created 0700 for root; hand it to the postgres user.
            var (code, output) = ProcessRunner.Run("chown", ["-R", $"{runAs}:", root]);
            if (code != 0) throw new InvalidOperationException($"chown of {root} failed: {output}");
        }

        var init = ProcessRunner.Run(Path.Combine(binDir, "initdb"),
            ["-D", dataDir, "-U", "postgres", "--pwfile", pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"],
            runAs, TimeSpan.FromMinutes(2));
        if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed: {init.Output}");

        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var server = new PostgresServer(root, binDir, runAs, port);
            var options = $"-p {port} -k {socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
                // Extra server settings for a bench's profile (e.g. "-c shared_preload_libraries=pg_stat_statements").
                + (Environment.GetEnvironmentVariable("PLATFORM_PG_OPTIONS") is { Length: > 0 } extra ? " " + extra : "");
            var start = ProcessRunner.Run(Path.Combine(binDir, "pg_ctl"),
                ["-D", dataDir, "-o", options, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"],
                runAs, TimeSpan.FromSeconds(90));
            if (start.ExitCode != 0)
            {
                if (attempt < 3) continue; // the port may have been taken between probing and binding
                throw new InvalidOperationException($"pg_ctl start failed: {start.Output}\n{ReadLog(root)}");
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            var stop = runAs is null
                ? $"'{binDir}/pg_ctl' -D '{dataDir}' -m immediate -w stop"
                : $"runuser -u {runAs} -- '{binDir}/pg_ctl' -D '{dataDir}' -m immediate -w stop";
            ProcessRunner.CleanUpWhenThisProcessEnds($"{stop} >/dev/null 2>&1; rm -rf '{root}'");
            await server.CreateRolesAsync();
            return server;
        }
    }

    private async Task CreateRolesAsync()
    {
        await using var conn = new NpgsqlConnection(SuperuserConnectionString());
        await conn.OpenAsync();
        var sql = $"""
            CREATE ROLE {OwnerRole} LOGIN PASSWORD '{Password}' NOSUPERUSER NOBYPASSRLS;
            CREATE ROLE {AppRole} LOGIN PASSWORD '{Password}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string ReadLog(string root)
    {
        var log = Path.Combine(root, "server.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
    }

    private static string FindBinDir()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("PLATFORM_PG_BIN"),
            "/usr/lib/postgresql/15/bin",
        };
        foreach (var c in candidates)
        {
            if (!string.IsNullOrEmpty(c) && File.Exists(Path.Combine(c, "pg_ctl"))) return c;
        }
        throw new InvalidOperationException(
            "PostgreSQL 15 server binaries were not found. Install the Debian package postgresql-15 " +
            "(they live in /usr/lib/postgresql/15/bin) or set PLATFORM_PG_BIN.");
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            var dataDir = Path.Combine(_dataRoot, "data");
            ProcessRunner.Run(Path.Combine(_binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], _runAs, TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Debug.WriteLine($"Stopping PostgreSQL failed: {e.Message}");
        }
        try { Directory.Delete(_dataRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
