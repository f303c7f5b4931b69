using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// For a 16-17-year-old who lacks capacity: is this decision within the zone of parental control (Mental Health Act
/// Code of Practice, chapter 19; MCA Code of Practice, chapter 12)? A decision outside it (its nature, a conflict
/// between parent and child, a parent unable or unwilling to decide) goes to a best-interests decision that consults
/// the parents. A parent never consents to surveillance or confinement of a 16-17-year-old.
/// </summary>
public sealed class ZoneOfParentalControlFinding : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    /// <summary>Null = not answered.</summary>
    public bool? WithinZone { get; set; }
    public string Reasons { get; set; } = "";
    public string AssessedBy { get; set; } = "";
    public DateTime AssessedAt { get; set; }

    public Refusal? Validate()
    {
        if (TechnologyId == Guid.Empty) return Refusal.Invalid("parental-control.technology-missing", "Name the technology the finding is for.");
        if (WithinZone is null) return Refusal.Invalid("parental-control.finding-missing", "Record whether this decision is within the zone of parental control.");
        if (string.IsNullOrWhiteSpace(Reasons)) return Refusal.Invalid("parental-control.reasons-missing",
            "Record why: the nature of the decision, the young person's views, and any conflict between them and their parents.");
        if (string.IsNullOrWhiteSpace(AssessedBy) || AssessedAt == default) return Refusal.Invalid("parental-control.assessor-missing", "Record who made the finding and when.");
        return FreeText.First(FreeText.Narrative("reasons", Reasons), FreeText.Short("assessed-by", AssessedBy));
    }
}
