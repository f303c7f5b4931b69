using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Platform.Identity.Api.Data;
using Platform.Identity.Api.Federation;
using Platform.Identity.Domain;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Platform.Identity.Api.Tokens;

/// <summary>
/// The token endpoint's own decisions, after OpenIddict has authenticated the client (secret or private_key_jwt) and
/// checked the grant type and scopes against its permissions: which trust, roles and scopes the token carries.
/// <list type="bullet">
/// <item>client_credentials: the client's own trust (exactly one; none for a region client) and registered roles;</item>
/// <item>token exchange (RFC 8693): a user token from one of the client's trust's identity providers becomes a platform
/// token for that trust, with the roles its claims map to.</item>
/// </list>
/// A suspended trust's clients get nothing. Refusals are RFC 6749 section 5.2 errors.
/// </summary>
public static class TokenEndpoint
{
    /// <summary>Every platform token is for the platform's services (services check <c>aud</c>).</summary>
    public const string Audience = "platform";

    public const string TenantClaim = "tenant";
    public const string RolesClaim = "roles";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, IdentityDbContext db, FederatedTokenValidator federation,
        IOptions<IdentityOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenIddict request is missing.");
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == request.ClientId, ct);
        if (client is null) return Refuse(Errors.InvalidClient, "The client is not registered.");
        if (client.OdsCode is not null)
        {
            var trust = await db.Trusts.AsNoTracking().SingleOrDefaultAsync(t => t.OdsCode == client.OdsCode, ct);
            if (trust is not { Status: TrustStatus.Active })
                return Refuse(Errors.UnauthorizedClient, $"Trust {client.OdsCode} is suspended: its clients get no tokens until the region operator reinstates it.");
        }

        var requested = request.GetScopes();
        var scopes = requested.IsEmpty ? client.ScopeList : client.ScopeList.Intersect(requested, StringComparer.Ordinal).ToList();

        if (request.IsClientCredentialsGrantType())
        {
            return Issue(client.ClientId, client.OdsCode, client.RoleList, scopes, lifetime: null);
        }

        if (request.IsTokenExchangeGrantType())
        {
            if (client.OdsCode is null) return Refuse(Errors.UnauthorizedClient, "A region client cannot exchange users' tokens.");
            var user = await federation.ValidateAsync(request.SubjectToken ?? "", client.OdsCode, ct);
            if (user.IsRefused) return Refuse(Errors.InvalidGrant, user.Refusal!.Message);
            // The platform token never outlives the token it was exchanged for.
            var remaining = user.Value.ExpiresAt - clock.GetUtcNow();
            var lifetime = remaining < options.Value.AccessTokenLifetime ? remaining : options.Value.AccessTokenLifetime;
            if (lifetime <= TimeSpan.Zero) return Refuse(Errors.InvalidGrant, "The subject token has expired.");
            return Issue($"{user.Value.Provider.Id:N}/{user.Value.Subject}", client.OdsCode, user.Value.Roles, scopes, lifetime);
        }

        // OpenIddict allows no other grant type through (unsupported_grant_type); this is a safety net.
        return Refuse(Errors.UnsupportedGrantType, "Only client_credentials and token exchange are supported.");
    }

    private static IResult Issue(string subject, string? tenant, IEnumerable<string> roles, IEnumerable<string> scopes, TimeSpan? lifetime)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Subject, RolesClaim);
        identity.SetClaim(Claims.Subject, subject);
        // Exactly one trust, or none for a region client: never two.
        if (tenant is not null) identity.SetClaim(TenantClaim, tenant);
        foreach (var role in roles) identity.AddClaim(new Claim(RolesClaim, role));
        identity.SetScopes(scopes);
        identity.SetResources(Audience);
        if (lifetime is { } l) identity.SetAccessTokenLifetime(l);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
