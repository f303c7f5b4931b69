using System.Diagnostics;
using System.Text.Json;

namespace Platform.Grpc.Tests.Support;

/// <summary>Runs the @grpc/grpc-js peer in tests/interop/grpc. Fails (never skips) when its packages are not installed.</summary>
public static class NodePeer
{
    public static string InteropDirectory { get; } = FindInteropDirectory();

    public static void EnsureInstalled()
    {
        var grpcJs = Path.Combine(InteropDirectory, "node_modules", "@grpc", "grpc-js");
        var protoLoader = Path.Combine(InteropDirectory, "node_modules", "@grpc", "proto-loader");
        if (!Directory.Exists(grpcJs) || !Directory.Exists(protoLoader))
        {
            throw new InvalidOperationException(
                $"The Node interop peer is not installed: {Path.Combine(InteropDirectory, "node_modules")} has no @grpc/grpc-js or @grpc/proto-loader. " +
                "Run `npm ci --prefix tests/interop` from the repository root before `dotnet test`.");
        }
    }

    /// <summary>Runs client.js against a server and returns one result per interop case.</summary>
    public static async Task<IReadOnlyDictionary<string, CaseResult>> RunClientAsync(
        int port, TimeSpan timeout, IReadOnlyList<string>? cases = null, IReadOnlyList<string>? extraArguments = null)
    {
        EnsureInstalled();
        var arguments = new List<string> { Path.Combine("grpc", "client.js"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (cases is { Count: > 0 })
        {
            arguments.AddRange(["--cases", string.Join(',', cases)]);
        }

        arguments.AddRange(extraArguments ?? []);

        using var process = Start(arguments, redirectStdin: false);
        var stderr = process.StandardError.ReadToEndAsync();
        var results = new Dictionary<string, CaseResult>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.StartsWith('{'))
                {
                    var result = JsonSerializer.Deserialize<CaseResult>(line)!;
                    results[result.Case] = result;
                }
            }

            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node client.js did not finish within {timeout}; results so far: {string.Join(", ", results.Keys)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node client.js exited with {process.ExitCode}: {await stderr}");
        }

        return results;
    }

    /// <summary>Runs a script in tests/interop/grpc that prints one JSON line, and returns that line.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        EnsureInstalled();
        using var process = Start([Path.Combine("grpc", script), .. arguments], redirectStdin: false);
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        string? last = null;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.StartsWith('{'))
                {
                    last = line;
                }
            }

            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within {timeout}.");
        }

        return last is null
            ? throw new InvalidOperationException($"node {script} printed no result (exit {process.ExitCode}): {await stderr}")
            : JsonDocument.Parse(last).RootElement.Clone();
    }

    /// <summary>Starts server.js on a free port; dispose to stop it.</summary>
    public static async Task<NodeServer> StartServerAsync(params string[] extraArguments)
    {
        EnsureInstalled();
        var process = Start([Path.Combine("grpc", "server.js"), "--port", "0", .. extraArguments], redirectStdin: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    return new NodeServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"node server.js did not start: {await process.StandardError.ReadToEndAsync()}");
    }

    private static Process Start(IEnumerable<string> arguments, bool redirectStdin)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
    }

    private static string FindInteropDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No tests/interop/package.json above {AppContext.BaseDirectory}.");
    }

    public sealed record CaseResult(
        [property: System.Text.Json.Serialization.JsonPropertyName("case")] string Case,
        [property: System.Text.Json.Serialization.JsonPropertyName("passed")] bool Passed,
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("ms")] long Ms);
}

public sealed class NodeServer(Process process, int port) : IDisposable
{
    public int Port { get; } = port;

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
