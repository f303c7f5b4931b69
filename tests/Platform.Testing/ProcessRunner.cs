using System.Diagnostics;

namespace Platform.Testing;

internal static class ProcessRunner
{
    public static bool IsRoot => Environment.UserName == "root" || (OperatingSystem.IsLinux() && GetUid() == 0);

    private static uint GetUid()
    {
        try
        {
            // /proc/self/status carries "Uid: real effective ..."; avoids a native dependency.
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? 1 : uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException)
        {
            return 1;
        }
    }

    /// <summary>Runs a program to completion, as <paramref name="asUser"/> when we are root, and returns its output.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? asUser = null, TimeSpan? timeout = null)
    {
        var psi = BuildStartInfo(file, args, asUser);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish in time.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>
    /// Starts a detached shell that waits for this process to end, however it ends (a test host is often killed
    /// before ProcessExit handlers finish), then runs <paramref name="cleanupScript"/>.
    /// </summary>
    public static void CleanUpWhenThisProcessEnds(string cleanupScript)
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {cleanupScript}";
        var psi = new ProcessStartInfo("setsid") { ArgumentList = { "bash", "-c", script }, UseShellExecute = false };
        psi.RedirectStandardInput = false;
        using var _ = Process.Start(psi);
    }

    public static ProcessStartInfo BuildStartInfo(string file, IEnumerable<string> args, string? asUser)
    {
        ProcessStartInfo psi;
        if (asUser is not null && IsRoot)
        {
            psi = new ProcessStartInfo("runuser") { ArgumentList = { "-u", asUser, "--", file } };
        }
        else
        {
            psi = new ProcessStartInfo(file);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        return psi;
    }
}
