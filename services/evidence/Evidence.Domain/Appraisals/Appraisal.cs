using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>NICE Evidence Standards Framework tier: A system efficiency; B self-management; C treat, diagnose or guide care.</summary>
public enum EsfTier
{
    Unspecified = 0,
    A = 1,
    B = 2,
    C = 3,
}

public enum AppraisalConclusion
{
    Unspecified = 0,
    Sufficient = 1,
    /// <summary>Only minimal evidence: proceed with caution, as a trial with independent evaluation (P7).</summary>
    Minimal = 2,
    Insufficient = 3,
}

/// <summary>The reviewer's judgement of one ESF standard that applies to the tier: its reference (as the framework numbers it) and whether it is met.</summary>
public sealed record EsfStandardJudgement(string Standard, bool Met, string? Note = null);

public sealed record AppraisalSubmission(
    Guid TechnologyId, string? SettingCode, EsfTier Tier, IReadOnlyList<Guid> EvidenceItemIds, IReadOnlyList<EsfStandardJudgement> Standards,
    AppraisalConclusion Conclusion, string? HowEvidenceInformedDecision);

/// <summary>
/// The critical review of a technology's evidence base for one type of ward (P7): the evidence considered, the ESF
/// tier and the standards met, the conclusion, the reviewer, and how the evidence informed the decision. Complete
/// when recorded; a later appraisal supersedes it rather than changing it.
/// </summary>
public sealed class Appraisal : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public EsfTier Tier { get; init; }
    /// <summary>The evidence as it stood when appraised.</summary>
    public IReadOnlyList<EvidenceItem> Evidence { get; init; } = [];
    public IReadOnlyList<EsfStandardJudgement> Standards { get; init; } = [];
    public AppraisalConclusion Conclusion { get; init; }
    public string HowEvidenceInformedDecision { get; init; } = "";
    /// <summary>How many items met P7's bar of high quality, large scale and unbiased.</summary>
    public int ItemsMeetingP7Bar { get; init; }
    public string ReviewedBy { get; init; } = "";
    public DateTime CompletedAt { get; init; }

    public IEnumerable<string> StandardsMet => Standards.Where(s => s.Met).Select(s => s.Standard);
    public IEnumerable<string> StandardsNotMet => Standards.Where(s => !s.Met).Select(s => s.Standard);

    public static Outcome<Appraisal> Complete(
        AppraisalSubmission submission, IReadOnlyList<EvidenceItem> library, EvidenceActor reviewer, AppraisalPolicy policy, Guid id, DateTime now)
    {
        if (EvidenceRoles.Require(reviewer, EvidenceRoles.Appraises, "complete an appraisal") is { } denied) return denied;
        if (submission.TechnologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology appraised.");
        if (Validation.Code("setting", submission.SettingCode) is { } badSetting) return badSetting;
        if (Validation.Defined("tier", submission.Tier) is { } badTier) return badTier;
        if (Validation.Defined("conclusion", submission.Conclusion) is { } badConclusion) return badConclusion;
        if (Validation.RequiredText("how-evidence-informed-decision", submission.HowEvidenceInformedDecision, 4000) is not null)
            return Refusal.Invalid("appraisal.how-evidence-informed-missing",
                "Record how the evidence base was taken into account in the decision: providers must be able to demonstrate it (P7).");

        var items = new List<EvidenceItem>();
        foreach (var itemId in submission.EvidenceItemIds.Distinct())
        {
            var item = library.FirstOrDefault(i => i.Id == itemId);
            if (item is null) return Refusal.NotFound("appraisal.evidence-item-not-found", "An evidence item named in the appraisal was not found.");
            if (item.TechnologyId != submission.TechnologyId)
                return Refusal.Invalid("appraisal.evidence-item-other-technology", $"The evidence item '{item.Title}' is about another technology.");
            items.Add(item);
        }
        if (submission.Standards.Count == 0)
            return Refusal.Invalid("appraisal.standards-missing", $"Record the ESF standards that apply to tier {submission.Tier} and whether each is met.");
        if (submission.Standards.Any(s => string.IsNullOrWhiteSpace(s.Standard)))
            return Refusal.Invalid("appraisal.standard-reference-missing", "Each ESF standard judged needs its reference.");

        var strong = items.Count(i => i.ShortOfP7Bar(policy).Count == 0);
        switch (submission.Conclusion)
        {
            case AppraisalConclusion.Sufficient:
                var gaps = new List<string>();
                if (strong == 0)
                    gaps.Add(items.Count == 0
                        ? "no evidence items were considered"
                        : "no item is high quality, large scale, unbiased and from this type of ward (" +
                          string.Join("; ", items.Select(i => $"{i.Title}: {string.Join(", ", i.ShortOfP7Bar(policy))}")) + ")");
                var unmet = submission.Standards.Where(s => !s.Met).Select(s => s.Standard.Trim()).ToList();
                if (unmet.Count > 0) gaps.Add($"ESF standards not met: {string.Join(", ", unmet)}");
                if (gaps.Count > 0)
                    return Refusal.Precondition("appraisal.sufficient-not-supported",
                        $"The evidence does not support a conclusion of 'sufficient': {string.Join("; ", gaps)}. Conclude 'minimal' (trial with independent evaluation) or 'insufficient'.");
                break;
            case AppraisalConclusion.Minimal:
                if (!items.Any(i => i.SettingRelevance != SettingRelevance.NotRelevant))
                    return Refusal.Precondition("appraisal.minimal-needs-relevant-evidence",
                        "A conclusion of 'minimal' needs at least one relevant evidence item in support; with none, the evidence is insufficient.");
                break;
        }

        return new Appraisal
        {
            Id = id,
            TechnologyId = submission.TechnologyId,
            SettingCode = submission.SettingCode!.Trim(),
            Tier = submission.Tier,
            Evidence = items,
            Standards = submission.Standards.Select(s => s with { Standard = s.Standard.Trim() }).ToList(),
            Conclusion = submission.Conclusion,
            HowEvidenceInformedDecision = submission.HowEvidenceInformedDecision!.Trim(),
            ItemsMeetingP7Bar = strong,
            ReviewedBy = reviewer.Subject,
            CompletedAt = now,
        };
    }
}
