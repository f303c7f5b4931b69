using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// CheckUse driven by h2load (nghttp2, written in C), the independent load generator GrpcBench uses. Our own
/// generator (<see cref="LoadClient"/>) spends about as much CPU per call as the service does, so on its single core
/// it adds its own queueing and pauses to the latency it reports; h2load costs a fraction of that. h2load sends one
/// fixed body per process; the four bodies are two own-consent permits, one best-interests permit and one
/// review-overdue deny. Closed loop: one process per body, one connection each with 8 streams. Open loop: one process
/// per connection (32 by default), Poisson arrivals from a timing script. Per-request times come from h2load's
/// <c>--log-file</c>. Before the phases every body is sent once through the generated gRPC client and must come back with
/// grpc-status 0 and the decision its patient's shape gives.
/// </summary>
public static class H2Load
{
    /// <summary>What one phase measured over <see cref="Seconds"/> (h2load's -D, or the span of the timing scripts).</summary>
    public sealed record Result(string Name, double Seconds, long Requests, long NonSuccess, Histogram Latency, double TargetRate, int InFlight);

    public static bool Available() => OnPath("h2load");

    /// <summary>Whether <paramref name="tool"/> is an executable file in a directory on PATH.</summary>
    internal static bool OnPath(string tool) =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, tool))) == true;

    /// <summary>Four requests, one per h2load process, checked over gRPC first.</summary>
    public static async Task<List<byte[]>> PrepareAsync(Uri address, string token, Trust trust, string work)
    {
        var picks = new[] { PatientKind.Consent, PatientKind.Consent, PatientKind.BestInterests, PatientKind.ReviewOverdue }
            .Select((kind, i) => trust.Patients.Where(p => p.Kind == kind).Skip(i).First()).ToArray();
        using var clients = ConsentClients.Create(address, token);
        var bodies = new List<byte[]>();
        foreach (var p in picks)
        {
            var request = new C.CheckUseRequest { PatientId = p.Id.ToString(), TechnologyId = p.Uses[0].TechnologyId.ToString(), WardCode = p.Ward, Purpose = C.UsePurpose.DirectCareOrTreatment };
            var response = await clients.First.CheckUseAsync(request);
            var expected = ApiSample.Expected(p.Kind);
            var shape = ApiSample.Shape(response);
            if (shape != expected) throw new InvalidOperationException($"h2load body for a {p.Kind} patient answers {shape}, expected {expected}");
            var message = request.ToByteArray();
            var frame = new byte[5 + message.Length]; // gRPC length-prefixed message: not compressed, 4-byte big-endian length
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
            message.CopyTo(frame, 5);
            bodies.Add(frame);
        }
        for (var i = 0; i < bodies.Count; i++) await File.WriteAllBytesAsync(Path.Combine(work, $"h2load-body-{i}"), bodies[i]);
        return bodies;
    }

    /// <summary>
    /// One closed-loop phase: one h2load process per body, each with <paramref name="clients"/> connections and
    /// <paramref name="streams"/> streams in flight on each, for <paramref name="seconds"/> s.
    /// </summary>
    public static Task<Result> RunClosedAsync(string name, Uri address, string token, int bodies, string work, string loadCpus, int clients, int streams, int seconds)
    {
        var url = new Uri(address, CheckUsePath).ToString();
        var runs = new List<(Process, string)>();
        for (var i = 0; i < bodies; i++)
        {
            var log = Path.Combine(work, $"h2load-{name}-{i}.log");
            runs.Add((Start(loadCpus, ["-c", clients.ToString(CultureInfo.InvariantCulture), "-m", streams.ToString(CultureInfo.InvariantCulture),
                "-D", seconds.ToString(CultureInfo.InvariantCulture)], Path.Combine(work, $"h2load-body-{i}"), token, log, url), log));
        }
        return CollectAsync(name, runs, seconds, 0, bodies * clients * streams);
    }

    /// <summary>
    /// One open-loop phase at <paramref name="rate"/> checks/s in total, as independent devices would send them: one
    /// h2load process per connection, each replaying its own timing script of Poisson arrivals (exponential gaps, its own
    /// seed) at rate / <paramref name="connections"/>, with up to 16 streams in flight so a slow answer does not hold
    /// back the next arrival. (h2load's --rps is not used: its timers tick together for every connection of a process, so
    /// 32 connections at 1,000/s arrive as a burst of 32 every 32 ms and the service is measured queueing its own bursts.)
    /// </summary>
    public static Task<Result> RunOpenAsync(string name, Uri address, string token, int bodies, string work, string loadCpus, int connections, double rate, int seconds)
    {
        var url = new Uri(address, CheckUsePath).ToString();
        var runs = new List<(Process, string)>();
        for (var i = 0; i < connections; i++)
        {
            var script = Path.Combine(work, $"h2load-{name}-{i}.script");
            var random = new Random(1000 + i);
            var lines = new System.Text.StringBuilder();
            var perConnection = rate / connections;
            for (var t = Gap(random, perConnection); t < seconds * 1000.0; t += Gap(random, perConnection))
                lines.Append(t.ToString("0.000", CultureInfo.InvariantCulture)).Append('\t').Append(url).Append('\n');
            File.WriteAllText(script, lines.ToString());
            var log = Path.Combine(work, $"h2load-{name}-{i}.log");
            runs.Add((Start(loadCpus, ["-c", "1", "-m", "16", "--timing-script-file", script, "-B", address.ToString().TrimEnd('/')],
                Path.Combine(work, $"h2load-body-{i % bodies}"), token, log, url: null), log));
        }
        return CollectAsync(name, runs, seconds, rate, 0);
    }

    internal const string CheckUsePath = "/platform.consent.v1.ConsentService/CheckUse";

    // Milliseconds to the next arrival of a Poisson process at perSecond.
    private static double Gap(Random random, double perSecond) => -Math.Log(1 - random.NextDouble()) / perSecond * 1000.0;

    private static Process Start(string loadCpus, string[] shape, string body, string token, string log, string? url)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string> { "-c", loadCpus, "h2load", "-t", "1" };
        args.AddRange(shape);
        args.AddRange(["-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", $"authorization: Bearer {token}", "--log-file", log]);
        if (url is not null) args.Add(url);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start h2load");
    }

    private static async Task<Result> CollectAsync(string name, List<(Process Process, string Log)> started, int seconds, double rate, int inFlight)
    {
        var runs = started.Select(r => (r.Process, r.Log, Output: r.Process.StandardOutput.ReadToEndAsync())).ToList();
        var latency = new Histogram();
        long requests = 0, nonSuccess = 0;
        foreach (var (process, log, output) in runs)
        {
            var text = await output;
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"h2load exited {process.ExitCode}: {text}");
            foreach (var line in File.ReadLines(log))
            {
                // start (us since epoch) \t HTTP status \t microseconds until the end of the response
                var f = line.Split('\t');
                requests++;
                if (f[1] != "200") nonSuccess++;
                latency.Record(long.Parse(f[2], CultureInfo.InvariantCulture) * 1000);
            }
            // h2load's own tally: anything failed, errored or timed out is a failure too.
            var tally = text.Split('\n').FirstOrDefault(l => l.StartsWith("requests:", StringComparison.Ordinal)) ?? "";
            foreach (var word in new[] { "failed", "errored", "timeout" })
            {
                var at = tally.IndexOf(" " + word, StringComparison.Ordinal);
                if (at < 0) continue;
                var start = tally.LastIndexOf(',', at) + 1;
                if (long.TryParse(tally[start..at].Trim(), CultureInfo.InvariantCulture, out var n)) nonSuccess += n;
            }
        }
        return new Result(name, seconds, requests, nonSuccess, latency, rate, inFlight);
    }
}
