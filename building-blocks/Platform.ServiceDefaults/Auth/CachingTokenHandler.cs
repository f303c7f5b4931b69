using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Validates a bearer token once and remembers the result until the token expires (at most <see cref="MaxAge"/>), so
/// a device that reuses its token for thousands of CheckUse calls does not pay an RS256 verification on each. Only
/// successes are remembered; the key is the SHA-256 of the token and the validation parameters in force, and every
/// hit hands out a copy of the identity, so no request can change another's.
/// </summary>
/// <remarks>
/// What caching gives up: a signing key removed from the JWKS still admits an already-validated token for up to
/// <see cref="MaxAge"/>. Expiry itself is never extended: an entry ends at the token's <c>exp</c>, without clock skew.
/// </remarks>
public sealed class CachingTokenHandler(TimeProvider clock) : JsonWebTokenHandler
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private const int Capacity = 20_000;

    private sealed record Entry(TokenValidationParameters Parameters, TokenValidationResult Result, DateTimeOffset Until);

    private readonly ConcurrentDictionary<string, Entry> _validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        var key = Key(token);
        if (_validated.TryGetValue(key, out var hit))
        {
            if (ReferenceEquals(hit.Parameters, validationParameters) && now < hit.Until) return Copy(hit.Result);
            _validated.TryRemove(key, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.ValidTo > DateTime.MinValue)
        {
            var until = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
            if (until > now + MaxAge) until = now + MaxAge;
            if (_validated.Count >= Capacity) Evict(now);
            _validated[key] = new Entry(validationParameters, result, until);
            return Copy(result);
        }
        return result;
    }

    private void Evict(DateTimeOffset now)
    {
        foreach (var (key, entry) in _validated)
            if (entry.Until <= now) _validated.TryRemove(key, out _);
        if (_validated.Count >= Capacity) _validated.Clear();
    }

    private static string Key(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        SecurityToken = result.SecurityToken,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };
}
