using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Evidence.V1;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;

namespace Platform.Evidence.Api.Tests;

public class AppraisalGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, string role = "evidence-reviewer") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    /// <summary>A randomised trial that meets P7's bar under the default policy: 120 participants, independent, low risk of bias, this type of ward.</summary>
    public static RecordEvidenceItemRequest StrongTrial(string technologyId) => new()
    {
        TechnologyId = technologyId, Title = "Randomised trial on adult acute wards", Citation = "doi:10.1000/acute-rct", StudyDesign = StudyDesign.Rct,
        SampleSize = 120, IndependentOfSupplier = true, SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.High, RiskOfBias = RiskOfBias.Low,
    };

    public static CompleteAppraisalRequest Sufficient(string technologyId, params string[] items)
    {
        var request = new CompleteAppraisalRequest
        {
            TechnologyId = technologyId, SettingCode = "acute-adult", Tier = EsfTier.C, Conclusion = AppraisalConclusion.Sufficient,
            HowEvidenceInformedDecision = "The independent trial on adult acute wards carried the decision; the supplier's own study was read for context only.",
        };
        request.EvidenceItemIds.AddRange(items);
        request.Standards.Add(new EsfStandardJudgement { Standard = "C-5", Met = true, Note = "Comparative study in the target setting" });
        request.Standards.Add(new EsfStandardJudgement { Standard = "C-7", Met = true });
        return request;
    }

    private async Task<(string Technology, EvidenceItem Item)> TechnologyWithStrongTrialAsync(string tenant)
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, tenant)).ToString();
        return (technology, await As(tenant).RecordEvidenceItemAsync(StrongTrial(technology)));
    }

    private Task<List<OutboxMessage>> PublishedAsync(string tenant, string topic, string subject) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<EvidenceDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Topic == topic && m.Subject == subject).OrderBy(m => m.Sequence).ToListAsync());

    [Fact]
    public async Task A_completed_appraisal_is_read_back_with_its_evidence_as_appraised_and_listed_newest_first()
    {
        var (technology, item) = await TechnologyWithStrongTrialAsync("RX3");
        var first = await As("RX3").CompleteAppraisalAsync(Sufficient(technology, item.EvidenceItemId));
        Assert.Equal((AppraisalConclusion.Sufficient, 1, "test-user"), (first.Conclusion, first.ItemsMeetingP7Bar, first.ReviewedBy));
        Assert.Equal(["C-5", "C-7"], first.Standards.Select(s => s.Standard));
        Assert.Equal(("doi:10.1000/acute-rct", RiskOfBias.Low, 120), (first.Evidence.Single().Citation, first.Evidence.Single().RiskOfBias, first.Evidence.Single().SampleSize));

        var second = await As("RX3").CompleteAppraisalAsync(Minimal(Sufficient(technology), item.EvidenceItemId));
        Assert.Equal(first, await As("RX3", "procurement-lead").GetAppraisalAsync(new GetAppraisalRequest { AppraisalId = first.AppraisalId }));
        var listed = await As("RX3", "ig-lead").ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = technology, SettingCode = "acute-adult" });
        Assert.Equal([second.AppraisalId, first.AppraisalId], listed.Appraisals.Select(a => a.AppraisalId));
        Assert.Empty((await As("RX3", "clinical-safety-officer").ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = technology, SettingCode = "psychiatric-icu" })).Appraisals);
    }

    private static CompleteAppraisalRequest Minimal(CompleteAppraisalRequest request, string item)
    {
        request.Conclusion = AppraisalConclusion.Minimal;
        request.EvidenceItemIds.Add(item);
        return request;
    }

    [Fact]
    public async Task Completing_an_appraisal_publishes_the_message_procurement_consumes_on_its_topic()
    {
        var (technology, item) = await TechnologyWithStrongTrialAsync("RX3");
        var appraisal = await As("RX3").CompleteAppraisalAsync(Sufficient(technology, item.EvidenceItemId));

        var row = Assert.Single(await PublishedAsync("RX3", "evidence.appraisal_completed.v1", technology));
        Assert.Equal((EventName.For<AppraisalCompleted>().Topic, "platform.evidence.appraisal_completed.v1", "RX3"), (row.Topic, row.Type, row.Tenant));
        using var cloudEvent = JsonDocument.Parse(row.Payload);
        var published = JsonParser.Default.Parse<AppraisalCompleted>(cloudEvent.RootElement.GetProperty("data").GetRawText());
        Assert.Equal(appraisal.AppraisalId, published.AppraisalId);
        Assert.Equal((technology, "acute-adult", EsfTier.C, AppraisalConclusion.Sufficient), (published.TechnologyId, published.SettingCode, published.Tier, published.Conclusion));
        Assert.Equal((1, 1), (published.ItemsConsidered, published.ItemsMeetingP7Bar));
        Assert.Equal(["C-5", "C-7"], published.StandardsMet);
        Assert.Empty(published.StandardsNotMet);
        Assert.Equal(appraisal.CompletedAt, published.CompletedAt);
        Assert.Equal(("test-user", "evidence-reviewer"), (published.Actor.Subject, published.Actor.Role));
        // Free text stays in evidence's database: the reasoning is read over gRPC by those allowed to.
        Assert.DoesNotContain("carried the decision", row.Payload);
    }

    [Fact]
    public async Task Sufficient_without_an_item_meeting_the_bar_is_failed_precondition_naming_what_each_item_lacks_and_nothing_is_kept()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RX3")).ToString();
        var weak = await As("RX3").RecordEvidenceItemAsync(new RecordEvidenceItemRequest
        {
            TechnologyId = technology, Title = "Supplier pilot", Citation = "Supplier report 2025-04", StudyDesign = StudyDesign.ServiceEvaluation, SampleSize = 30,
            IndependentOfSupplier = false, SettingRelevance = SettingRelevance.Partial, Quality = EvidenceQuality.Low, RiskOfBias = RiskOfBias.High,
        });
        var refused = await Assert.ThrowsAsync<RpcException>(() => As("RX3").CompleteAppraisalAsync(Sufficient(technology, weak.EvidenceItemId)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("Supplier pilot: not a high-quality design, fewer than 100 participants, not independent of the supplier, risk of bias not low, not studied in this type of ward", refused.Status.Detail);
        Assert.Empty((await As("RX3").ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = technology })).Appraisals);
        Assert.Empty(await PublishedAsync("RX3", "evidence.appraisal_completed.v1", technology));

        var unexplained = Sufficient(technology, weak.EvidenceItemId);
        unexplained.Conclusion = AppraisalConclusion.Minimal;
        unexplained.HowEvidenceInformedDecision = " ";
        var invalid = await Assert.ThrowsAsync<RpcException>(() => As("RX3").CompleteAppraisalAsync(unexplained).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("how the evidence base was taken into account", invalid.Status.Detail);
    }

    [Fact]
    public async Task Another_trust_can_neither_read_an_appraisal_nor_appraise_with_another_trusts_evidence()
    {
        var (technology, item) = await TechnologyWithStrongTrialAsync("RX3");
        var appraisal = await As("RX3").CompleteAppraisalAsync(Sufficient(technology, item.EvidenceItemId));

        var read = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").GetAppraisalAsync(new GetAppraisalRequest { AppraisalId = appraisal.AppraisalId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var listed = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = technology }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, listed.StatusCode);

        // RTQ registers its own technology and names RX3's evidence item: for RTQ that item does not exist.
        var theirs = (await ProcurementRegister.RegisterAsync(fixture.App, "RTQ")).ToString();
        var borrowed = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").CompleteAppraisalAsync(Sufficient(theirs, item.EvidenceItemId)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, borrowed.StatusCode);
        Assert.Contains("evidence item named in the appraisal was not found", borrowed.Status.Detail);

        var id = Guid.Parse(appraisal.AppraisalId);
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "appraisals", id, "RTQ"));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "appraisals", id, "RX3"));
    }

    [Fact]
    public async Task The_trust_admin_sets_the_appraisal_policy_and_the_bar_follows_it()
    {
        const string trust = "RV9";
        var defaults = await As(trust).GetAppraisalPolicyAsync(new GetAppraisalPolicyRequest());
        Assert.Equal(100, defaults.LargeScaleMinimumParticipants);
        Assert.Equal([StudyDesign.SystematicReview, StudyDesign.Rct], defaults.HighQualityDesigns);

        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust)).ToString();
        var cohort = await As(trust).RecordEvidenceItemAsync(Cohort(StrongTrial(technology), 60));
        var refused = await Assert.ThrowsAsync<RpcException>(() => As(trust).CompleteAppraisalAsync(Sufficient(technology, cohort.EvidenceItemId)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

        var tooLow = await Assert.ThrowsAsync<RpcException>(() => As(trust, "trust-admin").SetAppraisalPolicyAsync(new AppraisalPolicy { LargeScaleMinimumParticipants = 0, HighQualityDesigns = { StudyDesign.Rct } }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooLow.StatusCode);
        var set = await As(trust, "trust-admin").SetAppraisalPolicyAsync(new AppraisalPolicy { LargeScaleMinimumParticipants = 50, HighQualityDesigns = { StudyDesign.Cohort, StudyDesign.Rct } });
        Assert.Equal(set, await As(trust).GetAppraisalPolicyAsync(new GetAppraisalPolicyRequest()));
        Assert.Equal(1, (await As(trust).CompleteAppraisalAsync(Sufficient(technology, cohort.EvidenceItemId))).ItemsMeetingP7Bar);
        // Another trust keeps the defaults.
        Assert.Equal(100, (await As("RW1").GetAppraisalPolicyAsync(new GetAppraisalPolicyRequest())).LargeScaleMinimumParticipants);
    }

    private static RecordEvidenceItemRequest Cohort(RecordEvidenceItemRequest request, int participants)
    {
        request.StudyDesign = StudyDesign.Cohort;
        request.SampleSize = participants;
        return request;
    }
}
