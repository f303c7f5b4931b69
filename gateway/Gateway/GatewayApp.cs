using Platform.Gateway.GraphQL;
using Platform.Grpc;
using Platform.Gateway.Proxy;
using Platform.ServiceDefaults;

namespace Platform.Gateway;

/// <summary>
/// The gateway's composition: the reverse proxy (Proxy/, on YARP) with tokens validated at the door (against the identity
/// service's issuer), and rate limits and idempotency keys shared across replicas through Redis (Limits/). It keeps no
/// data of its own: the trust and ward directory is the identity service's (services/identity).
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddGatewayProxy();
        builder.Services.AddPlatformGraphQL(builder.Configuration);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapPlatformGraphQL();
        app.MapGatewayProxy();
        return app;
    }
}
