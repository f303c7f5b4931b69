using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// Mints short-lived development tokens until the gateway's token service exists. The RSA key is made on first run
/// and kept in the data folder (never in the repository), so tokens minted by `token` work against a running platform.
/// </summary>
public sealed class DevTokenIssuer
{
    public const string Issuer = "https://dev-tokens.platform.local";
    public const string Audience = "platform";
    private readonly RsaSecurityKey _key;

    private DevTokenIssuer(RSA rsa, string kid) => _key = new RsaSecurityKey(rsa) { KeyId = kid };

    public static DevTokenIssuer LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "dev-signing-key.pem");
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            rsa.KeySize = 2048;
            File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var kid = Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new DevTokenIssuer(rsa, kid);
    }

    public string JwksJson
    {
        get
        {
            var p = _key.Rsa.ExportParameters(false);
            var doc = new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } };
            return JsonSerializer.Serialize(doc);
        }
    }

    public string Mint(string tenant, IEnumerable<string> roles, TimeSpan lifetime, string subject)
    {
        var claims = new List<Claim> { new("sub", subject), new("tenant", tenant) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now,
            IssuedAt = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }
}
