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
        var handler = new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var parameters = Parameters();
        var token = TestTokens.Shared.Mint("RX3", lifetime: TimeSpan.FromSeconds(1));
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var late = await handler.ValidateTokenAsync(token, parameters);
        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(late.Exception);
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
