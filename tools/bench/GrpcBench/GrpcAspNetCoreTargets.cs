using System.Net;
using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Grpc;
using Platform.Grpc.Interceptors;

namespace Platform.Tools.GrpcBench;

/// <summary>The same echo on Grpc.AspNetCore's generated base class: bare, and with the platform's interceptors.</summary>
public sealed class EchoOnGrpcAspNetCore : Echo.EchoBase
{
    private static readonly Task<EchoMessage> s_empty = Task.FromResult(new EchoMessage());

    public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context) =>
        request.Payload.IsEmpty ? s_empty : Task.FromResult(request);
}

/// <summary>As a service declares it: a role on the method, checked by <see cref="CallPolicyInterceptor"/>.</summary>
public sealed class EchoWithPlatformInterceptors : Echo.EchoBase
{
    private static readonly Task<EchoMessage> s_empty = Task.FromResult(new EchoMessage());

    [RequiresRole(BenchCaller.Role)]
    public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context) =>
        request.Payload.IsEmpty ? s_empty : Task.FromResult(request);
}

/// <summary>
/// The caller every target sees: a signed-in user holding the bench role. Token validation is the same work on every
/// stack, so the bench sets the user directly and measures what the gRPC layer adds.
/// </summary>
public static class BenchCaller
{
    public const string Role = "bench";

    public static readonly ClaimsPrincipal User = new(new ClaimsIdentity([new Claim("sub", "bench"), new Claim("roles", Role)], "bench", "sub", "roles"));

    /// <summary>Sets the user and counts gRPC statuses, the same middleware on every app.</summary>
    public static void UseBenchMiddleware(this WebApplication app, GrpcErrorCounter errors) =>
        app.Use(async (context, next) =>
        {
            context.User = User;
            await next(context);
            if (context.Request.Path.StartsWithSegments("/bench.v1.Echo"))
            {
                var status = context.Response.Headers.GrpcStatus.ToString();
                if (status.Length == 0)
                {
                    status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers.GrpcStatus.ToString() ?? "";
                }

                // Reading RequestAborted only after the call, and only for a non-OK status: Kestrel allocates its token
                // source on first access.
                errors.Record(status, status != "0" && context.RequestAborted.IsCancellationRequested);
            }
        });
}

public static class GrpcAspNetCoreTargets
{
    /// <summary>
    /// Starts a Grpc.AspNetCore app on its own h2c port in this process. With <paramref name="platformInterceptors"/>
    /// it is configured as the services are, by <see cref="PlatformGrpcExtensions.AddPlatformGrpc"/>.
    /// </summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(bool platformInterceptors, GrpcErrorCounter errors)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        if (platformInterceptors)
        {
            // Exactly what a service's composition adds (AddPlatformGrpc): limits, the interceptor, health, reflection.
            builder.AddPlatformGrpc();
        }
        else
        {
            builder.Services.AddGrpc();
        }

        var app = builder.Build();
        app.UseBenchMiddleware(errors);
        if (platformInterceptors)
        {
            app.MapGrpcService<EchoWithPlatformInterceptors>();
            app.MapPlatformGrpcEndpoints();
        }
        else
        {
            app.MapGrpcService<EchoOnGrpcAspNetCore>();
        }

        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return (app, address);
    }
}
