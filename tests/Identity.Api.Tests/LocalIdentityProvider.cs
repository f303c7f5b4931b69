using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Testing;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// A second OIDC issuer on a loopback port, playing a trust's own identity provider (CIS2, Entra ID): it publishes its
/// signing keys at /jwks and signs users' tokens, which the identity service may exchange for platform tokens.
/// </summary>
public sealed class LocalIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private RsaSecurityKey _key = NewKey();
    private readonly List<RsaSecurityKey> _published = [];

    private LocalIdentityProvider(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        _published.Add(_key);
    }

    public Uri Address { get; }

    public string Issuer => new Uri(Address, "idp").AbsoluteUri;

    public string JwksUri => new Uri(Address, "jwks").AbsoluteUri;

    /// <summary>How many times the keys were fetched.</summary>
    public int JwksRequests { get; private set; }

    public static async Task<LocalIdentityProvider> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var idp = new LocalIdentityProvider(app, new Uri($"http://127.0.0.1:{port}/"));
        app.MapGet("/jwks", () =>
        {
            idp.JwksRequests++;
            return Results.Text(idp.JwksJson(), "application/json");
        });
        await app.StartAsync();
        return idp;
    }

    /// <summary>A new signing key, published beside the old one, as a provider rotates.</summary>
    public void Rotate()
    {
        _key = NewKey();
        _published.Add(_key);
    }

    /// <summary>A user's token as the provider issues it: <c>sub</c>, the audience, and any claims (several values: several claims).</summary>
    public string Issue(string subject, string audience, IEnumerable<(string Type, string Value)> claims, DateTime? notBefore = null, DateTime? expires = null,
        string? issuer = null, SecurityKey? signWith = null)
    {
        var identity = new ClaimsIdentity([new Claim("sub", subject), .. claims.Select(c => new Claim(c.Type, c.Value))]);
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Subject = identity,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now.AddSeconds(-5),
            Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(signWith ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }

    public static RsaSecurityKey NewKey() =>
        new(RSA.Create(2048)) { KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) };

    private string JwksJson() => JsonSerializer.Serialize(new
    {
        keys = _published.Select(k =>
        {
            var p = k.Rsa.ExportParameters(false);
            return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
        }),
    });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
