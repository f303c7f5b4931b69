using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using Platform.ServiceDefaults.Auth;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>
/// Signing keys fetched from the issuer's JWKS URI: a real HTTP endpoint on loopback that counts its fetches, and a
/// clock the test moves. No request waits on the routine refresh, and however many ask at once, the issuer sees one fetch.
/// </summary>
public sealed class JwksKeySourceTests : IAsyncLifetime
{
    private WebApplication _issuer = null!;
    private int _fetches;
    private volatile string _document = Jwks("k1");
    private volatile int _status = 200;
    private TimeSpan _delay;
    private volatile TaskCompletionSource? _hold;
    private readonly ManualClock _clock = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        // Port 0: Kestrel binds a free port itself (no window for another test to take it); app.Urls then holds the bound one.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        _issuer.MapGet("/jwks", async (HttpContext http) =>
        {
            Interlocked.Increment(ref _fetches);
            if (_hold is { } hold) await hold.Task;
            if (_delay > TimeSpan.Zero) await Task.Delay(_delay);
            http.Response.StatusCode = _status;
            await http.Response.WriteAsync(_document);
        });
        await _issuer.StartAsync();
    }

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    [Fact]
    public async Task Many_requests_needing_keys_at_once_share_one_fetch()
    {
        _delay = TimeSpan.FromMilliseconds(300);
        // The stand-in issuer shares this process's thread pool with the 16 callers the test blocks; a real one does not.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 40), io);
        var source = Source();
        var found = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => source.Resolve("k1").Select(k => k.KeyId).ToList())));
        Assert.All(found, keys => Assert.Equal(["k1"], keys));
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task Keys_due_for_refresh_are_served_at_once_while_one_background_fetch_renews_them()
    {
        var source = Source();
        Assert.Single(source.Resolve("k1"));
        _document = Jwks("k1", "k2");
        _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _clock.Advance(JwksKeySource.RefreshInterval + TimeSpan.FromSeconds(1));

        // The issuer holds its answer until the requests are done: a request that waited for it could never finish.
        var requests = Task.Run(() => { for (var i = 0; i < 10; i++) Assert.Single(source.Resolve("k1")); });
        await Eventually(() => _fetches == 2, "the background refresh reached the issuer");
        await requests.WaitAsync(TimeSpan.FromSeconds(30));
        _hold.SetResult();
        await Eventually(() => source.Resolve(null).Count() == 2, "the renewed keys are in use");
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task An_unreachable_issuer_is_asked_at_most_once_a_minute_and_the_keys_held_stay_in_use()
    {
        var source = Source();
        Assert.Single(source.Resolve("k1"));
        _status = 500;
        _clock.Advance(JwksKeySource.RefreshInterval + TimeSpan.FromSeconds(1));
        Assert.Single(source.Resolve("k1"));
        await Eventually(() => _fetches == 2, "one refresh attempt");
        // Within a minute of that attempt neither path may fetch, and neither could do so later: an unknown key's fetch
        // runs on the caller's thread before Resolve returns, and a background refresh starts (inside Resolve) only
        // when the last attempt, recorded before it reached the issuer, is a minute old. So counting now is exact.
        for (var i = 0; i < 5; i++) Assert.Single(source.Resolve("k1"));
        Assert.Empty(source.Resolve("unknown"));
        Assert.Equal(2, _fetches);

        _clock.Advance(JwksKeySource.MinimumRefetch + TimeSpan.FromSeconds(1));
        Assert.Single(source.Resolve("k1"));
        await Eventually(() => _fetches == 3, "the next attempt, a minute later");
    }

    [Fact]
    public void A_key_the_issuer_rotated_in_is_fetched_when_a_token_names_it()
    {
        var source = Source();
        Assert.Single(source.Resolve("k1"));
        _document = Jwks("k2");
        Assert.Empty(source.Resolve("k2")); // within a minute of the last fetch: not asked again
        Assert.Equal(1, _fetches);
        _clock.Advance(JwksKeySource.MinimumRefetch + TimeSpan.FromSeconds(1));
        Assert.Equal(["k2"], source.Resolve("k2").Select(k => k.KeyId));
        Assert.Equal(2, _fetches);
    }

    private JwksKeySource Source()
    {
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new JwksKeySource(new PlatformAuthOptions { Issuer = "https://issuer.test", JwksUri = $"{_issuer.Urls.First()}/jwks" }, http,
            NullLogger<JwksKeySource>.Instance, _clock);
    }

    private static string Jwks(params string[] kids) => JsonSerializer.Serialize(new
    {
        keys = kids.Select(kid =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid });
            return new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E };
        }).ToArray(),
    });

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
