using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Messaging.Inbox;

namespace Platform.Messaging.Outbox;

/// <summary>
/// Readiness detail for messaging: outbox backlog, age of the oldest pending event and dead letters waiting for an
/// operator. Degraded when the oldest pending event is older than <see cref="RelayOptions.DegradedBacklogAge"/>;
/// Unhealthy when the tables cannot be read.
/// </summary>
public sealed class OutboxHealthCheck<TDbContext>(IServiceScopeFactory scopes, IEventTransport transport, IOptions<MessagingOptions> options,
    TimeProvider time)
    : IHealthCheck where TDbContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var data = new Dictionary<string, object> { ["transport"] = transport.GetType().Name };
            var status = HealthStatus.Healthy;
            string description = "messaging ok";
            if (db.Model.FindEntityType(typeof(OutboxMessage)) is not null)
            {
                var (count, oldest) = await OutboxBacklog.ReadAsync(db, cancellationToken);
                var age = oldest is null ? TimeSpan.Zero : time.GetUtcNow().UtcDateTime - oldest.Value;
                data["outbox_backlog"] = count;
                data["outbox_oldest_pending_seconds"] = Math.Round(Math.Max(0, age.TotalSeconds), 1);
                if (age > options.Value.Relay.DegradedBacklogAge)
                {
                    status = HealthStatus.Degraded;
                    description = $"{count} outbox events pending, the oldest for {age.TotalSeconds:0}s";
                }
            }
            if (db.Model.FindEntityType(typeof(DeadLetter)) is not null)
            {
                data["dead_letters"] = await db.Set<DeadLetter>().LongCountAsync(d => d.ReplayedAt == null, cancellationToken);
            }
            return new HealthCheckResult(status, description, data: data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("messaging tables unreadable", e);
        }
    }
}
