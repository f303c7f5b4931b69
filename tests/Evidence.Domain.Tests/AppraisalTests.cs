using Platform.Domain;
using Platform.Evidence.Domain;
using Xunit;
using static Platform.Evidence.Domain.Tests.TestData;

namespace Platform.Evidence.Domain.Tests;

public class AppraisalTests
{
    private static readonly AppraisalPolicy Policy = AppraisalPolicy.Default;

    private static EvidenceItem Item(StudyDesign design = StudyDesign.Rct, int participants = 240, bool independent = true,
        RiskOfBias bias = RiskOfBias.Low, SettingRelevance relevance = SettingRelevance.Direct, Guid? technology = null, string title = "Multi-site trial on acute wards") =>
        EvidenceItem.Record(new EvidenceItemSubmission(technology ?? Technology, title, "doi:10.0000/example.2025.17", design, participants, independent, bias, relevance),
            Reviewer, Guid.NewGuid(), Days(-10)).Value;

    private static AppraisalSubmission Submission(AppraisalConclusion conclusion, IEnumerable<EvidenceItem> items, bool standardsMet = true) =>
        new(Technology, Setting, EsfTier.C, items.Select(i => i.Id).ToList(),
            [new("ESF 2022 standard: effectiveness", standardsMet), new("ESF 2022 standard: acceptability with users", true)],
            conclusion, "Independent multi-site RCT on acute wards showed improved DIALOG scores; this is why a full rollout was recommended.");

    private static Outcome<Appraisal> Complete(AppraisalSubmission submission, IReadOnlyList<EvidenceItem> library, EvidenceActor? actor = null) =>
        Appraisal.Complete(submission, library, actor ?? Reviewer, Policy, Guid.NewGuid(), Now);

    [Fact]
    public void A_sufficient_appraisal_rests_on_high_quality_large_scale_unbiased_evidence_from_this_type_of_ward()
    {
        var items = new[] { Item(), Item(StudyDesign.Qualitative, 12, relevance: SettingRelevance.Partial) };
        var appraisal = Complete(Submission(AppraisalConclusion.Sufficient, items), items).Value;
        Assert.Equal((AppraisalConclusion.Sufficient, EsfTier.C, 1, 2, "rev-5"),
            (appraisal.Conclusion, appraisal.Tier, appraisal.ItemsMeetingP7Bar, appraisal.Evidence.Count, appraisal.ReviewedBy));
        Assert.Equal(["ESF 2022 standard: effectiveness", "ESF 2022 standard: acceptability with users"], appraisal.StandardsMet);
        Assert.Contains("why a full rollout", appraisal.HowEvidenceInformedDecision);
    }

    public static TheoryData<string, EvidenceItem> WeakItems() => new()
    {
        { "not a high-quality design", Item(StudyDesign.Cohort) },
        { "fewer than 100 participants", Item(participants: 60) },
        { "not independent of the supplier", Item(independent: false) },
        { "risk of bias not low", Item(bias: RiskOfBias.SomeConcerns) },
        { "not studied in this type of ward", Item(relevance: SettingRelevance.Partial) },
    };

    [Theory]
    [MemberData(nameof(WeakItems))]
    public void Sufficient_is_refused_when_no_item_meets_the_p7_bar_and_the_refusal_says_what_each_lacks(string lacks, EvidenceItem item)
    {
        var refusal = Complete(Submission(AppraisalConclusion.Sufficient, [item]), [item]).Refusal;
        Assert.Equal(("appraisal.sufficient-not-supported", RefusalKind.FailedPrecondition), (refusal?.Rule, refusal?.Kind));
        Assert.Contains(lacks, refusal!.Message);
    }

    [Fact]
    public void Sufficient_is_refused_while_an_esf_standard_for_the_tier_is_not_met()
    {
        var items = new[] { Item() };
        var refusal = Complete(Submission(AppraisalConclusion.Sufficient, items, standardsMet: false), items).Refusal;
        Assert.Equal("appraisal.sufficient-not-supported", refusal?.Rule);
        Assert.Contains("ESF standards not met: ESF 2022 standard: effectiveness", refusal!.Message);
    }

    [Fact]
    public void The_trust_sets_what_counts_as_large_scale_and_high_quality()
    {
        var items = new[] { Item(StudyDesign.Cohort, 60) };
        var lenient = AppraisalPolicy.Default with { LargeScaleMinimumParticipants = 50, HighQualityDesigns = new HashSet<StudyDesign> { StudyDesign.Rct, StudyDesign.Cohort } };
        Assert.False(Appraisal.Complete(Submission(AppraisalConclusion.Sufficient, items), items, Reviewer, lenient, Guid.NewGuid(), Now).IsRefused);
        Assert.Equal("appraisal-policy.large-scale-range", (AppraisalPolicy.Default with { LargeScaleMinimumParticipants = 0 }).Validate()?.Rule);
        Assert.Equal("appraisal-policy.designs-required", (AppraisalPolicy.Default with { HighQualityDesigns = new HashSet<StudyDesign>() }).Validate()?.Rule);
    }

