using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Platform.Grpc.Server;

/// <summary>
/// Answers a refused gRPC call in gRPC terms: a trailers-only response with UNAUTHENTICATED (no or bad credentials) or
/// PERMISSION_DENIED (authenticated, not allowed), HTTP 200. Other endpoints get ASP.NET Core's default handling.
/// </summary>
internal sealed class GrpcAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is null)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var (code, detail) = authorizeResult.Forbidden
            ? (StatusCode.PermissionDenied, "The caller is not allowed to call this method.")
            : (StatusCode.Unauthenticated, "The call has no valid credentials.");
        context.Response.StatusCode = StatusCodes.Status200OK;
        RequestValidation.WriteError(context.Response, code, detail);
        return Task.CompletedTask;
    }
}
