using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Grpc.Server;

namespace Platform.Grpc;

/// <summary>The gRPC opt-in of a service's composition: one line to add the server, one to map the standard services.</summary>
public static class PlatformGrpcExtensions
{
    /// <summary>Adds the gRPC server (limits, health registry, refused authorization in gRPC terms).</summary>
    public static IHostApplicationBuilder AddPlatformGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpcServer();
        return builder;
    }

    /// <summary>Maps grpc.health.v1.Health (no token) and server reflection (token needed).</summary>
    public static WebApplication MapPlatformGrpcEndpoints(this WebApplication app)
    {
        app.MapGrpcHealthAndReflection();
        return app;
    }
}
