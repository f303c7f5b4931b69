using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// The issuer's signing keys, from an inline JWKS or fetched from a JWKS URI and cached.
/// <list type="bullet">
/// <item>Known keys older than <see cref="RefreshInterval"/> are still served at once while one fetch renews them in the
/// background, so no request waits for the issuer on the routine refresh.</item>
/// <item>A token signed with a key id the cache does not know (the issuer rotated its keys), or a cache that has never
/// been filled, waits for a fetch, at most one per <see cref="MinimumRefetch"/> and bounded by <see cref="FetchTimeout"/>.</item>
/// <item>However many requests need keys at once, there is one fetch in flight, and they all wait for that one. A
/// waiting request fetches synchronously on its own thread, so it never needs the thread pool that waiting requests
/// hold (the old sync-over-async fetch did, and every waiter then fetched again in turn).</item>
/// </list>
/// </summary>
public sealed class JwksKeySource(PlatformAuthOptions options, IHttpClientFactory httpClientFactory, ILogger<JwksKeySource> logger,
    TimeProvider? clock = null)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinimumRefetch = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private volatile IReadOnlyList<SecurityKey> _keys = options.Jwks is { Length: > 0 } inline ? Parse(inline) : [];
    // UTC ticks (read and written whole, unlike a DateTimeOffset): the last successful fetch, and the last fetch started.
    private long _fetchedAt = options.Jwks is { Length: > 0 } ? long.MaxValue : 0;
    private long _attemptedAt;
    private int _refreshing;

    public IEnumerable<SecurityKey> Resolve(string? kid)
    {
        var keys = _keys;
        if (options.JwksUri is { Length: > 0 })
        {
            var now = _clock.GetUtcNow().UtcTicks;
            if (!Knows(keys, kid))
            {
                // The token handler's key resolver is synchronous: this is the one place a request waits for the issuer.
                // It waits for the fetch under way, if any (the gate is held while fetching), then fetches if still due.
                // The fetch is synchronous on this thread, so it never needs a thread-pool thread that waiting requests hold.
                lock (_gate)
                {
                    if (!Knows(_keys, kid) && MayAttempt(now)) Fetch(now);
                    keys = _keys;
                }
            }
            else if (now - Volatile.Read(ref _fetchedAt) > RefreshInterval.Ticks && MayAttempt(now) && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
            {
                // Due for the routine refresh: this request goes on with the keys it has; a dedicated thread renews them.
                Task.Factory.StartNew(() =>
                {
                    try
                    {
                        lock (_gate) if (MayAttempt(now)) Fetch(now);
                    }
                    finally
                    {
                        Volatile.Write(ref _refreshing, 0);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }
        return kid is null ? keys : keys.Where(k => k.KeyId == kid);
    }

    // At most one fetch per MinimumRefetch, whatever asks for it.
    private bool MayAttempt(long now) => now - Volatile.Read(ref _attemptedAt) > MinimumRefetch.Ticks;

    private static bool Knows(IReadOnlyList<SecurityKey> keys, string? kid) => keys.Count > 0 && (kid is null || keys.Any(k => k.KeyId == kid));

    // Called with the gate held.
    private void Fetch(long now)
    {
        Volatile.Write(ref _attemptedAt, now);
        try
        {
            using var client = httpClientFactory.CreateClient(nameof(JwksKeySource));
            client.Timeout = FetchTimeout;
            using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, options.JwksUri));
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(response.Content.ReadAsStream());
            _keys = Parse(reader.ReadToEnd());
            Volatile.Write(ref _fetchedAt, _clock.GetUtcNow().UtcTicks);
            logger.LogInformation("Fetched {KeyCount} signing keys from {JwksUri}", _keys.Count, options.JwksUri);
        }
        catch (Exception e)
        {
            // Whatever went wrong (unreachable, timed out, not a JWKS), the keys held so far stay in use; the next
            // attempt is due after MinimumRefetch.
            logger.LogWarning("Could not fetch signing keys from {JwksUri}: {Error}", options.JwksUri, e.Message);
        }
    }

    private static IReadOnlyList<SecurityKey> Parse(string json) => new JsonWebKeySet(json).GetSigningKeys().ToList();
}
