using Platform.Domain;

namespace Platform.Evidence.Domain;

public enum StudyDesign
{
    Unspecified = 0,
    SystematicReview = 1,
    Rct = 2,
    Cohort = 3,
    CaseControl = 4,
    CrossSectional = 5,
    Qualitative = 6,
    ServiceEvaluation = 7,
    CaseSeries = 8,
}

/// <summary>The reviewer's judgement of a study's risk of bias (the three levels of Cochrane's RoB 2).</summary>
public enum RiskOfBias
{
    Unspecified = 0,
    Low = 1,
    SomeConcerns = 2,
    High = 3,
}

/// <summary>How far the study's setting matches the trust's: P7 asks for evidence "specific to the type of service or ward".</summary>
public enum SettingRelevance
{
    Unspecified = 0,
    /// <summary>Studied in mental health inpatient settings of the same type.</summary>
    Direct = 1,
    /// <summary>Mental health but not inpatient, or inpatient but another type of ward.</summary>
    Partial = 2,
    NotRelevant = 3,
}

public sealed record EvidenceItemSubmission(
    Guid TechnologyId, string? Title, string? Citation, StudyDesign Design, int Participants, bool IndependentOfSupplier, RiskOfBias RiskOfBias, SettingRelevance SettingRelevance);

/// <summary>One study or report about a technology, as the critical review records it (P7).</summary>
public sealed class EvidenceItem : ITenantOwned
{
    public const int MaxParticipants = 10_000_000;

    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string Title { get; init; } = "";
    /// <summary>Where to find it: a DOI, a journal reference or a report's reference.</summary>
    public string Citation { get; init; } = "";
    public StudyDesign Design { get; init; }
    public int Participants { get; init; }
    /// <summary>No supplier funding, authorship or control of the data.</summary>
    public bool IndependentOfSupplier { get; init; }
    public RiskOfBias RiskOfBias { get; init; }
    public SettingRelevance SettingRelevance { get; init; }
    public DateTime RecordedAt { get; init; }
    public string RecordedBy { get; init; } = "";

    public static Outcome<EvidenceItem> Record(EvidenceItemSubmission submission, EvidenceActor actor, Guid id, DateTime now)
    {
        if (EvidenceRoles.Require(actor, EvidenceRoles.Appraises, "record evidence for an appraisal") is { } denied) return denied;
        if (submission.TechnologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology the evidence is about.");
        if (Validation.RequiredText("title", submission.Title, 300) is { } badTitle) return badTitle;
        if (Validation.RequiredText("citation", submission.Citation, 500) is { } badCitation) return badCitation;
        if (Validation.Defined("design", submission.Design) is { } badDesign) return badDesign;
        if (submission.Participants is < 1 or > MaxParticipants)
            return Refusal.Invalid("participants.range", $"Participants must be between 1 and {MaxParticipants:N0}.");
        if (Validation.Defined("risk-of-bias", submission.RiskOfBias) is { } badBias) return badBias;
        if (Validation.Defined("setting-relevance", submission.SettingRelevance) is { } badRelevance) return badRelevance;
        return new EvidenceItem
        {
            Id = id,
            TechnologyId = submission.TechnologyId,
            Title = submission.Title!.Trim(),
            Citation = submission.Citation!.Trim(),
            Design = submission.Design,
            Participants = submission.Participants,
            IndependentOfSupplier = submission.IndependentOfSupplier,
            RiskOfBias = submission.RiskOfBias,
            SettingRelevance = submission.SettingRelevance,
            RecordedAt = now,
            RecordedBy = actor.Subject,
        };
    }

    /// <summary>
    /// P7's bar, "high quality, large scale and unbiased", for this type of ward: a design the trust counts as high
    /// quality, at least the trust's minimum number of participants, independent of the supplier, at low risk of
    /// bias, and studied in the same type of setting. Empty when the item meets it; otherwise what it lacks.
    /// </summary>
    public IReadOnlyList<string> ShortOfP7Bar(AppraisalPolicy policy)
    {
        var gaps = new List<string>();
        if (!policy.HighQualityDesigns.Contains(Design)) gaps.Add("not a high-quality design");
        if (Participants < policy.LargeScaleMinimumParticipants) gaps.Add($"fewer than {policy.LargeScaleMinimumParticipants} participants");
        if (!IndependentOfSupplier) gaps.Add("not independent of the supplier");
        if (RiskOfBias != RiskOfBias.Low) gaps.Add("risk of bias not low");
        if (SettingRelevance != SettingRelevance.Direct) gaps.Add("not studied in this type of ward");
        return gaps;
    }
}
