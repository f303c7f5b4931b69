namespace Platform.Identity.Domain;

/// <summary>
/// The platform's roles (design/domain.md). A trust's clients and staff act in trust roles, always for one trust; the
/// region's clients act in region roles, for no trust. No token ever mixes the two.
/// </summary>
public static class Roles
{
    public const string Clinician = "clinician";
    public const string WardManager = "ward-manager";
    public const string Device = "device";
    public const string ProcurementLead = "procurement-lead";
    public const string IgLead = "ig-lead";
    public const string ClinicalSafetyOfficer = "clinical-safety-officer";
    public const string EvidenceReviewer = "evidence-reviewer";
    public const string Auditor = "auditor";
    public const string TrustAdmin = "trust-admin";
    public const string RegionOperator = "region-operator";
    public const string RegionAnalyst = "region-analyst";
    public const string PlatformOperator = "platform-operator";

    /// <summary>Roles held for one trust. The platform operator is here too: dead letters are kept and replayed per trust.</summary>
    public static readonly IReadOnlySet<string> TrustRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        Clinician, WardManager, Device, ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer, Auditor, TrustAdmin, PlatformOperator,
    };

    /// <summary>Roles held for the region, in tokens that name no trust.</summary>
    public static readonly IReadOnlySet<string> RegionRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        RegionOperator, RegionAnalyst, PlatformOperator,
    };
}

/// <summary>The scopes a client may be registered for and ask for: one per API.</summary>
public static class Scopes
{
    public static readonly IReadOnlyList<string> All = ["consent", "procurement", "evidence", "audit", "directory"];
}
