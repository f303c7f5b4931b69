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

    /// <summary>
    /// Traces and metrics through OpenTelemetry, exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// ASP.NET Core's own activity source and meters are collected directly (the instrumentation packages are not
    /// on this feed; the framework emits the same signals natively).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return builder;

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore", SourcePrefix + "*")
            .AddOtlpExporter()
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.EntityFrameworkCore", SourcePrefix + "*")
            .AddOtlpExporter()
            .Build());
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    // Resolving the providers at start-up makes them listen from the first request; the container disposes them.
    private sealed class TelemetryStarter(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
