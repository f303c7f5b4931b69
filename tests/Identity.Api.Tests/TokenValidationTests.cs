using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Identity.Api.Tokens;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// What a service does with tokens that look like the token service's but are not right, through the identity
/// service's own /me (every service validates with the same ServiceDefaults). Each bad token is made with the token
/// service's real active key and differs from a good one in one thing only; the good one is accepted.
/// </summary>
public sealed class TokenValidationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private string Token(Action<SecurityTokenDescriptor>? change = null, SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = fixture.Issuer,
            Audience = "platform",
            Subject = new ClaimsIdentity([new Claim("sub", "probe"), new Claim("tenant", "RX3"), new Claim("roles", "clinician")]),
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddMinutes(5),
            SigningCredentials = credentials ?? fixture.App.Services.GetRequiredService<SigningKeyRing>().Active.Credentials,
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    [Fact]
    public async Task A_token_signed_by_the_active_key_with_the_right_claims_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.MeAsync(Token())).Status);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var now = DateTime.UtcNow;
        var expired = Token(d => (d.IssuedAt, d.NotBefore, d.Expires) = (now.AddHours(-1), now.AddHours(-1), now.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(expired)).Status);
    }

    [Fact]
    public async Task A_token_not_valid_yet_is_refused()
    {
        var now = DateTime.UtcNow;
        var early = Token(d => (d.IssuedAt, d.NotBefore, d.Expires) = (now, now.AddMinutes(10), now.AddMinutes(20)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(early)).Status);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(Token(d => d.Audience = "some-other-api"))).Status);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused_even_when_signed_with_a_known_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(Token(d => d.Issuer = "https://elsewhere.example/"))).Status);
    }

    [Fact]
    public async Task An_unsigned_token_alg_none_is_refused()
    {
        var unsigned = Token(d => d.SigningCredentials = null);
        Assert.Equal("none", new JsonWebToken(unsigned).Alg);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(unsigned)).Status);
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_token_service_never_published_is_refused()
    {
        var stranger = new SigningCredentials(LocalIdentityProvider.NewKey(), SecurityAlgorithms.RsaSha256);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.MeAsync(Token(credentials: stranger))).Status);
    }
}
