using Google.Protobuf;
using Grpc.Core;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Grpc;

/// <summary>platform.consent.v1.ConsentService: maps messages to commands and results back; the rules live below it.</summary>
/// <remarks>Enum values on the wire match the domain's, so enums are cast; ids are parsed here and refused by field name.</remarks>
/// <remarks>
/// Application services are resolved when a method needs them, not on activation: CheckUse, the hot path, asks only
/// for the <see cref="UseChecker"/> (and through it the context its access record is written with).
/// </remarks>
public sealed partial class ConsentGrpcService(IServiceProvider services) : ConsentService.ConsentServiceBase
{
    private PatientRegistry registry => services.GetRequiredService<PatientRegistry>();
    private ConsentRecordsService records => services.GetRequiredService<ConsentRecordsService>();
    private TechnologyUseService uses => services.GetRequiredService<TechnologyUseService>();
    private TechnologyApprovalService approvals => services.GetRequiredService<TechnologyApprovalService>();
    private TrustPolicyService policies => services.GetRequiredService<TrustPolicyService>();
    private UseChecker checker => services.GetRequiredService<UseChecker>();
    private WardQueries queries => services.GetRequiredService<WardQueries>();

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<Patient> RegisterPatient(RegisterPatientRequest request, ServerCallContext context)
    {
        return ToMessage((await registry.RegisterAsync(new RegisterPatient(request.NhsNumber, request.WardCode, Known((Domain.AgeBand)request.AgeBand), request.DateOfBirth), context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<Patient> GetPatient(GetPatientRequest request, ServerCallContext context)
    {
        return ToMessage((await registry.GetAsync(request.PatientId, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<ListPatientsResponse> ListPatients(ListPatientsRequest request, ServerCallContext context)
    {
        var page = (await registry.ListAsync(request.WardCode, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListPatientsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Patients.AddRange(page.Patients.Select(ToMessage));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<CapacityAssessmentRecorded> RecordCapacityAssessment(RecordCapacityAssessmentRequest r, ServerCallContext context)
    {
        var assessment = new Domain.CapacityAssessment
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            Decision = r.Decision,
            Determination = Known((Domain.CapacityDetermination)r.Determination),
            AssessedAt = Instant(r.AssessedAt),
            AssessedBy = r.AssessedBy,
            ImpairmentOfMindOrBrain = r.HasImpairmentOfMindOrBrain ? r.ImpairmentOfMindOrBrain : null,
            ImpairmentDescription = Text(r.ImpairmentDescription),
            Understand = Known((Domain.FunctionalAbility)r.Understand),
            Retain = Known((Domain.FunctionalAbility)r.Retain),
            UseOrWeigh = Known((Domain.FunctionalAbility)r.UseOrWeigh),
            Communicate = Known((Domain.FunctionalAbility)r.Communicate),
            InabilityBecauseOfImpairment = r.HasInabilityBecauseOfImpairment ? r.InabilityBecauseOfImpairment : null,
            PracticableStepsTaken = Text(r.PracticableStepsTaken),
            Fluctuating = r.Fluctuating,
            ReassessBy = OptionalInstant(r.ReassessBy),
        };
        var (id, result) = (await records.RecordCapacityAssessmentAsync(assessment, context.CancellationToken)).OrThrow();
        return new CapacityAssessmentRecorded { Id = id.ToString(), Result = (CapacityResult)result };
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordCreated> RecordGillickAssessment(RecordGillickAssessmentRequest r, ServerCallContext context)
    {
        var assessment = new Domain.GillickAssessment
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            Decision = r.Decision,
            Competent = r.HasCompetent ? r.Competent : null,
            AssessedBy = r.AssessedBy,
            AssessedAt = Instant(r.AssessedAt),
            Reasons = r.Reasons,
            ReassessBy = OptionalInstant(r.ReassessBy),
        };
        return Created((await records.RecordGillickAssessmentAsync(assessment, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordCreated> RegisterProxyAuthority(RegisterProxyAuthorityRequest r, ServerCallContext context)
    {
        var authority = new Domain.ProxyAuthority
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            Kind = Known((Domain.ProxyKind)r.Kind),
            Relationship = r.Relationship,
            ParentalResponsibilityBasis = Known((Domain.ParentalResponsibilityBasis)r.ParentalResponsibilityBasis),
            LpaRegistrationReference = Text(r.LpaRegistrationReference),
            LpaRegisteredAt = OptionalInstant(r.LpaRegisteredAt),
            DonorWas18OrOverWhenMade = r.HasDonorWas18OrOverWhenMade ? r.DonorWas18OrOverWhenMade : null,
            CourtOrderReference = Text(r.CourtOrderReference),
            CoversDecision = r.CoversDecision,
            DocumentReference = Text(r.DocumentReference),
            VerifiedBy = Text(r.VerifiedBy),
            VerifiedAt = OptionalInstant(r.VerifiedAt),
            ExpiresAt = OptionalInstant(r.ExpiresAt),
        };
        return Created((await records.RegisterProxyAuthorityAsync(authority, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordCreated> RecordConsent(RecordConsentRequest r, ServerCallContext context)
    {
        var patientId = Id("patient-id", r.PatientId);
        var technologyId = OptionalId("technology-id", r.TechnologyId);
        if (string.IsNullOrWhiteSpace(r.ProxyAuthorityId))
        {
            var own = new Domain.OwnConsent
            {
                Id = Guid.CreateVersion7(),
                PatientId = patientId,
                TechnologyId = technologyId,
                Decision = Known((Domain.ConsentDecision)r.Decision),
                InformationGiven = r.InformationGiven,
                InformationFormat = Known((Domain.AccessibleFormat)r.InformationFormat),
                RecordedAt = Instant(r.RecordedAt),
                RecordedBy = r.RecordedBy,
                RefusalStandsIfCapacityLost = r.HasRefusalStandsIfCapacityLost ? r.RefusalStandsIfCapacityLost : null,
            };
            return Created((await records.RecordOwnConsentAsync(own, context.CancellationToken)).OrThrow());
        }
        var proxy = new Domain.ProxyConsent
        {
            Id = Guid.CreateVersion7(),
            PatientId = patientId,
            TechnologyId = technologyId,
            ProxyAuthorityId = Id("proxy-authority-id", r.ProxyAuthorityId),
            Decision = Known((Domain.ConsentDecision)r.Decision),
            InformationGiven = r.InformationGiven,
            InformationFormat = Known((Domain.AccessibleFormat)r.InformationFormat),
            RecordedAt = Instant(r.RecordedAt),
            RecordedBy = r.RecordedBy,
        };
        return Created((await records.RecordProxyConsentAsync(proxy, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordCreated> RecordBestInterestsDecision(RecordBestInterestsDecisionRequest r, ServerCallContext context)
    {
        var decision = new Domain.BestInterestsDecision
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            WishesAndFeelings = r.WishesAndFeelings,
            WrittenStatements = r.WrittenStatements,
            BeliefsAndValues = r.BeliefsAndValues,
            MayRegainCapacity = r.HasMayRegainCapacity ? r.MayRegainCapacity : null,
            RegainCapacityWhen = Text(r.RegainCapacityWhen),
            SupportToParticipate = r.SupportToParticipate,
            PeopleConsulted = r.PeopleConsulted.Select(p => new Domain.ConsultedPerson
            {
                Role = Known((Domain.ConsultedRole)p.Role),
                Relationship = p.Relationship,
                ViewsGiven = p.ViewsGiven,
                ConsultedAt = Instant(p.ConsultedAt),
            }).ToList(),
            NoOneAppropriateToConsult = r.NoOneAppropriateToConsult,
            LessRestrictiveOptions = r.LessRestrictiveOptions,
            DecisionMaker = r.DecisionMaker,
            DecidedAt = Instant(r.DecidedAt),
            UseIsInBestInterests = r.UseIsInBestInterests,
            PatientObjects = r.PatientObjects,
            ObjectionWeighed = Text(r.ObjectionWeighed),
            SeriousMedicalTreatment = r.SeriousMedicalTreatment,
            ImcaReportReference = Text(r.ImcaReportReference),
            CapacitousRefusalWeighed = Text(r.CapacitousRefusalWeighed),
        };
        return Created((await records.RecordBestInterestsDecisionAsync(decision, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> EndBestInterestsDecision(EndBestInterestsDecisionRequest r, ServerCallContext context) =>
        Changed((await records.EndBestInterestsDecisionAsync(Id("decision-id", r.DecisionId), Instant(r.EndedAt), r.Because, context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> EndProxyAuthority(EndProxyAuthorityRequest r, ServerCallContext context) =>
        Changed((await records.EndProxyAuthorityAsync(Id("proxy-authority-id", r.ProxyAuthorityId), Known((Domain.ProxyAuthorityEndReason)r.Reason),
            Instant(r.EndedAt), Text(r.Reference), context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> SuspendProxyAuthority(SuspendProxyAuthorityRequest r, ServerCallContext context) =>
        Changed((await records.SuspendProxyAuthorityAsync(Id("proxy-authority-id", r.ProxyAuthorityId), Instant(r.From), Text(r.Reference), context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> LiftProxyAuthoritySuspension(LiftProxyAuthoritySuspensionRequest r, ServerCallContext context) =>
        Changed((await records.LiftProxyAuthoritySuspensionAsync(Id("proxy-authority-id", r.ProxyAuthorityId), Instant(r.At), context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordAdvanceDecision(RecordAdvanceDecisionRequest r, ServerCallContext context)
    {
        var decision = new Domain.AdvanceDecision
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            TreatmentRefused = r.TreatmentRefused,
            Circumstances = Text(r.Circumstances),
            MadeAt = Instant(r.MadeAt),
            Aged18OrOverWhenMade = r.HasAged18OrOverWhenMade ? r.Aged18OrOverWhenMade : null,
            HadCapacityWhenMade = r.HasHadCapacityWhenMade ? r.HadCapacityWhenMade : null,
            InWriting = r.InWriting,
            SignedByPatientOrAtTheirDirection = r.SignedByPatientOrAtTheirDirection,
            SignatureWitnessed = r.SignatureWitnessed,
            StatesItAppliesEvenIfLifeAtRisk = r.StatesItAppliesEvenIfLifeAtRisk,
            DocumentReference = Text(r.DocumentReference),
            RecordedBy = r.RecordedBy,
        };
        return Changed((await records.RecordAdvanceDecisionAsync(decision, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> InvalidateAdvanceDecision(InvalidateAdvanceDecisionRequest r, ServerCallContext context) =>
        Changed((await records.FindAdvanceDecisionAsync(Id("advance-decision-id", r.AdvanceDecisionId), Known((Domain.AdvanceDecisionInvalidation)r.Reason),
            Domain.AdvanceDecisionInapplicability.None, Instant(r.At), r.Note, context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordAdvanceDecisionNotApplicable(RecordAdvanceDecisionNotApplicableRequest r, ServerCallContext context)
    {
        // Unspecified would read as "invalidate": refuse it here by the field, as the domain words it.
        var reason = Known((Domain.AdvanceDecisionInapplicability)r.Reason);
        if (reason == Domain.AdvanceDecisionInapplicability.None)
            throw Platform.Domain.Refusal.Invalid("advance-decision.finding-reason-missing", "Record why the advance decision does not apply now (s25(4)).").ToException();
        return Changed((await records.FindAdvanceDecisionAsync(Id("advance-decision-id", r.AdvanceDecisionId), Domain.AdvanceDecisionInvalidation.None,
            reason, Instant(r.At), r.Note, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> AnswerRefusalQuestion(AnswerRefusalQuestionRequest r, ServerCallContext context) =>
        Changed((await records.AnswerRefusalQuestionAsync(Id("consent-id", r.ConsentId), r.RefusalStands, context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordMentalHealthActStatus(RecordMentalHealthActStatusRequest r, ServerCallContext context)
    {
        var record = new Domain.MentalHealthActRecord
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            Status = Known((Domain.MentalHealthActStatus)r.Status),
            From = Instant(r.From),
            Until = OptionalInstant(r.Until),
            RecordedBy = r.RecordedBy,
        };
        return Changed((await records.RecordMentalHealthActStatusAsync(record, context.CancellationToken)).OrThrow());
    }

    // The responsible clinician's record; the platform has no RC role yet, so a clinician names the RC (ADR 0014).
    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordSection63(RecordSection63Request r, ServerCallContext context)
    {
        var record = new Domain.Section63Record
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            ResponsibleClinician = r.ResponsibleClinician,
            RecordedAt = Instant(r.RecordedAt),
            WhyTreatmentForMentalDisorder = r.WhyTreatmentForMentalDisorder,
            ConsentSought = r.HasConsentSought ? r.ConsentSought : null,
            PatientViews = r.PatientViews,
        };
        return Changed((await records.RecordSection63Async(record, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> EndSection63(EndSection63Request r, ServerCallContext context) =>
        Changed((await records.EndSection63Async(Id("section-63-record-id", r.Section63RecordId), Instant(r.EndedAt), context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> UpdatePatientAge(UpdatePatientAgeRequest r, ServerCallContext context) =>
        Changed((await records.UpdatePatientAgeAsync(Id("patient-id", r.PatientId), r.DateOfBirth, context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordHumanRightsBalancing(RecordHumanRightsBalancingRequest r, ServerCallContext context) =>
        Changed((await records.RecordHumanRightsBalancingAsync(Id("use-id", r.UseId), ToDomain(r.HumanRights), context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TechnologyUse> CorrectProposedUse(CorrectProposedUseRequest r, ServerCallContext context)
    {
        var correction = new Domain.UseCorrection(
            // Unset leaves the purpose; an unknown number reads as unspecified, which the domain refuses by name.
            r.Purpose == UsePurpose.Unspecified ? null : Known((Domain.UsePurpose)r.Purpose),
            r.DataUsePurposes is { } set ? PurposeSetOf(set.Purposes) : null,
            r.CarePlan is { } plan ? ToDomain(plan, Domain.PurposeSet.None) : null,
            r.HasPatientObjects ? r.PatientObjects : null,
            ToDomain(r.HumanRights),
            r.Safety is { } s ? new Domain.SafetyProportionality { WhyProportionate = s.WhyProportionate, HowRelationalCareContinues = s.HowRelationalCareContinues } : null);
        return ToMessage((await uses.CorrectAsync(Id("use-id", r.UseId), correction, context.CancellationToken)).OrThrow());
    }

    private static Domain.HumanRightsBalancing? ToDomain(HumanRightsBalancing? hr) => hr is null ? null : new Domain.HumanRightsBalancing
    {
        RightsEngaged = (Domain.HumanRight)hr.RightsEngaged,
        HowBalanced = hr.HowBalanced,
        LegalAdviceSought = hr.HasLegalAdviceSought ? hr.LegalAdviceSought : null,
        LegalAdviceSummary = Text(hr.LegalAdviceSummary),
    };

    private static Domain.CarePlanRecord ToDomain(CarePlanItems plan, Domain.PurposeSet dataUse) => new()
    {
        Reason = plan.Reason,
        WhenAndHowUsed = plan.WhenAndHowUsed,
        InformationGiven = plan.InformationGiven,
        InformationFormat = Known((Domain.AccessibleFormat)plan.InformationFormat),
        DecisionMakingProcess = plan.DecisionMakingProcess,
        DataUse = plan.DataUse,
        NextReviewDate = OptionalInstant(plan.NextReviewDate),
        ReviewCovers = plan.ReviewCovers,
        HowToWithdraw = plan.HowToWithdraw,
        DataUsePurposes = dataUse,
    };

    private static Domain.PurposeSet PurposeSetOf(IEnumerable<UsePurpose> purposes)
    {
        var dataUse = Domain.PurposeSet.None;
        foreach (var purpose in purposes)
        {
            var known = Known((Domain.UsePurpose)purpose);
            // An unknown or forbidden purpose must not vanish from the set: the set is refused by name instead.
            dataUse |= known == Domain.UsePurpose.Unspecified || Domain.TechnologyUse.IsProhibitedPurpose(known) ? (Domain.PurposeSet)(1 << 30) : Domain.Purposes.Of(known);
        }
        return dataUse;
    }

    private static RecordChanged Changed((Guid Id, IReadOnlyList<Domain.UseReevaluation> Reevaluated) result)
    {
        var message = new RecordChanged { Id = result.Id.ToString() };
        message.ReevaluatedUses.AddRange(Reevaluated(result.Reevaluated));
        return message;
    }

    private static IEnumerable<ReevaluatedUse> Reevaluated(IReadOnlyList<Domain.UseReevaluation> changes)
    {
        foreach (var change in changes)
        {
            var use = new ReevaluatedUse
            {
                UseId = change.Use.Id.ToString(),
                Before = (UseCheckDecision)change.Before.Decision,
                After = (UseCheckDecision)change.After.Decision,
                Fallback = (SafetyFallback)(change.SafetyAlert?.Fallback ?? Domain.SafetyFallback.None),
            };
            use.DenyRules.AddRange(change.After.Reasons.Select(x => x.Rule));
            yield return use;
        }
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<WithdrawConsentResponse> WithdrawConsent(WithdrawConsentRequest r, ServerCallContext context)
    {
        var ended = (await records.WithdrawConsentAsync(Id("consent-id", r.ConsentId), context.CancellationToken)).OrThrow();
        var response = new WithdrawConsentResponse();
        response.EndedUseIds.AddRange(ended.Select(id => id.ToString()));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TechnologyUse> ProposeUse(ProposeUseRequest r, ServerCallContext context)
    {
        // Unreadable ids become empty ones, so that the domain still refuses a blanket request by name first.
        var patientIds = r.PatientIds.Select(p => Guid.TryParse(p, out var g) ? g : Guid.Empty).ToList();
        // The setting is the ward's, from the directory: the deprecated setting_code is not read.
        var request = new Domain.TechnologyUseRequest(patientIds, OptionalId("technology-id", r.TechnologyId), r.WardCode, null, r.WholeWard, Known((Domain.UsePurpose)r.Purpose));
        var details = new UseDetails(
            r.PatientObjects,
            ToDomain(r.CarePlan ?? new CarePlanItems(), PurposeSetOf(r.DataUsePurposes)),
            ToDomain(r.HumanRights),
            r.Safety is { } s ? new Domain.SafetyProportionality { WhyProportionate = s.WhyProportionate, HowRelationalCareContinues = s.HowRelationalCareContinues } : null);
        return ToMessage((await uses.ProposeAsync(request, details, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TechnologyUse> ActivateUse(ActivateUseRequest r, ServerCallContext context)
    {
        return ToMessage((await uses.ActivateAsync(Id("use-id", r.UseId), context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TechnologyUse> RecordReview(RecordReviewRequest r, ServerCallContext context)
    {
        var participants = Domain.ReviewParticipants.None;
        foreach (var p in r.Participants)
            participants |= p is > ReviewParticipant.Unspecified and <= ReviewParticipant.Advocate ? (Domain.ReviewParticipants)(1 << ((int)p - 1)) : (Domain.ReviewParticipants)(1 << 30);
        var review = new Domain.UseReview
        {
            UseId = Id("use-id", r.UseId),
            ReviewedAt = Instant(r.ReviewedAt),
            ReviewedBy = r.ReviewedBy,
            Participants = participants,
            MdtRoles = Text(r.MdtRoles),
            PatientViewsSought = r.HasPatientViewsSought ? r.PatientViewsSought : null,
            PatientViews = Text(r.PatientViews),
            WhyViewsNotSought = Text(r.WhyViewsNotSought),
            Benefit = r.Benefit,
            Harms = r.Harms,
            OutcomeMeasureReferences = r.OutcomeMeasureReferences.ToList(),
            Decision = Known((Domain.ReviewDecision)r.Decision),
            ChangeDescription = Text(r.ChangeDescription),
            NextReviewDate = OptionalInstant(r.NextReviewDate),
            NextReviewCovers = Text(r.ReviewCovers),
        };
        return ToMessage((await uses.RecordReviewAsync(review, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TransferPatientResponse> TransferPatient(TransferPatientRequest r, ServerCallContext context)
    {
        var (patient, transfer) = (await uses.TransferPatientAsync(Id("patient-id", r.PatientId), r.WardCode, context.CancellationToken)).OrThrow();
        var response = new TransferPatientResponse { Patient = ToMessage(patient), SettingCode = transfer.SettingCode };
        response.MovedUseIds.AddRange(transfer.Moved.Select(u => u.Id.ToString()));
        response.SuspendedUseIds.AddRange(transfer.Suspended.Select(u => u.Id.ToString()));
        response.ResumedUseIds.AddRange(transfer.Resumed.Select(u => u.Id.ToString()));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<TechnologyUse> EndUse(EndUseRequest r, ServerCallContext context)
    {
        return ToMessage((await uses.EndAsync(Id("use-id", r.UseId), Known((Domain.UseEndReason)r.Reason), context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.Device)]
    public override async Task<CheckUseResponse> CheckUse(CheckUseRequest r, ServerCallContext context)
    {
        Domain.UseCheckResult result;
        try
        {
            result = (await checker.CheckAsync(Id("patient-id", r.PatientId), Id("technology-id", r.TechnologyId), r.WardCode, Known((Domain.UsePurpose)r.Purpose), context.CancellationToken)).OrThrow();
        }
        catch (Platform.Messaging.Outbox.OutboxWriteFailedException)
        {
            // No decision leaves without its record in the audit feed; the fault is the database's, so the caller may retry.
            throw new RpcException(new Status(StatusCode.Unavailable, "The check's access record could not be written, so the check is not answered; try again."));
        }

        var response = new CheckUseResponse
        {
            Decision = (UseCheckDecision)result.Decision,
            UseId = result.UseId?.ToString() ?? "",
            CarePlanRecordId = result.CarePlanRecordId?.ToString() ?? "",
            ReviewDueDate = result.ReviewDueDate?.ToTimestamp(),
            ConsentRequiredBy = result.ConsentRequiredBy?.ToTimestamp(),
        };
        if (result.LawfulBasis is { } basis)
        {
            response.LawfulBasis = (LawfulBasisKind)basis.Kind;
            response.LawfulBasisStatus = (LawfulBasisStatus)basis.Status;
            response.LawfulBasisRecordId = basis.RecordId.ToString();
        }
        response.Fallback = (SafetyFallback)result.Fallback;
        response.DecisionRequiredBy = result.DecisionRequiredBy?.ToTimestamp();
        response.ApprovalId = result.ApprovalId?.ToString() ?? "";
        foreach (var denial in result.Denials)
            response.Reasons.Add(new CheckReason { Rule = denial.Refusal.Rule, Message = denial.Refusal.Message, Kind = DenyKind(denial.Kind) });
        foreach (var (flag, name) in s_warnings)
            if ((result.Warnings & flag) != 0) response.Warnings.Add(name);
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<CarePlanRecord> GetCarePlanRecord(GetCarePlanRecordRequest r, ServerCallContext context)
    {
        var (view, pdf, layout, toArrange) = (await uses.GetCarePlanAsync(Id("care-plan-record-id", r.CarePlanRecordId), r.IncludePdf, context.CancellationToken)).OrThrow();
        var plan = view.Use.CarePlan;
        return new CarePlanRecord
        {
            PatientCopyFormat = layout switch
            {
                Domain.PatientCopyLayout.LargePrint => AccessibleFormat.LargePrint,
                Domain.PatientCopyLayout.EasyRead => AccessibleFormat.EasyRead,
                _ => AccessibleFormat.StandardWritten,
            },
            FormatToArrange = (AccessibleFormat)toArrange,
            ToArrange = Domain.PatientCopyFormat.ToArrangeInWords(toArrange) ?? "",
            PatientCopyPdf = pdf is null ? ByteString.Empty : ByteString.CopyFrom(pdf),
            CarePlanRecordId = plan.Id.ToString(),
            UseId = view.Use.Id.ToString(),
            PatientId = view.Use.PatientId.ToString(),
            TechnologyName = plan.TechnologyName,
            LawfulBasis = (LawfulBasisKind)view.Use.LawfulBasisKind,
            PatientCopyText = view.PatientCopy,
            Items = new CarePlanItems
            {
                Reason = plan.Reason,
                WhenAndHowUsed = plan.WhenAndHowUsed,
                InformationGiven = plan.InformationGiven,
                InformationFormat = (AccessibleFormat)plan.InformationFormat,
                DecisionMakingProcess = plan.DecisionMakingProcess,
                DataUse = plan.DataUse,
                NextReviewDate = plan.NextReviewDate?.ToTimestamp(),
                ReviewCovers = plan.ReviewCovers,
                HowToWithdraw = plan.HowToWithdraw,
            },
        };
    }

    private static readonly (Domain.UseCheckWarnings Flag, string Name)[] s_warnings =
    [
        (Domain.UseCheckWarnings.ReviewDueSoon, "review-due-soon"),
        (Domain.UseCheckWarnings.ReviewOverdue, "review-overdue"),
        (Domain.UseCheckWarnings.ConsentRequired, "consent-required"),
        (Domain.UseCheckWarnings.BestInterestsDecisionRequired, "best-interests-decision-required"),
        (Domain.UseCheckWarnings.ReassessmentDueSoon, "reassessment-due-soon"),
        (Domain.UseCheckWarnings.ObjectionRedecisionDue, "objection-redecision-due"),
        (Domain.UseCheckWarnings.AgeThresholdSoon, "age-threshold-soon"),
        (Domain.UseCheckWarnings.DeprivationOfLibertyDeadlineSoon, "deprivation-of-liberty-deadline-soon"),
        (Domain.UseCheckWarnings.ReferToCourtOfProtection, "refer-to-court-of-protection"),
    ];

    /// <summary>The deny kind as a stable kebab-case code ("PurposeNotAuthorised" is "purpose-not-authorised").</summary>
    private static string DenyKind(Domain.UseDenyReasons kind)
    {
        var name = kind.ToString();
        var text = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ListUsesResponse> ListUses(ListUsesRequest r, ServerCallContext context)
    {
        var statuses = r.Statuses.Select(s => Known((Domain.UseStatus)s)).Where(s => s != Domain.UseStatus.Unspecified).ToList();
        var page = (await queries.UsesAsync(r.PatientId, r.WardCode, statuses, r.PageSize, r.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListUsesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Uses.AddRange(page.Items.Select(ToSummary));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ListUsesResponse> ListOverdueReviews(ListOverdueReviewsRequest r, ServerCallContext context)
    {
        var page = (await queries.OverdueReviewsAsync(r.WardCode, r.PageSize, r.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListUsesResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Uses.AddRange(page.Items.Select(ToSummary));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ListConsentRequiredResponse> ListConsentRequired(ListConsentRequiredRequest r, ServerCallContext context)
    {
        var page = (await queries.ConsentRequiredAsync(r.WardCode, r.PageSize, r.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListConsentRequiredResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Uses.AddRange(page.Items.Select(v => new ConsentRequiredUse { Use = ToMessage(v.Use), ConsentRequiredBy = v.ConsentRequiredBy.ToTimestamp(), PastDue = v.PastDue }));
        return response;
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ListBlanketUseSignalsResponse> ListBlanketUseSignals(ListBlanketUseSignalsRequest r, ServerCallContext context)
    {
        var page = (await queries.BlanketSignalsAsync(r.WardCode, r.PageSize, r.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListBlanketUseSignalsResponse { NextPageToken = page.NextPageToken ?? "" };
        foreach (var s in page.Items)
        {
            var signal = new RaisedBlanketUseSignal
            {
                SignalId = s.Id.ToString(),
                Kind = (BlanketSignalKind)s.Kind,
                WardCode = s.WardCode,
                TechnologyId = s.TechnologyId.ToString(),
                UseCount = s.UseCount,
                RaisedAt = s.RaisedAt.ToTimestamp(),
            };
            signal.UseIds.AddRange(s.UseIds);
            response.Signals.Add(signal);
        }
        return response;
    }

    private static UseSummary ToSummary(UseView view)
    {
        var summary = new UseSummary
        {
            Use = ToMessage(view.Use),
            ReviewDue = view.Use.CarePlan.NextReviewDate?.ToTimestamp(),
            ReviewOverdue = view.ReviewOverdue,
        };
        if (view.Check is { } check)
        {
            summary.Check = (UseCheckDecision)check.Decision;
            summary.LawfulBasisStatus = (LawfulBasisStatus)(check.LawfulBasis?.Status ?? Domain.LawfulBasisStatus.Unspecified);
            summary.DenyRules.AddRange(check.Reasons.Select(x => x.Rule));
        }
        return summary;
    }

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<DetectBlanketUseResponse> DetectBlanketUse(DetectBlanketUseRequest r, ServerCallContext context)
    {
        var signals = (await uses.DetectBlanketUseAsync(r.WardCode, context.CancellationToken)).OrThrow();
        var response = new DetectBlanketUseResponse();
        response.Signals.AddRange(signals.Select(ConsentEvents.ToMessage));
        return response;
    }

    // The operator override (ADR 0029): approvals come from procurement's events; by hand only a trust admin, with a reason.
    [RequiresRole(ConsentRoles.TrustAdmin)]
    public override async Task<TechnologyApproval> RecordTechnologyApproval(RecordTechnologyApprovalRequest r, ServerCallContext context)
    {
        // An unknown route number reads as an undefined route, so the domain refuses it by name rather than as "not treatment".
        var command = new RecordTechnologyApproval(OptionalId("technology-id", r.TechnologyId), r.TechnologyName, r.SettingCode, r.IsSurveillance, r.ManagesSafetyRisk,
            null, r.ContinuousMonitoringOrRestrictive, r.MayBeLifeSustaining, (Domain.MentalDisorderTreatmentRoute)r.MentalDisorderTreatmentRoute);
        return ToMessage((await approvals.RecordByOverrideAsync(command, Override(context, r.Reason), context.CancellationToken)).OrThrow().Approval);
    }

    [RequiresRole(ConsentRoles.TrustAdmin)]
    public override async Task<WithdrawTechnologyApprovalResponse> WithdrawTechnologyApproval(WithdrawTechnologyApprovalRequest r, ServerCallContext context)
    {
        var (approval, suspended) = (await approvals.WithdrawByOverrideAsync(Id("approval-id", r.ApprovalId), Override(context, r.Reason), context.CancellationToken)).OrThrow();
        var response = new WithdrawTechnologyApprovalResponse { Approval = ToMessage(approval) };
        response.SuspendedUseIds.AddRange(suspended.Select(id => id.ToString()));
        return response;
    }

    [RequiresRole(ConsentRoles.TrustAdmin)]
    public override async Task<ChooseMentalDisorderTreatmentRouteResponse> ChooseMentalDisorderTreatmentRoute(ChooseMentalDisorderTreatmentRouteRequest r, ServerCallContext context)
    {
        // The method admits only a trust admin, so that is the role the choice is recorded in.
        var by = new ApprovalOverride(context.GetHttpContext().User.FindFirst("sub")?.Value ?? "unknown", ConsentRoles.TrustAdmin, null);
        var (approval, changes) = (await approvals.ChooseMentalDisorderTreatmentRouteAsync(Id("approval-id", r.ApprovalId),
            (Domain.MentalDisorderTreatmentRoute)r.Route, by, context.CancellationToken)).OrThrow();
        var response = new ChooseMentalDisorderTreatmentRouteResponse { Approval = ToMessage(approval) };
        response.ReevaluatedUses.AddRange(Reevaluated(changes));
        return response;
    }

    // The method admits only a trust admin, so that is the role the override is recorded in.
    private static ApprovalOverride Override(ServerCallContext context, string reason) =>
        new(context.GetHttpContext().User.FindFirst("sub")?.Value ?? "unknown", ConsentRoles.TrustAdmin, reason);

    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.TrustAdmin, ConsentRoles.ProcurementLead)]
    public override async Task<TrustPolicy> GetTrustPolicy(GetTrustPolicyRequest r, ServerCallContext context)
    {
        return ToMessage(await policies.GetAsync(context.CancellationToken));
    }

    [RequiresRole(ConsentRoles.TrustAdmin)]
    public override async Task<TrustPolicy> SetTrustPolicy(TrustPolicy r, ServerCallContext context)
    {
        var defaults = Domain.TrustPolicy.Default;
        var policy = new Domain.TrustPolicy
        {
            CapacityRegainedGracePeriod = r.CapacityRegainedGracePeriod?.ToTimeSpan() ?? defaults.CapacityRegainedGracePeriod,
            FluctuatingAssessmentMaxAge = r.FluctuatingAssessmentMaxAge?.ToTimeSpan() ?? defaults.FluctuatingAssessmentMaxAge,
            ReviewGracePeriod = r.ReviewGracePeriod?.ToTimeSpan() ?? defaults.ReviewGracePeriod,
            ReviewDueSoonNotice = r.ReviewDueSoonNotice?.ToTimeSpan() ?? defaults.ReviewDueSoonNotice,
            MaxReviewInterval = r.MaxReviewInterval?.ToTimeSpan() ?? defaults.MaxReviewInterval,
            BlanketShareThreshold = r.BlanketShareThreshold == 0 ? defaults.BlanketShareThreshold : r.BlanketShareThreshold,
            BlanketWindow = r.BlanketWindow?.ToTimeSpan() ?? defaults.BlanketWindow,
            BlanketMinimumUses = r.BlanketMinimumUses == 0 ? defaults.BlanketMinimumUses : r.BlanketMinimumUses,
            RationaleSimilarityThreshold = r.RationaleSimilarityThreshold == 0 ? defaults.RationaleSimilarityThreshold : r.RationaleSimilarityThreshold,
            RationaleCopyMinimumUses = r.RationaleCopyMinimumUses == 0 ? defaults.RationaleCopyMinimumUses : r.RationaleCopyMinimumUses,
            CapacityLostTransition = r.CapacityLostTransition?.ToTimeSpan() ?? defaults.CapacityLostTransition,
            GillickFindingMaxAge = r.GillickFindingMaxAge?.ToTimeSpan() ?? defaults.GillickFindingMaxAge,
            ObjectionRedecisionWithin = r.ObjectionRedecisionWithin?.ToTimeSpan() ?? defaults.ObjectionRedecisionWithin,
            DeadlineWarningNotice = r.DeadlineWarningNotice?.ToTimeSpan() ?? defaults.DeadlineWarningNotice,
            SuppressionThreshold = r.SuppressionThreshold == 0 ? defaults.SuppressionThreshold : r.SuppressionThreshold,
        };
        return ToMessage((await policies.SetAsync(policy, context.CancellationToken)).OrThrow());
    }

    // Protobuf keeps enum numbers it does not know; read them as unspecified, so the domain refuses them as missing
    // rather than, say, an unknown consent decision counting as anything but a refusal.
    private static T Known<T>(T value) where T : struct, Enum => Enum.IsDefined(value) ? value : default;

    private static Guid Id(string field, string? value) => Input.Id(field, value).OrThrow();

    private static Guid OptionalId(string field, string? value) => Input.OptionalId(field, value).OrThrow();

    private static DateTime Instant(Google.Protobuf.WellKnownTypes.Timestamp? t) => t is null ? default : t.ToDateTime();

    private static DateTime? OptionalInstant(Google.Protobuf.WellKnownTypes.Timestamp? t) => t?.ToDateTime();

    private static string? Text(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static RecordCreated Created(Guid id) => new() { Id = id.ToString() };

    private static Patient ToMessage(Domain.Patient p) => new()
    {
        PatientId = p.Id.ToString(),
        NhsNumber = p.NhsNumber,
        WardCode = p.WardCode,
        AgeBand = (AgeBand)p.AgeBand,
        RegisteredAt = p.RegisteredAt.ToTimestamp(),
    };

    private static TechnologyUse ToMessage(Domain.TechnologyUse u) => new()
    {
        UseId = u.Id.ToString(),
        PatientId = u.PatientId.ToString(),
        TechnologyId = u.TechnologyId.ToString(),
        WardCode = u.WardCode,
        SettingCode = u.SettingCode,
        Purpose = (UsePurpose)u.Purpose,
        Status = (UseStatus)u.Status,
        LawfulBasis = (LawfulBasisKind)u.LawfulBasisKind,
        LawfulBasisRecordId = u.LawfulBasisRecordId?.ToString() ?? "",
        CarePlanRecordId = u.CarePlan.Id.ToString(),
        NextReviewDate = u.CarePlan.NextReviewDate?.ToTimestamp(),
        ProposedAt = u.ProposedAt.ToTimestamp(),
        ActivatedAt = u.ActivatedAt?.ToTimestamp(),
        EndedAt = u.EndedAt?.ToTimestamp(),
        EndReason = (UseEndReason)u.EndReason,
    };

    private static TrustPolicy ToMessage(Domain.TrustPolicy p) => new()
    {
        CapacityRegainedGracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.CapacityRegainedGracePeriod),
        FluctuatingAssessmentMaxAge = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.FluctuatingAssessmentMaxAge),
        ReviewGracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.ReviewGracePeriod),
        ReviewDueSoonNotice = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.ReviewDueSoonNotice),
        MaxReviewInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.MaxReviewInterval),
        BlanketShareThreshold = p.BlanketShareThreshold,
        BlanketWindow = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.BlanketWindow),
        BlanketMinimumUses = p.BlanketMinimumUses,
        RationaleSimilarityThreshold = p.RationaleSimilarityThreshold,
        RationaleCopyMinimumUses = p.RationaleCopyMinimumUses,
        CapacityLostTransition = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.CapacityLostTransition),
        GillickFindingMaxAge = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.GillickFindingMaxAge),
        ObjectionRedecisionWithin = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.ObjectionRedecisionWithin),
        DeadlineWarningNotice = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p.DeadlineWarningNotice),
        SuppressionThreshold = p.SuppressionThreshold,
    };

    private static TechnologyApproval ToMessage(Domain.TechnologyApproval a) => new()
    {
        ApprovalId = a.Id.ToString(),
        TechnologyId = a.TechnologyId.ToString(),
        TechnologyName = a.TechnologyName,
        SettingCode = a.SettingCode,
        IsSurveillance = a.IsSurveillance,
        ManagesSafetyRisk = a.ManagesSafetyRisk,
        ApprovedAt = a.ApprovedAt.ToTimestamp(),
        WithdrawnAt = a.WithdrawnAt?.ToTimestamp(),
        ContinuousMonitoringOrRestrictive = a.ContinuousMonitoringOrRestrictive,
        MayBeLifeSustaining = a.MayBeLifeSustaining,
        MentalDisorderTreatmentRoute = (MentalDisorderTreatmentRoute)a.MentalDisorderTreatmentRoute,
        ApprovedByOverride = a.OverrideApprovedBy is { } by
            ? new OperatorOverride { Subject = by, Role = a.OverrideApprovedRole ?? "", At = a.ApprovedAt.ToTimestamp(), Reason = a.OverrideApprovalReason ?? "" }
            : null,
        WithdrawnByOverride = a.OverrideWithdrawnBy is { } withdrawnBy && a.WithdrawnAt is { } at
            ? new OperatorOverride { Subject = withdrawnBy, Role = a.OverrideWithdrawnRole ?? "", At = at.ToTimestamp(), Reason = a.OverrideWithdrawalReason ?? "" }
            : null,
    };
}
