using System.Diagnostics;
using System.Globalization;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// The open loop driven by <c>h2poisson</c> (h2poisson/h2poisson.c): one process and one thread over all the connections,
/// HTTP/2 by libnghttp2, Poisson arrivals at the total rate spread over the connections at random. It is built here
/// with gcc when gcc and libnghttp2's headers are installed (<c>apt-get install gcc libnghttp2-dev</c>).
/// It answers two questions the h2load phases cannot: what the latency is when counted from each call's due time
/// rather than from when the generator got round to sending it, and how late the generator itself was (its own
/// timer wake-ups on this VM, under load), which is part of the floor under any latency measured here.
/// </summary>
public static class H2Poisson
{
    /// <summary>One phase: <see cref="FromSent"/> as h2load counts it, <see cref="FromDue"/> from the arrival's due time,
    /// <see cref="Late"/> the generator's own delay in sending.</summary>
    public sealed record Result(string Name, double Seconds, long Calls, long NotAnswered, double TargetRate, Histogram FromSent, Histogram FromDue, Histogram Late);

    /// <summary>Compiles the generator into <paramref name="work"/>; null (with the reason printed) when it cannot.</summary>
    public static string? Build(string work)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "h2poisson", "h2poisson.c");
        if (!File.Exists("/usr/include/nghttp2/nghttp2.h") || !H2Load.OnPath("gcc"))
        {
            Console.WriteLine("h2poisson: gcc or libnghttp2's headers not found (apt-get install gcc libnghttp2-dev): its phases are skipped.");
            return null;
        }
        var binary = Path.Combine(work, "h2poisson");
        var info = new ProcessStartInfo("gcc") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-O2", "-Wall", "-o", binary, source, "-lnghttp2", "-lm" }) info.ArgumentList.Add(a);
        using var gcc = Process.Start(info)!;
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc could not build h2poisson: {errors}");
        return binary;
    }

    /// <summary>
    /// One open-loop phase at <paramref name="rate"/> checks/s over <paramref name="connections"/> connections for
    /// <paramref name="seconds"/> s, with the <paramref name="bodies"/> h2load bodies (connection i sends body i mod
    /// bodies), pinned to <paramref name="loadCpus"/>.
    /// </summary>
    public static async Task<Result> RunAsync(string binary, string name, Uri address, string tokenFile, int bodies, string work, string loadCpus,
        int connections, double rate, int seconds, int seed)
    {
        var log = Path.Combine(work, $"{name}.log");
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string> { "-c", loadCpus, binary, address.Host, address.Port.ToString(CultureInfo.InvariantCulture), H2Load.CheckUsePath, tokenFile,
            connections.ToString(CultureInfo.InvariantCulture), rate.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture),
            seed.ToString(CultureInfo.InvariantCulture), log };
        args.AddRange(Enumerable.Range(0, bodies).Select(i => Path.Combine(work, $"h2load-body-{i}")));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start h2poisson");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode is not (0 or 1)) throw new InvalidOperationException($"h2poisson exited {process.ExitCode}: {await errors}");
        var (fromSent, fromDue, late) = (new Histogram(), new Histogram(), new Histogram());
        long calls = 0, notAnswered = 0;
        foreach (var line in File.ReadLines(log))
        {
            // due (us from start) \t sent - due \t latency from sent \t latency from due \t connection \t answered (1/0)
            var f = line.Split('\t');
            calls++;
            if (f[5] != "1") { notAnswered++; continue; }
            late.Record(Nanos(f[1]));
            fromSent.Record(Nanos(f[2]));
            fromDue.Record(Nanos(f[3]));
        }
        if (process.ExitCode != 0 && notAnswered == 0) throw new InvalidOperationException($"h2poisson failed: {await output}{await errors}");
        return new Result(name, seconds, calls, notAnswered, rate, fromSent, fromDue, late);
    }

    private static long Nanos(string micros) => (long)(double.Parse(micros, CultureInfo.InvariantCulture) * 1000);
}
