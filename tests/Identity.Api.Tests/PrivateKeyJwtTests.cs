using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Identity.Api.Application;
using Platform.Identity.Domain;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// A client that holds its own key authenticates with a signed assertion instead of a secret (private_key_jwt, RFC 7523;
/// the assertion typed <c>client-authentication+jwt</c> as OpenIddict 7 asks, audience the issuer).
/// </summary>
public sealed class PrivateKeyJwtTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static string PublicJwks(RsaSecurityKey key)
    {
        var p = key.Rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
    }

    private async Task<(string ClientId, RsaSecurityKey Key)> RegisterAsync(string ods)
    {
        var key = LocalIdentityProvider.NewKey();
        await fixture.OnboardAsync(ods);
        var registered = await fixture.AsRegion(d => d.RegisterClientAsync(ods, new NewClient(null, ClientKind.Device, "Ward tablet", [Roles.Device], ["consent"], PublicJwks(key), false), default));
        Assert.False(registered.IsRefused, registered.Refusal?.Message);
        Assert.Null(registered.Value.Secret);
        return (registered.Value.Client.ClientId, key);
    }

    private string Assertion(string clientId, SecurityKey key, string? audience = null, DateTime? expires = null, string type = "client-authentication+jwt")
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = type,
            Issuer = clientId,
            Audience = audience ?? fixture.Issuer,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("jti", Guid.NewGuid().ToString())]),
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = expires ?? now.AddMinutes(2),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private Task<TokenResponse> RequestAsync(string clientId, string assertion) => fixture.RequestTokenAsync([
        new("grant_type", "client_credentials"),
        new("client_id", clientId),
        new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        new("client_assertion", assertion),
    ]);

    [Fact]
    public async Task A_client_signing_with_its_registered_key_gets_a_token_for_its_trust()
    {
        var (id, key) = await RegisterAsync("PKA1");
        var response = await RequestAsync(id, Assertion(id, key));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var jwt = new JsonWebToken(response.AccessToken);
        Assert.Equal(("PKA1", Roles.Device), (jwt.GetClaim("tenant").Value, jwt.GetClaim("roles").Value));
    }

    [Fact]
    public async Task An_assertion_signed_with_another_key_for_another_audience_or_expired_is_invalid_client()
    {
        var (id, key) = await RegisterAsync("PKB1");
        var cases = new[]
        {
            ("another key", Assertion(id, LocalIdentityProvider.NewKey())),
            ("another audience", Assertion(id, key, audience: "https://elsewhere.example/")),
            ("expired", Assertion(id, key, expires: DateTime.UtcNow.AddMinutes(-5))),
        };
        foreach (var (name, assertion) in cases)
        {
            var response = await RequestAsync(id, assertion);
            Assert.True(response.Error == "invalid_client" && response.AccessToken is null, $"{name}: {response.Body}");
        }
    }

    [Fact]
    public async Task A_key_set_holding_a_private_key_is_refused_at_registration()
    {
        await fixture.OnboardAsync("PKC1");
        var key = LocalIdentityProvider.NewKey();
        var p = key.Rsa.ExportParameters(true);
        var withPrivate = JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = "k", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent), d = Base64UrlEncoder.Encode(p.D) } } });
        var refused = await fixture.AsRegion(d => d.RegisterClientAsync("PKC1", new NewClient(null, ClientKind.Device, null, [Roles.Device], [], withPrivate, false), default));
        Assert.Equal("jwks-json.private-key", refused.Refusal?.Rule);
    }
}
