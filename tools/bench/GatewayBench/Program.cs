// Unary gRPC through the gateway (YARP) against the same call straight to the service, and against nginx proxying
// the same service with grpc_pass, side by side in one run: alternating rounds, each ratio the median of per-round
// ratios, CPU time per call of each proxy process and of the backend. See tools/bench/README.md.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Gateway;
using Platform.Tools.GatewayBench;

if (args is ["backend", var backendArg]) return await Roles.BackendAsync(int.Parse(backendArg, CultureInfo.InvariantCulture));
if (args is ["gateway", var portArg, var backendArg2, var jwksArg, var dataArg, var redisArg]) return await Roles.GatewayAsync(int.Parse(portArg, CultureInfo.InvariantCulture), backendArg2, jwksArg, dataArg, redisArg);
if (args is ["bare-yarp", var barePortArg, var backendArg3]) return await Roles.BareYarpAsync(int.Parse(barePortArg, CultureInfo.InvariantCulture), backendArg3);

var settings = Settings.Parse(args);
const string DiagnosedName = "gateway (YARP), hosting diagnostics on";
const string BareName = "bare YARP (no auth, no platform)";
var work = Directory.CreateTempSubdirectory("gatewaybench-").FullName;
var children = new List<Process>();
try
{
    var rsa = RSA.Create(2048);
    var key = new RsaSecurityKey(rsa) { KeyId = "bench" };
    var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "bench" });
    var jwksFile = Path.Combine(work, "jwks.json");
    File.WriteAllText(jwksFile, JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } }));
    var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Roles.Issuer,
        Audience = "platform",
        Subject = new ClaimsIdentity([new Claim("sub", "bench-device"), new Claim("tenant", "RX3"), new Claim("roles", "device")]),
        Expires = DateTime.UtcNow.AddHours(2),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    var self = Environment.ProcessPath!;
    var dll = typeof(Roles).Assembly.Location;
    Process Start(string name, params string[] arguments) => StartOn(settings.ServerCpus, null, name, arguments);
    Process StartOn(string cpus, IDictionary<string, string>? environment, string name, params string[] arguments)
    {
        var info = new ProcessStartInfo("taskset") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>()) info.Environment[variable] = value;
        foreach (var a in new[] { "-c", cpus }.Concat(arguments)) info.ArgumentList.Add(a);
        // With tiered compilation off (GatewayBench.csproj), a .NET process would run the framework's precompiled
        // (ReadyToRun) code for good, never re-jitted: without it every method is jitted fully optimised once, which is
        // what a deployed gateway's hot path becomes after tiering (the proxy's CPU per call was about twice as high).
        if (!settings.ReadyToRun) info.Environment["DOTNET_ReadyToRun"] = "0";
        var p = Process.Start(info) ?? throw new InvalidOperationException("could not start " + name);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line && settings.Verbose) Console.Error.WriteLine($"[{name}] {line}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        children.Add(p);
        return p;
    }

    int Free()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    var backendPort = Free();
    var backend = StartOn(settings.BackendCpus, null, "backend", self, dll, "backend", backendPort.ToString(CultureInfo.InvariantCulture));
    var gatewayPort = Free();
    var gateway = Start("gateway", self, dll, "gateway", gatewayPort.ToString(CultureInfo.InvariantCulture), $"http://127.0.0.1:{backendPort}", jwksFile, Path.Combine(work, "gw1"), "-");
    var redisPort = Free();
    var redis = Start("redis", "redis-server", "--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
    var limitedPort = Free();
    var limited = Start("gateway+limits", self, dll, "gateway", limitedPort.ToString(CultureInfo.InvariantCulture), $"http://127.0.0.1:{backendPort}", jwksFile, Path.Combine(work, "gw2"), $"127.0.0.1:{redisPort}");
    // The same gateway with ASP.NET Core's per-request hosting diagnostics left on (an Activity and a logging scope per
    // request), as it ran before tracing-off switched them off (ADR 0020, amendment): what that switch saves.
    var diagnosedPort = Free();
    var diagnosed = StartOn(settings.ServerCpus, new Dictionary<string, string> { ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Warning" },
        "gateway+diagnostics", self, dll, "gateway", diagnosedPort.ToString(CultureInfo.InvariantCulture), $"http://127.0.0.1:{backendPort}", jwksFile, Path.Combine(work, "gw3"), "-");
    // YARP alone (MapReverseProxy, the same route and cluster, no token check, none of the platform's middlewares, the
    // same runtime settings): what YARP itself costs against nginx, apart from what the gateway adds around it.
    var barePort = Free();
    var bare = Start("bare-yarp", self, dll, "bare-yarp", barePort.ToString(CultureInfo.InvariantCulture), $"http://127.0.0.1:{backendPort}");
    var nginxPort = Free();
    var nginxConf = Path.Combine(work, "nginx.conf");
    File.WriteAllText(nginxConf, $$"""
        daemon off;
        master_process off;
        worker_processes 1;
        pid {{work}}/nginx.pid;
        error_log {{work}}/nginx-error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          # nginx closes a client connection after 1000 requests by default (GOAWAY), which h2load counts as errors.
          keepalive_requests 100000000;
          client_body_temp_path {{work}}/nginx-body;
          upstream backend { server 127.0.0.1:{{backendPort}}; keepalive 32; keepalive_requests 100000000; }
          server {
            listen 127.0.0.1:{{nginxPort}} http2;
            http2_max_concurrent_streams 1024;
            location / { grpc_pass grpc://backend; }
          }
        }
        """);
    Process? nginx = File.Exists("/usr/sbin/nginx") ? Start("nginx", "/usr/sbin/nginx", "-c", nginxConf, "-e", Path.Combine(work, "nginx-error.log")) : null;

    foreach (var p in new[] { backendPort, gatewayPort, limitedPort, diagnosedPort, barePort, redisPort }.Concat(nginx is null ? [] : [nginxPort]))
    {
        if (!await Roles.WaitListeningAsync(p, TimeSpan.FromSeconds(60))) throw new InvalidOperationException($"port {p} did not open");
    }

    var frame = Roles.Frame(new EchoMessage { Payload = ByteString.CopyFrom(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray()) });
    var payload = Path.Combine(work, "payload.bin");
    File.WriteAllBytes(payload, frame);

    var targets = new List<Target>
    {
        new("direct", backendPort, null),
        new("gateway (YARP)", gatewayPort, gateway),
        new("gateway (YARP) + Redis rate limits", limitedPort, limited),
        new(DiagnosedName, diagnosedPort, diagnosed),
        new(BareName, barePort, bare),
    };
    if (nginx is not null) targets.Add(new("nginx grpc_pass", nginxPort, nginx));

    // Each target must answer a real gRPC call with the same bytes and status OK before it is measured: h2load counts
    // HTTP 2xx, and a gRPC failure is an HTTP 200 too.
    foreach (var target in targets)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{target.Port}");
        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoMessage { Payload = ByteString.CopyFromUtf8("probe") },
            new Metadata { { "authorization", "Bearer " + token } });
        if (reply.Payload.ToStringUtf8() != "probe") throw new InvalidOperationException($"{target.Name} did not echo");
    }

    Console.WriteLine($"load: h2load -c {settings.Connections} -m {settings.Streams} -t 1 on CPU {settings.LoadCpus}, {settings.Duration.TotalSeconds:0} s per target per round, {settings.Rounds} rounds (+1 warm-up); proxies on CPU {settings.ServerCpus}, backend on CPU {settings.BackendCpus}, ReadyToRun code {(settings.ReadyToRun ? "used" : "not used")}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
    var results = targets.ToDictionary(t => t.Name, _ => new List<Measure>());
    for (var round = 0; round <= settings.Rounds; round++)
    {
        var order = round % 2 == 0 ? targets : Enumerable.Reverse(targets).ToList();
        foreach (var target in order)
        {
            var backendBefore = Roles.CpuTime(backend);
            var proxyBefore = target.Proxy is null ? TimeSpan.Zero : Roles.CpuTime(target.Proxy);
            var run = await H2Load.RunAsync(target.Port, payload, token, settings);
            var calls = Math.Max(1, run.Succeeded);
            var measure = new Measure(run.RequestsPerSecond,
                target.Proxy is null ? 0 : (Roles.CpuTime(target.Proxy) - proxyBefore).TotalMicroseconds / calls,
                (Roles.CpuTime(backend) - backendBefore).TotalMicroseconds / calls, run.Failed + run.Errored + run.Non2xx);
            if (round > 0) results[target.Name].Add(measure);
        }
    }

    Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    foreach (var (name, list) in results)
    {
        Console.WriteLine($"{name,-40} mean {list.Average(m => m.Rps),9:N0} calls/s  proxy CPU {Median(list.Select(m => m.ProxyMicros)),6:F1} us/call  backend CPU {Median(list.Select(m => m.BackendMicros)),5:F1} us/call  (rounds: {string.Join(", ", list.Select(m => m.Rps.ToString("N0", CultureInfo.InvariantCulture)))}) errors {list.Sum(m => m.Errors)}");
    }

    void Ratio(string a, string b, string what, Func<Measure, double> f, bool inverse = false)
    {
        if (!results.ContainsKey(a) || !results.ContainsKey(b)) return;
        var per = results[a].Zip(results[b], (x, y) => inverse ? f(y) == 0 ? 0 : f(x) / f(y) : f(y) == 0 ? 0 : f(x) / f(y)).ToList();
        Console.WriteLine($"{a} / {b} {what} = {Median(per):F2} median of rounds ({string.Join(", ", per.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})");
    }

    Ratio("gateway (YARP)", "direct", "throughput", m => m.Rps);
    Ratio("nginx grpc_pass", "direct", "throughput", m => m.Rps);
    Ratio("gateway (YARP)", "nginx grpc_pass", "throughput", m => m.Rps);
    Ratio("gateway (YARP)", "nginx grpc_pass", "proxy CPU per call (aim <= 0.8)", m => m.ProxyMicros);
    Ratio("gateway (YARP) + Redis rate limits", "gateway (YARP)", "throughput (aim >= 0.9)", m => m.Rps);
    Ratio("gateway (YARP) + Redis rate limits", "gateway (YARP)", "proxy CPU per call", m => m.ProxyMicros);
    Ratio("gateway (YARP)", DiagnosedName, "proxy CPU per call", m => m.ProxyMicros);
    Ratio(BareName, "nginx grpc_pass", "proxy CPU per call", m => m.ProxyMicros);
    Ratio(BareName, "nginx grpc_pass", "throughput", m => m.Rps);
    Ratio("gateway (YARP)", BareName, "proxy CPU per call", m => m.ProxyMicros);
    var errors = results.Values.Sum(l => l.Sum(m => m.Errors));
    Console.WriteLine($"errors (h2load failed + errored + non-2xx): {errors}");
    return errors == 0 ? 0 : 1;
}
finally
{
    foreach (var p in children)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

sealed record Target(string Name, int Port, Process? Proxy);

sealed record Measure(double Rps, double ProxyMicros, double BackendMicros, long Errors);

sealed record Settings(TimeSpan Duration, int Rounds, int Connections, int Streams, string LoadCpus, string ServerCpus, string BackendCpus, bool ReadyToRun, bool Verbose)
{
    public static Settings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        return new Settings(TimeSpan.FromSeconds(int.Parse(Get("duration", "2"), CultureInfo.InvariantCulture)), int.Parse(Get("rounds", "5"), CultureInfo.InvariantCulture),
            int.Parse(Get("connections", "8"), CultureInfo.InvariantCulture), int.Parse(Get("streams", "16"), CultureInfo.InvariantCulture),
            Get("load-cpus", "1"), Get("server-cpus", "0"), Get("backend-cpus", Get("server-cpus", "0")), args.Contains("--ready-to-run"), args.Contains("--verbose"));
    }
}

