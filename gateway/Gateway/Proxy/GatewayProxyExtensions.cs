using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.ServiceDefaults.Auth;
using Platform.Gateway.Limits;
using Platform.ServiceDefaults.Telemetry;
using Yarp.ReverseProxy.Transforms;

namespace Platform.Gateway.Proxy;

/// <summary>
/// The reverse proxy (YARP): routes and clusters from the <c>ReverseProxy</c> configuration section, with the default
/// table in gateway.routes.json as the lowest-precedence source; per-route timeouts through ASP.NET Core's request
/// timeouts; and the gateway's own steps in YARP's pipeline, outermost first: upstream failures mapped to what a caller
/// can act on, internal routes refused, rate limits, idempotency keys, then YARP's load balancing and passive health.
/// </summary>
public static class GatewayProxyExtensions
{
    public const string RoutesFile = "gateway.routes.json";

    /// <summary>Set to false to leave out the default route table (tests configure their own routes).</summary>
    public const string DefaultRoutesSetting = "Gateway:DefaultRoutes";

    /// <summary>
    /// Paths under a service's REST prefix that are never forwarded: its event routes and Dapr endpoints (Dapr's
    /// sidecar delivers to them inside the cluster) and its probes.
    /// </summary>
    public static readonly string[] InternalPaths = ["/{service}/events/{**rest}", "/{service}/dapr/{**rest}", "/{service}/health/{**rest}"];

    public static IHostApplicationBuilder AddGatewayProxy(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue(DefaultRoutesSetting, true))
        {
            // First in the list, so every other source (settings, environment, the runner's ports) overrides it.
            builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
            {
                Path = RoutesFile,
                Optional = false,
                FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
            });
            ((IConfigurationRoot)builder.Configuration).Reload();
        }

        builder.Services.AddRequestTimeouts();
        // With tracing off, the calls to the services carry no trace headers: no propagator runs per call. With an OTLP
        // endpoint set, the trace context flows on to the services as usual.
        var tracing = IsTracing(builder.Configuration);
        if (!tracing && builder.Configuration[HostingDiagnosticsLevelSetting] is null)
        {
            // ASP.NET Core starts an Activity and a logging scope for every request whenever its hosting logger is
            // enabled at any level, even with nothing listening for the Activity; at Warning it writes nothing per request.
            // With tracing off, that logger is switched off (unless configured), and the requests carry no Activity.
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .ConfigureHttpClient((_, handler) =>
            {
                if (!tracing) handler.ActivityHeadersPropagator = null;
            })
            .AddTransforms(transforms => transforms.AddRequestTransform(HopByHopHeaders.RemoveNominated));
        // Every proxied call passes the tenant-user policy: a remembered token's verdict is judged once, not per call.
        builder.Services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, RememberedIdentityPolicyEvaluator>());
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.AddGatewayLimits();
        return builder;
    }

    /// <summary>The logger under which ASP.NET Core logs each request's start and end, and so starts an Activity per request.</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string HostingDiagnosticsLevelSetting = "Logging:LogLevel:" + HostingDiagnosticsCategory;

    /// <summary>Whether the gateway traces: an OTLP endpoint is set (<see cref="TelemetryExtensions.OtlpEndpointSetting"/>).</summary>
    public static bool IsTracing(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[TelemetryExtensions.OtlpEndpointSetting]);

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        app.UseRequestTimeouts();
        foreach (var path in InternalPaths)
        {
            // Ordered before every proxy route (YARP's routes have order 0 unless configured), whatever its precedence.
            app.Map(path, (HttpContext context) => CallerResponses.WriteAsync(context, CallerResponses.NotFound,
                "No such route: a service's event, Dapr and probe endpoints are not served through the gateway.")).WithOrder(-100);
        }
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<UpstreamFailures>();
            proxy.UseMiddleware<RateLimits>();
            proxy.UseMiddleware<IdempotencyKeys>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>Proxied responses are the upstream's own: ASP.NET Core's status code pages must not add a body to them.</summary>
    internal static void KeepUpstreamBodies(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
    }
}
