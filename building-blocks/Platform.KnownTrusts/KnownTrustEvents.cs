using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Messaging.Inbox;

namespace Platform.KnownTrusts;

/// <summary>Applies what the directory says about a trust to the service's known-trusts table.</summary>
public sealed class KnownTrustRecorder
{
    private readonly DbContext _db;
    private readonly KnownTrustDirectory _directory;
    private readonly TimeProvider _clock;

    internal KnownTrustRecorder(DbContext db, KnownTrustDirectory directory, TimeProvider clock)
    {
        _db = db;
        _directory = directory;
        _clock = clock;
    }

    /// <summary>Adds or updates the trust in the scoped context; the caller's SaveChanges (the inbox's, for an event) commits it.</summary>
    public async Task ApplyAsync(KnownTrustChange change, CancellationToken ct)
    {
        if (!OdsCode.IsValid(change.OdsCode)) throw new ArgumentException($"'{change.OdsCode}' is not an ODS code.", nameof(change));
        var row = await _db.Set<KnownTrust>().SingleOrDefaultAsync(t => t.OdsCode == change.OdsCode, ct);
        if (row is null) _db.Set<KnownTrust>().Add(row = new KnownTrust { OdsCode = change.OdsCode });
        row.Name = change.Name;
        row.Active = change.Active;
        row.ChangedAt = _clock.GetUtcNow().UtcDateTime;
        _directory.Invalidate();
    }

    /// <summary>
    /// Applies what a directory event says about a trust, refusing (dead-lettering) an event about another trust than
    /// the one it was written for, or with no ODS code: for a service whose own handler of the event also does more
    /// (the audit service enters it in the trust's log), since an event type has one handler.
    /// </summary>
    public Task ApplyEventAsync(KnownTrustChange change, EventEnvelope envelope, CancellationToken ct)
    {
        // A trust's events are written for that trust: an event about another trust than its own tenant is not the directory's.
        if (change.OdsCode != envelope.Tenant)
            throw new EventRejectedException($"trust.tenant-mismatch: the event is about {change.OdsCode} but was written for {envelope.Tenant}.");
        if (!OdsCode.IsValid(change.OdsCode)) throw new EventRejectedException($"ods-code.format: '{change.OdsCode}' is not an ODS code.");
        return ApplyAsync(change, ct);
    }

    /// <summary>Applies <paramref name="change"/> and saves it at once (seeding and tests; events go through <see cref="ApplyAsync"/>).</summary>
    public async Task RecordAsync(KnownTrustChange change, CancellationToken ct)
    {
        await ApplyAsync(change, ct);
        await _db.SaveChangesAsync(ct);
        _directory.Invalidate();
    }
}

/// <summary>Handles a directory event about a trust, mapped by the service onto a <see cref="KnownTrustChange"/>.</summary>
internal sealed class KnownTrustEventHandler<TEvent>(KnownTrustRecorder recorder, KnownTrustMapping<TEvent> mapping) : IEventHandler<TEvent>
    where TEvent : IMessage<TEvent>, new()
{
    public Task HandleAsync(TEvent message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        recorder.ApplyEventAsync(mapping.Map(message), envelope, cancellationToken);
}

internal sealed record KnownTrustMapping<TEvent>(Func<TEvent, KnownTrustChange> Map);
