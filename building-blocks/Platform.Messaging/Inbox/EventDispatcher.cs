using System.Text;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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

/// <summary>One entry of a bulk delivery: Dapr's <c>entryId</c> and the event as the bytes of a structured CloudEvent.</summary>
internal readonly record struct BulkEntry(string EntryId, byte[] Event);

internal readonly record struct DispatchOutcome(DeliveryStatus Status, bool Duplicate = false, string? Reason = null);

/// <summary>Non-generic face of <see cref="EventDispatcher{TDbContext}"/> for the endpoints.</summary>
internal interface IEventDispatcher
{
    Task<DispatchOutcome> DispatchAsync(byte[] body, string topic, CancellationToken cancellationToken);
    Task<IReadOnlyList<(string EntryId, DeliveryStatus Status)>> DispatchBulkAsync(IReadOnlyList<BulkEntry> entries, string topic, CancellationToken cancellationToken);
    Task<DispatchOutcome> StoreDeadLetterAsync(byte[] body, string topic, CancellationToken cancellationToken);
}

/// <summary>
/// Turns a delivered CloudEvent into a handler call inside one transaction with its inbox row: duplicates are a
/// no-op SUCCESS, transient faults RETRY, malformed, unknown or rejected events are dead-lettered and DROPped.
/// A bulk delivery is handled per tenant in one transaction (claim all, run the handlers in order, commit once); if that
/// transaction fails, each of its events gets a transaction of its own, so every entry has its own honest status.
/// </summary>
internal sealed class EventDispatcher<TDbContext>(IServiceScopeFactory scopes, IEnumerable<EventHandlerRegistration> registrations,
    MessagingMetrics metrics, TimeProvider time, ILogger<EventDispatcher<TDbContext>> logger) : IEventDispatcher where TDbContext : DbContext
{
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private const int ConflictAttempts = 3;
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);
    private readonly Dictionary<string, EventHandlerRegistration> _byType = registrations.ToDictionary(r => r.Name.Type);

    /// <summary>A delivered event that passed every check before its handler: known type, a tenant, readable data.</summary>
    private sealed record Ready(CloudEvent Event, byte[] Raw, EventHandlerRegistration Registration, IMessage Message, EventEnvelope Envelope);

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
        var (ready, dropped) = await PrepareAsync(ce, topic, rawBody ?? Encoding.UTF8.GetBytes(ce.ToJson()), cancellationToken);
        return ready is null ? dropped : await HandleOneAsync(ready, topic, alsoInTransaction, cancellationToken);
    }

    /// <summary>The checks that need no database: a handler for the type, a tenant, data that parses. Failing one is a DROP.</summary>
    private async Task<(Ready? Ready, DispatchOutcome Dropped)> PrepareAsync(CloudEvent ce, string topic, byte[] rawBody, CancellationToken cancellationToken)
    {
        if (!_byType.TryGetValue(ce.Type, out var registration))
        {
            return (null, await DropAsync(ce, rawBody, topic, "unknown_type", $"no handler for event type '{ce.Type}'", cancellationToken));
        }
        if (string.IsNullOrWhiteSpace(ce.Tenant))
        {
            return (null, await DropAsync(ce, rawBody, topic, "no_tenant", "the event carries no tenant attribute", cancellationToken));
        }
        IMessage message;
        try
        {
            message = s_parser.Parse(ce.DataJson ?? "{}", registration.Descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return (null, await DropAsync(ce, rawBody, topic, "bad_data", $"data is not a valid {registration.Name.Type}: {e.Message}", cancellationToken));
        }
        var envelope = new EventEnvelope(ce.Id, ce.Source, ce.Type, ce.Subject, ce.Tenant, ce.Time, ce.TraceParent);
        return (new Ready(ce, rawBody, registration, message, envelope), default);
    }

    /// <summary>One event, one transaction (the single-delivery path, and the fallback of a failed batch).</summary>
    private async Task<DispatchOutcome> HandleOneAsync(Ready ready, string topic,
        Func<IServiceProvider, TDbContext, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        using var activity = EventProcessingActivity.Start(ready.Event, topic);
        var outcome = await HandleOneInSpanAsync(ready, topic, alsoInTransaction, cancellationToken);
        if (outcome.Status != DeliveryStatus.Success) activity.Failed(outcome.Status, outcome.Reason);
        return outcome;
    }

    private async Task<DispatchOutcome> HandleOneInSpanAsync(Ready ready, string topic,
        Func<IServiceProvider, TDbContext, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        var ce = ready.Event;
        try
        {
            bool handled;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    handled = await RunInTransactionAsync(ce, ready.Registration, ready.Message, ready.Envelope, alsoInTransaction, cancellationToken);
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
            return await DropAsync(ce, ready.Raw, topic, "rejected", $"rejected by handler: {e.Message}", cancellationToken);
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

    /// <summary>
    /// A bulk delivery (Dapr's <c>entries[]</c>): entries that cannot be handled are dead-lettered and DROPped one by one;
    /// the rest are grouped by tenant (never two tenants in one DbContext or connection) and each group is handled in one
    /// transaction. A group whose transaction fails is handled again one entry per transaction; within it, once an event
    /// of a subject answers RETRY, the subject's later events answer RETRY unhandled, so an aggregate's order holds.
    /// </summary>
    public async Task<IReadOnlyList<(string EntryId, DeliveryStatus Status)>> DispatchBulkAsync(IReadOnlyList<BulkEntry> entries, string topic,
        CancellationToken cancellationToken)
    {
        var statuses = new DeliveryStatus[entries.Count];
        var ready = new List<(int Index, Ready Ready)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var body = entries[i].Event;
            if (!CloudEvent.TryParse(body, out var ce, out var error))
            {
                statuses[i] = (await DropAsync(null, body, topic, "malformed", $"malformed CloudEvent: {error}", cancellationToken)).Status;
                continue;
            }
            var (r, dropped) = await PrepareAsync(ce!, topic, body, cancellationToken);
            if (r is null) statuses[i] = dropped.Status;
            else ready.Add((i, r));
        }
        foreach (var tenantGroup in ready.GroupBy(r => r.Ready.Envelope.Tenant, StringComparer.Ordinal))
        {
            await HandleTenantBatchAsync(tenantGroup.ToList(), statuses, topic, cancellationToken);
        }
        var result = new (string, DeliveryStatus)[entries.Count];
        for (var i = 0; i < entries.Count; i++) result[i] = (entries[i].EntryId, statuses[i]);
        return result;
    }

    private async Task HandleTenantBatchAsync(List<(int Index, Ready Ready)> group, DeliveryStatus[] statuses, string topic, CancellationToken cancellationToken)
    {
        // Copies of one event inside the batch follow their first copy.
        var firsts = new List<(int Index, Ready Ready)>(group.Count);
        var copies = new List<(int Index, int First)>();
        var seen = new Dictionary<(string Source, string Id), int>();
        foreach (var item in group)
        {
            var key = (item.Ready.Event.Source, item.Ready.Event.Id);
            if (seen.TryGetValue(key, out var first)) copies.Add((item.Index, first));
            else
            {
                seen[key] = item.Index;
                firsts.Add(item);
            }
        }

        var done = false;
        if (firsts.Count > 1)
        {
            try
            {
                var claimed = await RunBatchInTransactionAsync(firsts.Select(f => f.Ready).ToList(), topic, cancellationToken);
                foreach (var (index, r) in firsts)
                {
                    statuses[index] = DeliveryStatus.Success;
                    if (claimed.Contains((r.Event.Source, r.Event.Id))) metrics.Handled(r.Event.Type);
                    else metrics.Duplicate(r.Event.Type);
                }
                done = true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Rolled back as a whole; find out entry by entry which one it was.
                logger.LogInformation("A batch of {Count} events for one tenant failed ({Error}); handling them one by one", firsts.Count, e.Message);
            }
        }
        if (!done)
        {
            var held = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (index, r) in firsts)
            {
                if (r.Event.Subject is { } heldSubject && held.Contains(heldSubject))
                {
                    // An earlier event of this aggregate is to be retried: this one waits for it, unhandled.
                    metrics.Retried(r.Event.Type);
                    statuses[index] = DeliveryStatus.Retry;
                    continue;
                }
                var outcome = await HandleOneAsync(r, topic, null, cancellationToken);
                statuses[index] = outcome.Status;
                if (outcome.Status == DeliveryStatus.Retry && r.Event.Subject is { } subject) held.Add(subject);
            }
        }
        foreach (var (index, first) in copies)
        {
            statuses[index] = statuses[first];
            if (statuses[index] == DeliveryStatus.Success) metrics.Duplicate(group.First(g => g.Index == index).Ready.Event.Type);
        }
    }

    /// <summary>
    /// One transaction for many events of one tenant: the scope is entered with the first event's envelope (the tenant is
    /// the same for all), every (source, id) is claimed in one statement, the handlers of the claimed events run in
    /// order with a SaveChanges after each (so a handler sees what the previous ones wrote) and a cleared change tracker,
    /// and it commits once.
    /// Returns the events that were claimed (the rest were already in the inbox).
    /// </summary>
    private async Task<HashSet<(string Source, string Id)>> RunBatchInTransactionAsync(List<Ready> batch, string topic, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        foreach (var enter in services.GetServices<IEventScope>()) enter.Enter(services, batch[0].Envelope);
        var db = services.GetRequiredService<TDbContext>();
        var gate = db.Database.ProviderName == SqliteProvider ? _sqliteWriter : null;
        if (gate is not null) await gate.WaitAsync(cancellationToken);
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync(async ct =>
            {
                db.ChangeTracker.Clear();
                db.Database.AutoSavepointsEnabled = false;
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var claimed = new HashSet<(string Source, string Id)>();
                // At most 1,000 rows (5,000 parameters) per statement, well inside PostgreSQL's and SQLite's limits.
                foreach (var part in batch.Chunk(1000)) claimed.UnionWith(await ClaimAsync(db, part, ct));
                foreach (var r in batch)
                {
                    if (!claimed.Contains((r.Event.Source, r.Event.Id))) continue;
                    // Each event of a bulk delivery continues its own trace. Should the batch roll back, each event is
                    // handled again on its own, in a span of its own.
                    using var activity = EventProcessingActivity.Start(r.Event, topic);
                    await r.Registration.Invoke(services, r.Message, r.Envelope, ct);
                    await db.SaveChangesAsync(ct);
                    // Each event starts from a clean change tracker, as it would in a scope of its own; it also keeps
                    // DetectChanges from walking every earlier event's entities again.
                    db.ChangeTracker.Clear();
                }
                var participants = services.GetServices<IDeliveryParticipant>().ToList();
                foreach (var participant in participants) await participant.BeforeCommitAsync(ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                foreach (var participant in participants) participant.Committed();
                return claimed;
            }, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    /// <summary>
    /// <c>INSERT ... VALUES (..), (..) ON CONFLICT DO NOTHING RETURNING source, event_id</c>: claims every new event of the
    /// batch and reports which, in one round trip (PostgreSQL, and SQLite 3.35+). Racing copies wait on the keys as in
    /// the single path.
    /// </summary>
    private async Task<HashSet<(string Source, string Id)>> ClaimAsync(TDbContext db, Ready[] batch, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(_claimInsert ??= BuildBatchClaimSql(db).Insert);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        var now = time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < batch.Length; i++)
        {
            var ce = batch[i].Event;
            sql.Append(i == 0 ? " VALUES " : ", ").Append('(');
            object[] values = [ce.Source, ce.Id, ce.Type, ce.Tenant!, now];
            for (var j = 0; j < values.Length; j++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i * values.Length + j}";
                parameter.Value = values[j];
                command.Parameters.Add(parameter);
                sql.Append(j == 0 ? "" : ", ").Append(parameter.ParameterName);
            }
            sql.Append(')');
        }
        sql.Append(_claimTail ??= BuildBatchClaimSql(db).Tail);
        command.CommandText = sql.ToString();
        var claimed = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) claimed.Add((reader.GetString(0), reader.GetString(1)));
        return claimed;
    }

    private string? _claimInsert;
    private string? _claimTail;

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
            var participants = services.GetServices<IDeliveryParticipant>().ToList();
            foreach (var participant in participants) await participant.BeforeCommitAsync(ct);
            if (alsoInTransaction is not null) await alsoInTransaction(services, db, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            foreach (var participant in participants) participant.Committed();
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
        var (insert, tail) = BuildClaimParts(db, returning: false);
        return insert + " VALUES ({0}, {1}, {2}, {3}, {4})" + tail;
    }

    private static (string Insert, string Tail) BuildBatchClaimSql(DbContext db) => BuildClaimParts(db, returning: true);

    private static (string Insert, string Tail) BuildClaimParts(DbContext db, bool returning)
    {
        var entity = db.Model.FindEntityType(typeof(InboxMessage))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no inbox: call modelBuilder.AddInbox() in OnModelCreating.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Col(string property) => Quote(entity.FindProperty(property)!.GetColumnName(table)!);
        static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
        var qualified = entity.GetSchema() is { } schema ? $"{Quote(schema)}.{Quote(table.Name)}" : Quote(table.Name);
        var insert = $"INSERT INTO {qualified} ({Col(nameof(InboxMessage.Source))}, {Col(nameof(InboxMessage.EventId))}, {Col(nameof(InboxMessage.Type))}, " +
                     $"{Col(nameof(InboxMessage.Tenant))}, {Col(nameof(InboxMessage.HandledAt))})";
        var tail = $" ON CONFLICT ({Col(nameof(InboxMessage.Source))}, {Col(nameof(InboxMessage.EventId))}) DO NOTHING";
        if (returning) tail += $" RETURNING {Col(nameof(InboxMessage.Source))}, {Col(nameof(InboxMessage.EventId))}";
        return (insert, tail);
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
