using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Why a request with a valid token was refused (which trust, and what is wrong with it), kept on the request so that
/// the refusal can say it: the 403 problem details' <c>detail</c>, or a gRPC call's status message. The reason of a
/// bad token is never told (it is logged), only that there was no valid one.
/// </summary>
public static class AuthorizationRefusal
{
    private const string Key = "Platform.AuthorizationRefusal";

    /// <summary>Fails <paramref name="context"/> with <paramref name="reason"/> and keeps the reason on the request.</summary>
    public static void Fail(AuthorizationHandlerContext context, IAuthorizationHandler handler, string reason)
    {
        context.Fail(new AuthorizationFailureReason(handler, reason));
        if (context.Resource is HttpContext http) http.Items[Key] = reason;
    }

    /// <summary>The reason a requirement gave for refusing this request, if one did.</summary>
    public static string? Of(HttpContext http) => http.Items.TryGetValue(Key, out var reason) ? reason as string : null;

    /// <summary>The sentence a refused request gets: its recorded reason, or what its status means.</summary>
    public static string Describe(HttpContext http, bool forbidden) =>
        Of(http) ?? (forbidden ? "The token does not allow this request." : "The request has no valid bearer token from the platform's token service.");
}
