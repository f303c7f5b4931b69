using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Messaging.Access;

namespace Platform.Consent.Api.Application;

/// <summary>
/// What the audit log is told of this service's reads of patient data and of its use checks (issue 16): one
/// <see cref="AccessRecord"/> per patient whose data a call returns, and one per check, permit or deny, through
/// Platform.Messaging's <see cref="IAccessRecorder"/> (resolved from DI, so a benchmark can swap it for a no-op). The
/// patient is named by the internal key only, never by NHS number or name; the actor and trust come from the token.
/// </summary>
/// <remarks>
/// The records sit in the scope's outbox until <see cref="CommitAsync"/> (or a write's own SaveChanges) commits them, so
/// a read answers only once its records are durable. A read that writes nothing else commits them in one statement for
/// the whole call: a page of patients costs one round trip, not one per patient. A call cancelled before that commit
/// answers nothing and records nothing.
/// The context is resolved only by <see cref="CommitAsync"/> with records pending, not on activation: a use check never
/// commits through it, and constructing an EF context costs about as much as the decision path around it (EF looks
/// its internal services up by the options, on every construction; tools/bench/README.md, issue 17's profile).
/// </remarks>
public sealed class AccessLog(IAccessRecorder recorder, IServiceProvider services)
{
    public const string PatientType = "Patient";
    public const string ConsentType = "Consent";
    public const string CarePlanType = "CarePlan";

    private int _pending;

    public static string Patient(Guid patientId) => $"Patient/{patientId}";

    /// <summary>A read of one patient's data: <paramref name="what"/> names what was read.</summary>
    public void Read(Guid patientId, string what, string entityType)
    {
        recorder.Record(new AccessRecord(AccessKind.PatientRecordRead, Patient(patientId), what, entityType));
        _pending++;
    }

    /// <summary>A page that shows several patients' data: one record per patient on it, however many rows each has.</summary>
    public void ReadEach(IEnumerable<Guid> patientIds, Func<string, string> what, string entityType)
    {
        foreach (var patientId in patientIds.Distinct())
        {
            var patient = Patient(patientId);
            recorder.Record(new AccessRecord(AccessKind.PatientRecordRead, patient, what(patient), entityType));
            _pending++;
        }
    }

    /// <summary>
    /// A use check and what it decided (a deny is recorded as well as a permit), durable when this completes. A check
    /// writes nothing else, so its record shares one commit with the records of the checks running beside it (a group
    /// commit, docs/decisions/0027) instead of paying a commit of its own.
    /// </summary>
    public async Task CheckedAsync(Guid patientId, Guid technologyId, UsePurpose purpose, UseCheckResult result, CancellationToken ct)
    {
        var what = result.UseId is { } useId ? $"TechnologyUse/{useId}" : $"Technology/{technologyId}";
        await recorder.RecordDurablyAsync(new AccessRecord(AccessKind.UseCheck, Patient(patientId), what, ConsentType, PurposeOfUse(purpose),
            Permitted: result.Decision == UseCheckDecision.Permit), ct);
    }

    /// <summary>Commits the records of a call that writes nothing else (its one round trip); nothing when none were made.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_pending == 0) return;
        await services.GetRequiredService<ConsentDbContext>().SaveChangesAsync(ct);
        _pending = 0;
    }

    /// <summary>The HL7 v3 PurposeOfUse of a check's stated purpose: care, patient safety, or the trust's operations.</summary>
    public static string PurposeOfUse(UsePurpose purpose) => purpose switch
    {
        UsePurpose.PatientSafety => "PATSFTY",
        UsePurpose.ReleasingTimeToCare or UsePurpose.ReduceStaffTimeWithPatient or UsePurpose.CoverLowStaffing => "HOPERAT",
        _ => "TREAT",
    };
}
