using System.Reflection;
using GraphQL;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Gateway.GraphQL.Explorer;
using Platform.Gateway.GraphQL.Http;
using Platform.Gateway.GraphQL.Loading;
using Platform.Gateway.GraphQL.Protection;
using Platform.Gateway.GraphQL.Schema;
using Platform.Gateway.GraphQL.Upstream;
using Platform.ServiceDefaults.Startup;

namespace Platform.Gateway.GraphQL;

/// <summary>The gateway's GraphQL endpoint for dashboards, on GraphQL.NET.</summary>
public static class GraphQLExtensions
{
    /// <summary>
    /// The dashboard schema, its protections (depth, complexity, page size, timeout, batch size, introspection by
    /// environment), the request's batch loaders and the services' gRPC clients forwarding the caller's token; from
    /// configuration section <c>GraphQL</c> (<see cref="GraphQLOptions"/>).
    /// </summary>
    public static IServiceCollection AddPlatformGraphQL(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(GraphQLOptions.Section).Get<GraphQLOptions>() ?? new GraphQLOptions();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IntrospectionSwitch>();
        services.AddSingleton<PersistedQueries>();
        services.AddSingleton<GraphQLHttpEndpoint>();
        services.AddSingleton<ExplorerPage>();
        services.AddScoped<DashboardLoaders>();
        services.AddScoped<UseCountLoaders>();
        services.AddScoped<RegionAuditLoaders>();
        services.AddScoped<BlanketUseLoaders>();
        services.AddScoped<RegionAppraisalLoaders>();
        services.AddScoped<ConsentRequiredCountLoaders>();
        services.AddAuthorizationBuilder().AddPolicy(DashboardCallerRequirement.Policy,
            policy => policy.RequireAuthenticatedUser().AddRequirements(new DashboardCallerRequirement()));
        services.AddDashboardServiceClients(options);
        services.AddGraphQL(graphql => graphql
            .AddSchema<DashboardSchema>()
            .AddGraphTypes(typeof(DashboardSchema).Assembly)
            .AddSystemTextJson()
            .AddValidationRule(new PageSizeRule(options))
            .AddErrorInfoProvider(errors => errors.ExposeExceptionDetails = false)
            .AddUnhandledExceptionHandler(UpstreamErrors.Describe));
        // The schema built, the clients created and the endpoint's path run once before readiness says ready.
        services.AddStartupWarmupRunner(configuration);
        services.AddStartupWarmup("graphql", GraphQLWarmup.RunAsync);
        return services;
    }

    /// <summary>POST and GET on <c>GraphQL:Path</c> (default /graphql) for callers with a trust's token or a region analyst's, and the explorer under it.</summary>
    public static IEndpointRouteBuilder MapPlatformGraphQL(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<GraphQLOptions>();
        var endpoint = endpoints.ServiceProvider.GetRequiredService<GraphQLHttpEndpoint>();
        // A trust's token, or a region analyst's (no trust), in place of the fallback's one trust.
        endpoints.Map(options.Path, endpoint.HandleAsync).RequireAuthorization(DashboardCallerRequirement.Policy);
        if (endpoints.ServiceProvider.GetRequiredService<IntrospectionSwitch>().Explorer)
        {
            var explorer = endpoints.ServiceProvider.GetRequiredService<ExplorerPage>();
            // The page and its scripts carry no data; the queries it sends carry the developer's token.
            endpoints.MapGet(options.Path + "/explorer", explorer.ServePageAsync).AllowAnonymous();
            endpoints.MapGet(options.Path + "/explorer/{file}", explorer.ServeAssetAsync).AllowAnonymous();
        }

        return endpoints;
    }
}

/// <summary>A service's refusal or silence as a GraphQL error with a code, in words the caller can act on; never a stack.</summary>
internal static class UpstreamErrors
{
    public static void Describe(global::GraphQL.Execution.UnhandledExceptionContext context)
    {
        if (context.OriginalException is not RpcException rpc) return;
        var (code, message) = rpc.StatusCode switch
        {
            StatusCode.PermissionDenied => ("FORBIDDEN", rpc.Status.Detail),
            StatusCode.Unauthenticated => ("UNAUTHENTICATED", "The service did not accept the token."),
            StatusCode.NotFound => ("NOT_FOUND", rpc.Status.Detail),
            StatusCode.InvalidArgument => ("BAD_USER_INPUT", rpc.Status.Detail),
            StatusCode.FailedPrecondition => ("FAILED_PRECONDITION", rpc.Status.Detail),
            StatusCode.DeadlineExceeded or StatusCode.Cancelled => ("TIMEOUT", "A service did not answer in time."),
            _ => ("UPSTREAM_UNAVAILABLE", "A service did not answer; try again shortly."),
        };
        context.Exception = new ExecutionError(message) { Code = code };
    }
}
