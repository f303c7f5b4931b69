using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Platform.Gateway.Limits;

/// <summary>
/// The one piece of state the gateway's replicas share: a Redis server (connection string <c>ConnectionStrings:redis</c>),
/// reached through StackExchange.Redis. Commands fail at once when the server is unreachable (no backlog of queued
/// commands, short timeouts), so a caller is never held up by an outage; each outcome is remembered for the health
/// check, and the switch between shared and unreachable is logged once each way.
/// </summary>
public sealed class SharedStore : IAsyncDisposable
{
    public const string ConnectionName = "redis";

    private readonly ILogger<SharedStore> _logger;
    private readonly Lazy<Task<ConnectionMultiplexer>>? _connection;
    private volatile string? _lastError;
    private int _reachable = 1;

    public SharedStore(IConfiguration configuration, ILogger<SharedStore> logger)
    {
        _logger = logger;
        var connectionString = configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _lastError = $"no shared store is configured (ConnectionStrings:{ConnectionName})";
            _reachable = 0;
            return;
        }

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 1000;
        options.AsyncTimeout = 1000;
        options.ClientName = "platform-gateway";
        _connection = new(() => ConnectionMultiplexer.ConnectAsync(options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public bool IsConfigured => _connection is not null;

    /// <summary>False once a command failed, until one succeeds again.</summary>
    public bool IsReachable => Volatile.Read(ref _reachable) == 1;

    public string? LastError => _lastError;

    /// <summary>
    /// Runs <paramref name="command"/> against the store. Returns false (and remembers why) when the store is not
    /// configured or did not answer; any other exception is the caller's.
    /// </summary>
    public async Task<(bool Answered, T? Result)> TryAsync<T>(Func<IDatabase, Task<T>> command)
    {
        if (_connection is null) return (false, default);
        try
        {
            var connection = await _connection.Value;
            var result = await command(connection.GetDatabase());
            if (Interlocked.Exchange(ref _reachable, 1) == 0)
            {
                _lastError = null;
                _logger.LogWarning("The shared store (Redis) answers again: rate limits are shared and Idempotency-Key requests accepted");
            }
            return (true, result);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            _lastError = e.GetType().Name;
            if (Interlocked.Exchange(ref _reachable, 0) == 1)
            {
                _logger.LogError("The shared store (Redis) does not answer ({Reason}): rate limits fall back to this replica's own counts and Idempotency-Key requests are refused", e.GetType().Name);
            }
            return (false, default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { IsValueCreated: true })
        {
            try { await (await _connection.Value).DisposeAsync(); } catch (RedisConnectionException) { }
        }
    }

    /// <summary>
    /// Health entry <c>shared-store</c> (tag ready): Healthy while Redis answers, Degraded otherwise. Degraded keeps the
    /// replica in service (a probe answers 200) with the fallback behaviour named in the description.
    /// </summary>
    public sealed class HealthCheck(SharedStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var (answered, _) = await store.TryAsync(db => db.PingAsync());
            return answered
                ? HealthCheckResult.Healthy("Redis answers: rate limits are shared across replicas; Idempotency-Key requests are accepted.")
                : HealthCheckResult.Degraded($"Redis does not answer ({store.LastError}): rate limits are counted by this replica alone; Idempotency-Key requests are refused with 503 (gRPC UNAVAILABLE).");
        }
    }
}
