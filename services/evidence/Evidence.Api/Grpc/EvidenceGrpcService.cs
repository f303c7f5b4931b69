using Platform.ServiceDefaults.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Contracts.Evidence.V1;
using Platform.Domain;
using Platform.Evidence.Api.Application;
using Platform.Grpc;
using Data = Platform.Evidence.Api.Data;
using Domain = Platform.Evidence.Domain;
using static Platform.Evidence.Api.Grpc.EvidenceRoleCodes;

namespace Platform.Evidence.Api.Grpc;

/// <summary>platform.evidence.v1.EvidenceService: messages to commands and results back; the rules are Evidence.Domain's.</summary>
public sealed partial class EvidenceGrpcService(EvidenceLibrary library, Appraisals appraisals, Measurements measurements, OutcomeReports reports, OutcomeFlags flags,
    RegionalOutcomeReports regional)
    : EvidenceService.EvidenceServiceBase
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

    [RequiresRole(Clinician, EvidenceReviewer, WardManager)]
    public override Task<ListInstrumentsResponse> ListInstruments(ListInstrumentsRequest request, ServerCallContext context) =>
        Task.FromResult(InstrumentMessages.All);

    [RequiresRole(Clinician)]
    public override async Task<Measurement> RecordMeasurement(RecordMeasurementRequest request, ServerCallContext context) =>
        InstrumentMessages.ToMessage((await measurements.RecordAsync(request.UseId, request.PatientKey, InstrumentMessages.ToDomain(request),
            request.MeasuredAt?.ToDateTime() ?? default, Caller(context, Domain.EvidenceRoles.RecordsOutcomes), context.CancellationToken)).OrThrow());

    [RequiresRole(Clinician)]
    public override async Task<ListMeasurementsResponse> ListMeasurements(ListMeasurementsRequest request, ServerCallContext context)
    {
        var found = (await measurements.ListAsync(request.UseId, context.CancellationToken)).OrThrow();
        var response = new ListMeasurementsResponse();
        response.Measurements.AddRange(found.Select(InstrumentMessages.ToMessage));
        return response;
    }

    [RequiresRole(Clinician)]
    public override async Task<EqualityProfile> RecordEqualityProfile(EqualityProfile request, ServerCallContext context) =>
        ToMessage((await reports.RecordProfileAsync(new Domain.EqualityProfileSubmission(request.PatientKey, (Domain.AgeGroup)request.Age,
            (Domain.DisabilityStatus)request.Disability, (Domain.GenderIdentityStatus)request.GenderReassignment,
            (Domain.MarriageOrCivilPartnership)request.MarriageOrCivilPartnership, (Domain.PregnancyOrMaternity)request.PregnancyOrMaternity,
            (Domain.EthnicGroup)request.EthnicGroup, (Domain.ReligionOrBelief)request.ReligionOrBelief, (Domain.Sex)request.Sex,
            (Domain.SexualOrientation)request.SexualOrientation, (Domain.YesNoNotStated)request.TraumaHistory, (Domain.YesNoNotStated)request.Paranoia),
            Caller(context, Domain.EvidenceRoles.RecordsOutcomes), context.CancellationToken)).OrThrow());

    [RequiresRole(EvidenceReviewer, TrustAdmin)]
    public override async Task<OutcomePolicy> GetOutcomePolicy(GetOutcomePolicyRequest request, ServerCallContext context) =>
        ToMessage(await reports.PolicyAsync(context.CancellationToken));

    [RequiresRole(TrustAdmin)]
    public override async Task<OutcomePolicy> SetOutcomePolicy(OutcomePolicy request, ServerCallContext context) =>
        ToMessage((await reports.SetPolicyAsync(new Domain.OutcomePolicy
        {
            SuppressionThreshold = request.SuppressionThreshold,
            DisparityThresholdShareOfRange = request.DisparityThresholdShareOfRange,
            NoBenefitMinimumPatients = request.NoBenefitMinimumPatients,
            NoBenefitMaximumImprovementShareOfRange = request.NoBenefitMaximumImprovementShareOfRange,
        }, context.CancellationToken)).OrThrow());

    [RequiresRole(Clinician, WardManager, EvidenceReviewer, ProcurementLead)]
    public override async Task<OutcomeReport> GetOutcomeReport(GetOutcomeReportRequest request, ServerCallContext context)
    {
        var (report, period) = (await reports.ReportAsync(request.TechnologyId, (Domain.Instrument)request.Instrument, request.Period, context.CancellationToken)).OrThrow();
        var message = new OutcomeReport
        {
            TechnologyId = report.TechnologyId.ToString(), Instrument = (Instrument)report.Instrument, Period = period.Code, SuppressionThreshold = report.SuppressionThreshold,
        };
        message.Settings.AddRange(report.Settings);
        foreach (var b in report.Breakdowns)
        {
            var definition = Domain.Characteristics.Of(b.Characteristic);
            var breakdown = new OutcomeBreakdown { Characteristic = definition.Code, Name = definition.Name };
            breakdown.Categories.AddRange(b.Categories.Select(c => new OutcomeCategory { Code = c.Code, Label = c.Label }));
            foreach (var row in b.Rows)
            {
                var r = new OutcomeRow { SettingCode = row.SettingCode ?? "", Total = ToMessage(row.Total) };
                r.Cells.AddRange(row.Cells.Select(ToMessage));
                breakdown.Rows.Add(r);
            }
            message.Breakdowns.Add(breakdown);
        }
        return message;
    }

    // A region token only (no trust); the trusts' rows are read each in its own tenant scope and leave suppressed.
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(RegionAnalyst)]
    public override async Task<RegionalOutcomeReport> GetRegionalOutcomeReport(GetRegionalOutcomeReportRequest request, ServerCallContext context)
    {
        var found = (await regional.ReportAsync(request.TechnologyName, (Domain.Instrument)request.Instrument, request.Period, context.CancellationToken)).OrThrow();
        var report = found.Report;
        var message = new RegionalOutcomeReport
        {
            TechnologyName = found.TechnologyName, Instrument = (Instrument)report.Instrument, Period = found.Period.Code, SuppressionThreshold = report.SuppressionThreshold,
        };
        message.Trusts.AddRange(report.Settings);
        foreach (var b in report.Breakdowns)
        {
            var definition = Domain.Characteristics.Of(b.Characteristic);
            var breakdown = new RegionalOutcomeBreakdown { Characteristic = definition.Code, Name = definition.Name };
            breakdown.Categories.AddRange(b.Categories.Select(c => new OutcomeCategory { Code = c.Code, Label = c.Label }));
            foreach (var row in b.Rows)
            {
                // The domain's rows are the trusts here (its "setting" is the trust's ODS code); null is all trusts.
                var r = new RegionalOutcomeRow { OdsCode = row.SettingCode ?? "", Total = ToMessage(row.Total) };
                r.Cells.AddRange(row.Cells.Select(ToMessage));
                breakdown.Rows.Add(r);
            }
            message.Breakdowns.Add(breakdown);
        }
        return message;
    }

    [RequiresRole(EvidenceReviewer, ProcurementLead, TrustAdmin, WardManager)]
    public override async Task<ListOutcomeFlagsResponse> ListOutcomeFlags(ListOutcomeFlagsRequest request, ServerCallContext context)
    {
        var found = (await flags.ListAsync(request.TechnologyId, request.Period, (Domain.OutcomeFlagKind)request.Kind, context.CancellationToken)).OrThrow();
        var response = new ListOutcomeFlagsResponse();
        response.Flags.AddRange(found.Select(ToMessage));
        return response;
    }

    // The flag as its event carried it: one shape for procurement's inbox and for this list.
    private static OutcomeFlag ToMessage(Data.OutcomeFlagRow row)
    {
        var e = OutcomeFlags.ToEvent(row);
        return new OutcomeFlag
        {
            FlagId = e.FlagId, Key = e.Key, Kind = e.Kind, TechnologyId = e.TechnologyId, SettingCode = e.SettingCode, Instrument = e.Instrument,
            Characteristic = e.Characteristic, LowerGroup = e.LowerGroup, HigherGroup = e.HigherGroup, MeanImprovement = e.MeanImprovement,
            Patients = e.Patients, Threshold = e.Threshold, Period = e.Period, RaisedAt = e.RaisedAt,
        };
    }

    // A suppressed cell says so and nothing else: no count, no mean.
    private static OutcomeCell ToMessage(Domain.OutcomeCell cell)
    {
        if (cell.Suppressed) return new OutcomeCell { Suppressed = true };
        var message = new OutcomeCell { Patients = cell.Patients!.Value };
        if (cell.Mean is { } mean) message.Mean = mean;
        return message;
    }

    private static OutcomePolicy ToMessage(Domain.OutcomePolicy p) => new()
    {
        SuppressionThreshold = p.SuppressionThreshold,
        DisparityThresholdShareOfRange = p.DisparityThresholdShareOfRange,
        NoBenefitMinimumPatients = p.NoBenefitMinimumPatients,
        NoBenefitMaximumImprovementShareOfRange = p.NoBenefitMaximumImprovementShareOfRange,
    };

    private static EqualityProfile ToMessage(Domain.EqualityProfile p) => new()
    {
        PatientKey = p.PatientKey,
        Age = (AgeGroup)p.Age,
        Disability = (DisabilityStatus)p.Disability,
        GenderReassignment = (GenderIdentityStatus)p.GenderReassignment,
        MarriageOrCivilPartnership = (MarriageOrCivilPartnership)p.MarriageOrCivilPartnership,
        PregnancyOrMaternity = (PregnancyOrMaternity)p.PregnancyOrMaternity,
        EthnicGroup = (EthnicGroup)p.EthnicGroup,
        ReligionOrBelief = (ReligionOrBelief)p.ReligionOrBelief,
        Sex = (Sex)p.Sex,
        SexualOrientation = (SexualOrientation)p.SexualOrientation,
        TraumaHistory = (YesNoNotStated)p.TraumaHistory,
        Paranoia = (YesNoNotStated)p.Paranoia,
        RecordedAt = p.RecordedAt.ToTimestamp(),
    };

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
