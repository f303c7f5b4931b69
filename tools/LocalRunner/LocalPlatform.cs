using System.Net;
using System.Net.Sockets;
using Platform.Audit.Api;
using Platform.Consent.Api;
using Platform.Evidence.Api;
using Platform.Gateway;
using Platform.Identity.Api;
using Platform.Procurement.Api;
using Platform.Tools.LocalDelivery;

namespace Platform.Tools.LocalRunner;

/// <summary>One app of the platform and its two default ports (architecture.md).</summary>
public sealed record AppSpec(string Name, int HttpPort, int GrpcPort, Func<WebApplicationBuilder, WebApplication> Build, Type Marker, bool HasEvents);

public sealed record LocalPlatformOptions(string DataDirectory, int PortOffset = 0, bool Verbose = false);

/// <summary>Thrown when a port the platform needs is taken; the message names the port and the app.</summary>
public sealed class PortInUseException(string message) : Exception(message);

/// <summary>
/// Hosts the gateway, the four services and the identity service in this process, each on its own ports, on SQLite
/// files. Every app validates tokens from the identity service's issuer, with the keys from its JWKS.
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    public static readonly IReadOnlyList<AppSpec> Apps =
    [
        new("gateway", 8080, 8081, GatewayApp.Build, typeof(GatewayApp), HasEvents: false),
        new("consent", 5001, 5002, ConsentApp.Build, typeof(ConsentApp), HasEvents: true),
        new("procurement", 5011, 5012, ProcurementApp.Build, typeof(ProcurementApp), HasEvents: true),
        new("evidence", 5021, 5022, EvidenceApp.Build, typeof(EvidenceApp), HasEvents: true),
        new("audit", 5031, 5032, AuditApp.Build, typeof(AuditApp), HasEvents: true),
        // Last, so that its relay finds every subscriber already listening when it first asks for their subscriptions.
        new("identity", 5041, 5042, IdentityApp.Build, typeof(IdentityApp), HasEvents: true),
    ];

    /// <summary>The region operator's bootstrap client, made by the identity service at start-up (Identity:Bootstrap).</summary>
    public const string RegionOperatorClientId = "region-ops";

    /// <summary>The local audit service's log name prefix: a trust's log is this, '/', its ODS code.</summary>
    public const string AuditOrigin = "audit.local.example";

    /// <summary>How long stopping every app may take, all together (Kubernetes waits 30 s after SIGTERM by default).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(25);

    private readonly List<(AppSpec Spec, WebApplication App)> _running = [];
    private readonly CancellationTokenSource _stopRequested = new();
    private volatile bool _disposing;

    // Event routes accept only deliveries carrying this run's token, as they accept only Dapr's in Kubernetes.
    private readonly string _appApiToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    private LocalPlatform(LocalPlatformOptions options, string regionOperatorSecret)
    {
        Options = options;
        RegionOperatorSecret = regionOperatorSecret;
    }

    public LocalPlatformOptions Options { get; }

    /// <summary>The bootstrap region operator client's secret, made on first run and kept in the data folder.</summary>
    public string RegionOperatorSecret { get; }

    /// <summary>The demo clients' credentials, once the region is seeded.</summary>
    public IReadOnlyList<DemoClient> DemoClients { get; internal set; } = [];

    /// <summary>RX3's seeded patient on OAK and the app she uses: CheckUse for them answers PERMIT.</summary>
    public (string PatientId, string TechnologyId) DemoUse { get; internal set; }

    /// <summary>The identity service's issuer (tokens' <c>iss</c>); its token endpoint is <c>connect/token</c> under it.</summary>
    public Uri Issuer => new($"http://127.0.0.1:{HttpPort(Apps.Single(a => a.Name == "identity"))}/");

    public Uri TokenEndpoint => new(Issuer, "connect/token");

    public IReadOnlyList<(AppSpec Spec, WebApplication App)> Running => _running;

    /// <summary>
    /// Cancelled when an app's host asks to stop by itself (as a host does when a background service fails): the
    /// runner then stops them all rather than run on with one app half there.
    /// </summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    /// <summary>The app that asked to stop by itself, if one did.</summary>
    public string? StoppedOnItsOwn { get; private set; }

    public int HttpPort(AppSpec spec) => spec.HttpPort + Options.PortOffset;

    public int GrpcPort(AppSpec spec) => spec.GrpcPort + Options.PortOffset;

    /// <summary>Checks every port first, so a clash is reported before anything starts or any file is touched.</summary>
    public static async Task<LocalPlatform> StartAsync(LocalPlatformOptions options, CancellationToken ct)
    {
        foreach (var spec in Apps)
        {
            EnsureFree(spec.HttpPort + options.PortOffset, $"{spec.Name} HTTP");
            EnsureFree(spec.GrpcPort + options.PortOffset, $"{spec.Name} gRPC");
        }

        var platform = new LocalPlatform(options, LocalSecrets.LoadOrCreate(options.DataDirectory, "region-ops.secret"));
        try
        {
            foreach (var spec in Apps)
            {
                ct.ThrowIfCancellationRequested();
                var app = spec.Build(platform.CreateBuilder(spec));
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    await app.DisposeAsync();
                    throw new PortInUseException($"{spec.Name} could not bind its ports ({platform.HttpPort(spec)}, {platform.GrpcPort(spec)}): another process took one while starting.");
                }
                platform._running.Add((spec, app));
                app.Lifetime.ApplicationStopping.Register(() => platform.OnAppStopping(spec));
            }
            await DemoRegion.SeedAsync(platform, ct);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private WebApplicationBuilder CreateBuilder(AppSpec spec)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = spec.Marker.Assembly.GetName().Name,
            EnvironmentName = "Local",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        var level = Options.Verbose ? "Information" : "Warning";
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{HttpPort(spec)}",
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{GrpcPort(spec)}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = Options.DataDirectory,
            ["Database:MigrateAtStartup"] = "true",
            ["Auth:Issuer"] = Issuer.AbsoluteUri,
            ["Auth:JwksUri"] = new Uri(Issuer, ".well-known/jwks").AbsoluteUri,
            ["Identity:Issuer"] = Issuer.AbsoluteUri,
            ["Identity:AllowHttp"] = "true",
            ["Identity:SigningKeys:ProtectionKeysDirectory"] = Path.Combine(Options.DataDirectory, "identity-keys"),
            ["Identity:Bootstrap:RegionOperatorClientId"] = RegionOperatorClientId,
            ["Identity:Bootstrap:RegionOperatorClientSecret"] = RegionOperatorSecret,
            ["Logging:LogLevel:Default"] = level,
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Messaging:AppApiToken"] = _appApiToken,
        };
        if (spec.Name == "gateway")
        {
            // The gateway's route table names the default ports; these follow the run's port offset.
            foreach (var service in Apps.Where(a => a.Name != "gateway"))
            {
                settings[$"ReverseProxy:Clusters:{service.Name}-grpc:Destinations:{service.Name}-1:Address"] = $"http://127.0.0.1:{GrpcPort(service)}";
                settings[$"ReverseProxy:Clusters:{service.Name}-http:Destinations:{service.Name}-1:Address"] = $"http://127.0.0.1:{HttpPort(service)}";
            }
            // GraphQL's resolvers call the services' gRPC ports directly (GraphQL:Services:Consent and so on).
            foreach (var service in Apps.Where(a => a.Name is "consent" or "procurement" or "evidence" or "audit"))
                settings[$"GraphQL:Services:{char.ToUpperInvariant(service.Name[0])}{service.Name[1..]}"] = $"http://127.0.0.1:{GrpcPort(service)}";
        }
        if (spec.Name == "audit")
        {
            // Each demo trust's log signs its checkpoints with a development key made in the data folder on first run.
            settings["Audit:Origin"] = AuditOrigin;
            foreach (var trust in DemoRegion.Trusts)
            {
                settings[$"Audit:LogKeys:{trust.OdsCode}"] = LocalSecrets.LoadOrCreateAuditLogKey(Options.DataDirectory, trust.OdsCode, AuditOrigin);
            }
        }
        var subscribers = Apps.Where(a => a.HasEvents).Select(a => $"http://127.0.0.1:{HttpPort(a)}").ToArray();
        for (var i = 0; i < subscribers.Length; i++) settings[$"Messaging:Local:Subscribers:{i}"] = subscribers[i];
        builder.Configuration.AddInMemoryCollection(settings);
        // No sidecar here: each relay plays Dapr's part and posts the CloudEvents straight to the subscribers' Dapr routes.
        if (spec.HasEvents) builder.Services.AddLocalEventDelivery();
        builder.Services.AddSingleton<IHostLifetime, HostedByTheRunner>();
        return builder;
    }

    private void OnAppStopping(AppSpec spec)
    {
        if (_disposing) return;
        StoppedOnItsOwn ??= spec.Name;
        _stopRequested.Cancel();
    }

    /// <summary>
    /// The runner owns the process's signals (Program). A host's default console lifetime would take SIGTERM and
    /// Ctrl+C for itself, cancel the signal's default, and only raise its own stopping event, which stops nothing for a
    /// host that was started rather than run: the process then ran on after SIGTERM.
    /// </summary>
    private sealed class HostedByTheRunner : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static void EnsureFree(int port, string what)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new PortInUseException(
                $"Port {port} ({what}) is already in use. Is the platform already running? Stop it (Ctrl+C in its terminal) " +
                "or free the port; `--port-offset N` moves every port by N.");
        }
    }

    /// <summary>Waits until /health/ready answers 200 on every app's HTTP port.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + timeout;
        foreach (var (spec, _) in _running)
        {
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort(spec)}/health/ready", ct);
                    if (response.StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException)
                {
                }
                if (DateTime.UtcNow > until) throw new TimeoutException($"{spec.Name} was not ready within {timeout.TotalSeconds:0} s.");
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>Stops the apps in the reverse order of their start, all within <see cref="ShutdownTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        using var deadline = new CancellationTokenSource(ShutdownTimeout);
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            // Past the deadline a host stops at once: its hosted services' StopAsync get a cancelled token.
            try { await _running[i].App.StopAsync(deadline.Token); } catch (OperationCanceledException) { }
            await _running[i].App.DisposeAsync();
        }
        _running.Clear();
        _stopRequested.Dispose();
    }
}
