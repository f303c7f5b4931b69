using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Platform.Gateway.Proxy;
using StackExchange.Redis;

namespace Platform.Gateway.Limits;

/// <summary>The outcome of counting one request against both of its limits.</summary>
public readonly record struct RateDecision(bool Allowed, string Scope, int Limit, long Remaining, TimeSpan Reset, bool Shared);

/// <summary>
/// Fixed-window request counts per trust and per client, shared by every gateway replica through Redis: one script
/// increments both counters atomically and sets their expiry on first use. The window is taken from the gateway's
/// clock (<see cref="TimeProvider"/>) and passed in, so replicas agree on it to within their clock skew and tests move
/// it with a fake clock. When Redis does not answer, this replica counts alone (the same limits, per replica), which
/// keeps the trusts' traffic flowing through an outage at the cost of a looser total: N replicas admit up to N times
/// the limit. Failing closed would turn a cache outage into a platform outage; failing wide open would drop every
/// limit. Both the fallback and the return are logged (<see cref="SharedStore"/>) and shown in /health/ready.
/// </summary>
public sealed class RateLimitCounter(SharedStore store, TimeProvider clock, GatewayMetrics metrics)
{
    private const string Script = """
        local trust = redis.call('INCR', KEYS[1])
        if trust == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local client = redis.call('INCR', KEYS[2])
        if client == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
        return { trust, client }
        """;

    private readonly ConcurrentDictionary<string, LocalWindow> _local = new(StringComparer.Ordinal);

    public async Task<RateDecision> TakeAsync(string trust, string client, RateLimitOptions options)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var trustWindow = Window.At(now, options.PerTrust);
        var clientWindow = Window.At(now, options.PerClient);
        // One hash slot per trust ({trust}), so the script's two keys live together on a Redis cluster too.
        var trustKey = $"gw:rl:{{{trust}}}:trust";
        var clientKey = $"gw:rl:{{{trust}}}:client:{client}";
        var (answered, counts) = await store.TryAsync(async db =>
            (RedisResult[])(await db.ScriptEvaluateAsync(Script,
                [trustKey + ":" + trustWindow.Index, clientKey + ":" + clientWindow.Index],
                [trustWindow.ExpiryMilliseconds, clientWindow.ExpiryMilliseconds]))!);

        long trustCount, clientCount;
        if (answered)
        {
            trustCount = (long)counts![0];
            clientCount = (long)counts[1];
        }
        else
        {
            metrics.LocalRateLimitDecision();
            trustCount = CountLocally(trustKey, trustWindow.Index);
            clientCount = CountLocally(clientKey, clientWindow.Index);
        }

        var trustLeft = options.PerTrust.Permits - trustCount;
        var clientLeft = options.PerClient.Permits - clientCount;
        var byTrust = trustLeft < clientLeft;
        var (scope, rule, window, left) = byTrust ? ("trust", options.PerTrust, trustWindow, trustLeft) : ("client", options.PerClient, clientWindow, clientLeft);
        return new RateDecision(left >= 0, scope, rule.Permits, Math.Max(0, left), TimeSpan.FromMilliseconds(window.ResetMilliseconds), answered);
    }

    private long CountLocally(string key, long index) =>
        _local.AddOrUpdate(key, static (_, i) => new LocalWindow(i), static (_, current, i) => current.Index == i ? current : new LocalWindow(i), index).Increment();

    private sealed class LocalWindow(long index)
    {
        private long _count;

        public long Index { get; } = index;

        public long Increment() => Interlocked.Increment(ref _count);
    }

    private readonly record struct Window(long Index, long ResetMilliseconds, long ExpiryMilliseconds)
    {
        public static Window At(long nowMilliseconds, RateLimitRule rule)
        {
            var length = Math.Max(1, (long)rule.Window.TotalMilliseconds);
            var index = nowMilliseconds / length;
            var reset = (index + 1) * length - nowMilliseconds;
            // Kept a little past its end, so a replica whose clock lags still finds the count.
            return new Window(index, reset, reset + 5000);
        }
    }
}

/// <summary>
/// Counts each proxied request against its trust's and its client's limits (both taken from the validated token,
/// never from a header), reports the tighter of the two in <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and
/// <c>RateLimit-Reset</c>, and refuses a request over either limit with 429 and <c>Retry-After</c> (gRPC
/// RESOURCE_EXHAUSTED) before it reaches a service.
/// </summary>
public sealed class RateLimits(RequestDelegate next, RateLimitCounter counter, IOptionsMonitor<RateLimitOptions> options, GatewayMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var current = options.CurrentValue;
        if (!current.Enabled)
        {
            await next(context);
            return;
        }

        var trust = context.User.FindFirstValue("tenant") ?? "none";
        var client = CallerIdentity.Client(context.User);
        var decision = await counter.TakeAsync(trust, client, current);
        var reset = ((long)Math.Ceiling(decision.Reset.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        void Report(IHeaderDictionary headers)
        {
            headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Reset"] = reset;
            if (!decision.Allowed) headers.RetryAfter = reset;
        }

        if (decision.Allowed)
        {
            Report(context.Response.Headers);
            await next(context);
            return;
        }

        metrics.RateLimited(decision.Scope, decision.Shared);
        var whose = decision.Scope == "trust" ? $"trust {trust}" : $"client {client}";
        await CallerResponses.WriteAsync(context, CallerResponses.TooManyRequests,
            $"The rate limit for {whose} is reached ({decision.Limit} requests per window). Retry after {reset} s.", Report);
    }
}

/// <summary>Who is calling, from the validated token only.</summary>
public static class CallerIdentity
{
    /// <summary>The OAuth client (client_id, as OpenIddict and RFC 9068 name it; azp otherwise), else the subject.</summary>
    public static string Client(ClaimsPrincipal user) =>
        user.FindFirstValue("client_id") ?? user.FindFirstValue("azp") ?? user.FindFirstValue("sub") ?? "unknown";
}
