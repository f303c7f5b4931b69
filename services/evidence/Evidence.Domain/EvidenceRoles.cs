using Platform.Domain;

namespace Platform.Evidence.Domain;

public enum EvidenceRole
{
    Unspecified = 0,
    EvidenceReviewer = 1,
    Clinician = 2,
    WardManager = 3,
    ProcurementLead = 4,
    RegionAnalyst = 5,
    Device = 6,
}

/// <summary>Who acted, from their token: a subject id and the role they acted in. Never a name.</summary>
public sealed record EvidenceActor(string Subject, EvidenceRole Role);

/// <summary>Roles as data: who appraises, who records outcomes, who may read the suppressed aggregates.</summary>
public static class EvidenceRoles
{
    public const EvidenceRole Appraises = EvidenceRole.EvidenceReviewer;
    public const EvidenceRole RecordsOutcomes = EvidenceRole.Clinician;

    /// <summary>
    /// The multidisciplinary team reviewing a technology's suitability (P8), the people who decide on it, and the
    /// region's analysts. Every one of them sees the suppressed aggregates only, never rows.
    /// </summary>
    public static IReadOnlySet<EvidenceRole> ReadAggregates { get; } = new HashSet<EvidenceRole>
        { EvidenceRole.Clinician, EvidenceRole.WardManager, EvidenceRole.EvidenceReviewer, EvidenceRole.ProcurementLead, EvidenceRole.RegionAnalyst };

    private static readonly Dictionary<EvidenceRole, string> Codes = new()
    {
        [EvidenceRole.EvidenceReviewer] = "evidence-reviewer",
        [EvidenceRole.Clinician] = "clinician",
        [EvidenceRole.WardManager] = "ward-manager",
        [EvidenceRole.ProcurementLead] = "procurement-lead",
        [EvidenceRole.RegionAnalyst] = "region-analyst",
        [EvidenceRole.Device] = "device",
    };

    public static string Code(EvidenceRole role) => Codes.TryGetValue(role, out var code) ? code : "unspecified";

    public static EvidenceRole Parse(string? code) => Codes.FirstOrDefault(pair => string.Equals(pair.Value, code, StringComparison.Ordinal)).Key;

    internal static Refusal? Require(EvidenceActor? actor, EvidenceRole role, string what)
    {
        if (actor is null || string.IsNullOrWhiteSpace(actor.Subject))
            return Refusal.Invalid("actor.required", "Record who is acting: the subject of their token.");
        return actor.Role == role
            ? null
            : Refusal.Denied("evidence.role-required", $"Only the role '{Code(role)}' can {what}; this was attempted as '{Code(actor.Role)}'.");
    }
}
