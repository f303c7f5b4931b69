using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Messaging.Access;

/// <summary>What kind of access an access record is: a read of a patient's data, or a check of a use for a patient.</summary>
public enum AccessKind
{
    /// <summary>Patient-identifiable data was read (AuditEvent type <c>patient-record-read</c>, action R).</summary>
    PatientRecordRead,

    /// <summary>A use of a technology was checked (AuditEvent type <c>use-check</c>, action E), whatever it decided.</summary>
    UseCheck,
}

/// <summary>
/// One access to record. <paramref name="Patient"/> is the internal reference (<c>Patient/&lt;key&gt;</c>), never a
/// name or NHS number; <paramref name="What"/> names what was read or checked; <paramref name="Permitted"/> is false
/// when a use check refused.
/// </summary>
public sealed record AccessRecord(AccessKind Kind, string Patient, string What, string EntityType, string PurposeOfUse = "TREAT", bool Permitted = true);

/// <summary>
/// Records reads of patient data and use checks for the audit log. The record is an <see cref="AccessRecorded"/> event
/// in the caller's outbox: it commits with the caller's next <c>SaveChanges</c> (on PostgreSQL inside that command,
/// so a read that saves anything costs no round trip of its own), is never lost once committed, and the audit service
/// enters it exactly once. The actor and the trust come from the caller's token, never from the request.
/// </summary>
public interface IAccessRecorder
{
    /// <summary>Adds the record to the outbox of the scoped DbContext; returns the event id.</summary>
    Guid Record(AccessRecord access);

    /// <summary>
    /// Records an access of a call that writes nothing else (a use check): the record is written with concurrent
    /// callers' records in one shared commit (docs/decisions/0027), as one <see cref="AccessRecordBatch"/> event of that
    /// commit's records (docs/decisions/0035), and this completes once it is durable, so the caller answers only then.
    /// Throws <see cref="OutboxWriteFailedException"/> when that commit failed. Returns the record's own id (its audit
    /// entry's source event id).
    /// </summary>
    Task<Guid> RecordDurablyAsync(AccessRecord access, CancellationToken cancellationToken);
}

internal sealed class AccessRecorder(IServiceProvider services, AccessRecordBatches batches, ITenantContext tenant, CurrentActor actor) : IAccessRecorder
{
    // The publisher is resolved only by Record: it holds the request's DbContext, and a use check, which records through
    // the group commit alone, should not pay for building one (about 10-20 µs per check, measured in issue 17's profile).
    public Guid Record(AccessRecord access)
    {
        var (recorded, trust) = Build(access);
        return services.GetRequiredService<IEventPublisher>().Publish(recorded, trust, access.Patient);
    }

    public Task<Guid> RecordDurablyAsync(AccessRecord access, CancellationToken cancellationToken)
    {
        var (recorded, trust) = Build(access);
        return batches.RecordAsync(recorded, trust, cancellationToken);
    }

    private (AccessRecorded Recorded, string Trust) Build(AccessRecord access)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentException.ThrowIfNullOrWhiteSpace(access.Patient);
        ArgumentException.ThrowIfNullOrWhiteSpace(access.What);
        var trust = tenant.TenantId ?? throw new InvalidOperationException("An access is recorded only for a caller acting for a trust.");
        var who = actor.Get();
        var recorded = new AccessRecorded
        {
            ActorSubject = who.Subject,
            ActorRole = who.Role,
            PurposeOfUse = access.PurposeOfUse,
            Patient = access.Patient,
            What = access.What,
            EntityType = access.EntityType,
            Kind = access.Kind == AccessKind.UseCheck ? "use-check" : "patient-record-read",
            Outcome = access.Permitted ? "success" : "denied",
        };
        return (recorded, trust);
    }
}
