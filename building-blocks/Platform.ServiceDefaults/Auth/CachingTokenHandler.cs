using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Validates a bearer token once and remembers the result until the token expires (at most <see cref="MaxAge"/>), so
/// a device that reuses its token for thousands of CheckUse calls does not pay an RS256 verification on each. Only
/// successes are remembered; the key is the SHA-256 of the token. A hit through <see cref="ValidateTokenAsync"/> hands out a
/// copy of the identity, and one through <see cref="TryRecall"/> the shared <see cref="RememberedIdentity"/>, which cannot be
/// changed, so no request can change another's. A hit also needs the same validation rules
/// as the validation that was remembered (<see cref="SameRules"/>), compared by content: JwtBearer passes a new clone of
/// its parameters on every request.
/// </summary>
/// <remarks>
/// What caching gives up: a signing key removed from the JWKS still admits an already-validated token for up to
/// <see cref="MaxAge"/>. Expiry itself is never extended: an entry ends at the token's <c>exp</c>, without clock skew.
/// </remarks>
public sealed class CachingTokenHandler(TimeProvider clock) : JsonWebTokenHandler
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private const int Capacity = 20_000;

    private sealed record Entry(TokenValidationParameters Parameters, TokenValidationResult Result, RememberedIdentity Identity, DateTimeOffset Until);

    /// <summary>The SHA-256 of a token, as two halves: a dictionary key that costs no allocation to compute.</summary>
    private readonly record struct TokenKey(Guid Low, Guid High);

    private readonly ConcurrentDictionary<TokenKey, Entry> _validated = new();

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        var key = Key(token);
        if (Remembered(key, validationParameters, now) is { } hit) return Copy(hit.Result);

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.ValidTo > DateTime.MinValue)
        {
            var until = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
            if (until > now + MaxAge) until = now + MaxAge;
            if (_validated.Count >= Capacity) Evict(now);
            _validated[key] = new Entry(validationParameters, result, new RememberedIdentity(result.ClaimsIdentity), until);
            return Copy(result);
        }
        return result;
    }

    /// <summary>
    /// The identity remembered for <paramref name="token"/> under the same rules, or null: what
    /// <see cref="ValidateTokenAsync"/> would return on a hit, without the work around it (<see cref="PlatformBearerHandler"/>).
    /// Not a copy: the one <see cref="RememberedIdentity"/> every request with this token shares, which nothing can change.
    /// </summary>
    internal RememberedIdentity? TryRecall(ReadOnlySpan<char> token, TokenValidationParameters validationParameters) =>
        Remembered(Key(token), validationParameters, clock.GetUtcNow())?.Identity;

    private Entry? Remembered(TokenKey key, TokenValidationParameters validationParameters, DateTimeOffset now)
    {
        if (!_validated.TryGetValue(key, out var hit)) return null;
        if (now < hit.Until && SameRules(hit.Parameters, validationParameters)) return hit;
        _validated.TryRemove(key, out _);
        return null;
    }

    /// <summary>
    /// Whether two sets of validation parameters apply the same rules. JwtBearer hands the handler a fresh clone of its
    /// parameters on every request, so identity of the object says nothing; what matters is what a clone copies: the
    /// values (compared by value), the keys and resolver delegates (the same objects in every clone of one setup).
    /// </summary>
    internal static bool SameRules(TokenValidationParameters a, TokenValidationParameters b) =>
        ReferenceEquals(a, b) || (
        a.ValidateIssuer == b.ValidateIssuer && a.ValidateAudience == b.ValidateAudience && a.ValidateLifetime == b.ValidateLifetime
        && a.ValidateIssuerSigningKey == b.ValidateIssuerSigningKey && a.RequireExpirationTime == b.RequireExpirationTime
        && a.RequireSignedTokens == b.RequireSignedTokens && a.RequireAudience == b.RequireAudience && a.ValidateTokenReplay == b.ValidateTokenReplay
        && a.ClockSkew == b.ClockSkew
        && a.ValidIssuer == b.ValidIssuer && a.ValidAudience == b.ValidAudience
        && a.AuthenticationType == b.AuthenticationType && a.NameClaimType == b.NameClaimType && a.RoleClaimType == b.RoleClaimType
        && Same(a.ValidIssuers, b.ValidIssuers) && Same(a.ValidAudiences, b.ValidAudiences)
        && Same(a.ValidAlgorithms, b.ValidAlgorithms) && Same(a.ValidTypes, b.ValidTypes)
        && ReferenceEquals(a.IssuerSigningKey, b.IssuerSigningKey) && SameObjects(a.IssuerSigningKeys, b.IssuerSigningKeys)
        && ReferenceEquals(a.TokenDecryptionKey, b.TokenDecryptionKey) && SameObjects(a.TokenDecryptionKeys, b.TokenDecryptionKeys)
        && ReferenceEquals(a.ConfigurationManager, b.ConfigurationManager)
        && Equals(a.IssuerSigningKeyResolver, b.IssuerSigningKeyResolver) && Equals(a.IssuerValidator, b.IssuerValidator)
        && Equals(a.AudienceValidator, b.AudienceValidator) && Equals(a.LifetimeValidator, b.LifetimeValidator)
        && Equals(a.SignatureValidator, b.SignatureValidator) && Equals(a.IssuerSigningKeyValidator, b.IssuerSigningKeyValidator)
        && Equals(a.AlgorithmValidator, b.AlgorithmValidator) && Equals(a.TypeValidator, b.TypeValidator)
        && Equals(a.TokenReader, b.TokenReader) && Equals(a.TokenReplayValidator, b.TokenReplayValidator));

    private static bool Same(IEnumerable<string>? a, IEnumerable<string>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b, StringComparer.Ordinal));

    private static bool SameObjects<T>(IEnumerable<T>? a, IEnumerable<T>? b) where T : class =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b, ReferenceEqualityComparer.Instance));

    private void Evict(DateTimeOffset now)
    {
        foreach (var (key, entry) in _validated)
            if (entry.Until <= now) _validated.TryRemove(key, out _);
        if (_validated.Count >= Capacity) _validated.Clear();
    }

    private static TokenKey Key(ReadOnlySpan<char> token)
    {
        var most = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var utf8 = most <= 4096 ? stackalloc byte[most] : (rented = ArrayPool<byte>.Shared.Rent(most));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(token, utf8)], hash);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return new TokenKey(new Guid(hash[..16]), new Guid(hash[16..]));
    }

    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        SecurityToken = result.SecurityToken,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };
}
