using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Platform.Grpc;
using Platform.Grpc.Client;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// CheckUse driven by h2load (nghttp2, written in C), the independent load generator GrpcBench uses. Our own
/// generator (<see cref="LoadClient"/>) spends about as much CPU per call as the service does, so on its single core
/// it adds its own queueing and pauses to the latency it reports; h2load costs a fraction of that. h2load sends one
/// fixed body per process, so four processes run side by side, each with one patient's request (two own-consent
/// permits, one best-interests permit, one review-overdue deny), for the closed loop one HTTP/2 connection each with 8 streams, for a fixed rate a quarter of --h2-connections (32 by default) each with one stream. Per-request times
/// come from h2load's <c>--log-file</c>. Before the phase every body is sent once through Platform.Grpc's client and
/// must come back with grpc-status 0 and the decision its patient's shape gives.
/// </summary>
public static class H2Load
{
    /// <summary>What one phase measured; <see cref="Seconds"/> is h2load's own run time (-D).</summary>
    public sealed record Result(string Name, double Seconds, long Requests, long NonSuccess, Histogram Latency, double TargetRate);

    public static bool Available() =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, "h2load"))) == true;

    /// <summary>Four requests, one per h2load process, checked over gRPC first.</summary>
    public static async Task<List<byte[]>> PrepareAsync(Uri address, string token, Trust trust, string work)
    {
        var picks = new[] { PatientKind.Consent, PatientKind.Consent, PatientKind.BestInterests, PatientKind.ReviewOverdue }
            .Select((kind, i) => trust.Patients.Where(p => p.Kind == kind).Skip(i).First()).ToArray();
        using var channel = GrpcChannel.ForAddress(address);
        var service = C.ConsentReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("ConsentService");
        var method = Method<C.CheckUseRequest, C.CheckUseResponse>.From(service, "CheckUse");
        var bodies = new List<byte[]>();
        foreach (var p in picks)
        {
            var request = new C.CheckUseRequest { PatientId = p.Id.ToString(), TechnologyId = p.Uses[0].TechnologyId.ToString(), WardCode = p.Ward, Purpose = C.UsePurpose.DirectCareOrTreatment };
            var response = await channel.UnaryCall(method, request, new CallOptions { Credentials = CallCredentials.BearerToken(token) }).ResponseAsync;
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
    /// One phase: every process runs <paramref name="seconds"/> s over <paramref name="clients"/> connections with
    /// <paramref name="streams"/> streams in flight on each at most. With <paramref name="rate"/> (the total, split
    /// evenly over every connection) each connection starts its requests at that pace (h2load --rps). h2load tops up to
    /// the due count on a timer, so with several streams per connection it sends bursts; the open phases therefore use
    /// one stream on each of 32 connections, which spreads arrivals as independent devices would.
    /// </summary>
    public static async Task<Result> RunAsync(string name, Uri address, string token, int bodies, string work, string loadCpus, int clients, int streams, double? rate, int seconds)
    {
        var url = new Uri(address, "platform.consent.v1.ConsentService/CheckUse").ToString();
        var runs = new List<(Process Process, string Log, Task<string> Output)>();
        for (var i = 0; i < bodies; i++)
        {
            var log = Path.Combine(work, $"h2load-{name}-{i}.log");
            var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            var args = new List<string> { "-c", loadCpus, "h2load", "-c", clients.ToString(CultureInfo.InvariantCulture), "-t", "1", "-m", streams.ToString(CultureInfo.InvariantCulture),
                "-D", seconds.ToString(CultureInfo.InvariantCulture), "-d", Path.Combine(work, $"h2load-body-{i}"),
                "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", $"authorization: Bearer {token}", "--log-file", log, url };
            if (rate is { } r) args.InsertRange(args.Count - 1, ["--rps", (r / bodies / clients).ToString("0.###", CultureInfo.InvariantCulture)]);
            foreach (var a in args) info.ArgumentList.Add(a);
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start h2load");
            runs.Add((process, log, process.StandardOutput.ReadToEndAsync()));
        }
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
        return new Result(name, seconds, requests, nonSuccess, latency, rate ?? 0);
    }
}
