using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi.Models;
using Platform.Grpc.Interceptors;
using Platform.Grpc.Rest;

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
    /// server reflection; REST/JSON for every method with a <c>google.api.http</c> route (JSON transcoding, same
    /// authentication, interceptor and refusals) and the OpenAPI document describing those routes.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxMessageSize;
            options.MaxSendMessageSize = MaxMessageSize;
            options.EnableDetailedErrors = false;
            options.Interceptors.Add<CallPolicyInterceptor>();
        }).AddJsonTranscoding(options => options.TypeRegistry = RestProblemDetailsMiddleware.ErrorDetailTypes);
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(OpenApiDocumentName, new OpenApiInfo { Title = builder.Environment.ApplicationName, Version = OpenApiDocumentName });
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from the platform's token service; the trust and roles come from it.",
            });
            options.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
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

    /// <summary>The name of the service's OpenAPI document, served at <see cref="OpenApiPath"/>.</summary>
    public const string OpenApiDocumentName = "v1";

    /// <summary>Where the OpenAPI document of the service's REST/JSON routes is served (token needed, as for reflection).</summary>
    public const string OpenApiPath = "/openapi/" + OpenApiDocumentName + ".json";

    /// <summary>
    /// Maps grpc.health.v1.Health (no token), server reflection v1 and v1alpha and the OpenAPI document at
    /// <see cref="OpenApiPath"/> (token needed, as for any method), and answers failed REST/JSON calls with problem details.
    /// </summary>
    public static WebApplication MapPlatformGrpcEndpoints(this WebApplication app)
    {
        app.Services.GetRequiredService<MappedGrpcServices>().Endpoints = app;
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService();
        app.MapSwagger("/openapi/{documentName}.json");
        app.UseMiddleware<RestProblemDetailsMiddleware>();
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
