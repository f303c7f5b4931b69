using Platform.Grpc;
using System.Security.Cryptography;
using System.Text;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;
using Common = Platform.Contracts.Common.V1;
using Contract = Platform.Contracts.Consent.V1;

namespace Platform.Consent.Api.Application;

/// <summary>
/// Publishes the consent service's decision events through the outbox of the scoped context, so each commits with the
/// decision it reports. Events carry ids, wards and codes: never a name, an NHS number or a clinician's free text.
/// Subject is the patient (a patient's events arrive in order), or the ward for a blanket signal.
/// </summary>
public sealed partial class ConsentEvents(ConsentDbContext db, IEventPublisher publisher, CurrentActor currentActor)
{
    private Actor? _actingFor;

    /// <summary>The actor for events raised while handling another service's event, or by a scheduled job.</summary>
    public void ActFor(Actor actor) => _actingFor = actor;

    private Common.Actor Actor()
    {
        var who = _actingFor ?? currentActor.Get();
        return new Common.Actor { Subject = who.Subject, Role = who.Role };
    }

    private void Publish<T>(T message, string subject) where T : Google.Protobuf.IMessage =>
        publisher.Publish(message, db.CurrentTenant ?? throw new InvalidOperationException("No tenant for a consent event."), subject);

    public void UseAuthorised(TechnologyUse use) => Publish(new Contract.UseAuthorised
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        SettingCode = use.SettingCode,
        LawfulBasis = (Contract.LawfulBasisKind)use.LawfulBasisKind,
        LawfulBasisRecordId = use.LawfulBasisRecordId?.ToString() ?? "",
        CarePlanRecordId = use.CarePlan.Id.ToString(),
        NextReviewDate = use.CarePlan.NextReviewDate?.ToTimestamp(),
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void UseSuspended(TechnologyUse use) => Publish(new Contract.UseSuspended
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        SettingCode = use.SettingCode,
        Reason = use.SuspensionReason switch
        {
            SuspensionReason.ApprovalWithdrawn => Contract.UseSuspensionReason.ApprovalWithdrawn,
            SuspensionReason.NotApprovedForWardSetting => Contract.UseSuspensionReason.NotApprovedForWardSetting,
            _ => Contract.UseSuspensionReason.Unspecified,
        },
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void UseResumed(TechnologyUse use) => Publish(new Contract.UseResumed
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        Status = (Contract.UseStatus)use.Status,
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void UseEnded(TechnologyUse use) => Publish(new Contract.UseEnded
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        Reason = (Contract.UseEndReason)use.EndReason,
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void ConsentWithdrawn(Guid consentId, Guid patientId, Guid technologyId, bool own, IEnumerable<TechnologyUse> ended)
    {
        var message = new Contract.ConsentWithdrawn
        {
            ConsentId = consentId.ToString(),
            PatientId = patientId.ToString(),
            TechnologyId = technologyId.ToString(),
            Kind = own ? Contract.ConsentKind.Own : Contract.ConsentKind.Proxy,
            Actor = Actor(),
        };
        message.EndedUseIds.AddRange(ended.Select(u => u.Id.ToString()));
        Publish(message, patientId.ToString());
    }

    public void OwnConsentRecorded(OwnConsent consent) => Publish(new Contract.ConsentRecorded
    {
        ConsentId = consent.Id.ToString(),
        PatientId = consent.PatientId.ToString(),
        TechnologyId = consent.TechnologyId.ToString(),
        Kind = Contract.ConsentKind.Own,
        Decision = (Contract.ConsentDecision)consent.Decision,
        RecordedAt = consent.RecordedAt.ToTimestamp(),
        Actor = Actor(),
    }, consent.PatientId.ToString());

    public void ProxyConsentRecorded(ProxyConsent consent, ProxyKind kind) => Publish(new Contract.ConsentRecorded
    {
        ConsentId = consent.Id.ToString(),
        PatientId = consent.PatientId.ToString(),
        TechnologyId = consent.TechnologyId.ToString(),
        Kind = Contract.ConsentKind.Proxy,
        Decision = (Contract.ConsentDecision)consent.Decision,
        ProxyAuthorityId = consent.ProxyAuthorityId.ToString(),
        ProxyKind = (Contract.ProxyKind)kind,
        RecordedAt = consent.RecordedAt.ToTimestamp(),
        Actor = Actor(),
    }, consent.PatientId.ToString());

    public void GillickAssessed(GillickAssessment assessment) => Publish(new Contract.GillickAssessed
    {
        AssessmentId = assessment.Id.ToString(),
        PatientId = assessment.PatientId.ToString(),
        TechnologyId = assessment.TechnologyId == Guid.Empty ? "" : assessment.TechnologyId.ToString(),
        Competent = assessment.Competent == true,
        AssessedAt = assessment.AssessedAt.ToTimestamp(),
        Actor = Actor(),
    }, assessment.PatientId.ToString());

    public void ProxyAuthorityRegistered(ProxyAuthority authority) => Publish(new Contract.ProxyAuthorityRegistered
    {
        ProxyAuthorityId = authority.Id.ToString(),
        PatientId = authority.PatientId.ToString(),
        Kind = (Contract.ProxyKind)authority.Kind,
        Actor = Actor(),
    }, authority.PatientId.ToString());

    public void CapacityAssessed(CapacityAssessment assessment, CapacityResult result, IEnumerable<Guid> consentRequiredUseIds)
    {
        var message = new Contract.CapacityAssessed
        {
            AssessmentId = assessment.Id.ToString(),
            PatientId = assessment.PatientId.ToString(),
            TechnologyId = assessment.TechnologyId == Guid.Empty ? "" : assessment.TechnologyId.ToString(),
            Result = (Contract.CapacityResult)result,
            Fluctuating = assessment.Fluctuating,
            AssessedAt = assessment.AssessedAt.ToTimestamp(),
            ReassessBy = assessment.ReassessBy?.ToTimestamp(),
            Actor = Actor(),
        };
        message.ConsentRequiredUseIds.AddRange(consentRequiredUseIds.Select(id => id.ToString()));
        Publish(message, assessment.PatientId.ToString());
    }

    public void UseConsentRequired(TechnologyUse use, DateTime? requiredBy, Guid assessmentId) => Publish(new Contract.UseConsentRequired
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        CurrentBasis = (Contract.LawfulBasisKind)use.LawfulBasisKind,
        ConsentRequiredBy = requiredBy?.ToTimestamp(),
        CapacityAssessmentId = assessmentId.ToString(),
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void BestInterestsDecisionRecorded(BestInterestsDecision decision) => Publish(new Contract.BestInterestsDecisionRecorded
    {
        DecisionId = decision.Id.ToString(),
        PatientId = decision.PatientId.ToString(),
        TechnologyId = decision.TechnologyId.ToString(),
        UseIsInBestInterests = decision.UseIsInBestInterests,
        PeopleConsulted = decision.PeopleConsulted.Count,
        ImcaConsulted = decision.PeopleConsulted.Exists(p => p.Role == ConsultedRole.IndependentMentalCapacityAdvocate),
        DecidedAt = decision.DecidedAt.ToTimestamp(),
        Actor = Actor(),
    }, decision.PatientId.ToString());

    public void ReviewOverdue(TechnologyUse use, DateTime due, TrustPolicy policy) => Publish(new Contract.ReviewOverdue
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        ReviewDue = due.ToTimestamp(),
        DeniedFrom = (due + policy.ReviewGracePeriod).ToTimestamp(),
        Actor = Actor(),
    }, use.PatientId.ToString());

    public void BlanketUseSignalRaised(Guid signalId, BlanketUseSignal signal) => Publish(new Contract.BlanketUseSignalRaised
    {
        SignalId = signalId.ToString(),
        Signal = ToMessage(signal),
        Actor = Actor(),
    }, "ward/" + signal.WardCode);

    public static Contract.BlanketUseSignal ToMessage(BlanketUseSignal s)
    {
        var message = new Contract.BlanketUseSignal
        {
            Kind = (Contract.BlanketSignalKind)s.Kind,
            WardCode = s.WardCode,
            TechnologyId = s.TechnologyId.ToString(),
            UseCount = s.UseCount,
            PatientsOnWard = s.PatientsOnWard,
            Share = s.Share,
            WindowStart = s.WindowStart.ToTimestamp(),
            WindowEnd = s.WindowEnd.ToTimestamp(),
            Summary = s.Summary,
        };
        if (s.MinimumSimilarity is { } similarity) message.MinimumSimilarity = similarity;
        message.UseIds.AddRange(s.UseIds.Select(id => id.ToString()));
        return message;
    }

    public void UseProposed(TechnologyUse use) => Publish(new Contract.UseProposed
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        SettingCode = use.SettingCode,
        Purpose = (Contract.UsePurpose)use.Purpose,
        Actor = Actor(),
        PatientCopyToArrange = (Contract.AccessibleFormat)PatientCopyFormat.For(use.CarePlan.InformationFormat).ToArrange,
    }, use.PatientId.ToString());

    public void UseReviewed(UseReview review, TechnologyUse use)
    {
        var message = new Contract.UseReviewed
        {
            ReviewId = review.Id.ToString(),
            UseId = use.Id.ToString(),
            PatientId = use.PatientId.ToString(),
            PatientViewsSought = review.PatientViewsSought == true,
            Decision = (Contract.ReviewDecision)review.Decision,
            NextReviewDate = review.Decision == ReviewDecision.Stop ? null : review.NextReviewDate?.ToTimestamp(),
            ReviewedAt = review.ReviewedAt.ToTimestamp(),
            Actor = Actor(),
        };
        message.Participants.AddRange(Participants(review.Participants));
        Publish(message, use.PatientId.ToString());
    }

    /// <summary>The flags as the contract's list (values 1-4 are the flags' bit numbers plus one).</summary>
    public static IEnumerable<Contract.ReviewParticipant> Participants(ReviewParticipants participants)
    {
        for (var bit = 0; bit < 4; bit++)
            if (((int)participants & (1 << bit)) != 0) yield return (Contract.ReviewParticipant)(bit + 1);
    }

    public void PatientTransferred(Guid patientId, string fromWard, WardTransfer transfer)
    {
        var message = new Contract.PatientTransferred
        {
            PatientId = patientId.ToString(),
            FromWardCode = fromWard,
            ToWardCode = transfer.WardCode,
            SettingCode = transfer.SettingCode,
            Actor = Actor(),
        };
        message.MovedUseIds.AddRange(transfer.Moved.Select(u => u.Id.ToString()));
        message.SuspendedUseIds.AddRange(transfer.Suspended.Select(u => u.Id.ToString()));
        message.ResumedUseIds.AddRange(transfer.Resumed.Select(u => u.Id.ToString()));
        Publish(message, patientId.ToString());
    }

    /// <summary>
    /// What a change did to the patient's live uses: one use_reevaluated each, and a safety_alert naming the fallback
    /// for a safety use that can no longer run. Deny rules are codes only.
    /// </summary>
    public void Reevaluated(IReadOnlyList<UseReevaluation> changes, Guid causeRecordId, string cause)
    {
        foreach (var change in changes)
        {
            var use = change.Use;
            var message = new Contract.UseReevaluated
            {
                UseId = use.Id.ToString(),
                PatientId = use.PatientId.ToString(),
                TechnologyId = use.TechnologyId.ToString(),
                WardCode = use.WardCode,
                Before = (Contract.UseCheckDecision)change.Before.Decision,
                After = (Contract.UseCheckDecision)change.After.Decision,
                CauseRecordId = causeRecordId.ToString(),
                Cause = cause,
                Actor = Actor(),
            };
            message.DenyRules.AddRange(change.After.Reasons.Select(r => r.Rule));
            Publish(message, use.PatientId.ToString());
            if (change.SafetyAlert is { } alert)
            {
                var safety = new Contract.SafetyAlert
                {
                    UseId = alert.UseId.ToString(),
                    PatientId = alert.PatientId.ToString(),
                    TechnologyId = alert.TechnologyId.ToString(),
                    WardCode = alert.WardCode,
                    Fallback = (Contract.SafetyFallback)alert.Fallback,
                    Actor = Actor(),
                };
                safety.DenyRules.AddRange(alert.Reasons.Select(r => r.Rule));
                Publish(safety, use.PatientId.ToString());
            }
        }
    }

    public void ProxyAuthorityEnded(ProxyAuthority authority) => Publish(new Contract.ProxyAuthorityEnded
    {
        ProxyAuthorityId = authority.Id.ToString(),
        PatientId = authority.PatientId.ToString(),
        Kind = (Contract.ProxyKind)authority.Kind,
        Reason = (Contract.ProxyAuthorityEndReason)authority.EndReason,
        EndedAt = (authority.EndedAt ?? authority.RevokedAt)?.ToTimestamp(),
        Actor = Actor(),
    }, authority.PatientId.ToString());

    public void ProxyAuthoritySuspended(ProxyAuthority authority) => Publish(new Contract.ProxyAuthoritySuspended
    {
        ProxyAuthorityId = authority.Id.ToString(),
        PatientId = authority.PatientId.ToString(),
        Kind = (Contract.ProxyKind)authority.Kind,
        From = authority.SuspendedFrom?.ToTimestamp(),
        Actor = Actor(),
    }, authority.PatientId.ToString());

    public void ProxyAuthoritySuspensionLifted(ProxyAuthority authority) => Publish(new Contract.ProxyAuthoritySuspensionLifted
    {
        ProxyAuthorityId = authority.Id.ToString(),
        PatientId = authority.PatientId.ToString(),
        Kind = (Contract.ProxyKind)authority.Kind,
        At = authority.SuspensionLiftedAt?.ToTimestamp(),
        Actor = Actor(),
    }, authority.PatientId.ToString());

    public void BestInterestsDecisionEnded(BestInterestsDecision decision) => Publish(new Contract.BestInterestsDecisionEnded
    {
        DecisionId = decision.Id.ToString(),
        PatientId = decision.PatientId.ToString(),
        TechnologyId = decision.TechnologyId.ToString(),
        EndedAt = decision.EndedAt?.ToTimestamp(),
        Actor = Actor(),
    }, decision.PatientId.ToString());

    public void AdvanceDecisionRecorded(AdvanceDecision decision) => Publish(new Contract.AdvanceDecisionRecorded
    {
        AdvanceDecisionId = decision.Id.ToString(),
        PatientId = decision.PatientId.ToString(),
        TechnologyId = decision.TechnologyId.ToString(),
        MeetsLifeSustainingFormalities = decision.MeetsLifeSustainingFormalities,
        MadeAt = decision.MadeAt.ToTimestamp(),
        Actor = Actor(),
    }, decision.PatientId.ToString());

    public void AdvanceDecisionInvalidated(AdvanceDecision decision) => Publish(new Contract.AdvanceDecisionInvalidated
    {
        AdvanceDecisionId = decision.Id.ToString(),
        PatientId = decision.PatientId.ToString(),
        TechnologyId = decision.TechnologyId.ToString(),
        Invalidation = (Contract.AdvanceDecisionInvalidation)decision.Invalidation,
        Inapplicability = (Contract.AdvanceDecisionInapplicability)decision.Inapplicability,
        At = (decision.InvalidatedAt ?? decision.InapplicableFrom)?.ToTimestamp(),
        Actor = Actor(),
    }, decision.PatientId.ToString());

    public void RefusalQuestionAnswered(OwnConsent consent) => Publish(new Contract.RefusalQuestionAnswered
    {
        ConsentId = consent.Id.ToString(),
        PatientId = consent.PatientId.ToString(),
        TechnologyId = consent.TechnologyId.ToString(),
        RefusalStands = consent.RefusalStandsIfCapacityLost == true,
        Actor = Actor(),
    }, consent.PatientId.ToString());

    public void MentalHealthActStatusRecorded(MentalHealthActRecord record) => Publish(new Contract.MentalHealthActStatusRecorded
    {
        RecordId = record.Id.ToString(),
        PatientId = record.PatientId.ToString(),
        Status = (Contract.MentalHealthActStatus)record.Status,
        From = record.From.ToTimestamp(),
        Until = record.Until?.ToTimestamp(),
        Part4Applies = record.Part4Applies,
        Actor = Actor(),
    }, record.PatientId.ToString());

    public void Section63Recorded(Section63Record record) => Publish(new Contract.Section63Recorded
    {
        Section63RecordId = record.Id.ToString(),
        PatientId = record.PatientId.ToString(),
        TechnologyId = record.TechnologyId.ToString(),
        RecordedAt = record.RecordedAt.ToTimestamp(),
        ConsentSought = record.ConsentSought == true,
        Actor = Actor(),
    }, record.PatientId.ToString());

    public void Section63Ended(Section63Record record) => Publish(new Contract.Section63Ended
    {
        Section63RecordId = record.Id.ToString(),
        PatientId = record.PatientId.ToString(),
        TechnologyId = record.TechnologyId.ToString(),
        EndedAt = record.EndedAt?.ToTimestamp(),
        Actor = Actor(),
    }, record.PatientId.ToString());

    /// <summary>The trust's route for treatment for mental disorder, per approval: who chose what, and what it was before.</summary>
    public void ApprovalRouteChosen(ApprovalRouteChosen chosen, string role) => Publish(new Contract.ApprovalRouteChosen
    {
        ApprovalId = chosen.ApprovalId.ToString(),
        TechnologyId = chosen.TechnologyId.ToString(),
        SettingCode = chosen.SettingCode,
        Before = (Contract.MentalDisorderTreatmentRoute)chosen.Before,
        After = (Contract.MentalDisorderTreatmentRoute)chosen.After,
        At = chosen.At.ToTimestamp(),
        // The role the choice is made in (the method admits only it), not the first of the caller's roles.
        Actor = new Common.Actor { Subject = chosen.Actor, Role = role },
    }, chosen.ApprovalId.ToString());

    public void UseCorrected(TechnologyUse use, IEnumerable<string> parts)
    {
        var message = new Contract.UseCorrected
        {
            UseId = use.Id.ToString(),
            PatientId = use.PatientId.ToString(),
            TechnologyId = use.TechnologyId.ToString(),
            WardCode = use.WardCode,
            Purpose = (Contract.UsePurpose)use.Purpose,
            CorrectedAt = use.CorrectedAt?.ToTimestamp(),
            Actor = Actor(),
        };
        message.Parts.AddRange(parts);
        Publish(message, use.PatientId.ToString());
    }

    public void HumanRightsBalancingRecorded(TechnologyUse use) => Publish(new Contract.HumanRightsBalancingRecorded
    {
        UseId = use.Id.ToString(),
        PatientId = use.PatientId.ToString(),
        TechnologyId = use.TechnologyId.ToString(),
        WardCode = use.WardCode,
        RightsEngaged = (int)(use.HumanRights?.RightsEngaged ?? HumanRight.None),
        LegalAdviceSought = use.HumanRights?.LegalAdviceSought == true,
        Actor = Actor(),
    }, use.PatientId.ToString());

    /// <summary>The band the rules apply now; never the date of birth or the days it gives.</summary>
    public void PatientAgeRecorded(Guid patientId, AgeBand now) => Publish(new Contract.PatientAgeRecorded
    {
        PatientId = patientId.ToString(),
        AgeBandNow = (Contract.AgeBand)now,
        Actor = Actor(),
    }, patientId.ToString());

    /// <summary>A deadline of a live use is within the trust's notice (the signal sweep raises it once per use, kind and deadline).</summary>
    public void DeadlineWarning(Domain.DeadlineWarning warning) => Publish(new Contract.DeadlineWarning
    {
        UseId = warning.UseId.ToString(),
        PatientId = warning.PatientId.ToString(),
        TechnologyId = warning.TechnologyId.ToString(),
        WardCode = warning.WardCode,
        Kind = (Contract.DeadlineKind)warning.Kind,
        Deadline = warning.Deadline.ToTimestamp(),
        Actor = Actor(),
    }, warning.PatientId.ToString());

    /// <summary>The patient turned 16 or 18; the uses whose check changed then are listed (each has its use_reevaluated).</summary>
    public void AgeThresholdCrossed(Guid patientId, AgeTransition transition)
    {
        var message = new Contract.AgeThresholdCrossed
        {
            PatientId = patientId.ToString(),
            Age = (int)transition.Threshold,
            At = transition.At.ToTimestamp(),
            Actor = Actor(),
        };
        message.ChangedUseIds.AddRange(transition.Uses.Select(u => u.Use.Id.ToString()));
        Publish(message, patientId.ToString());
    }

    /// <summary>A refusal made with capacity whose "should it stand if you lose capacity?" question is unanswered.</summary>
    public void RefusalQuestionDue(OwnConsent refusal) => Publish(new Contract.RefusalQuestionDue
    {
        ConsentId = refusal.Id.ToString(),
        PatientId = refusal.PatientId.ToString(),
        TechnologyId = refusal.TechnologyId.ToString(),
        RefusedAt = refusal.RecordedAt.ToTimestamp(),
        Actor = Actor(),
    }, refusal.PatientId.ToString());

    /// <summary>The operator override recorded or withdrew an approval: who, when, what; the reason stays on the approval.</summary>
    public void ApprovalOverridden(TechnologyApproval approval, bool recorded, ApprovalOverride by, int usesAffected) => Publish(new Contract.TechnologyApprovalOverridden
    {
        ApprovalId = approval.Id.ToString(),
        TechnologyId = approval.TechnologyId.ToString(),
        SettingCode = approval.SettingCode,
        Action = recorded ? Contract.ApprovalOverrideAction.Recorded : Contract.ApprovalOverrideAction.Withdrawn,
        At = (recorded ? approval.ApprovedAt : approval.WithdrawnAt!.Value).ToTimestamp(),
        Actor = new Common.Actor { Subject = by.Subject, Role = by.Role },
        UsesAffected = usesAffected,
    }, approval.Id.ToString());

    public void TrustPolicyChanged(TrustPolicyChanged change)
    {
        var message = new Contract.TrustPolicyChanged { At = change.At.ToTimestamp(), Actor = Actor() };
        message.Changes.AddRange(change.Changes.Select(c => new Contract.TrustPolicyFieldChange { Field = c.Field, Before = c.Before, After = c.After }));
        Publish(message, "trust/" + (db.CurrentTenant ?? ""));
    }

    /// <summary>The same kind, ward, technology and uses make the same finding.</summary>
    public static string SignalKey(BlanketUseSignal s)
    {
        var text = $"{s.Kind}|{s.WardCode}|{s.TechnologyId}|{string.Join(',', s.UseIds.Order())}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
