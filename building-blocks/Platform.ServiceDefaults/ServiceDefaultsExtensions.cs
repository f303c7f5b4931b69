using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Http;
using Platform.ServiceDefaults.Startup;
using Platform.ServiceDefaults.Telemetry;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// What every app gets: structured JSON console logs, problem details without stack traces, a correlation id per
    /// request, health checks, OpenTelemetry (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set), JWT authentication,
    /// the tenant context, and the start-up warm-up (<see cref="StartupWarmup"/>: readiness waits until it has run).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Extensions["correlationId"] = ctx.HttpContext.TraceIdentifier;
            // A refused request says why: which trust, and what is wrong with it (AuthorizationRefusal).
            if (ctx.ProblemDetails.Status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden && ctx.ProblemDetails.Detail is null)
                ctx.ProblemDetails.Detail = AuthorizationRefusal.Describe(ctx.HttpContext, ctx.ProblemDetails.Status == StatusCodes.Status403Forbidden);
        });
        builder.Services.AddTransient<IStartupFilter, CorrelationAndErrorsStartupFilter>();
        // Response headers are not entered in the HTTP/2 dynamic table (HPACK). Every response carries a new
        // X-Correlation-Id, which the dynamic table would take in and evict on every call; and a gateway multiplexes many
        // callers over one connection, whose responses would then share one compression context (RFC 7541 section 7).
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowResponseHeaderCompression = false);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        // The app's start-up warm-up (steps added by the building blocks and the app); /health/ready waits for it.
        builder.Services.AddStartupWarmupRunner(builder.Configuration);

        builder.AddPlatformTelemetry(builder.Environment.ApplicationName);
        builder.AddPlatformAuthentication();
        return builder;
    }

    /// <summary>
    /// /health/live (the process answers), /health/ready (its dependencies answer and its start-up warm-up has run;
    /// JSON detail per check) and
    /// /me (who the token says you are). Health endpoints need no token, in every environment.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteHealthDetail,
        }).AllowAnonymous();
        app.MapGet("/me", (HttpContext http, ITenantContext tenant) => Results.Ok(new
        {
            subject = http.User.FindFirst("sub")?.Value,
            tenant = tenant.TenantId,
            roles = http.User.FindAll("roles").Select(c => c.Value).ToArray(),
            scopes = (http.User.FindFirst("scope")?.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        }));
        return app;
    }

    private static Task WriteHealthDetail(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, s_json));
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
