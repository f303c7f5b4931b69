using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Platform.Persistence;

/// <summary>What the database work adds to the app's OpenTelemetry (ServiceDefaults decides whether anything exports).</summary>
internal static class PersistenceTelemetry
{
    /// <summary>
    /// A span per EF Core command and per Npgsql command, children of the request or message that ran them, and EF's
    /// and Npgsql's meters. Statements are traced as EF and Npgsql send them, parameterised: parameter values (NHS
    /// numbers among them) are left out, as both record them only when asked to.
    /// </summary>
    public static IServiceCollection AddPersistenceTelemetry(this IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddEntityFrameworkCoreInstrumentation()
            .AddNpgsql());
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter("Microsoft.EntityFrameworkCore")
            .AddNpgsqlInstrumentation());
        return services;
    }
}
