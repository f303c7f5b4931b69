using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Messaging.Subscriptions;

/// <summary>
/// Lets a request through only when its <c>dapr-api-token</c> header equals the configured app API token
/// (constant-time compare). With no token configured nothing gets through: event routes are never public.
/// </summary>
internal sealed class AppApiTokenFilter : IEndpointFilter
{
    public const string HeaderName = "dapr-api-token";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (!Matches(options.AppApiToken, presented)) return Results.Unauthorized();
        return await next(context);
    }

    internal static bool Matches(string? expected, string? presented)
    {
        if (string.IsNullOrEmpty(expected) || string.IsNullOrEmpty(presented)) return false;
        // Hash both sides first so the comparison takes the same time whatever the lengths.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
