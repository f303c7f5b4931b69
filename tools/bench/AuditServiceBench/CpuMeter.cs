using System.Diagnostics;

namespace Platform.Tools.AuditServiceBench;

/// <summary>
/// CPU time of this process (the audit service and the bench's in-process load) and of the PostgreSQL server
/// (postmaster, live backends, and exited backends through the postmaster's child times), read from /proc.
/// </summary>
internal sealed class CpuMeter(int postgresPort)
{
    private const double MsPerTick = 10; // USER_HZ is 100 on Linux

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
            if (pid == postmaster) ticks += stat[11] + stat[12] + stat[13] + stat[14];
            else if ((int)stat[1] == postmaster) ticks += stat[11] + stat[12];
        }

        return ticks * MsPerTick;
    }

    private int? FindPostmaster()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains("bin/postgres", StringComparison.Ordinal) && cmd.Contains($"-p {postgresPort} ", StringComparison.Ordinal)) return pid;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    // Fields of /proc/pid/stat after the command name: index 1 = ppid, 11..14 = utime stime cutime cstime.
    private static double[]? ReadStat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ').Select(s => double.TryParse(s, out var d) ? d : 0).ToArray();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        if (p == 0.5 && sorted.Length % 2 == 0) return (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg")[..14].Trim();
}
