using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Platform.ServiceDefaults.Auth;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>The bearer-token cache never admits what a fresh validation would refuse.</summary>
public sealed class CachingTokenHandlerTests
{
    private static TokenValidationParameters Parameters(string audience = TestTokens.Audience) => new()
    {
        ValidIssuer = TestTokens.Issuer,
        ValidAudience = audience,
        IssuerSigningKey = new JsonWebKeySet(TestTokens.Shared.JwksJson).Keys[0],
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        RoleClaimType = "roles",
    };

    [Fact]
    public async Task A_valid_token_is_validated_once_and_each_caller_gets_its_own_identity()
    {
        var handler = new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var parameters = Parameters();
        var token = TestTokens.Shared.Mint("RX3", ["device"]);
        var first = await handler.ValidateTokenAsync(token, parameters);
        var second = await handler.ValidateTokenAsync(token, parameters);
        Assert.True(first.IsValid && second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("RX3", second.ClaimsIdentity.FindFirst("tenant")?.Value);
        Assert.True(second.ClaimsIdentity.HasClaim("roles", "device"));
        first.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("roles", "trust-admin"));
        Assert.False((await handler.ValidateTokenAsync(token, parameters)).ClaimsIdentity.HasClaim("roles", "trust-admin"));
    }

    [Fact]
    public async Task A_token_is_remembered_across_the_clone_of_the_parameters_jwt_bearer_makes_for_each_request()
    {
        // JwtBearer clones its TokenValidationParameters on every request; a cache keyed on the object never hit.
        var keys = new List<SecurityKey> { new JsonWebKeySet(TestTokens.Shared.JwksJson).Keys[0] };
        var configured = Parameters();
        configured.IssuerSigningKey = null;
        configured.IssuerSigningKeyResolver = (_, _, _, _) => keys;
        var handler = new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var token = TestTokens.Shared.Mint("RX3", ["device"]);
        Assert.True((await handler.ValidateTokenAsync(token, configured.Clone())).IsValid);

        keys.Clear(); // from here a fresh validation finds no key and fails: only the remembered result can pass
        var again = await handler.ValidateTokenAsync(token, configured.Clone());
        Assert.True(again.IsValid);
        Assert.Equal("RX3", again.ClaimsIdentity.FindFirst("tenant")?.Value);
        Assert.False((await handler.ValidateTokenAsync(TestTokens.Shared.Mint("RX3", ["clinician"]), configured.Clone())).IsValid); // a token not seen before

        var otherAudience = configured.Clone();
        otherAudience.ValidAudience = "another-audience";
        Assert.False((await handler.ValidateTokenAsync(token, otherAudience)).IsValid);
        var otherResolver = configured.Clone();
        otherResolver.IssuerSigningKeyResolver = (_, _, _, _) => [];
        Assert.False((await handler.ValidateTokenAsync(token, otherResolver)).IsValid);
    }

    [Fact]
    public async Task A_cached_token_stops_working_when_it_expires()
    {
        // One fake clock for the cache and for the token's lifetime check, moved by hand, so the token cannot lapse
        // early on a loaded machine. IdentityModel's own lifetime check reads the wall clock (its
        // TokenValidationParameters.TimeProvider is not in the build referenced here), hence the validator delegate:
        // the stock rule (not before nbf, not at or after exp, no skew as ClockSkew is zero) on the fake clock.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var handler = new CachingTokenHandler(clock) { MapInboundClaims = false };
        var parameters = Parameters();
        parameters.LifetimeValidator = (notBefore, expires, _, _) =>
            clock.GetUtcNow().UtcDateTime is var now && (notBefore is not { } nbf || nbf <= now) && expires is { } exp && now < exp;
        var token = TestTokens.Shared.Mint("RX3", lifetime: TimeSpan.FromMinutes(1), notBefore: clock.GetUtcNow().UtcDateTime);
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        // At exp, inside the cache's five minutes: only the entry ending at the token's exp sends it back to validation.
        clock.Advance(TimeSpan.FromSeconds(1));
        var late = await handler.ValidateTokenAsync(token, parameters);
        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenInvalidLifetimeException>(late.Exception);
    }

    [Fact]
    public async Task A_token_cached_for_one_audience_is_refused_for_another_and_a_tampered_token_is_refused()
    {
        var handler = new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var token = TestTokens.Shared.Mint("RX3");
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
        Assert.False((await handler.ValidateTokenAsync(token, Parameters("another-audience"))).IsValid);

        var parts = token.Split('.');
        var forged = parts[0] + "." + Base64UrlEncoder.Encode("""{"sub":"x","tenant":"RTQ","aud":"platform","iss":"https://tokens.test.platform.local","exp":4102444800}""") + "." + parts[2];
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters())).IsValid);
    }
}
