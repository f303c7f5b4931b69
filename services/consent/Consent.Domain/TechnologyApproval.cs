using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// The trust's approval of one technology for one setting type, as the consent service learns it from procurement
/// events. Withdrawing it suspends every use of the technology in that setting.
/// </summary>
public sealed class TechnologyApproval : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string TechnologyName { get; set; } = "";
    /// <summary>Ward or service type the approval covers, e.g. "acute-adult", "picu", "camhs".</summary>
    public string SettingCode { get; init; } = "";
    /// <summary>Video or vision-based monitoring: every use needs a human-rights balancing record (P1).</summary>
    public bool IsSurveillance { get; set; }
    /// <summary>The intended use includes managing a safety risk: every use needs a proportionality record (P6).</summary>
    public bool ManagesSafetyRisk { get; set; }
    public DateTime ApprovedAt { get; set; }
    public DateTime? WithdrawnAt { get; set; }

    public bool IsWithdrawn(DateTime now) => WithdrawnAt is { } w && w <= now;

    public bool Covers(Guid technologyId, string settingCode) =>
        TechnologyId == technologyId && string.Equals(SettingCode, settingCode, StringComparison.Ordinal);
}
