using System.Diagnostics;

namespace MessagingBench;

/// <summary>
/// CPU time used by this process and by the PostgreSQL server it started (postmaster, live backends, and exited
/// backends through the postmaster's child times). On a machine shared with other builds, CPU-ms per event is the
/// figure that does not depend on how busy the neighbours are: 2 cores give at most 2,000 CPU-ms per second.
/// </summary>
internal sealed class CpuMeter(int postgresPort)
{
    private static readonly double s_tick = 1000.0 / 100; // USER_HZ is 100 on Linux: one tick = 10 ms

    public double NowMs() => ProcessMs() + PostgresMs();

    public static double ProcessMs() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    public double PostgresMs()
    {
        var postmaster = FindPostmaster();
        if (postmaster is null) return 0;
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var stat = ReadStat(pid);
            if (stat is null) continue;
            if (pid == postmaster) ticks += stat[11] + stat[12] + stat[13] + stat[14]; // utime stime cutime cstime
            else if ((int)stat[1] == postmaster) ticks += stat[11] + stat[12];
        }
        return ticks * s_tick;
    }

    private int? FindPostmaster()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains("bin/postgres") && cmd.Contains($"-p {postgresPort} ")) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    /// <summary>Fields of /proc/pid/stat after the command name: [0]=state ... index 1 = ppid, 11..14 = utime stime cutime cstime.</summary>
    private static double[]? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return rest.Select(s => double.TryParse(s, out var d) ? d : 0).ToArray();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
