using Grpc.Core;
using Platform.Contracts.Evidence.V1;
using Platform.Domain;
using Platform.Evidence.Api.Application;
using Platform.Grpc;
using Data = Platform.Evidence.Api.Data;
using Domain = Platform.Evidence.Domain;
using static Platform.Evidence.Api.Grpc.EvidenceRoleCodes;

namespace Platform.Evidence.Api.Grpc;

/// <summary>platform.evidence.v1.EvidenceService: messages to commands and results back; the rules are Evidence.Domain's.</summary>
public sealed class EvidenceGrpcService(EvidenceLibrary library, Appraisals appraisals) : EvidenceService.EvidenceServiceBase
{
    [RequiresRole(EvidenceReviewer)]
    public override async Task<EvidenceItem> RecordEvidenceItem(RecordEvidenceItemRequest request, ServerCallContext context) =>
        ToMessage((await library.RecordAsync(new RecordEvidenceItem(request.TechnologyId, request.Title, (Data.StudyDesign)request.StudyDesign,
            request.SampleSize, request.IndependentOfSupplier, (Data.SettingRelevance)request.SettingRelevance, (Data.EvidenceQuality)request.Quality,
            request.Citation, (Domain.RiskOfBias)request.RiskOfBias),
            context.CancellationToken)).OrThrow());

    [RequiresRole(EvidenceReviewer, ProcurementLead)]
    public override async Task<ListEvidenceItemsResponse> ListEvidenceItems(ListEvidenceItemsRequest request, ServerCallContext context)
    {
        var items = (await library.ListAsync(request.TechnologyId, context.CancellationToken)).OrThrow();
        var response = new ListEvidenceItemsResponse();
        response.Items.AddRange(items.Select(ToMessage));
        return response;
    }

    [RequiresRole(EvidenceReviewer)]
    public override async Task<Appraisal> CompleteAppraisal(CompleteAppraisalRequest request, ServerCallContext context) =>
        ToMessage((await appraisals.CompleteAsync(new CompleteAppraisalCommand(request.TechnologyId, request.SettingCode, (Domain.EsfTier)request.Tier,
            request.EvidenceItemIds, request.Standards.Select(s => new Domain.EsfStandardJudgement(s.Standard, s.Met, s.Note)).ToList(),
            (Domain.AppraisalConclusion)request.Conclusion, request.HowEvidenceInformedDecision),
            Caller(context, Domain.EvidenceRoles.Appraises), context.CancellationToken)).OrThrow());

    [RequiresRole(EvidenceReviewer, ProcurementLead, ClinicalSafetyOfficer, IgLead)]
    public override async Task<Appraisal> GetAppraisal(GetAppraisalRequest request, ServerCallContext context) =>
        ToMessage((await appraisals.GetAsync(request.AppraisalId, context.CancellationToken)).OrThrow());

    [RequiresRole(EvidenceReviewer, ProcurementLead, ClinicalSafetyOfficer, IgLead)]
    public override async Task<ListAppraisalsResponse> ListAppraisals(ListAppraisalsRequest request, ServerCallContext context)
    {
        var found = (await appraisals.ListAsync(request.TechnologyId, request.SettingCode, context.CancellationToken)).OrThrow();
        var response = new ListAppraisalsResponse();
        response.Appraisals.AddRange(found.Select(ToMessage));
        return response;
    }

    [RequiresRole(EvidenceReviewer, TrustAdmin)]
    public override async Task<AppraisalPolicy> GetAppraisalPolicy(GetAppraisalPolicyRequest request, ServerCallContext context) =>
        ToMessage(await appraisals.PolicyAsync(context.CancellationToken));

    [RequiresRole(TrustAdmin)]
    public override async Task<AppraisalPolicy> SetAppraisalPolicy(AppraisalPolicy request, ServerCallContext context) =>
        ToMessage((await appraisals.SetPolicyAsync(new Domain.AppraisalPolicy
        {
            LargeScaleMinimumParticipants = request.LargeScaleMinimumParticipants,
            HighQualityDesigns = request.HighQualityDesigns.Select(d => (Domain.StudyDesign)d).ToHashSet(),
        }, context.CancellationToken)).OrThrow());

    private static AppraisalPolicy ToMessage(Domain.AppraisalPolicy p)
    {
        var message = new AppraisalPolicy { LargeScaleMinimumParticipants = p.LargeScaleMinimumParticipants };
        message.HighQualityDesigns.AddRange(p.HighQualityDesigns.Order().Select(d => (StudyDesign)d));
        return message;
    }

    private static Appraisal ToMessage(Domain.Appraisal a)
    {
        var message = new Appraisal
        {
            AppraisalId = a.Id.ToString(),
            TechnologyId = a.TechnologyId.ToString(),
            SettingCode = a.SettingCode,
            Tier = (EsfTier)a.Tier,
            Conclusion = (AppraisalConclusion)a.Conclusion,
            HowEvidenceInformedDecision = a.HowEvidenceInformedDecision,
            ItemsMeetingP7Bar = a.ItemsMeetingP7Bar,
            ReviewedBy = a.ReviewedBy,
            CompletedAt = a.CompletedAt.ToTimestamp(),
        };
        message.Evidence.AddRange(a.Evidence.Select(i => new EvidenceItem
        {
            EvidenceItemId = i.Id.ToString(),
            TechnologyId = i.TechnologyId.ToString(),
            Title = i.Title,
            Citation = i.Citation,
            StudyDesign = (StudyDesign)i.Design,
            SampleSize = i.Participants,
            IndependentOfSupplier = i.IndependentOfSupplier,
            RiskOfBias = (RiskOfBias)i.RiskOfBias,
            SettingRelevance = (SettingRelevance)i.SettingRelevance,
            RecordedAt = i.RecordedAt.ToTimestamp(),
        }));
        message.Standards.AddRange(a.Standards.Select(s => new EsfStandardJudgement { Standard = s.Standard, Met = s.Met, Note = s.Note ?? "" }));
        return message;
    }

    private static EvidenceItem ToMessage(Data.EvidenceItem i) => new()
    {
        EvidenceItemId = i.Id.ToString(),
        TechnologyId = i.TechnologyId.ToString(),
        Title = i.Title,
        Citation = i.Citation,
        StudyDesign = (StudyDesign)i.StudyDesign,
        SampleSize = i.SampleSize,
        IndependentOfSupplier = i.IndependentOfSupplier,
        SettingRelevance = (SettingRelevance)i.SettingRelevance,
        Quality = (EvidenceQuality)i.Quality,
        RiskOfBias = (RiskOfBias)i.RiskOfBias,
        RecordedAt = i.RecordedAt.ToTimestamp(),
    };
}
