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
/// Fixed-window request counts per trust and per client, shared by every gateway replica through Redis. A replica does
/// not ask Redis for every request: it leases a small share of a window's budget (<see cref="RateLimitOptions.LeaseFraction"/>
/// of the limit, at most <see cref="RateLimitOptions.MaxLease"/>) with one script, spends it locally, and leases again
/// when it is spent or its window ends. Redis hands out no more than the limit in a window, so the replicas together never
/// admit more than the limit; what a lease costs is the other way: up to one lease per other replica may lie unspent
/// when a window's budget runs out there (ADR 0020, amendment on leases). A lease of 1 (a fraction of 0, or a small limit) asks Redis on
/// every request, as a plain shared counter does. The window is taken from the gateway's clock (<see cref="TimeProvider"/>)
/// and passed in, so replicas agree on it to within their clock skew and tests move it with a fake clock. When Redis
/// does not answer, this replica counts alone (the same limits, per replica), which keeps the trusts' traffic flowing
/// through an outage at the cost of a looser total: N replicas admit up to N times the limit. Failing closed would turn
/// a cache outage into a platform outage; failing wide open would drop every limit. Both the fallback and the return
/// are logged (<see cref="SharedStore"/>) and shown in /health/ready.
/// </summary>
public sealed class RateLimitCounter(SharedStore store, TimeProvider clock, GatewayMetrics metrics)
{
    // Leases up to ARGV[1] requests of the window's budget ARGV[3] (what is left of it, if less) and returns how many
    // were handed out in the window so far, this lease included, and how many this lease got.
    private const string LeaseScript = """
        local used = tonumber(redis.call('GET', KEYS[1]) or '0')
        local grant = math.min(tonumber(ARGV[1]), tonumber(ARGV[3]) - used)
        if grant <= 0 then return { used, 0 } end
        used = redis.call('INCRBY', KEYS[1], grant)
        if used == grant then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return { used, grant }
        """;

    // Past this many scopes, leases of windows that have ended are dropped when a new scope arrives.
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalWindow> _local = new(StringComparer.Ordinal);

    public async Task<RateDecision> TakeAsync(string trust, string client, RateLimitOptions options)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var trustWindow = Window.At(now, options.PerTrust);
        var clientWindow = Window.At(now, options.PerClient);
        // One hash slot per trust ({trust}), so a trust's keys live together on a Redis cluster too.
        var trustKey = $"gw:rl:{{{trust}}}:trust";
        var clientKey = $"gw:rl:{{{trust}}}:client:{client}";
        var trustTake = TakeAsync(trustKey, trustWindow, options.PerTrust, options, now);
        var clientTake = TakeAsync(clientKey, clientWindow, options.PerClient, options, now);
        var trustCount = trustTake.IsCompletedSuccessfully ? trustTake.Result : await trustTake;
        var clientCount = clientTake.IsCompletedSuccessfully ? clientTake.Result : await clientTake;

        var answered = trustCount.HasValue && clientCount.HasValue;
        if (!answered) metrics.LocalRateLimitDecision();
        var trustUsed = trustCount ?? CountLocally(trustKey, trustWindow.Index);
        var clientUsed = clientCount ?? CountLocally(clientKey, clientWindow.Index);

