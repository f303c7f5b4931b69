using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.V1;
using Platform.Messaging.Outbox;

namespace Platform.Messaging.Inbox;

/// <summary>Which dead letters to list; <paramref name="Id"/> narrows it to one.</summary>
public sealed record DeadLetterQuery(string? Tenant = null, bool IncludeReplayed = false, int Take = 100, Guid? Id = null);

/// <summary>How a replay ended.</summary>
public enum ReplayOutcome
{
    /// <summary>The handler accepted the event; it is in the inbox now.</summary>
    Handled,

    /// <summary>The event had been handled meanwhile (a later delivery got through); nothing ran again.</summary>
    AlreadyHandled,

    /// <summary>The handler failed again; the dead letter stays, with the error.</summary>
    Failed,
    NotFound,
    AlreadyReplayed,
}

public sealed record ReplayResult(ReplayOutcome Outcome, string? Error = null);

/// <summary>
/// The operator's view of this service's dead letters: list them, and replay one through its handler. Every replay
/// attempt publishes <c>platform.messaging.dead_letter_replayed.v1</c> through the outbox, so it lands in the audit trail.
/// </summary>
public interface IDeadLetterService
{
    Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <param name="id">The dead letter.</param>
    /// <param name="replayedBy">Who asked (the operator's user id), recorded on the row and in the audit event.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    Task<ReplayResult> ReplayAsync(Guid id, string replayedBy, CancellationToken cancellationToken = default);
}

internal sealed class DeadLetterService<TDbContext>(TDbContext db, IServiceScopeFactory scopes, IEventDispatcher dispatcher, TimeProvider time,
    ILogger<DeadLetterService<TDbContext>> logger) : IDeadLetterService where TDbContext : DbContext
{
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        var q = db.Set<DeadLetter>().AsNoTracking();
        if (query.Tenant is not null) q = q.Where(d => d.Tenant == query.Tenant);
        if (query.Id is { } id) q = q.Where(d => d.Id == id);
        if (!query.IncludeReplayed) q = q.Where(d => d.ReplayedAt == null);
        return await q.OrderBy(d => d.ReceivedAt).ThenBy(d => d.Id).Take(Math.Clamp(query.Take, 1, 1000)).ToListAsync(cancellationToken);
    }

    public async Task<ReplayResult> ReplayAsync(Guid id, string replayedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(replayedBy);
        var letter = await db.Set<DeadLetter>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (letter is null) return new ReplayResult(ReplayOutcome.NotFound);
        if (letter.ReplayedAt is not null) return new ReplayResult(ReplayOutcome.AlreadyReplayed);
        if (!CloudEvent.TryParse(Encoding.UTF8.GetBytes(letter.Payload), out var ce, out var parseError))
        {
            await RecordFailureAsync(letter, replayedBy, $"not a CloudEvent: {parseError}", cancellationToken);
            return new ReplayResult(ReplayOutcome.Failed, parseError);
        }

        var typed = (EventDispatcher<TDbContext>)dispatcher;
        var outcome = await typed.HandleAsync(ce!, letter.Topic, null, async (sp, scopedDb, ct) =>
        {
            // Same transaction as the handler's writes and the inbox row: marked replayed and audited only if handled.
            var row = await scopedDb.Set<DeadLetter>().FirstAsync(d => d.Id == id, ct);
            MarkReplayed(row, replayedBy);
            Audit(sp.GetRequiredService<IEventPublisher>(), letter, replayedBy, "handled", null);
        }, cancellationToken);

        if (outcome.Status == DeliveryStatus.Success && !outcome.Duplicate) return new ReplayResult(ReplayOutcome.Handled);
        if (outcome.Status == DeliveryStatus.Success)
        {
            await using var scope = scopes.CreateAsyncScope();
            var scopedDb = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var row = await scopedDb.Set<DeadLetter>().FirstAsync(d => d.Id == id, cancellationToken);
            MarkReplayed(row, replayedBy);
            Audit(scope.ServiceProvider.GetRequiredService<IEventPublisher>(), letter, replayedBy, "already_handled", null);
            await scopedDb.SaveChangesAsync(cancellationToken);
            return new ReplayResult(ReplayOutcome.AlreadyHandled);
        }
        // A DROP during replay has written a fresh dead letter only if none was pending; this one is still pending.
        await RecordFailureAsync(letter, replayedBy, outcome.Reason ?? outcome.Status.ToString(), cancellationToken);
        return new ReplayResult(ReplayOutcome.Failed, outcome.Reason);
    }

    private void MarkReplayed(DeadLetter row, string replayedBy)
    {
        row.ReplayedAt = time.GetUtcNow().UtcDateTime;
        row.ReplayedBy = replayedBy;
        row.ReplayAttempts++;
        row.LastReplayError = null;
    }

    private async Task RecordFailureAsync(DeadLetter letter, string replayedBy, string error, CancellationToken cancellationToken)
    {
        logger.LogWarning("Replay of dead letter {DeadLetterId} by {ReplayedBy} failed: {Error}", letter.Id, replayedBy, error);
        await using var scope = scopes.CreateAsyncScope();
        var scopedDb = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var row = await scopedDb.Set<DeadLetter>().FirstAsync(d => d.Id == letter.Id, cancellationToken);
        row.ReplayAttempts++;
        row.LastReplayError = error.Length <= 2000 ? error : error[..2000];
        Audit(scope.ServiceProvider.GetRequiredService<IEventPublisher>(), letter, replayedBy, "failed", error);
        await scopedDb.SaveChangesAsync(cancellationToken);
    }

    private void Audit(IEventPublisher publisher, DeadLetter letter, string replayedBy, string outcome, string? error)
    {
        var tenant = string.IsNullOrEmpty(letter.Tenant) ? "unknown" : letter.Tenant;
        publisher.Publish(new DeadLetterReplayed
        {
            DeadLetterId = letter.Id.ToString(),
            EventId = letter.EventId,
            EventSource = letter.Source,
            EventType = letter.Type,
            Topic = letter.Topic,
            ReplayedBy = replayedBy,
            Outcome = outcome,
            Error = error ?? "",
            ReplayedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        }, tenant, letter.Id.ToString());
    }
}
