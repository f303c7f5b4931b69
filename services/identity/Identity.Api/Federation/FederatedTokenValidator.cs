using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using Platform.Domain;
using Platform.Identity.Api.Data;
using Platform.Identity.Domain;

namespace Platform.Identity.Api.Federation;

/// <summary>A user's token from a trust's own identity provider, validated, and what it grants on the platform.</summary>
public sealed record FederatedUser(TrustedIdentityProvider Provider, string Subject, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt);

/// <summary>
/// Validates a user token issued by a trust's own identity provider (the subject token of an RFC 8693 exchange): its
/// issuer and audience must be a provider registered for the exchanging client's own trust, its signature must verify
/// against that provider's JWKS (fetched and cached by IdentityModel's ConfigurationManager, refreshed at once when a key
/// id is unknown), it must be within its lifetime, and its claims must map to at least one platform role.
/// </summary>
public sealed class FederatedTokenValidator(IServiceScopeFactory scopes, IHttpClientFactory httpClients, IOptions<IdentityOptions> options,
    TimeProvider clock, ILogger<FederatedTokenValidator> logger)
{
    private static readonly string[] s_algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384,
    ];

    private readonly ConcurrentDictionary<string, ConfigurationManager<JsonWebKeySet>> _jwks = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>The user behind <paramref name="token"/>, for <paramref name="odsCode"/> only, or why not (an RFC 6749 invalid_grant).</summary>
    public async Task<Outcome<FederatedUser>> ValidateAsync(string token, string odsCode, CancellationToken ct)
    {
        if (!_handler.CanReadToken(token)) return Refusal.Invalid("subject-token.format", "The subject token is not a JWT.");
        var unverified = _handler.ReadJsonWebToken(token);
        var audiences = unverified.Audiences.ToList();

        List<TrustedIdentityProvider> candidates;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            candidates = await db.IdentityProviders.AsNoTracking().Where(p => p.Issuer == unverified.Issuer).ToListAsync(ct);
        }
        var provider = candidates.FirstOrDefault(p => audiences.Contains(p.Audience, StringComparer.Ordinal));
        if (provider is null)
            return Refusal.Invalid("subject-token.issuer", "The subject token's issuer and audience are not an identity provider trusted by the platform.");
        // The same issuer may serve several trusts (CIS2 does), each with its own audience; this one is another trust's.
        if (provider.OdsCode != odsCode)
        {
            logger.LogWarning("Token exchange by a client of {OdsCode} with a token from {ProviderId}, which is trusted for another trust", odsCode, provider.Id);
            return Refusal.Denied("subject-token.other-trust", "The subject token comes from an identity provider trusted for another trust, not yours.");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = provider.Issuer,
            ValidAudience = provider.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = s_algorithms,
            ClockSkew = options.Value.Federation.ClockSkew,
            LifetimeValidator = ValidLifetime,
        };
        var manager = _jwks.GetOrAdd(provider.JwksUri, Manager);
        var result = await ValidateWithKeysAsync(token, parameters, manager, ct);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The provider may have rotated its keys since they were fetched.
            manager.RequestRefresh();
            result = await ValidateWithKeysAsync(token, parameters, manager, ct);
        }
        if (!result.IsValid)
        {
            logger.LogInformation("Subject token from {ProviderId} refused: {Reason}", provider.Id, result.Exception?.GetType().Name);
            return Refusal.Invalid("subject-token.invalid", result.Exception switch
            {
                SecurityTokenExpiredException => "The subject token has expired.",
                SecurityTokenNotYetValidException => "The subject token is not valid yet.",
                SecurityTokenInvalidAudienceException => "The subject token was not issued for this platform.",
                SecurityTokenInvalidAlgorithmException or SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException
                    => "The subject token's signature does not verify against its identity provider's keys.",
                _ => "The subject token is not valid.",
            });
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (string.IsNullOrEmpty(jwt.Subject)) return Refusal.Invalid("subject-token.subject", "The subject token names no subject (sub).");
        var roles = IdentityProviderRegistration.RolesFor(jwt.Claims.Select(c => (c.Type, c.Value)),
            provider.RoleMappings.Select(m => new RoleMapping(m.ClaimType, m.ClaimValue, m.Role)));
        if (roles.Count == 0) return Refusal.Denied("subject-token.no-role", "Nothing in the subject token maps to a platform role for your trust.");
        return new FederatedUser(provider, jwt.Subject, roles, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private async Task<TokenValidationResult> ValidateWithKeysAsync(string token, TokenValidationParameters parameters, ConfigurationManager<JsonWebKeySet> manager, CancellationToken ct)
    {
        JsonWebKeySet keys;
        try
        {
            keys = await manager.GetConfigurationAsync(ct);
        }
        catch (InvalidOperationException e)
        {
            logger.LogWarning("Could not fetch an identity provider's keys: {Error}", e.Message);
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenSignatureKeyNotFoundException("The identity provider's keys could not be fetched.") };
        }
        parameters.IssuerSigningKeys = keys.GetSigningKeys();
        return await _handler.ValidateTokenAsync(token, parameters);
    }

    // The service's clock (TimeProvider), so the rule can be tested; the same checks as IdentityModel's own.
    private bool ValidLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is null) throw new SecurityTokenNoExpirationException("The token has no expiry.");
        if (notBefore is { } nbf && nbf > now + parameters.ClockSkew) throw new SecurityTokenNotYetValidException("Not yet valid.") { NotBefore = nbf };
        if (expires.Value < now - parameters.ClockSkew) throw new SecurityTokenExpiredException("Expired.") { Expires = expires.Value };
        return true;
    }

    private ConfigurationManager<JsonWebKeySet> Manager(string jwksUri)
    {
        var documents = new HttpDocumentRetriever(httpClients.CreateClient(nameof(FederatedTokenValidator))) { RequireHttps = !options.Value.Federation.AllowHttpJwks };
        return new ConfigurationManager<JsonWebKeySet>(jwksUri, new JwksRetriever(), documents)
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(1),
            RefreshInterval = TimeSpan.FromSeconds(30),
        };
    }

    private sealed class JwksRetriever : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel) =>
            new(await retriever.GetDocumentAsync(address, cancel));
    }
}
