using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// A trust that has consent records here, so the scheduled jobs know whom to visit. Holds the ODS code only (public
/// reference data), so it is the one table without row-level security: the jobs read it before taking a tenant.
/// </summary>
public sealed class ConsentTrust
{
    public string TenantId { get; set; } = "";
    public DateTime FirstSeenAt { get; set; }
}

/// <summary>A blanket-use signal already raised, keyed by its finding, so a scheduled run raises each finding once.</summary>
public sealed class RaisedBlanketSignal : ITenantOwned
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    /// <summary>Kind, ward, technology and the sorted use ids, hashed: the same evidence is the same finding.</summary>
    public string SignalKey { get; set; } = "";
    public BlanketSignalKind Kind { get; set; }
    public string WardCode { get; set; } = "";
    public Guid TechnologyId { get; set; }
    public int UseCount { get; set; }
    /// <summary>The uses the finding rests on (its evidence).</summary>
    public List<string> UseIds { get; set; } = [];
    public DateTime RaisedAt { get; set; }
}
