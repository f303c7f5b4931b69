using Platform.Domain;
using Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Data;

/// <summary>A completed appraisal (appraisals); its evidence snapshot and standards are rows of their own.</summary>
public sealed class AppraisalRow : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public EsfTier Tier { get; init; }
    public AppraisalConclusion Conclusion { get; init; }
    public string HowEvidenceInformedDecision { get; init; } = "";
    public int ItemsMeetingP7Bar { get; init; }
    public string ReviewedBy { get; init; } = "";
    public DateTime CompletedAt { get; init; }
}

/// <summary>One evidence item as it stood when appraised (appraisal_items): a later edit of the item leaves the appraisal as it was.</summary>
public sealed class AppraisalItemRow : ITenantOwned
{
    public Guid AppraisalId { get; init; }
    public Guid EvidenceItemId { get; init; }
    public string TenantId { get; set; } = "";
    /// <summary>The domain's item as JSON.</summary>
    public string Snapshot { get; init; } = "";
}

/// <summary>One ESF standard the reviewer judged (appraisal_standards), in the order given.</summary>
public sealed class AppraisalStandardRow : ITenantOwned
{
    public Guid AppraisalId { get; init; }
    public int Position { get; init; }
    public string TenantId { get; set; } = "";
    public string Standard { get; init; } = "";
    public bool Met { get; init; }
    public string? Note { get; init; }
}

/// <summary>The trust's <see cref="AppraisalPolicy"/> (appraisal_policies); no row means the defaults.</summary>
public sealed class AppraisalPolicyRow : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public int LargeScaleMinimumParticipants { get; set; }
    /// <summary>Comma-separated <see cref="StudyDesign"/> names.</summary>
    public string HighQualityDesigns { get; set; } = "";
}
