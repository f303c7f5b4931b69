using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Net.Client;
using Platform.Grpc.Hosting;
using Platform.Tools.GrpcBench;

// Unary 100-byte echo: raw Kestrel h2c POST returning the same bytes vs Grpc.AspNetCore (bare, and configured as the
// services are: the platform's call policy interceptor) vs @grpc/grpc-js, all driven by the same independent HTTP/2
// load generator (h2load) with the same settings, side by side in one run. Until Platform.Grpc's own protocol code was
// deleted, it ran beside them (tools/bench/README.md names the commit).
var settings = BenchSettings.Parse(args);
var interop = FindInteropDirectory();

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.ListenGrpcH2c(0, IPAddress.Loopback);
});
builder.Services.AddSingleton<GrpcErrorCounter>();
var app = builder.Build();
var errors = app.Services.GetRequiredService<GrpcErrorCounter>();
app.UseBenchMiddleware(errors);
app.MapPost("/raw/echo", RawEcho.HandleAsync);
app.MapPost("/raw/echo-trailer", async context =>
{
    await RawEcho.HandleAsync(context);
    context.Response.AppendTrailer("grpc-status", "0");
});
await app.StartAsync();
var ours = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
// Grpc.AspNetCore binds the same /bench.v1.Echo/Echo route, so each configuration is its own app on its own h2c port.
var (bareApp, bare) = await GrpcAspNetCoreTargets.StartAsync(platformInterceptors: false, errors);
var (platformApp, platform) = await GrpcAspNetCoreTargets.StartAsync(platformInterceptors: true, errors);

using var node = GrpcJsEchoServer.Start(interop, Path.Combine(AppContext.BaseDirectory, "Protos", "echo.proto"));

var request = new EchoMessage { Payload = ByteString.CopyFrom(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray()) };
var frame = Frame(request);
var payloadFile = Path.Combine(Path.GetTempPath(), $"grpcbench-{Environment.ProcessId}.bin");
await File.WriteAllBytesAsync(payloadFile, frame);

const string Raw = "raw Kestrel h2c POST", AspNetCore = "Grpc.AspNetCore", AspNetCorePlus = "Grpc.AspNetCore + ours", GrpcJs = "@grpc/grpc-js";
var targets = new[]
{
    new Target(Raw, new Uri(ours, "/raw/echo")),
    new Target(AspNetCore, new Uri(bare, "/bench.v1.Echo/Echo")),
    new Target(AspNetCorePlus, new Uri(platform, "/bench.v1.Echo/Echo")),
    new Target(GrpcJs, new Uri($"http://127.0.0.1:{node.Port}/bench.v1.Echo/Echo")),
};
if (Environment.GetEnvironmentVariable("BENCH_EXTRA") == "1")
{
    targets = [.. targets, new Target("raw + trailer", new Uri(ours, "/raw/echo-trailer"))];
}

if (Environment.GetEnvironmentVariable("BENCH_ONLY") is { } only)
{
    targets = [.. targets.Where(t => t.Name == Raw || only.Split(',').Any(o => t.Name.Contains(o, StringComparison.OrdinalIgnoreCase)))];
}

await VerifyAsync(targets, request, frame);

Console.WriteLine($"h2load: {settings.Duration.TotalSeconds:0} s per target per round, {settings.Rounds} round(s), -c {settings.Connections} -m {settings.Streams} -t 1, " +
    $"load generator on CPU(s) {settings.LoadCpus}; this process on CPU(s) {CurrentAffinity()}; request frame {frame.Length} bytes (100-byte payload); load average {LoadAverage()}");
// A discarded warm-up pass per target, so tiered JIT (and V8) reach steady state before anything is measured.
foreach (var target in targets)
{
    await H2Load.RunAsync(target.Url, payloadFile, settings with { Duration = TimeSpan.FromSeconds(2) });
}

foreach (var round in Enumerable.Range(1, settings.Rounds))
{
    // Alternate the order each round so drift in machine load does not favour one target.
    foreach (var target in round % 2 == 1 ? targets : targets.Reverse())
    {
        var server = target.Url.Port == node.Port ? node.Process : Process.GetCurrentProcess();
        server.Refresh();
        var cpuBefore = server.TotalProcessorTime;
        var result = await H2Load.RunAsync(target.Url, payloadFile, settings);
        server.Refresh();
        var cpuMicros = (server.TotalProcessorTime - cpuBefore).TotalMicroseconds / Math.Max(1, result.Succeeded);
        result = result with { ServerCpuMicrosPerRequest = cpuMicros };
        target.Results.Add(result);
        Console.WriteLine($"round {round}  {target.Name,-24} {result.RequestsPerSecond,10:N0} req/s  succeeded {result.Succeeded,9:N0}  failed {result.Failed}  errored {result.Errored}  non-2xx {result.Non2xx}  server CPU {cpuMicros,6:0.0} us/req");
    }
}

