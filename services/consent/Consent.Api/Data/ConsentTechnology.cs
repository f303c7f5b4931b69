using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// A technology in the trust's register, as procurement's technology_registered event told consent of it. An approval
/// typed in by hand names one of these, so no trust can approve another trust's technology (or a made-up one).
/// </summary>
public sealed class ConsentTechnology : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTime LearnedAt { get; init; }
}
