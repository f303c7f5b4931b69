using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Messaging.Outbox;

/// <summary>
/// Publishes events that no state change goes with (an access record of a read or a check) through the outbox, in a
/// write shared with other callers' events of the same tenant: one multi-row INSERT, one commit, for every event that
/// arrived while the previous write was in flight (at most <see cref="GroupCommitOptions.MaxBatch"/>, waiting at most
/// <see cref="GroupCommitOptions.MaxDelay"/>). Use it when the caller must not answer before its event is durable but
/// writes nothing else; an event that goes with a state change belongs in that change's transaction
/// (<see cref="IEventPublisher"/>). See docs/decisions/0027.
/// </summary>
public interface IOutboxGroupCommit
{
    /// <summary>
    /// Writes <paramref name="message"/> to the outbox as <see cref="IEventPublisher.Publish"/> would, and completes once
    /// it is committed. Throws <see cref="OutboxWriteFailedException"/> when the shared write failed (nothing of it was
    /// written), and <see cref="OperationCanceledException"/> when the caller cancels (before the write took the event,
    /// nothing is written for it; after, it is written all the same).
    /// </summary>
    /// <returns>The CloudEvent id.</returns>
    Task<Guid> PublishAsync<T>(T message, string tenant, string subject, CancellationToken cancellationToken) where T : IMessage;
}

/// <summary>A shared outbox write failed: none of its events was written, and none of its callers may answer as if it was.</summary>
public sealed class OutboxWriteFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Writes outbox rows of one tenant on their own, in one statement and one commit, and completes once they are
/// committed; throws <see cref="OutboxWriteFailedException"/> when nothing was written. The write under
/// <see cref="IOutboxGroupCommit"/> and the access records' batches (docs/decisions/0035).
/// </summary>
internal interface IOutboxRowWriter
{
    Task WriteAsync(string tenant, IReadOnlyList<OutboxMessage> rows);
}

internal sealed class OutboxGroupCommit<TDbContext> : IOutboxGroupCommit, IOutboxRowWriter, IDisposable where TDbContext : DbContext
{
    private readonly IServiceScopeFactory _scopes;
    private readonly OutboxRowFactory _rows;
    private readonly MessagingMetrics _metrics;
    private readonly GroupCommit<OutboxMessage> _commit;

    public OutboxGroupCommit(IServiceScopeFactory scopes, IOptions<MessagingOptions> options, OutboxRowFactory rows, MessagingMetrics metrics, TimeProvider time)
    {
        _scopes = scopes;
        _rows = rows;
        _metrics = metrics;
        var settings = options.Value.GroupCommit;
        _commit = new GroupCommit<OutboxMessage>(row => row.Tenant, WriteAsync, settings.MaxBatch, settings.MaxDelay, time, settings.WriteAtOnceWhenIdle);
    }

    public async Task<Guid> PublishAsync<T>(T message, string tenant, string subject, CancellationToken cancellationToken) where T : IMessage
    {
        var row = _rows.Create(message, tenant, subject);
        await _commit.WriteAsync(row, cancellationToken);
        _metrics.Published(row.Topic);
        return row.Id;
    }

    // A DbContext per write would cost most of the write (EF initialises a context's services on first use), so each
    // tenant keeps the contexts of its finished writes for the next ones: one per write in flight, each in the scope
    // that made it (acting for that tenant; row-level security reads it when the connection opens).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentBag<(AsyncServiceScope Scope, TDbContext Db)>> _idle = new(StringComparer.Ordinal);

    public async Task WriteAsync(string tenant, IReadOnlyList<OutboxMessage> rows)
    {
        var idle = _idle.GetOrAdd(tenant, _ => []);
        if (!idle.TryTake(out var context))
        {
            var scope = _scopes.CreateAsyncScope();
            scope.ServiceProvider.GetService<TenantContext>()?.Use(tenant);
            context = (scope, scope.ServiceProvider.GetRequiredService<TDbContext>());
        }

        try
        {
            var writer = context.Scope.ServiceProvider.GetRequiredService<OutboxBatchWriter>();
            // On PostgreSQL one INSERT statement on the context's connection, committed on its own, without SaveChanges
            // (the change tracker has nothing to do here); elsewhere EF's change tracker writes them.
            if (!await writer.TryWriteNowAsync(context.Db, rows))
            {
                context.Db.Set<OutboxMessage>().AddRange(rows);
                await context.Db.SaveChangesAsync(CancellationToken.None);
                context.Db.ChangeTracker.Clear();
            }
            idle.Add(context);
        }
        catch (Exception e)
        {
            // A context whose write failed is not used again.
            await context.Scope.DisposeAsync();
            throw new OutboxWriteFailedException($"{rows.Count} outbox event(s) of trust {tenant} could not be written ({e.GetType().Name}: {e.Message}); none was.", e);
        }
    }

    public void Dispose()
    {
        // Registered as itself and as both interfaces: the container may dispose it once per registration.
        _commit.Dispose();
        foreach (var contexts in _idle.Values)
        {
            while (contexts.TryTake(out var context)) context.Scope.Dispose();
        }
    }
}
