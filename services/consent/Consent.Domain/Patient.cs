using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>Age bands: the consent rules differ under 16, at 16–17 and from 18 (lawful-basis.md).</summary>
public enum AgeBand
{
    Unspecified = 0,
    Under16 = 1,
    Aged16To17 = 2,
    Aged18To25 = 3,
    Aged26To64 = 4,
    Aged65AndOver = 5,
}

/// <summary>
/// A patient as the platform knows them: the minimum the Caldicott principles allow. No name is ever stored;
/// the internal <see cref="Id"/> is what events and other services use.
/// </summary>
public sealed class Patient : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string NhsNumber { get; init; } = "";
    public string WardCode { get; set; } = "";
    public AgeBand AgeBand { get; set; }
    public DateTime RegisteredAt { get; init; }
}
