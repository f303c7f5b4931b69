using System.Diagnostics;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>Runs a script of tests/interop (npm peers written by others: graphql-js, graphql-http, playwright-core) with node.</summary>
public static class InteropNode
{
    /// <summary>Runs <c>node <paramref name="script"/> <paramref name="arguments"/></c> in tests/interop; fails if <paramref name="package"/> is not installed.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string package, string script, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null)
    {
        var interop = Directory();
        if (!System.IO.Directory.Exists(Path.Combine(interop, "node_modules", package)))
            throw new InvalidOperationException($"The npm package {package} is not installed: run `npm ci --prefix tests/interop`.");
        var info = new ProcessStartInfo("node") { WorkingDirectory = interop, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>tests/interop of this checkout.</summary>
    public static string Directory() => Path.Combine(RepositoryRoot(), "tests", "interop");

    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tests", "interop", "package.json"))) return d.FullName;
        throw new InvalidOperationException("tests/interop not found");
    }

    /// <summary>
    /// Where a test keeps what it made for people to look at (a screenshot, a report): the run's results directory,
    /// <c>PLATFORM_TEST_RESULTS</c> (tools/test.sh sets it to its <c>--results-directory</c>), else TestResults at the
    /// repository's root; under <c>artifacts/</c>.
    /// </summary>
    public static string ArtifactsDirectory()
    {
        var results = Environment.GetEnvironmentVariable("PLATFORM_TEST_RESULTS") is { Length: > 0 } set ? set : Path.Combine(RepositoryRoot(), "TestResults");
        var directory = Path.Combine(results, "artifacts");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }
}