static partial class H2Load
{
    public sealed record Result(double RequestsPerSecond, long Succeeded, long Failed, long Errored, long Non2xx);

    public static async Task<Result> RunAsync(int port, string payloadFile, string token, Settings settings)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-c", settings.LoadCpus, "h2load", "-D", ((int)settings.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--warm-up-time=1",
            "-c", settings.Connections.ToString(CultureInfo.InvariantCulture), "-m", settings.Streams.ToString(CultureInfo.InvariantCulture), "-t", "1",
            "-d", payloadFile, "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", "authorization: Bearer " + token,
            $"http://127.0.0.1:{port}/bench.v1.Echo/Echo",
        })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start h2load (apt-get install -y nghttp2-client).");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var finished = Finished().Match(stdout);
        var requests = Requests().Match(stdout);
        var codes = StatusCodes().Match(stdout);
        if (process.ExitCode != 0 || !finished.Success || !requests.Success || !codes.Success) throw new InvalidOperationException($"h2load failed: {stdout}");
        long L(Group g) => long.Parse(g.Value, CultureInfo.InvariantCulture);
        return new Result(double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture), L(requests.Groups["succeeded"]), L(requests.Groups["failed"]),
            L(requests.Groups["errored"]), L(codes.Groups["x3"]) + L(codes.Groups["x4"]) + L(codes.Groups["x5"]));
    }

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex Finished();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
    private static partial Regex Requests();

    [GeneratedRegex(@"status codes: \d+ 2xx, (?<x3>\d+) 3xx, (?<x4>\d+) 4xx, (?<x5>\d+) 5xx")]
    private static partial Regex StatusCodes();
}

