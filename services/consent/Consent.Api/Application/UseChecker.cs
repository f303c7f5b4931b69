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
    public async ValueTask<Outcome<UseCheckResult>> CheckAsync(Guid patientId, Guid technologyId, string? wardCode, UsePurpose purpose, CancellationToken ct = default)
    {
        var records = await store.GetAsync(patientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        var trust = await store.GetTrustAsync(ct);
        var ward = wardCode?.Trim() ?? "";
        return UseCheck.Evaluate(records, technologyId, ward, purpose, trust.ApprovalFor(technologyId, SettingOf(records, technologyId, ward)), trust.Policy,
            clock.GetUtcNow().UtcDateTime);
    }

    // The setting of the use the check will look at: the approval must cover that setting.
    private static string? SettingOf(PatientConsentRecords records, Guid technologyId, string wardCode)
    {
        string? setting = null;
        foreach (var use in records.Uses)
        {
            if (use.TechnologyId != technologyId || !string.Equals(use.WardCode, wardCode, StringComparison.Ordinal)) continue;
            if (use.Status == UseStatus.Active) return use.SettingCode;
            setting ??= use.SettingCode;
        }
        return setting;
    }
}
