using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Gateway.Limits;

public static class GatewayLimitsExtensions
{
    /// <summary>The shared store (Redis), its health entry, the rate limit counter and the options of both limits.</summary>
    public static IHostApplicationBuilder AddGatewayLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.AddOptions<IdempotencyOptions>().Bind(builder.Configuration.GetSection(IdempotencyOptions.Section));
        builder.Services.AddSingleton<SharedStore>();
        builder.Services.AddSingleton<RateLimitCounter>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks().AddCheck<SharedStore.HealthCheck>("shared-store", tags: ["ready"]);
        return builder;
    }
}
