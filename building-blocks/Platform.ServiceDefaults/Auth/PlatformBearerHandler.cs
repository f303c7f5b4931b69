using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// JwtBearer with a short way for a token <see cref="CachingTokenHandler"/> has already validated under the same rules:
/// the ticket is built on the remembered identity itself (one <see cref="RememberedIdentity"/> per token, shared by its requests
/// and unchangeable), without JwtBearer's per-request set-up (a clone of its
/// validation parameters, the handler loop, the validated-token context). Anything else (no or another scheme, a token
/// not remembered, expired, or remembered under other rules) goes the whole JwtBearer way, so refusals, challenges and
/// events are JwtBearer's own. The platform's bearer setup uses no OnMessageReceived or OnTokenValidated event; a
/// setup that needs them must not use this handler.
/// </summary>
public sealed class PlatformBearerHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : JwtBearerHandler(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Options.TokenHandlers is [CachingTokenHandler cache] && BearerToken(out var token)
            && cache.TryRecall(token, Options.TokenValidationParameters) is { } identity)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
        return base.HandleAuthenticateAsync();
    }

    // As JwtBearer reads it: "Bearer" (any case), one space, the rest trimmed. A slice of the header, not a copy: the
    // token (about 800 characters) was the largest string a remembered caller's request allocated.
    private bool BearerToken(out ReadOnlySpan<char> token)
    {
        token = default;
        var header = Request.Headers.Authorization;
        if (header.Count != 1) return false;
        var value = header[0];
        if (value is null || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        token = value.AsSpan("Bearer ".Length).Trim();
        return token.Length > 0;
    }
}