static class Roles
{
    public const string Issuer = "https://tokens.bench.platform.local";

    public static async Task<int> BackendAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.RunAsync();
        return 0;
    }

    /// <summary>The real gateway (GatewayApp), routing the bench service to the backend; rate limits on when a Redis is given.</summary>
    public static async Task<int> GatewayAsync(int port, string backend, string jwksFile, string data, string redis)
    {
        Directory.CreateDirectory(data);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(GatewayApp).Assembly.GetName().Name, Args = [] });
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = data,
            ["Database:MigrateAtStartup"] = "true",
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = "platform",
            ["Auth:Jwks"] = File.ReadAllText(jwksFile),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Gateway:DefaultRoutes"] = "false",
            ["Gateway:RateLimits:Enabled"] = redis == "-" ? "false" : "true",
            ["Gateway:RateLimits:PerTrust:Permits"] = "1000000000",
            ["Gateway:RateLimits:PerClient:Permits"] = "1000000000",
            ["ReverseProxy:Routes:bench:ClusterId"] = "bench",
            ["ReverseProxy:Routes:bench:Timeout"] = "00:00:30",
            ["ReverseProxy:Routes:bench:Match:Path"] = "/bench.v1.Echo/{**method}",
            ["ReverseProxy:Clusters:bench:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:bench:HttpRequest:VersionPolicy"] = "RequestVersionExact",
            ["ReverseProxy:Clusters:bench:Destinations:backend:Address"] = backend,
        };
        if (redis != "-") settings["ConnectionStrings:redis"] = redis;
        builder.Configuration.AddInMemoryCollection(settings);
        var app = GatewayApp.Build(builder);
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// YARP with nothing of ours: the same route and cluster as the gateway's, no authentication or authorisation, no
    /// platform middlewares, no logging (so no per-request Activity) and no trace-header propagator.
    /// </summary>
    public static async Task<int> BareYarpAsync(int port, string backend)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:bench:ClusterId"] = "bench",
            ["ReverseProxy:Routes:bench:Match:Path"] = "/bench.v1.Echo/{**method}",
            ["ReverseProxy:Clusters:bench:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:bench:HttpRequest:VersionPolicy"] = "RequestVersionExact",
            ["ReverseProxy:Clusters:bench:Destinations:backend:Address"] = backend,
        });
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .ConfigureHttpClient((_, handler) => handler.ActivityHeadersPropagator = null);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }

    public static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    public static async Task<bool> WaitListeningAsync(int port, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var c = new System.Net.Sockets.TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }

    public static byte[] Frame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context) => Task.FromResult(request);
    }
}
