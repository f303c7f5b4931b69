using System.Text;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging.CloudEvents;

namespace Platform.Messaging.Inbox;

/// <summary>The reply a subscriber gives for a delivery, as Dapr reads it.</summary>
public enum DeliveryStatus
{
    Success,
    Retry,
    Drop,
}

internal readonly record struct DispatchOutcome(DeliveryStatus Status, bool Duplicate = false, string? Reason = null);

/// <summary>Non-generic face of <see cref="EventDispatcher{TDbContext}"/> for the endpoints.</summary>
internal interface IEventDispatcher
{
    Task<DispatchOutcome> DispatchAsync(byte[] body, string topic, CancellationToken cancellationToken);
    Task<DispatchOutcome> StoreDeadLetterAsync(byte[] body, string topic, CancellationToken cancellationToken);
}

/// <summary>
/// Turns a delivered CloudEvent into a handler call inside one transaction with its inbox row: duplicates are a
/// no-op SUCCESS, transient faults RETRY, malformed, unknown or rejected events are dead-lettered and DROPped.
/// </summary>
internal sealed class EventDispatcher<TDbContext>(IServiceScopeFactory scopes, IEnumerable<EventHandlerRegistration> registrations,
    MessagingMetrics metrics, TimeProvider time, ILogger<EventDispatcher<TDbContext>> logger) : IEventDispatcher where TDbContext : DbContext
{
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private const int ConflictAttempts = 3;
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);
    private readonly Dictionary<string, EventHandlerRegistration> _byType = registrations.ToDictionary(r => r.Name.Type);

    public async Task<DispatchOutcome> DispatchAsync(byte[] body, string topic, CancellationToken cancellationToken)
    {
        if (!CloudEvent.TryParse(body, out var ce, out var error))
        {
            return await DropAsync(null, body, topic, "malformed", $"malformed CloudEvent: {error}", cancellationToken);
        }
        return await HandleAsync(ce!, topic, body, null, cancellationToken);
    }

    /// <summary>Handles a parsed event; <paramref name="alsoInTransaction"/> adds writes to the same transaction (replay).</summary>
    internal async Task<DispatchOutcome> HandleAsync(CloudEvent ce, string topic, byte[]? rawBody,
        Func<IServiceProvider, TDbContext, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        rawBody ??= Encoding.UTF8.GetBytes(ce.ToJson());
        if (!_byType.TryGetValue(ce.Type, out var registration))
        {
            return await DropAsync(ce, rawBody, topic, "unknown_type", $"no handler for event type '{ce.Type}'", cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(ce.Tenant))
        {
            return await DropAsync(ce, rawBody, topic, "no_tenant", "the event carries no tenant attribute", cancellationToken);
        }
        IMessage message;
        try
        {
            message = s_parser.Parse(ce.DataJson ?? "{}", registration.Descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return await DropAsync(ce, rawBody, topic, "bad_data", $"data is not a valid {registration.Name.Type}: {e.Message}", cancellationToken);
        }

        var envelope = new EventEnvelope(ce.Id, ce.Source, ce.Type, ce.Subject, ce.Tenant, ce.Time, ce.TraceParent);
        try
        {
            bool handled;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    handled = await RunInTransactionAsync(ce, registration, message, envelope, alsoInTransaction, cancellationToken);
                    break;
                }
                catch (DbUpdateException) when (attempt < ConflictAttempts)
                {
                    // An optimistic-concurrency conflict or a racing insert: run the handler again on fresh state before
                    // bothering the sender with a RETRY. A racing copy of this same event shows up as a duplicate.
                }
            }
            if (handled) metrics.Handled(ce.Type);
            else metrics.Duplicate(ce.Type);
            return new DispatchOutcome(DeliveryStatus.Success, Duplicate: !handled);
        }
        catch (EventRejectedException e)
        {
            return await DropAsync(ce, rawBody, topic, "rejected", $"rejected by handler: {e.Message}", cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (e is DbUpdateException && await IsInInboxAsync(ce, cancellationToken))
            {
                // A concurrent redelivery committed first; the inbox key stopped this one.
                metrics.Duplicate(ce.Type);
                return new DispatchOutcome(DeliveryStatus.Success, Duplicate: true);
            }
            logger.LogWarning(e, "Event {EventId} from {Source} of type {Type} failed; answering RETRY", ce.Id, ce.Source, ce.Type);
            metrics.Retried(ce.Type);
            return new DispatchOutcome(DeliveryStatus.Retry, Reason: e.Message);
        }
    }

    private async Task<bool> RunInTransactionAsync(CloudEvent ce, EventHandlerRegistration registration, IMessage message, EventEnvelope envelope,
        Func<IServiceProvider, TDbContext, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        foreach (var enter in scope.ServiceProvider.GetServices<IEventScope>()) enter.Enter(scope.ServiceProvider, envelope);
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        // SQLite has one writer: queueing deliveries here is faster and fairer than letting them spin on its file lock.
        var gate = db.Database.ProviderName == SqliteProvider ? _sqliteWriter : null;
        if (gate is not null) await gate.WaitAsync(cancellationToken);
        try
        {
            return await RunInTransactionAsync(db, scope.ServiceProvider, ce, registration, message, envelope, alsoInTransaction, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    private async Task<bool> RunInTransactionAsync(TDbContext db, IServiceProvider services, CloudEvent ce, EventHandlerRegistration registration,
        IMessage message, EventEnvelope envelope, Func<IServiceProvider, TDbContext, CancellationToken, Task>? alsoInTransaction,
        CancellationToken cancellationToken)
    {
        // The execution strategy owns the transaction so a provider with retry-on-failure can replay it as a whole.
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            // The whole delivery commits or rolls back as one; savepoints around the handler's SaveChanges would only
            // add round trips.
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Claim (source, id) first, in one statement. A copy that races this one waits on the key until we commit
            // (then it inserts nothing: a duplicate) or roll back (then it handles the event itself).
            var claimed = await db.Database.ExecuteSqlRawAsync(InboxClaimSql(db),
                [ce.Source, ce.Id, ce.Type, ce.Tenant!, time.GetUtcNow().UtcDateTime], ct);
            if (claimed == 0)
            {
                await tx.CommitAsync(ct);
                return false;
            }
            await registration.Invoke(services, message, envelope, ct);
            if (alsoInTransaction is not null) await alsoInTransaction(services, db, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// <c>INSERT ... ON CONFLICT DO NOTHING</c> into the inbox, with table and column names from the model (so a default
    /// schema or renamed columns still work). The same SQL runs on PostgreSQL and SQLite (3.24+).
    /// </summary>
    private string InboxClaimSql(TDbContext db) => _claimSql ??= BuildClaimSql(db);

    private string? _claimSql;

    private static string BuildClaimSql(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(InboxMessage))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no inbox: call modelBuilder.AddInbox() in OnModelCreating.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Col(string property) => Quote(entity.FindProperty(property)!.GetColumnName(table)!);
        static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
        var qualified = entity.GetSchema() is { } schema ? $"{Quote(schema)}.{Quote(table.Name)}" : Quote(table.Name);
        return $"INSERT INTO {qualified} ({Col(nameof(InboxMessage.Source))}, {Col(nameof(InboxMessage.EventId))}, {Col(nameof(InboxMessage.Type))}, " +
               $"{Col(nameof(InboxMessage.Tenant))}, {Col(nameof(InboxMessage.HandledAt))}) VALUES ({{0}}, {{1}}, {{2}}, {{3}}, {{4}}) " +
               $"ON CONFLICT ({Col(nameof(InboxMessage.Source))}, {Col(nameof(InboxMessage.EventId))}) DO NOTHING";
    }

    private async Task<bool> IsInInboxAsync(CloudEvent ce, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        return await db.Set<InboxMessage>().AnyAsync(i => i.Source == ce.Source && i.EventId == ce.Id, cancellationToken);
    }

    /// <summary>Stores an event that arrived on the dead-letter topic (the sidecar or local relay ran out of attempts).</summary>
    public async Task<DispatchOutcome> StoreDeadLetterAsync(byte[] body, string topic, CancellationToken cancellationToken)
    {
        CloudEvent.TryParse(body, out var ce, out _);
        if (ce is not null && await IsInInboxAsync(ce, cancellationToken))
        {
            return new DispatchOutcome(DeliveryStatus.Success, Duplicate: true);
        }
        await WriteDeadLetterAsync(ce, body, topic, "delivery attempts exhausted", cancellationToken);
        return new DispatchOutcome(DeliveryStatus.Success);
    }

    private async Task<DispatchOutcome> DropAsync(CloudEvent? ce, byte[] body, string topic, string reasonCode, string reason, CancellationToken cancellationToken)
    {
        logger.LogWarning("Dropping event {EventId} from {Source} of type {Type} on {Topic}: {Reason}", ce?.Id, ce?.Source, ce?.Type, topic, reason);
        metrics.Dropped(reasonCode);
        try
        {
            await WriteDeadLetterAsync(ce, body, topic, reason, cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // Without its dead letter a DROP would lose the event: ask for the delivery again instead.
            logger.LogError(e, "Could not store dead letter for event {EventId}; answering RETRY", ce?.Id);
            return new DispatchOutcome(DeliveryStatus.Retry, Reason: reason);
        }
        return new DispatchOutcome(DeliveryStatus.Drop, Reason: reason);
    }

    private async Task WriteDeadLetterAsync(CloudEvent? ce, byte[] body, string topic, string reason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var letters = db.Set<DeadLetter>();
        if (ce is not null && await letters.AnyAsync(d => d.Source == ce.Source && d.EventId == ce.Id && d.ReplayedAt == null, cancellationToken))
        {
            return; // already waiting for an operator
        }
        letters.Add(new DeadLetter
        {
            Id = Guid.CreateVersion7(),
            EventId = ce?.Id ?? "",
            Source = ce?.Source ?? "",
            Type = ce?.Type ?? "",
            Topic = topic,
            Tenant = ce?.Tenant ?? "",
            Subject = ce?.Subject,
            Payload = Encoding.UTF8.GetString(body),
            Reason = reason.Length <= 2000 ? reason : reason[..2000],
            ReceivedAt = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(cancellationToken);
        metrics.DeadLettered(reason.Split(':')[0]);
    }
}
