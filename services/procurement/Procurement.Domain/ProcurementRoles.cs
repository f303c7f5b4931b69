using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>The role a person acted in. Only the first four do anything in procurement.</summary>
public enum ProcurementRole
{
    Unspecified = 0,
    ProcurementLead = 1,
    InformationGovernanceLead = 2,
    ClinicalSafetyOfficer = 3,
    EvidenceReviewer = 4,
    Clinician = 5,
    Device = 6,
}

/// <summary>Who acted, from their token: a subject id and the role they acted in. Never a name.</summary>
public sealed record ProcurementActor(string Subject, ProcurementRole Role);

/// <summary>
/// Roles as data: which role opens cases and decides, and which completes each gate. The API checks the caller's
/// token against this table, and every domain operation checks it again.
/// </summary>
public static class ProcurementRoles
{
    /// <summary>The role that opens cases, approves, withdraws and shares supplier evidence with the region.</summary>
    public const ProcurementRole Decides = ProcurementRole.ProcurementLead;

    private static readonly Dictionary<ProcurementRole, string> Codes = new()
    {
        [ProcurementRole.ProcurementLead] = "procurement-lead",
        [ProcurementRole.InformationGovernanceLead] = "ig-lead",
        [ProcurementRole.ClinicalSafetyOfficer] = "clinical-safety-officer",
        [ProcurementRole.EvidenceReviewer] = "evidence-reviewer",
        [ProcurementRole.Clinician] = "clinician",
        [ProcurementRole.Device] = "device",
    };

    /// <summary>The role's name in tokens, e.g. "ig-lead".</summary>
    public static string Code(ProcurementRole role) => Codes.TryGetValue(role, out var code) ? code : "unspecified";

    public static ProcurementRole Parse(string? code) =>
        Codes.FirstOrDefault(pair => string.Equals(pair.Value, code, StringComparison.Ordinal)).Key;

    /// <summary>The role that completes <paramref name="gate"/>.</summary>
    public static ProcurementRole CompletesGate(GateKind gate) => GateCatalogue.Of(gate).CompletedBy;

    internal static Refusal? Require(ProcurementActor? actor, ProcurementRole role, string what)
    {
        if (actor is null || string.IsNullOrWhiteSpace(actor.Subject))
            return Refusal.Invalid("actor.required", "Record who is acting: the subject of their token.");
        if (actor.Role != role)
            return Refusal.Denied("procurement.role-required",
                $"Only the {Words(role)} can {what}; this was attempted as {Words(actor.Role)}.");
        return null;
    }

    internal static string Words(ProcurementRole role) => role switch
    {
        ProcurementRole.ProcurementLead => "procurement lead",
        ProcurementRole.InformationGovernanceLead => "information governance lead",
        ProcurementRole.ClinicalSafetyOfficer => "clinical safety officer",
        ProcurementRole.EvidenceReviewer => "evidence reviewer",
        ProcurementRole.Clinician => "a clinician",
        ProcurementRole.Device => "a device",
        _ => "no recognised role",
    };
}