    [Fact]
    public void Minimal_needs_some_relevant_evidence_in_support_and_insufficient_needs_none()
    {
        var weak = new[] { Item(StudyDesign.ServiceEvaluation, 30, independent: false, bias: RiskOfBias.High, relevance: SettingRelevance.Partial) };
        Assert.Equal(AppraisalConclusion.Minimal, Complete(Submission(AppraisalConclusion.Minimal, weak), weak).Value.Conclusion);

        var irrelevant = new[] { Item(relevance: SettingRelevance.NotRelevant) };
        Assert.Equal("appraisal.minimal-needs-relevant-evidence", Complete(Submission(AppraisalConclusion.Minimal, irrelevant), irrelevant).Refusal?.Rule);
        Assert.Equal("appraisal.minimal-needs-relevant-evidence", Complete(Submission(AppraisalConclusion.Minimal, []), []).Refusal?.Rule);
        Assert.False(Complete(Submission(AppraisalConclusion.Insufficient, []), []).IsRefused);
    }

    [Fact]
    public void An_appraisal_must_say_how_the_evidence_informed_the_decision()
    {
        var items = new[] { Item() };
        var refusal = Complete(Submission(AppraisalConclusion.Sufficient, items) with { HowEvidenceInformedDecision = " " }, items).Refusal;
        Assert.Equal("appraisal.how-evidence-informed-missing", refusal?.Rule);
        Assert.Contains("P7", refusal!.Message);
    }

    [Fact]
    public void An_appraisal_names_its_setting_tier_conclusion_and_standards()
    {
        var items = new[] { Item() };
        Assert.Equal("setting.required", Complete(Submission(AppraisalConclusion.Sufficient, items) with { SettingCode = null }, items).Refusal?.Rule);
        Assert.Equal("tier.required", Complete(Submission(AppraisalConclusion.Sufficient, items) with { Tier = EsfTier.Unspecified }, items).Refusal?.Rule);
        Assert.Equal("conclusion.required", Complete(Submission(AppraisalConclusion.Unspecified, items), items).Refusal?.Rule);
        Assert.Equal("appraisal.standards-missing", Complete(Submission(AppraisalConclusion.Sufficient, items) with { Standards = [] }, items).Refusal?.Rule);
        Assert.Equal("appraisal.standard-reference-missing", Complete(Submission(AppraisalConclusion.Sufficient, items) with { Standards = [new(" ", true)] }, items).Refusal?.Rule);
        Assert.Equal("technology-id.required", Complete(Submission(AppraisalConclusion.Sufficient, items) with { TechnologyId = Guid.Empty }, items).Refusal?.Rule);
    }

    [Fact]
    public void Evidence_about_another_technology_or_not_in_the_library_is_refused()
    {
        var other = Item(technology: Guid.NewGuid(), title: "Another product's trial");
        Assert.Equal("appraisal.evidence-item-other-technology", Complete(Submission(AppraisalConclusion.Insufficient, [other]), [other]).Refusal?.Rule);
        Assert.Equal(("appraisal.evidence-item-not-found", RefusalKind.NotFound),
            (Complete(Submission(AppraisalConclusion.Insufficient, [Item()]), []).Refusal?.Rule, Complete(Submission(AppraisalConclusion.Insufficient, [Item()]), []).Refusal?.Kind));
    }

    [Theory]
    [InlineData(EvidenceRole.Clinician)]
    [InlineData(EvidenceRole.ProcurementLead)]
    [InlineData(EvidenceRole.Device)]
    public void Only_the_evidence_reviewer_appraises_or_records_evidence(EvidenceRole role)
    {
        var items = new[] { Item() };
        var actor = new EvidenceActor("x", role);
        Assert.Equal(RefusalKind.PermissionDenied, Complete(Submission(AppraisalConclusion.Sufficient, items), items, actor).Refusal?.Kind);
        Assert.Equal(RefusalKind.PermissionDenied, EvidenceItem.Record(
            new EvidenceItemSubmission(Technology, "A study", "doi:1", StudyDesign.Rct, 100, true, RiskOfBias.Low, SettingRelevance.Direct), actor, Guid.NewGuid(), Now).Refusal?.Kind);
    }

    [Fact]
    public void An_evidence_item_records_design_size_independence_risk_of_bias_and_setting_relevance()
    {
        var submission = new EvidenceItemSubmission(Technology, "A study", "doi:1", StudyDesign.Rct, 100, true, RiskOfBias.Low, SettingRelevance.Direct);
        Assert.Equal("participants.range", EvidenceItem.Record(submission with { Participants = 0 }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("design.required", EvidenceItem.Record(submission with { Design = StudyDesign.Unspecified }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("risk-of-bias.required", EvidenceItem.Record(submission with { RiskOfBias = RiskOfBias.Unspecified }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("setting-relevance.required", EvidenceItem.Record(submission with { SettingRelevance = SettingRelevance.Unspecified }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("citation.required", EvidenceItem.Record(submission with { Citation = "" }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("title.required", EvidenceItem.Record(submission with { Title = null }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("technology-id.required", EvidenceItem.Record(submission with { TechnologyId = Guid.Empty }, Reviewer, Guid.NewGuid(), Now).Refusal?.Rule);
    }
}
