using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Testing;

/// <summary>
/// Mints signed JWTs for tests, the same shape the gateway's token service issues: issuer, audience, the tenant
/// (trust ODS code) in <c>tenant</c>, roles in <c>roles</c>, scopes in <c>scope</c>. One RSA key per process.
/// </summary>
public sealed class TestTokens
{
    public const string Issuer = "https://tokens.test.platform.local";
    public const string Audience = "platform";

    private static readonly Lazy<TestTokens> s_shared = new(() => new TestTokens());
    private readonly RsaSecurityKey _key;
    private readonly SigningCredentials _credentials;

    public TestTokens()
    {
        var rsa = RSA.Create(2048);
        _key = new RsaSecurityKey(rsa) { KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant() };
        _credentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
    }

    /// <summary>The per-process instance.</summary>
    public static TestTokens Shared => s_shared.Value;

    /// <summary>The public key as a JWKS document, for <c>Auth:Jwks</c>.</summary>
    public string JwksJson
    {
        get
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
            var doc = new { keys = new[] { new { kty = jwk.Kty, use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } };
            return JsonSerializer.Serialize(doc);
        }
    }

    /// <summary>Mints a token for a user of <paramref name="tenant"/>.</summary>
    public string Mint(string tenant, string[]? roles = null, string[]? scopes = null, TimeSpan? lifetime = null,
        string subject = "test-user", string issuer = Issuer, string audience = Audience, DateTime? notBefore = null)
    {
        var claims = new List<Claim> { new("sub", subject), new("tenant", tenant) };
        foreach (var r in roles ?? ["clinician"]) claims.Add(new Claim("roles", r));
        var now = notBefore ?? DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddSeconds(-5),
            IssuedAt = now.AddSeconds(-5),
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(15)),
            SigningCredentials = _credentials,
        };
        if (scopes is { Length: > 0 }) descriptor.Claims = new Dictionary<string, object> { ["scope"] = string.Join(' ', scopes) };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A token naming every trust in <paramref name="tenants"/> as a <c>tenant</c> claim (two, or none): tokens services must refuse.</summary>
    public string MintForTrusts(IReadOnlyList<string> tenants, string[]? roles = null)
    {
        var claims = new List<Claim> { new("sub", "test-user") };
        claims.AddRange(tenants.Select(t => new Claim("tenant", t)));
        foreach (var r in roles ?? ["clinician"]) claims.Add(new Claim("roles", r));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddSeconds(-5),
            IssuedAt = now.AddSeconds(-5),
            Expires = now.AddMinutes(15),
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Configuration keys that make a service trust tokens from this instance.</summary>
    public IDictionary<string, string?> AuthConfiguration() => new Dictionary<string, string?>
    {
        ["Auth:Issuer"] = Issuer,
        ["Auth:Audience"] = Audience,
        ["Auth:Jwks"] = JwksJson,
    };
}