var grpcJsCalls = node.Stop();
File.Delete(payloadFile);
await app.StopAsync();
await bareApp.StopAsync();
await platformApp.StopAsync();

Console.WriteLine();
Console.WriteLine($"load average at the end: {LoadAverage()}");
foreach (var target in targets)
{
    Console.WriteLine($"{target.Name,-24} mean {target.Mean,10:N0} req/s  (rounds: {string.Join(", ", target.Results.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))})  server CPU {target.CpuMicros:0.0} us/req");
}

var transportErrors = targets.Sum(t => t.Results.Sum(r => r.Failed + r.Errored + r.Non2xx));
// The machine is shared, so load drifts between runs; a ratio from runs taken back to back (same round) is steadier
// than a ratio of means. Report the median of the per-round ratios, and the ratio of means beside it.
void Ratio(string name, string over, string note = "")
{
    if (targets.FirstOrDefault(t => t.Name == name) is not { } a || targets.FirstOrDefault(t => t.Name == over) is not { } b)
    {
        return;
    }

    var ratios = a.Results.Zip(b.Results, (x, y) => x.RequestsPerSecond / y.RequestsPerSecond).ToList();
    var cpu = a.Results.Zip(b.Results, (x, y) => y.ServerCpuMicrosPerRequest / x.ServerCpuMicrosPerRequest).ToList();
    Console.WriteLine($"{name + " / " + over,-48} = {Median(ratios):0.00} median of rounds ({string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}); " +
        $"{a.Mean / b.Mean:0.00} ratio of means; CPU efficiency {Median(cpu):0.00} median{note}");
}

Ratio(AspNetCore, Raw);
Ratio(AspNetCorePlus, Raw, "  (target >= 0.80)");
Ratio(AspNetCorePlus, AspNetCore, "  (what our interceptors cost)");
Ratio(GrpcJs, Raw);
Ratio(AspNetCorePlus, GrpcJs);
Console.WriteLine($"server CPU per request: {string.Join(", ", targets.Select(t => $"{t.Name} {t.CpuMicros:0.0} us"))}");
Console.WriteLine($"errors: h2load failed+errored+non-2xx = {transportErrors}; .NET gRPC calls with grpc-status != 0: {errors.Failures} of {errors.Total} [{errors.Breakdown}] (and {errors.Cancelled} reset by h2load at the end of a run); grpc-js calls served: {grpcJsCalls}");
return transportErrors == 0 && errors.Failures == 0 ? 0 : 1;

static string LoadAverage()
{
    try
    {
        return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "?";
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static byte[] Frame(IMessage message)
{
    var payload = message.ToByteArray();
    var frame = new byte[5 + payload.Length];
    BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
    payload.CopyTo(frame, 5);
    return frame;
}

static async Task VerifyAsync(Target[] targets, EchoMessage request, byte[] frame)
{
    // Each target must really echo before its numbers mean anything.
    foreach (var target in targets.Where(t => t.Url.AbsolutePath.StartsWith("/bench.v1.Echo", StringComparison.Ordinal)))
    {
        using var channel = GrpcChannel.ForAddress(new Uri(target.Url.GetLeftPart(UriPartial.Authority)));
        var reply = await new Echo.EchoClient(channel).EchoAsync(request);
        if (!reply.Equals(request))
        {
            throw new InvalidOperationException($"{target.Name} did not echo the request.");
        }
    }

    using var client = new HttpClient();
    foreach (var target in targets.Where(t => t.Url.AbsolutePath.StartsWith("/raw/", StringComparison.Ordinal)))
    {
        using var raw = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        using var response = await client.SendAsync(raw);
        if (!(await response.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(frame))
        {
            throw new InvalidOperationException($"{target.Name} did not echo the request.");
        }
    }
}

static string CurrentAffinity()
{
    try
    {
        var line = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? "?";
    }
    catch (IOException)
    {
        return "?";
    }
}

static string FindInteropDirectory()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop");
            if (Directory.Exists(Path.Combine(candidate, "node_modules", "@grpc", "grpc-js")))
            {
                return candidate;
            }
        }
    }

    throw new InvalidOperationException("tests/interop/node_modules is missing: run `npm ci --prefix tests/interop` first.");
}

namespace Platform.Tools.GrpcBench
{
    public static class RawEcho
    {
        /// <summary>The baseline: read the whole body and write the same bytes back, nothing else.</summary>
        public static async Task HandleAsync(HttpContext context)
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync();
                if (result.IsCompleted)
                {
                    context.Response.ContentType = "application/grpc";
                    foreach (var segment in result.Buffer)
                    {
                        context.Response.BodyWriter.Write(segment.Span);
                    }

                    reader.AdvanceTo(result.Buffer.End);
                    return;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
    }

    public sealed class GrpcErrorCounter
    {
        private long _total;
        private long _failures;
        private long _cancelled;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byStatus = new();

        /// <summary>Non-zero statuses by code, for the report.</summary>
        public string Breakdown => string.Join(", ", _byStatus.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));

