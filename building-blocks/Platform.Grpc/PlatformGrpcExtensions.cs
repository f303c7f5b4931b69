using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Platform.Grpc.Interceptors;

namespace Platform.Grpc;

/// <summary>The gRPC opt-in of a service's composition: one line to add the server, one to map the standard services.</summary>
public static class PlatformGrpcExtensions
{
    /// <summary>The largest message received or sent, either way (gRPC's customary 4 MiB).</summary>
    public const int MaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Adds Grpc.AspNetCore with the platform's settings: 4 MiB message limits both ways, no exception detail to callers,
    /// and <see cref="CallPolicyInterceptor"/> (roles, refusals) on every service; grpc.health.v1 following the app's
    /// ASP.NET Core health checks for the server and for every mapped service, re-evaluated every 5 s for Watch; and
    /// server reflection.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxMessageSize;
            options.MaxSendMessageSize = MaxMessageSize;
            options.EnableDetailedErrors = false;
            options.Interceptors.Add<CallPolicyInterceptor>();
        });
        // One instance for the app: Grpc.AspNetCore would otherwise construct one per call.
        builder.Services.AddSingleton<CallPolicyInterceptor>();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();
        // Each mapped gRPC service answers for itself as the server does (every check), so a probe may name either. The
        // names come from the app's own endpoints: the options are first read when the app starts, and ASP.NET Core's
        // EndpointDataSource service sees the app's endpoints only once the request pipeline is built, later.
        builder.Services.AddSingleton<MappedGrpcServices>();
        builder.Services.AddOptions<GrpcHealthChecksOptions>().Configure<MappedGrpcServices>((options, mapped) =>
        {
            foreach (var service in mapped.ServiceNames())
            {
                options.Services.Map(service, (HealthCheckMapContext _) => true);
            }
        });
        builder.Services.Configure<HealthCheckPublisherOptions>(options => options.Period = TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>Maps grpc.health.v1.Health (no token) and server reflection v1 and v1alpha (token needed, as for any method).</summary>
    public static WebApplication MapPlatformGrpcEndpoints(this WebApplication app)
    {
        app.Services.GetRequiredService<MappedGrpcServices>().Endpoints = app;
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService();
        return app;
    }
}

/// <summary>The app whose mapped gRPC services grpc.health.v1 answers for by name.</summary>
internal sealed class MappedGrpcServices
{
    public IEndpointRouteBuilder? Endpoints { get; set; }

    public IEnumerable<string> ServiceNames() =>
        (Endpoints?.DataSources.SelectMany(d => d.Endpoints) ?? [])
            .Select(e => e.Metadata.GetMetadata<global::Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>()
            .Distinct();
}
