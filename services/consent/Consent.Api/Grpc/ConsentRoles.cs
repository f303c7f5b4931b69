namespace Platform.Consent.Api.Grpc;

/// <summary>
/// The roles the consent service's methods ask of a caller's token (least privilege). Clinicians keep the records and
/// ask the check; devices and EPR integrations only ask the check; approvals arrive as procurement's events, and by
/// hand only as a trust administrator's override with a reason (ADR 0029); the trust's policy is set by a trust
/// administrator; a ward manager reads the ward's queries.
/// </summary>
public static class ConsentRoles
{
    public const string Clinician = "clinician";
    public const string Device = "device";
    public const string ProcurementLead = "procurement-lead";
    public const string TrustAdmin = "trust-admin";
    /// <summary>Runs a ward: reads its uses, overdue reviews, consent required and blanket-use signals; keeps no records.</summary>
    public const string WardManager = "ward-manager";
    /// <summary>The region's analyst, on a region token (no trust): aggregates across trusts, suppressed, never rows (ADR 0040).</summary>
    public const string RegionAnalyst = "region-analyst";
}
