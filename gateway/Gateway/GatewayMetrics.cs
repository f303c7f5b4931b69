using System.Diagnostics.Metrics;

namespace Platform.Gateway;

/// <summary>
/// The gateway's own counters (meter <c>Platform.Gateway</c>, exported with the platform's telemetry): upstream
/// failures by kind, refusals by rate limit scope, the shared store's outages, and idempotent replays.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Platform.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _upstreamFailures;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _localFallbacks;
    private readonly Counter<long> _idempotency;

    public GatewayMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _upstreamFailures = _meter.CreateCounter<long>("platform.gateway.upstream.failures", description: "Proxied requests whose service failed, by route and kind (refused, timeout, failed, no-destination, caller-gone).");
        _rateLimited = _meter.CreateCounter<long>("platform.gateway.rate_limit.refused", description: "Requests refused by a rate limit, by scope (trust, client) and store (shared, local).");
        _localFallbacks = _meter.CreateCounter<long>("platform.gateway.rate_limit.local_decisions", description: "Rate limit decisions taken by this replica alone because the shared store did not answer.");
        _idempotency = _meter.CreateCounter<long>("platform.gateway.idempotency", description: "Requests with an Idempotency-Key, by outcome (first, replayed, in-progress, reused, store-unavailable).");
    }

    public void UpstreamFailure(string route, string kind) =>
        _upstreamFailures.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("kind", kind));

    public void RateLimited(string scope, bool shared) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("scope", scope), new KeyValuePair<string, object?>("store", shared ? "shared" : "local"));

    public void LocalRateLimitDecision() => _localFallbacks.Add(1);

    public void Idempotency(string outcome) => _idempotency.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
