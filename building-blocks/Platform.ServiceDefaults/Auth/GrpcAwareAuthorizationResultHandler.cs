using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// A gRPC call refused by an authorization policy ends as a gRPC call: PERMISSION_DENIED with the reason the policy
/// gave (<see cref="AuthorizationRefusal"/>) as its message. ASP.NET Core's default answers HTTP 403 with no body,
/// which a gRPC client reports only as "Bad gRPC response. HTTP status code: 403". Everything else (REST, and any
/// call without a valid token, which stays 401 and so UNAUTHENTICATED) gets the default.
/// </summary>
public sealed class GrpcAwareAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private const int PermissionDenied = 7;
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || context.User.Identity?.IsAuthenticated != true
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
            return _default.HandleAsync(next, context, policy, authorizeResult);

        // A trailers-only response (gRPC over HTTP/2): status 200, the gRPC status in the headers, no body.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = PermissionDenied.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = PercentEncode(AuthorizationRefusal.Describe(context, forbidden: true));
        return Task.CompletedTask;
    }

    // grpc-message is percent-encoded UTF-8 outside printable ASCII (and '%' itself), per the gRPC HTTP/2 protocol.
    private static string PercentEncode(string message)
    {
        var builder = new System.Text.StringBuilder(message.Length);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
