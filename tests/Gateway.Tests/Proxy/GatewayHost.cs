using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Gateway.Tests.Echo;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

/// <summary>
/// The real gateway (its Program, on real Kestrel: HTTP/1.1 and h2c on free loopback ports) with routes to an
/// <see cref="EchoUpstream"/>, a port nothing listens on, and a Redis server; tokens from <see cref="TestTokens"/>.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string HangRouteTimeout = "00:00:01";

    private GatewayHost(ServiceFactory<Program> app, FakeTimeProvider clock)
    {
        App = app;
        Clock = clock;
    }

    public ServiceFactory<Program> App { get; }

    /// <summary>The gateway's clock (rate limit windows); it moves only when a test advances it.</summary>
    public FakeTimeProvider Clock { get; }

    public static async Task<GatewayHost> StartAsync(EchoUpstream upstream, string redisEndpoint, IDictionary<string, string?>? extra = null, DateTimeOffset? clockStart = null,
        Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:DefaultRoutes"] = "false",
            ["ConnectionStrings:redis"] = redisEndpoint,
            ["ReverseProxy:Routes:echo-grpc:ClusterId"] = "echo-grpc",
            ["ReverseProxy:Routes:echo-grpc:Timeout"] = "00:00:30",
            ["ReverseProxy:Routes:echo-grpc:Match:Path"] = "/platform.gatewaytest.v1.Echo/{**method}",
            ["ReverseProxy:Routes:echo-hang:ClusterId"] = "echo-grpc",
            ["ReverseProxy:Routes:echo-hang:Timeout"] = HangRouteTimeout,
            ["ReverseProxy:Routes:echo-hang:Match:Path"] = "/platform.gatewaytest.v1.Echo/Hang",
            ["ReverseProxy:Routes:absent-grpc:ClusterId"] = "absent",
            ["ReverseProxy:Routes:absent-grpc:Match:Path"] = "/platform.gatewaytest.v1.Absent/{**method}",
            ["ReverseProxy:Routes:echo-rest:ClusterId"] = "echo-http",
            ["ReverseProxy:Routes:echo-rest:Timeout"] = "00:00:30",
            ["ReverseProxy:Routes:echo-rest:Match:Path"] = "/echo/{**rest}",
            ["ReverseProxy:Routes:echo-rest:Transforms:0:PathRemovePrefix"] = "/echo",
            ["ReverseProxy:Routes:echo-rest-slow:ClusterId"] = "echo-http",
            ["ReverseProxy:Routes:echo-rest-slow:Timeout"] = HangRouteTimeout,
            ["ReverseProxy:Routes:echo-rest-slow:Match:Path"] = "/echo/slow",
            ["ReverseProxy:Routes:echo-rest-slow:Transforms:0:PathRemovePrefix"] = "/echo",
            ["ReverseProxy:Routes:absent-rest:ClusterId"] = "absent",
            ["ReverseProxy:Routes:absent-rest:Match:Path"] = "/absent/{**rest}",
            ["ReverseProxy:Clusters:echo-grpc:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:echo-grpc:HttpRequest:VersionPolicy"] = "RequestVersionExact",
            ["ReverseProxy:Clusters:echo-grpc:Destinations:echo-1:Address"] = upstream.GrpcAddress,
            ["ReverseProxy:Clusters:echo-http:Destinations:echo-1:Address"] = upstream.HttpAddress,
            ["ReverseProxy:Clusters:absent:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:absent:HttpRequest:VersionPolicy"] = "RequestVersionExact",
            ["ReverseProxy:Clusters:absent:Destinations:absent-1:Address"] = $"http://127.0.0.1:{FreePort.Next()}",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        // Rate limit windows run on a clock of the test's own, started at the real time so windows differ between runs.
        var clock = new FakeTimeProvider(clockStart ?? DateTimeOffset.UtcNow);
        var app = await ServiceFactory<Program>.StartOnPostgresAsync("gateway", settings, collection =>
        {
            collection.AddSingleton<TimeProvider>(clock);
            services?.Invoke(collection);
        });
        return new GatewayHost(app, clock);
    }

    public static string Token(string trust, string client = "epr-client", params string[] roles) =>
        TestTokens.Shared.Mint(trust, roles.Length == 0 ? null : roles, subject: client);

    public Echo.Echo.EchoClient Echo(string? token) => App.GrpcClientWithToken<Echo.Echo.EchoClient>(token);

    public Absent.AbsentClient Absent(string? token) => App.GrpcClientWithToken<Absent.AbsentClient>(token);

    public HttpClient Http(string? token)
    {
        var client = App.CreateHttpClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>One upstream and one gateway for a test class, on the Redis server shared by the process.</summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    public EchoUpstream Upstream { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await EchoUpstream.StartAsync();
        var redis = await RedisServer.SharedAsync();
        Gateway = await GatewayHost.StartAsync(Upstream, redis.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
