using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.ServiceDefaults.Auth;
using Platform.Contracts.Procurement.V1;
using Platform.Domain;
using Platform.Grpc;
using Platform.Procurement.Api.Application;
using Data = Platform.Procurement.Api.Data;
using Domain = Platform.Procurement.Domain;
using static Platform.Procurement.Api.Grpc.ProcurementRoleCodes;

namespace Platform.Procurement.Api.Grpc;

/// <summary>platform.procurement.v1.ProcurementService: messages to commands and results back; the rules are the domain's.</summary>
public sealed class ProcurementGrpcService(TechnologyRegister register, ProcurementCases cases, RegionalEvidence region, RegionalApprovals regionalApprovals,
    OpenGatesForCases openGatesForCases) : ProcurementService.ProcurementServiceBase
{
    // ListOpenGates for many cases (ADR 0043): the same roles, the same answer per case; a case not in this trust is found = false.
    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ListOpenGatesForCasesResponse> ListOpenGatesForCases(ListOpenGatesForCasesRequest request, ServerCallContext context)
    {
        var answers = (await openGatesForCases.ListAsync(request.Queries.Select(q =>
            new OpenGatesQuery(q.CaseId, q.Kind == ApprovalKind.Unspecified ? Domain.ApprovalKind.Full : (Domain.ApprovalKind)q.Kind)).ToList(), context.CancellationToken)).OrThrow();
        var response = new ListOpenGatesForCasesResponse();
        response.Results.AddRange(answers.Select(a =>
        {
            var result = new CaseOpenGates { Found = a.OpenGates is not null };
            result.OpenGates.AddRange((a.OpenGates ?? []).Select(ToMessage));
            return result;
        }));
        return response;
    }

    [RequiresRole(ProcurementLead)]
    public override async Task<Technology> RegisterTechnology(RegisterTechnologyRequest request, ServerCallContext context) =>
        ToMessage((await register.RegisterAsync(new RegisterTechnology(request.Name, request.Supplier, request.IntendedUse,
            (Data.TechnologyCategory)request.Category, request.Surveillance, request.ManagesSafetyRisk), context.CancellationToken)).OrThrow());

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<Technology> GetTechnology(GetTechnologyRequest request, ServerCallContext context) =>
        ToMessage((await register.GetAsync(request.TechnologyId, context.CancellationToken)).OrThrow());

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ListTechnologiesResponse> ListTechnologies(ListTechnologiesRequest request, ServerCallContext context)
    {
        var page = (await register.ListAsync(request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListTechnologiesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Technologies.AddRange(page.Technologies.Select(ToMessage));
        return response;
    }

    [RequiresRole(ProcurementLead)]
    public override async Task<ProcurementCase> OpenCase(OpenCaseRequest request, ServerCallContext context) =>
        ToMessage((await cases.OpenAsync(new OpenCaseCommand(request.TechnologyId, request.SettingCode, request.SettingDescription, (Domain.StatedPurpose)request.Purpose),
            Caller(context, Domain.ProcurementRoles.Decides), context.CancellationToken)).OrThrow().Value, Now(context));

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ProcurementCase> GetCase(GetCaseRequest request, ServerCallContext context) =>
        ToMessage((await cases.GetAsync(request.CaseId, context.CancellationToken)).OrThrow().Value, Now(context));

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ListCasesResponse> ListCases(ListCasesRequest request, ServerCallContext context)
    {
        var found = (await cases.ListAsync(request.TechnologyId, context.CancellationToken)).OrThrow();
        var now = Now(context);
        var response = new ListCasesResponse();
        response.Cases.AddRange(found.Select(c => ToMessage(c.Value, now)));
        return response;
    }

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ListOpenGatesResponse> ListOpenGates(ListOpenGatesRequest request, ServerCallContext context)
    {
        var kind = request.Kind == ApprovalKind.Unspecified ? Domain.ApprovalKind.Full : (Domain.ApprovalKind)request.Kind;
        var open = (await cases.OpenGatesAsync(request.CaseId, kind, context.CancellationToken)).OrThrow();
        var response = new ListOpenGatesResponse();
        response.OpenGates.AddRange(open.Select(ToMessage));
        return response;
    }

    private static OpenGate ToMessage(Domain.OpenGate g) => new()
    {
        Gate = (Gate)g.Gate, State = (GateState)g.State, Name = g.Name, Detail = g.Detail, Code = Domain.GateCatalogue.Of(g.Gate).Code,
    };

    // The evidence reviewer records only a shared ESF appraisal taken in here (the domain narrows each gate to its role).
    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<GateRecord> RecordGate(RecordGateRequest request, ServerCallContext context)
    {
        var evidence = GateEvidenceMessages.ToDomain(request);
        var reuse = request.Reuse is { } r ? new ReuseCommand(r.SharedEvidenceId, r.ReviewNote) : null;
        if (evidence is null && reuse is null) throw Refusal.Invalid("gate.evidence-required", "Submit the gate's evidence.").ToException();
        // Reuse without evidence of the caller's own can only be a shared ESF appraisal, the evidence reviewer's gate.
        var actor = Caller(context, Domain.ProcurementRoles.CompletesGate(evidence?.Gate ?? Domain.GateKind.EvidenceAppraisal));
        var recorded = (await cases.RecordGateAsync(request.CaseId, evidence, request.EvidenceReference, reuse, actor, context.CancellationToken)).OrThrow();
        return ToMessage(request.CaseId, recorded, Now(context));
    }

    [RequiresRole(ProcurementLead)]
    public override async Task<Approval> Approve(ApproveRequest request, ServerCallContext context)
    {
        var evaluation = request.Evaluation is { } plan
            ? new Domain.IndependentEvaluationPlan(plan.Evaluator, plan.IndependentOfSupplier, plan.Method, plan.CoProductionInEvaluation, plan.ReportDueBy?.ToDateTime() ?? default)
            : null;
        var attempt = await cases.ApproveAsync(request.CaseId,
            new Domain.ApprovalRequest((Domain.ApprovalKind)request.Kind, request.Rationale, request.TrialEndsOn?.ToDateTime(), evaluation),
            Caller(context, Domain.ProcurementRoles.Decides), context.CancellationToken);
        if (attempt.Outcome.IsRefused && attempt.OpenGates.Count > 0)
            throw new RefusalException(attempt.Outcome.Refusal!, new Dictionary<string, string>
            {
                ["open_gates"] = string.Join(",", attempt.OpenGates.Select(g => Domain.GateCatalogue.Of(g.Gate).Code)),
            });
        return ToMessage(attempt.Outcome.OrThrow(), Now(context));
    }

    [RequiresRole(ProcurementLead)]
    public override async Task<Approval> Withdraw(WithdrawRequest request, ServerCallContext context) =>
        ToMessage((await cases.WithdrawAsync(request.CaseId, request.Reason, Caller(context, Domain.ProcurementRoles.Decides), context.CancellationToken)).OrThrow(), Now(context));

    [RequiresRole(ProcurementLead)]
    public override async Task<Approval> WithdrawForLackOfBenefit(WithdrawForLackOfBenefitRequest request, ServerCallContext context) =>
        ToMessage((await cases.WithdrawForLackOfBenefitAsync(request.CaseId, request.FlagId, request.Reason, Caller(context, Domain.ProcurementRoles.Decides),
            context.CancellationToken)).OrThrow(), Now(context));

    [RequiresRole(ProcurementLead)]
    public override async Task<ListOutcomeFlagsResponse> ListOutcomeFlags(ListOutcomeFlagsRequest request, ServerCallContext context)
    {
        Guid? technology = null;
        if (request.TechnologyId.Length > 0)
            technology = Validation.TryParseId(request.TechnologyId, out var id) ? id : throw Refusal.Invalid("technology-id.format", "Technology id must be a UUID.").ToException();
        var response = new ListOutcomeFlagsResponse();
        response.Flags.AddRange((await cases.ListOutcomeFlagsAsync(technology, context.CancellationToken)).Select(f => new OutcomeFlag
        {
            FlagId = f.FlagId.ToString(), TechnologyId = f.TechnologyId.ToString(), SettingCode = f.SettingCode ?? "", Instrument = f.Instrument, RaisedAt = f.RaisedAt.ToTimestamp(),
        }));
        return response;
    }

    [RequiresRole(ProcurementLead, TrustAdmin)]
    public override async Task<ProcurementPolicy> GetProcurementPolicy(GetProcurementPolicyRequest request, ServerCallContext context) =>
        ToMessage(await cases.PolicyAsync(context.CancellationToken));

    [RequiresRole(TrustAdmin)]
    public override async Task<ProcurementPolicy> SetProcurementPolicy(ProcurementPolicy request, ServerCallContext context) =>
        ToMessage((await cases.SetPolicyAsync(new Domain.ProcurementPolicy
        {
            ExpiryGracePeriod = TimeSpan.FromDays(request.ExpiryGraceDays),
            MaxTrialLength = TimeSpan.FromDays(request.MaxTrialDays),
            MaxEhiaReviewInterval = TimeSpan.FromDays(request.MaxEhiaReviewDays),
            MaxRefresherIntervalMonths = request.MaxRefresherMonths,
            MinimumUsabilityScorePercent = request.MinUsabilityScorePercent,
        }, context.CancellationToken)).OrThrow());

    [RequiresRole(ProcurementLead)]
    public override async Task<SharedSupplierEvidence> ShareSupplierEvidence(ShareSupplierEvidenceRequest request, ServerCallContext context) =>
        ToMessage((await region.ShareAsync(request.CaseId, (Domain.GateKind)request.Gate, (Domain.SupplierEvidenceKind)request.Kind,
            Caller(context, Domain.ProcurementRoles.Decides), context.CancellationToken)).OrThrow());

    [RequiresRole(ProcurementLead)]
    public override async Task<SharedSupplierEvidence> WithdrawSharedEvidence(WithdrawSharedEvidenceRequest request, ServerCallContext context) =>
        ToMessage((await region.WithdrawAsync(request.SharedEvidenceId, Caller(context, Domain.ProcurementRoles.Decides), context.CancellationToken)).OrThrow());

    [RequiresRole(ProcurementLead, IgLead, ClinicalSafetyOfficer, EvidenceReviewer)]
    public override async Task<ListSharedSupplierEvidenceResponse> ListSharedSupplierEvidence(ListSharedSupplierEvidenceRequest request, ServerCallContext context)
    {
        var response = new ListSharedSupplierEvidenceResponse();
        response.Shared.AddRange((await region.ListAsync(request.Supplier, context.CancellationToken)).Select(ToMessage));
        return response;
    }

    // A region token only (no trust); each trust is read in its own tenant scope and only counts of cases leave (ADR 0039).
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(RegionAnalyst)]
    public override async Task<GetRegionalApprovalCountsResponse> GetRegionalApprovalCounts(GetRegionalApprovalCountsRequest request, ServerCallContext context)
    {
        var page = (await regionalApprovals.CountAsync(request.TechnologyName, request.PageSize, request.AfterTechnologyName, context.CancellationToken)).OrThrow();
        var response = new GetRegionalApprovalCountsResponse { More = page.More };
        response.Trusts.AddRange(page.Trusts);
        foreach (var t in page.Technologies)
        {
            var technology = new RegionalTechnologyApprovals { TechnologyName = t.Name };
            technology.Counts.AddRange(t.Counts.Select(ToMessage));
            foreach (var trust in t.Trusts)
            {
                var row = new TrustApprovalCounts { OdsCode = trust.OdsCode };
                row.Counts.AddRange(trust.Counts.Select(ToMessage));
                technology.Trusts.Add(row);
            }
            response.Technologies.Add(technology);
        }
        return response;
    }

    private static RegionalApprovalCount ToMessage(Domain.ApprovalCount c) => new() { SettingCode = c.SettingCode, Status = (CaseStatus)c.Status, Cases = c.Cases };

    private static DateTime Now(ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    private static ProcurementPolicy ToMessage(Domain.ProcurementPolicy p) => new()
    {
        ExpiryGraceDays = (int)p.ExpiryGracePeriod.TotalDays,
        MaxTrialDays = (int)p.MaxTrialLength.TotalDays,
        MaxEhiaReviewDays = (int)p.MaxEhiaReviewInterval.TotalDays,
        MaxRefresherMonths = p.MaxRefresherIntervalMonths,
        MinUsabilityScorePercent = p.MinimumUsabilityScorePercent,
    };

    private static ProcurementCase ToMessage(Domain.ProcurementCase c, DateTime now)
    {
        var message = new ProcurementCase
        {
            CaseId = c.Id.ToString(),
            TechnologyId = c.TechnologyId.ToString(),
            SettingCode = c.SettingCode,
            SettingDescription = c.SettingDescription,
            Purpose = (StatedPurpose)c.Purpose,
            Status = (CaseStatus)c.Status,
            OpenedAt = c.OpenedAt.ToTimestamp(),
        };
        foreach (var definition in Domain.GateCatalogue.All)
            if (c.Current(definition.Kind) is { } record) message.Gates.Add(ToMessage(message.CaseId, record, now));
        message.Approvals.AddRange(c.Approvals.Select(a => ToMessage(a, now)));
        return message;
    }

    private static GateRecord ToMessage(string caseId, Domain.GateRecord r, DateTime now)
    {
        var definition = Domain.GateCatalogue.Of(r.Gate);
        return new GateRecord
        {
            RecordId = r.Id.ToString(),
            CaseId = caseId,
            Gate = (Gate)r.Gate,
            Code = definition.Code,
            Name = definition.Name,
            State = (GateState)r.StateAt(now),
            Outcome = (GateOutcome)r.Outcome,
            FailureReason = r.FailureReason ?? "",
            EvidenceReference = r.EvidenceReference,
            RecordedBy = r.RecordedBy,
            RecordedAs = Domain.ProcurementRoles.Code(r.RecordedAs),
            RecordedAt = r.RecordedAt.ToTimestamp(),
            ExpiresAt = r.ExpiresAt?.ToTimestamp(),
            Reused = r.Reuse is { } reuse
                ? new ReusedInput
                {
                    SharedEvidenceId = reuse.SharedEvidenceId.ToString(), OriginOdsCode = reuse.OriginTenantId, Kind = (SupplierEvidenceKind)reuse.Kind,
                    OriginAssessedAt = reuse.OriginAssessedAt.ToTimestamp(), ReviewNote = reuse.ReviewNote,
                }
                : null,
        };
    }

    // Content and origin only: who shared it (a person of the origin trust) stays out.
    private static SharedSupplierEvidence ToMessage(Domain.SharedSupplierEvidence s)
    {
        var message = new SharedSupplierEvidence
        {
            SharedEvidenceId = s.Id.ToString(),
            OriginOdsCode = s.OriginTenantId,
            Supplier = s.Supplier,
            ProductName = s.ProductName,
            Kind = (SupplierEvidenceKind)s.Kind,
            AssessedAt = s.AssessedAt.ToTimestamp(),
            ValidUntil = s.Content.ValidUntil?.ToTimestamp(),
            SharedAt = s.SharedAt.ToTimestamp(),
            WithdrawnAt = s.WithdrawnAt?.ToTimestamp(),
        };
        switch (s.Content)
        {
            case Domain.DtacAnswersContent d:
                message.DtacAnswers = new SharedDtacAnswers
                {
                    Section = (Gate)d.Section, SupplierDtacReference = d.SupplierDtacReference, DtacRenewalDue = d.DtacRenewalDue.ToTimestamp(),
                    SupplierDcb0129SafetyCaseReference = d.SupplierDcb0129SafetyCaseReference ?? "",
                };
                if (d.JudgedPassed is { } passed) message.DtacAnswers.JudgedPassed = passed;
                if (d.UsabilityScorePercent is { } score) message.DtacAnswers.UsabilityScorePercent = score;
                break;
            case Domain.PenetrationTestContent p:
                message.PenetrationTest = new SharedPenetrationTest { Reference = p.Reference, TestedOn = p.TestedOn.ToTimestamp(), ValidUntil = p.TestValidUntil.ToTimestamp() };
                break;
            case Domain.DsptStatusContent d:
                message.DsptStatus = new SharedDsptStatus { Status = (DsptStatus)d.Status, ValidUntil = d.StatusValidUntil.ToTimestamp() };
                break;
            case Domain.EsfAppraisalContent e:
                message.EsfAppraisal = new SharedEsfAppraisal
                {
                    AppraisalId = e.AppraisalId.ToString(), Tier = (EsfTier)e.Tier, Conclusion = (EvidenceConclusion)e.Conclusion, SettingCode = e.SettingCode,
                    CompletedAt = e.CompletedAt.ToTimestamp(),
                };
                break;
        }
        return message;
    }

    private static Approval ToMessage(Domain.Approval a, DateTime now)
    {
        var message = new Approval
        {
            ApprovalId = a.Id.ToString(),
            CaseId = a.CaseId.ToString(),
            TechnologyId = a.TechnologyId.ToString(),
            SettingCode = a.SettingCode,
            Kind = (ApprovalKind)a.Kind,
            Rationale = a.Rationale,
            EvidenceAppraisalId = a.EvidenceAppraisalId.ToString(),
            EvidenceConclusion = (EvidenceConclusion)a.EvidenceConclusion,
            TrialEndsOn = a.TrialEndsOn?.ToTimestamp(),
            ApprovedAt = a.ApprovedAt.ToTimestamp(),
            ApprovedBy = a.ApprovedBy,
            InForce = a.IsInForceAt(now),
            SupersededAt = a.SupersededAt?.ToTimestamp(),
        };
        if (a.Withdrawal is { } w)
        {
            message.WithdrawalCause = (WithdrawalCause)w.Cause;
            message.WithdrawalReason = w.Reason;
            message.WithdrawnAt = w.WithdrawnAt.ToTimestamp();
            message.WithdrawalExpiredGates.AddRange(w.ExpiredGates.Select(g => Domain.GateCatalogue.Of(g).Code));
            message.WithdrawalFlagId = w.OutcomeFlagId?.ToString() ?? "";
        }
        return message;
    }

    private static Technology ToMessage(Data.Technology t) => new()
    {
        TechnologyId = t.Id.ToString(),
        Name = t.Name,
        Supplier = t.Supplier,
        IntendedUse = t.IntendedUse,
        Category = (TechnologyCategory)t.Category,
        Surveillance = t.Surveillance,
        ManagesSafetyRisk = t.ManagesSafetyRisk,
        RegisteredAt = t.RegisteredAt.ToTimestamp(),
    };
}
