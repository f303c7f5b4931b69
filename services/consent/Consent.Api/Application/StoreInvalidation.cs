using Platform.Consent.Api.Data;

namespace Platform.Consent.Api.Application;

/// <summary>
/// Drops cached snapshots when a write is durable. Invalidating only before an open transaction commits (an event
/// delivery's) would let a concurrent check re-cache the old records until the next write, so inside a transaction the
/// entry is dropped now and again after the commit; outside one, SaveChanges has already committed and once is enough.
/// </summary>
public static class StoreInvalidation
{
    public static void InvalidatePatientAfterCommit(this PatientRecordsStore store, ConsentDbContext db, Guid patientId)
    {
        store.InvalidatePatient(patientId);
        if (db.Database.CurrentTransaction is not null) db.AfterCommit(() => store.InvalidatePatient(patientId));
    }

    public static void InvalidateTrustAfterCommit(this PatientRecordsStore store, ConsentDbContext db)
    {
        store.InvalidateTrust();
        if (db.Database.CurrentTransaction is not null) db.AfterCommit(store.InvalidateTrust);
    }
}
