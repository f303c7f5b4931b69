using Platform.Grpc;
using Platform.Gateway.Proxy;
using Platform.Gateway.Tenancy;
using Platform.ServiceDefaults;
using Platform.Persistence;

namespace Platform.Gateway;

/// <summary>
/// The gateway's composition: the reverse proxy (Proxy/, on YARP) with tokens validated at the door, and rate limits
/// and idempotency keys shared across replicas through Redis (Limits/). The tenancy directory is still hosted here
/// until it moves to the identity service.
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddGatewayProxy();
        builder.AddGatewayServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapGatewayProxy();
        app.MapGrpcService<TenancyGrpcService>();
        return app;
    }

    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDatabase<GatewayDbContext, GatewaySqliteDbContext, GatewayPostgresDbContext>("gateway");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<TrustDirectory>();
        return builder;
    }
}
