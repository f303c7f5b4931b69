using System.Diagnostics;
using System.Text.Json;

namespace Platform.Audit.Domain.Tests.Interop;

/// <summary>Runs a script of tests/interop/audit with Node. Fails (never skips) when the npm peers are not installed.</summary>
internal static class NodePeer
{
    public static readonly string InteropDirectory = FindInteropDirectory();

    public static async Task<JsonElement> RunAsync(string script, string? stdin, params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "canonicalize")))
        {
            throw new InvalidOperationException(
                $"The npm package canonicalize is not installed under {InteropDirectory}. Run `npm ci --prefix tests/interop` before `dotnet test`.");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine("audit", script));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        if (process.ExitCode != 0 || output.Length == 0) throw new InvalidOperationException($"node {script} failed ({process.ExitCode}): {await stderr}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string FindInteropDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }

        throw new InvalidOperationException($"No tests/interop/package.json above {AppContext.BaseDirectory}.");
    }
}
