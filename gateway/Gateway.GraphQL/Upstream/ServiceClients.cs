using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Gateway.GraphQL.Upstream;

/// <summary>The generated clients the resolvers call, each sending on the caller's own bearer token.</summary>
internal static class ServiceClients
{
    public static IServiceCollection AddDashboardServiceClients(this IServiceCollection services, GraphQLOptions options)
    {
        services.AddPlatformGrpcClient<ConsentService.ConsentServiceClient>(options.Services.Consent, options.CallDeadline).AddCallCredentials(ForwardCallerToken);
        services.AddPlatformGrpcClient<ProcurementService.ProcurementServiceClient>(options.Services.Procurement, options.CallDeadline).AddCallCredentials(ForwardCallerToken);
        services.AddPlatformGrpcClient<EvidenceService.EvidenceServiceClient>(options.Services.Evidence, options.CallDeadline).AddCallCredentials(ForwardCallerToken);
        services.AddPlatformGrpcClient<AuditService.AuditServiceClient>(options.Services.Audit, options.CallDeadline).AddCallCredentials(ForwardCallerToken);
        return services;
    }

    // The gateway holds no identity of its own towards the services: each call carries the token the caller sent, so
    // the service decides the tenant and the roles exactly as if it had been called directly. The provider is the
    // request's scope (the client was resolved there), whose CurrentRequest is the caller's request.
    private static Task ForwardCallerToken(AuthInterceptorContext context, Metadata metadata, IServiceProvider services)
    {
        var authorization = services.GetRequiredService<CurrentRequest>().HttpContext?.Request.Headers.Authorization.ToString();
        if (!string.IsNullOrEmpty(authorization)) metadata.Add("Authorization", authorization);
        return Task.CompletedTask;
    }
}
