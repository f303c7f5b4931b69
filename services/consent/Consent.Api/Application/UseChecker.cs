using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>
/// The use check, the enforcement point devices and EPRs call: reads only the cached patient snapshot and the trust's
/// cached approvals and policy, writes nothing, and with a warm cache makes no database round trip (nor constructs a
/// database context: <see cref="PatientRecordsStore"/> resolves one only on a miss).
/// </summary>
public sealed class UseChecker(PatientRecordsStore store, TimeProvider clock)
{
    /// <remarks>
    /// The use on this ward and the approval for its setting are picked by the domain's one rule
    /// (<see cref="UseCheck.Evaluate(PatientConsentRecords, Guid, string, UsePurpose, ReadOnlySpan{TechnologyApproval}, TrustPolicy, DateTime)"/>)
    /// from the patient's uses and all of the trust's approvals; nothing here picks them a second way.
    /// </remarks>
    public async ValueTask<Outcome<UseCheckResult>> CheckAsync(Guid patientId, Guid technologyId, string? wardCode, UsePurpose purpose, CancellationToken ct = default)
    {
        var records = await store.GetAsync(patientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        var trust = await store.GetTrustAsync(ct);
        var ward = wardCode?.Trim() ?? "";
        return UseCheck.Evaluate(records, technologyId, ward, purpose, trust.Approvals, trust.Policy, clock.GetUtcNow().UtcDateTime);
    }
}
