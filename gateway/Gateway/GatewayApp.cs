using Platform.Grpc;
using Platform.ServiceDefaults;

namespace Platform.Gateway;

/// <summary>
/// The gateway's composition. It keeps no state of its own: the trust and ward directory is the identity service's
/// (services/identity). The reverse proxy arrives with its own issue, in its own folder (Proxy/).
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        return app;
    }
}