        public long Total => Interlocked.Read(ref _total);

        public long Failures => Interlocked.Read(ref _failures);

        /// <summary>Streams h2load reset when its run ended: Grpc.AspNetCore still writes a status for them (CANCELLED or UNKNOWN).</summary>
        public long Cancelled => Interlocked.Read(ref _cancelled);

        public void Record(string status, bool aborted)
        {
            // No status at all: h2load reset the stream when its run ended (it counts those itself), not a server failure.
            if (status.Length == 0)
            {
                return;
            }

            Interlocked.Increment(ref _total);
            if (aborted)
            {
                Interlocked.Increment(ref _cancelled);
            }
            else if (status != "0")
            {
                Interlocked.Increment(ref _failures);
                _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
            }
        }
    }

    public sealed record Target(string Name, Uri Url)
    {
        public List<H2LoadResult> Results { get; } = [];

        public double Mean => Results.Average(r => r.RequestsPerSecond);

        public double CpuMicros => Results.Sum(r => r.ServerCpuMicrosPerRequest * r.Succeeded) / Results.Sum(r => r.Succeeded);
    }

    public sealed record H2LoadResult(double RequestsPerSecond, long Succeeded, long Failed, long Errored, long Non2xx)
    {
        public double ServerCpuMicrosPerRequest { get; init; }
    }

    public sealed record BenchSettings(TimeSpan Duration, int Rounds, int Connections, int Streams, string LoadCpus)
    {
        public static BenchSettings Parse(string[] args)
        {
            string Get(string name, string fallback)
            {
                var index = Array.IndexOf(args, "--" + name);
                return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
            }

            return new BenchSettings(
                TimeSpan.FromSeconds(int.Parse(Get("duration", "2"), CultureInfo.InvariantCulture)),
                int.Parse(Get("rounds", "9"), CultureInfo.InvariantCulture),
                int.Parse(Get("connections", "4"), CultureInfo.InvariantCulture),
                int.Parse(Get("streams", "32"), CultureInfo.InvariantCulture),
                Get("load-cpus", "1"));
        }
    }

    public static partial class H2Load
    {
        public static async Task<H2LoadResult> RunAsync(Uri url, string payloadFile, BenchSettings settings)
        {
            var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "-c", settings.LoadCpus, "h2load",
                "-D", ((int)settings.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--warm-up-time=1",
                "-c", settings.Connections.ToString(CultureInfo.InvariantCulture),
                "-m", settings.Streams.ToString(CultureInfo.InvariantCulture), "-t", "1",
                "-d", payloadFile, "-H", "content-type: application/grpc", "-H", "te: trailers", url.ToString(),
            })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start h2load (apt-get install -y nghttp2-client).");
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var finished = Finished().Match(stdout);
            var requests = Requests().Match(stdout);
            var codes = StatusCodes().Match(stdout);
            if (process.ExitCode != 0 || !finished.Success || !requests.Success || !codes.Success)
            {
                throw new InvalidOperationException($"h2load failed ({process.ExitCode}): {stdout}{stderr}");
            }

            long L(Group g) => long.Parse(g.Value, CultureInfo.InvariantCulture);
            return new H2LoadResult(
                double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture),
                L(requests.Groups["succeeded"]), L(requests.Groups["failed"]), L(requests.Groups["errored"]),
                L(codes.Groups["x3"]) + L(codes.Groups["x4"]) + L(codes.Groups["x5"]));
        }

        [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
        private static partial Regex Finished();

        [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
        private static partial Regex Requests();

        [GeneratedRegex(@"status codes: \d+ 2xx, (?<x3>\d+) 3xx, (?<x4>\d+) 4xx, (?<x5>\d+) 5xx")]
        private static partial Regex StatusCodes();
    }

    public sealed class GrpcJsEchoServer : IDisposable
    {
        private readonly Process _process;

        private GrpcJsEchoServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public Process Process => _process;

        public static GrpcJsEchoServer Start(string interopDirectory, string protoPath)
        {
            var info = new ProcessStartInfo("node")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "echo-server.js"));
            info.ArgumentList.Add(protoPath);
            info.Environment["NODE_PATH"] = Path.Combine(interopDirectory, "node_modules");
            var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
            var line = process.StandardOutput.ReadLine() ?? "";
            if (!line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException($"grpc-js echo server did not start: {line}");
            }

            return new GrpcJsEchoServer(process, int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture));
        }

        /// <summary>Stops the server and returns how many calls it served.</summary>
        public long Stop()
        {
            if (_process.HasExited)
            {
                return -1;
            }

            _process.StandardInput.Close();
            var line = _process.StandardOutput.ReadLine() ?? "";
            _process.WaitForExit(5000);
            return line.StartsWith("CALLS ", StringComparison.Ordinal) ? long.Parse(line["CALLS ".Length..], CultureInfo.InvariantCulture) : -1;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
