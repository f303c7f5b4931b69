using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// A ward of the trust as the identity service's directory publishes it (identity.ward_registered.v1 /
/// identity.ward_changed.v1): the only source of a ward's setting. Patients and uses are accepted only on a ward held
/// here, and the use's setting is the ward's, never the caller's.
/// </summary>
public sealed class ConsentWard : ITenantOwned
{
    public string TenantId { get; set; } = "";
    /// <summary>Normalised: trimmed and upper-case, as the directory keeps it ("oak " is OAK).</summary>
    public string Code { get; set; } = "";
    public string SettingCode { get; set; } = "";
    public int Beds { get; set; }
    public bool Closed { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Ward codes as the directory keeps them, so "oak" and "OAK" name one ward.</summary>
    public static string Normalise(string? code) => (code ?? "").Trim().ToUpperInvariant();
}
