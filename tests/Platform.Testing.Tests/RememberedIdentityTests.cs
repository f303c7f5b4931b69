using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using Platform.ServiceDefaults.Auth;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>
/// The identity every request with one remembered token shares: it answers as the identity JwtBearer builds does, and
/// nothing a request does to it reaches another request.
/// </summary>
public sealed class RememberedIdentityTests
{
    private static async Task<ClaimsIdentity> ValidatedAsync(string token)
    {
        var handler = new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestTokens.Issuer,
            ValidAudience = TestTokens.Audience,
            IssuerSigningKey = new JsonWebKeySet(TestTokens.Shared.JwksJson).Keys[0],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            NameClaimType = "sub",
            RoleClaimType = "roles",
        });
        Assert.True(result.IsValid);
        return result.ClaimsIdentity;
    }

    [Fact]
    public async Task It_answers_as_the_validated_identity_does_with_types_and_values_compared_case_sensitively()
    {
        var validated = await ValidatedAsync(TestTokens.Shared.Mint("RX3", roles: ["clinician", "device"], subject: "alice"));
        var remembered = new RememberedIdentity(validated);
        var principal = new ClaimsPrincipal(remembered);

        Assert.Equal(validated.Claims.Select(c => (c.Type, c.Value)), remembered.Claims.Select(c => (c.Type, c.Value)));
        Assert.True(remembered.IsAuthenticated);
        Assert.Equal(validated.AuthenticationType, remembered.AuthenticationType);
        Assert.Equal("alice", remembered.Name);
        Assert.Equal("RX3", principal.FindFirst("tenant")?.Value);
        Assert.Null(principal.FindFirst("Tenant"));
        Assert.Null(validated.FindFirst("Tenant")); // the identity JwtBearer builds is case-sensitive too
        Assert.Equal(["clinician", "device"], principal.FindAll("roles").Select(c => c.Value));
        Assert.Empty(remembered.FindAll("Roles"));
        Assert.True(principal.HasClaim("roles", "device"));
        Assert.False(principal.HasClaim("roles", "Device"));
        Assert.False(principal.HasClaim("tenant", "RX4"));
        Assert.True(principal.IsInRole("clinician"));
        Assert.False(principal.IsInRole("trust-admin"));
        Assert.Equal("RX3", remembered.FindFirst(c => c.Type == "tenant")?.Value);
    }

    [Fact]
    public async Task It_cannot_be_changed_and_its_clone_can()
    {
        var remembered = new RememberedIdentity(await ValidatedAsync(TestTokens.Shared.Mint("RX3", roles: ["device"])));
        var before = remembered.Claims.Select(c => (c.Type, c.Value)).ToList();
        var admin = new Claim("roles", "trust-admin");
        var tenant = remembered.FindFirst("tenant")!;

        var refused = Assert.Throws<InvalidOperationException>(() => remembered.AddClaim(admin));
        Assert.Contains("shared by every request", refused.Message);
        Assert.Throws<InvalidOperationException>(() => remembered.AddClaims([admin]));
        Assert.Throws<InvalidOperationException>(() => remembered.RemoveClaim(tenant));
        Assert.False(remembered.TryRemoveClaim(tenant));
        Assert.Throws<NotSupportedException>(() => ((ICollection<Claim>)remembered.Claims).Add(admin));
        Assert.Equal(before, remembered.Claims.Select(c => (c.Type, c.Value)));
        Assert.False(remembered.HasClaim("roles", "trust-admin"));

        var copy = remembered.Clone();
        Assert.IsNotType<RememberedIdentity>(copy);
        copy.AddClaim(admin);
        Assert.True(copy.TryRemoveClaim(copy.FindFirst("tenant")));
        Assert.True(copy.HasClaim("roles", "trust-admin"));
        Assert.Null(copy.FindFirst("tenant"));
        Assert.Equal(before, remembered.Claims.Select(c => (c.Type, c.Value)));
    }
}
