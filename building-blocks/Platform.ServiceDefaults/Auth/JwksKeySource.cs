using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// The issuer's signing keys, from an inline JWKS or fetched from a JWKS URI and cached. An unknown key id triggers
/// at most one refetch per minute, so key rotation at the issuer is picked up without a restart.
/// </summary>
public sealed class JwksKeySource(PlatformAuthOptions options, IHttpClientFactory httpClientFactory, ILogger<JwksKeySource> logger)
{
    private static readonly TimeSpan s_refreshInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_minimumRefetch = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private IReadOnlyList<SecurityKey> _keys = options.Jwks is { Length: > 0 } inline ? Parse(inline) : [];
    private DateTime _fetchedAt = options.Jwks is { Length: > 0 } ? DateTime.MaxValue : DateTime.MinValue;

    public IEnumerable<SecurityKey> Resolve(string? kid)
    {
        var keys = _keys;
        var known = kid is null || keys.Any(k => k.KeyId == kid);
        var age = DateTime.UtcNow - _fetchedAt;
        if (options.JwksUri is { Length: > 0 } && ((!known && age > s_minimumRefetch) || age > s_refreshInterval))
        {
            keys = Refresh();
        }
        return kid is null ? keys : keys.Where(k => k.KeyId == kid);
    }

    private IReadOnlyList<SecurityKey> Refresh()
    {
        lock (_gate)
        {
            try
            {
                // The token handler's key resolver is synchronous; fetches are rare and bounded by a timeout.
                using var client = httpClientFactory.CreateClient(nameof(JwksKeySource));
                client.Timeout = TimeSpan.FromSeconds(5);
                var json = client.GetStringAsync(options.JwksUri).GetAwaiter().GetResult();
                _keys = Parse(json);
                _fetchedAt = DateTime.UtcNow;
                logger.LogInformation("Fetched {KeyCount} signing keys from {JwksUri}", _keys.Count, options.JwksUri);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or ArgumentException)
            {
                _fetchedAt = DateTime.UtcNow - s_refreshInterval + s_minimumRefetch;
                logger.LogWarning("Could not fetch signing keys from {JwksUri}: {Error}", options.JwksUri, e.Message);
            }
            return _keys;
        }
    }

    private static IReadOnlyList<SecurityKey> Parse(string json) => new JsonWebKeySet(json).GetSigningKeys().ToList();
}
