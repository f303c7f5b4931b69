using Platform.Gateway.GraphQL;
using Platform.Grpc;
using Platform.Gateway.Tenancy;
using Platform.ServiceDefaults;
using Platform.Persistence;

namespace Platform.Gateway;

/// <summary>
/// The gateway's composition. First version: the tenancy directory. The reverse proxy, token service and GraphQL
/// arrive with their own issues, each in its own folder (Proxy/, Identity/, GraphQL/).
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddGatewayServices();
        builder.Services.AddPlatformGraphQL(builder.Configuration);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapGrpcService<TenancyGrpcService>();
        app.MapPlatformGraphQL();
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
