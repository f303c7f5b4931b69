using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>
/// The use check, the enforcement point devices and EPRs call: reads only the cached patient snapshot and the trust's
/// cached approvals and policy, and writes only its access record (permit or deny) for the audit log. With a warm cache
/// that record is its one database write, shared with the records of the checks running beside it (a group commit).
/// </summary>
public sealed class UseChecker(PatientRecordsStore store, AccessLog access, TimeProvider clock)
{
    /// <remarks>
    /// The use on this ward and the approval for its setting are picked by the domain's one rule
    /// (<see cref="UseCheck.Evaluate(PatientConsentRecords, Guid, string, UsePurpose, ReadOnlySpan{TechnologyApproval}, TrustPolicy, DateTime)"/>)
    /// from the patient's uses and all of the trust's approvals; nothing here picks them a second way.
    /// </remarks>
    public async ValueTask<Outcome<UseCheckResult>> CheckAsync(Guid patientId, Guid technologyId, string? wardCode, UsePurpose purpose, CancellationToken ct = default)
    {
        // Purpose limitation needs a purpose to compare: none at all is the caller's mistake, not a deny.
        if (purpose == UsePurpose.Unspecified)
            return Refusal.Invalid("use-check.purpose-missing", "Name the purpose the data is used for: a check is answered only for a stated purpose.");
        var records = await store.GetAsync(patientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        var trust = await store.GetTrustAsync(ct);
        var ward = Data.ConsentWard.Normalise(wardCode);
        var result = UseCheck.Evaluate(records, technologyId, ward, purpose, trust.Approvals, trust.Policy, clock.GetUtcNow().UtcDateTime);
        // Every decision is audited before it is answered: a device is never told "permit" for a check the log lacks.
        await access.CheckedAsync(patientId, technologyId, purpose, result, ct);
        return result;
    }
}
