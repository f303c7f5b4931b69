using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Platform.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>Activity sources and meters the platform's own code uses; names start with this prefix.</summary>
    public const string SourcePrefix = "Platform.";

    /// <summary>The setting that turns export on: the OTLP collector's address (the OpenTelemetry SDK's own variable).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Traces and metrics through OpenTelemetry. What is traced is declared here for every app: incoming requests
    /// (ASP.NET Core, gRPC included), outgoing HTTP and gRPC calls, and the platform's own sources (persistence and
    /// messaging add theirs). Providers are built, and so anything listens, only when something exports:
    /// over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, or through an exporter a host adds with
    /// <c>services.AddOpenTelemetry().WithTracing(...)</c> (a test's in-memory exporter). Otherwise no provider
    /// exists and no request pays for an activity on the platform's account.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddSource(SourcePrefix + "*")
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsHealthProbe(http))
            .AddGrpcClientInstrumentation()
            .AddHttpClientInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddMeter(SourcePrefix + "*")
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation());

        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting])) return builder;
        // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* variables itself.
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddOtlpExporter());
        return builder;
    }

    // Kubernetes probes every few seconds: a span for each would bury the requests worth looking at.
    private static bool IsHealthProbe(HttpContext http) => http.Request.Path.StartsWithSegments("/health");
}
