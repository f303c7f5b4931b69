using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Grpc.Health;
using Platform.Grpc.Internal;
using Platform.Grpc.Reflection;

namespace Platform.Grpc.Server;

public static class GrpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gRPC server: options (message size limits, compression), the service registry used by health and
    /// reflection, ASP.NET Core health checks, and the authorization result handler that answers refused gRPC calls with
    /// UNAUTHENTICATED / PERMISSION_DENIED instead of HTTP 401 / 403.
    /// </summary>
    public static IServiceCollection AddGrpcServer(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddRouting();
        services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddHealthChecks();
        if (!services.Any(d => d.ServiceType == typeof(GrpcServiceRegistry)))
        {
            services.AddSingleton<GrpcServiceRegistry>();
            services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();
        }

        services.TryAddSingleton<ReflectionCore>();
        return services;
    }
}

public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every method of the protobuf service named by <typeparamref name="TService"/>'s <see cref="GrpcServiceAttribute"/>
    /// to <c>POST /package.Service/Method</c>. Throws at startup if a method has no matching public C# method.
    /// The class is resolved from DI per call if registered, otherwise constructed per call with its constructor's dependencies.
    /// Attributes on the class and its methods (e.g. <c>[Authorize]</c>) become endpoint metadata.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class =>
        endpoints.MapGrpcService<TService>(GrpcServiceAttribute.Resolve(typeof(TService)));

    /// <summary>Maps <typeparamref name="TService"/> to an explicit service descriptor (e.g. <c>ConsentReflection.Descriptor.Services[0]</c>).</summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints, ServiceDescriptor service)
        where TService : class
    {
        var services = endpoints.ServiceProvider;
        var registry = services.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call builder.Services.AddGrpcServer() before mapping gRPC services.");
        var options = services.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Grpc.Server");

        var handlers = ServiceBinder.Bind(typeof(TService), service, options, services, logger);
        registry.Add(service);

        var classAttributes = typeof(TService).GetCustomAttributes(inherit: true);
        var builders = new List<IEndpointConventionBuilder>();
        foreach (var handler in handlers)
        {
            RequestDelegate requestDelegate = handler.HandleCallAsync;
            var builder = endpoints.MapPost(handler.Path, requestDelegate)
                .WithDisplayName($"gRPC {handler.Path}")
                .WithMetadata(classAttributes)
                .WithMetadata(handler.Method.GetCustomAttributes(inherit: true))
                .WithMetadata(new GrpcMethodMetadata(service, handler.Descriptor));
            builders.Add(builder);
        }

        MapUnimplemented(endpoints, registry);
        return new GrpcServiceEndpointConventionBuilder(builders);
    }

    /// <summary>
    /// Maps grpc.health.v1.Health (anonymous; status tied to the app's health checks) and server reflection
    /// (grpc.reflection.v1 and v1alpha; follows the app's authorization policy) so standard tools can probe, list and call.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcHealthAndReflection(this IEndpointRouteBuilder endpoints)
    {
        var health = endpoints.MapGrpcService<HealthService>();
        var v1 = endpoints.MapGrpcService<ReflectionServiceV1>();
        var v1Alpha = endpoints.MapGrpcService<ReflectionServiceV1Alpha>();
        return new GrpcServiceEndpointConventionBuilder([health, v1, v1Alpha]);
    }

    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (registry.UnimplementedRouteMapped)
        {
            return;
        }

        registry.UnimplementedRouteMapped = true;
        RequestDelegate unimplemented = httpContext =>
        {
            if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
            {
                httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            var service = (string?)httpContext.Request.RouteValues["grpcService"] ?? "";
            var detail = registry.IsKnownService(service) ? "Method is unimplemented." : "Service is unimplemented.";
            RequestValidation.WriteError(httpContext.Response, StatusCode.Unimplemented, detail);
            return Task.CompletedTask;
        };

        // Lowest precedence: any literal route (a real method, a REST endpoint) wins over this catch-all, and it only
        // matches gRPC content types, so an app's own fallback (a proxy, an SPA) still gets every other request.
        endpoints.MapPost("/{grpcService}/{grpcMethod}", unimplemented)
            .WithDisplayName("gRPC unimplemented")
            .WithMetadata(
                new GrpcMethodMetadata(null, null),
                new AllowAnonymousAttribute(),
                new AcceptsMetadata([GrpcProtocol.ContentType, GrpcProtocol.ContentType + "+proto"]))
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
    }
}

/// <summary>Applies endpoint conventions (authorization, CORS, metadata) to every method of the mapped service(s).</summary>
public sealed class GrpcServiceEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var builder in builders)
        {
            builder.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var builder in builders)
        {
            builder.Finally(finallyConvention);
        }
    }
}
