using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// A trust's reading of P7's "high quality, large scale and unbiased". These are the trust's choices, not published
/// thresholds; the defaults are deliberately strict.
/// </summary>
public sealed record AppraisalPolicy
{
    public int LargeScaleMinimumParticipants { get; init; } = 100;
    public IReadOnlySet<StudyDesign> HighQualityDesigns { get; init; } = new HashSet<StudyDesign> { StudyDesign.SystematicReview, StudyDesign.Rct };

    public static AppraisalPolicy Default { get; } = new();

    public Refusal? Validate()
    {
        if (LargeScaleMinimumParticipants < 1)
            return Refusal.Invalid("appraisal-policy.large-scale-range", "The minimum number of participants for a large-scale study must be at least 1.");
        if (HighQualityDesigns.Count == 0 || HighQualityDesigns.Contains(StudyDesign.Unspecified))
            return Refusal.Invalid("appraisal-policy.designs-required", "Name at least one study design the trust counts as high quality.");
        return null;
    }
}