        var trustLeft = options.PerTrust.Permits - trustUsed;
        var clientLeft = options.PerClient.Permits - clientUsed;
        var byTrust = trustLeft < clientLeft;
        var (scope, rule, window, left) = byTrust ? ("trust", options.PerTrust, trustWindow, trustLeft) : ("client", options.PerClient, clientWindow, clientLeft);
        return new RateDecision(left >= 0, scope, rule.Permits, Math.Max(0, left), TimeSpan.FromMilliseconds(window.ResetMilliseconds), answered);
    }

    /// <summary>How many requests one lease may take from a window's budget of <paramref name="rule"/>.</summary>
    public static long LeaseSize(RateLimitRule rule, RateLimitOptions options) =>
        Math.Clamp((long)(rule.Permits * Math.Clamp(options.LeaseFraction, 0, 1)), 1, Math.Max(1, options.MaxLease));

    /// <summary>
    /// Takes one request from this replica's lease of <paramref name="window"/>'s budget, leasing more when it is spent,
    /// and returns how many of the window's requests are used as this replica knows it (every replica's leases counted
    /// whole), or more than the limit when the budget is all handed out. Null when Redis did not answer.
    /// </summary>
    private ValueTask<long?> TakeAsync(string key, Window window, RateLimitRule rule, RateLimitOptions options, long now)
    {
        if (!_leases.TryGetValue(key, out var lease))
        {
            if (_leases.Count > SweepAbove) Sweep(now);
            lease = _leases.GetOrAdd(key, static _ => new Lease());
        }
        lock (lease.Gate)
        {
            if (lease.TrySpend(window, now, rule.Permits) is { } used) return ValueTask.FromResult<long?>(used);
        }
        return RenewAndTakeAsync(lease, key, window, rule, options, now);
    }

    private async ValueTask<long?> RenewAndTakeAsync(Lease lease, string key, Window window, RateLimitRule rule, RateLimitOptions options, long now)
    {
        while (true)
        {
            TaskCompletionSource<bool>? mine = null;
            Task<bool> renewal;
            long leaseWindow, expiry;
            lock (lease.Gate)
            {
                if (lease.TrySpend(window, now, rule.Permits) is { } used) return used;
                if (lease.Renewal is null)
                {
                    // One renewal per lease at a time: the requests that find the lease spent meanwhile wait for this one.
                    mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    lease.Renewal = mine.Task;
                }
                renewal = lease.Renewal;
                (leaseWindow, expiry) = (lease.Window, lease.ExpiryMilliseconds);
            }

            if (mine is not null)
            {
                var (answered, result) = await store.TryAsync(async db => (RedisResult[])(await db.ScriptEvaluateAsync(LeaseScript,
                    [key + ":" + leaseWindow], [LeaseSize(rule, options), expiry, rule.Permits]))!);
                lock (lease.Gate)
                {
                    if (answered && lease.Window == leaseWindow) lease.Renewed((long)result![0], (long)result[1], rule.Permits);
                    if (lease.Renewal == mine.Task) lease.Renewal = null;
                }
                mine.SetResult(answered);
            }

            if (!await renewal) return null;
        }
    }

    private void Sweep(long now)
    {
        foreach (var (key, lease) in _leases)
        {
            if (Volatile.Read(ref lease.EndsAt) < now) _leases.TryRemove(key, out _);
        }
    }

    /// <summary>This replica's share of one window's budget for one scope. Guarded by <see cref="Gate"/>.</summary>
    private sealed class Lease
    {
        public readonly Lock Gate = new();
        public long Window = -1;
        public long EndsAt;
        public long ExpiryMilliseconds;
        /// <summary>Leased to this replica and not yet spent.</summary>
        public long Left;
        /// <summary>How many of the window's requests every replica together had leased, at this replica's last lease.</summary>
        public long Used;
        /// <summary>The window's whole budget is leased out: the rest of the window is refused without asking Redis.</summary>
        public bool Exhausted;
        public Task<bool>? Renewal;

        /// <summary>The window's used count after spending one request of the lease, or null when a renewal is needed.</summary>
        public long? TrySpend(Window window, long now, long permits)
        {
            // Windows only move forward: a request that computed its window just before another moved the lease on
            // spends from the newer one.
            if (window.Index > Window)
            {
                // A new window: what was left of the last one's lease is not this one's.
                Window = window.Index;
                Volatile.Write(ref EndsAt, now + window.ResetMilliseconds);
                ExpiryMilliseconds = window.ExpiryMilliseconds;
                Left = 0;
                Used = 0;
                Exhausted = false;
                Renewal = null;
            }
            if (Left > 0)
            {
                Left--;
                return Used - Left;
            }
            return Exhausted ? permits + 1 : null;
        }

        public void Renewed(long used, long granted, long permits)
        {
            Left += granted;
            Used = used;
            Exhausted = granted == 0 || used >= permits;
        }
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
