using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Entries;
using Platform.KnownTrusts;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Inbox;
using Consent = Platform.Contracts.Consent.V1;
using Evidence = Platform.Contracts.Evidence.V1;
using Procurement = Platform.Contracts.Procurement.V1;
using Common = Platform.Contracts.Common.V1;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Audit.Api.Events;

/// <summary>
/// Turns other services' decision events and access records into audit entries, each carrying the CloudEvent source
/// and id it came from and the actor the originating service took from its caller's token. The tenant is the
/// event's; the inbox (and a unique index on the source event behind it) makes a redelivery append nothing. A
/// delivery's entries for a trust (one event, or a whole bulk delivery's) are appended in one batch at its end.
/// The directory's trust events are also the service's known-trusts projection: an event type has one handler, so
/// this one applies the change and enters it, both in the delivery's one transaction.
/// </summary>
public sealed class DecisionEventHandlers(AuditLog log, KnownTrustRecorder knownTrusts) :
    IEventHandler<Consent.PatientRegistered>,
    IEventHandler<Consent.UseAuthorised>,
    IEventHandler<Consent.ConsentRecorded>,
    IEventHandler<Consent.GillickAssessed>,
    IEventHandler<Consent.ProxyAuthorityRegistered>,
    IEventHandler<Consent.UseSuspended>,
    IEventHandler<Consent.UseResumed>,
    IEventHandler<Consent.UseEnded>,
    IEventHandler<Consent.ConsentWithdrawn>,
    IEventHandler<Consent.CapacityAssessed>,
    IEventHandler<Consent.UseConsentRequired>,
    IEventHandler<Consent.BestInterestsDecisionRecorded>,
    IEventHandler<Consent.ReviewOverdue>,
    IEventHandler<Consent.BlanketUseSignalRaised>,
    IEventHandler<Consent.UseProposed>,
    IEventHandler<Consent.UseReviewed>,
    IEventHandler<Consent.PatientTransferred>,
    IEventHandler<Consent.UseReevaluated>,
    IEventHandler<Consent.SafetyAlert>,
    IEventHandler<Consent.ProxyAuthorityEnded>,
    IEventHandler<Consent.ProxyAuthoritySuspended>,
    IEventHandler<Consent.ProxyAuthoritySuspensionLifted>,
    IEventHandler<Consent.BestInterestsDecisionEnded>,
    IEventHandler<Consent.AdvanceDecisionRecorded>,
    IEventHandler<Consent.AdvanceDecisionInvalidated>,
    IEventHandler<Consent.RefusalQuestionAnswered>,
    IEventHandler<Consent.TrustPolicyChanged>,
    IEventHandler<Consent.TechnologyApprovalOverridden>,
    IEventHandler<Consent.ObjectionRecorded>,
    IEventHandler<Consent.ObjectionRedecided>,
    IEventHandler<Consent.DeprivationOfLibertyScreened>,
    IEventHandler<Consent.CourtOrderRecorded>,
    IEventHandler<Consent.CourtOrderDischarged>,
    IEventHandler<Consent.ZoneOfParentalControlRecorded>,
    IEventHandler<Consent.MentalHealthActStatusRecorded>,
    IEventHandler<Consent.Section63Recorded>,
    IEventHandler<Consent.Section63Ended>,
    IEventHandler<Consent.ApprovalRouteChosen>,
    IEventHandler<Consent.UseCorrected>,
    IEventHandler<Consent.HumanRightsBalancingRecorded>,
    IEventHandler<Consent.PatientAgeRecorded>,
    IEventHandler<Consent.DeadlineWarning>,
    IEventHandler<Consent.AgeThresholdCrossed>,
    IEventHandler<Consent.RefusalQuestionDue>,
    IEventHandler<Procurement.TechnologyApproved>,
    IEventHandler<Procurement.TechnologyApprovalWithdrawn>,
    IEventHandler<Procurement.TechnologyRegistered>,
    IEventHandler<Procurement.CaseOpened>,
    IEventHandler<Procurement.GateRecorded>,
    IEventHandler<Procurement.GateExpired>,
    IEventHandler<Procurement.SupplierEvidenceShared>,
    IEventHandler<Procurement.SupplierEvidenceReused>,
    IEventHandler<Evidence.EvidenceItemRecorded>,
    IEventHandler<Evidence.AppraisalCompleted>,
    IEventHandler<Evidence.MeasurementRecorded>,
    IEventHandler<Evidence.OutcomeFlagRaised>,
    IEventHandler<Messaging.Contracts.V1.DeadLetterReplayed>,
    IEventHandler<Identity.TrustOnboarded>,
    IEventHandler<Identity.TrustChanged>,
    IEventHandler<Identity.WardRegistered>,
    IEventHandler<Identity.WardChanged>,
    IEventHandler<AccessRecorded>,
    IEventHandler<AccessRecordBatch>
{
    // The regional directory, in the trust's own log (the event's tenant is the trust): who onboarded, renamed,
    // suspended or reinstated it, and who registered or changed its wards.
    public async Task HandleAsync(Identity.TrustOnboarded m, EventEnvelope e, CancellationToken ct)
    {
        await knownTrusts.ApplyEventAsync(new KnownTrustChange(m.OdsCode, m.Name, Active: true), e, ct);
        await Append("trust-onboarded", AuditAction.Create, m.Actor, $"Trust/{m.OdsCode}", "Organization", e, ct);
    }

    public async Task HandleAsync(Identity.TrustChanged m, EventEnvelope e, CancellationToken ct)
    {
        await knownTrusts.ApplyEventAsync(new KnownTrustChange(m.OdsCode, m.Name, Active: m.Status != Identity.TrustStatus.Suspended), e, ct);
        await Append("trust-changed", AuditAction.Update, m.Actor, $"Trust/{m.OdsCode}", "Organization", e, ct);
    }

    public Task HandleAsync(Identity.WardRegistered m, EventEnvelope e, CancellationToken ct) =>
        Append("ward-registered", AuditAction.Create, m.Actor, $"Ward/{m.WardCode}", "Location", e, ct);

    public Task HandleAsync(Identity.WardChanged m, EventEnvelope e, CancellationToken ct) =>
        Append("ward-changed", AuditAction.Update, m.Actor, $"Ward/{m.WardCode}", "Location", e, ct);

    public Task HandleAsync(Consent.PatientRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("patient-registered", AuditAction.Create, message.Actor, $"Patient/{message.PatientId}", "Patient", envelope, cancellationToken, message.PatientId);

    // Consent decisions: the entity is the use or record decided on (ids only; the consent service never sends names).
    public Task HandleAsync(Consent.UseAuthorised m, EventEnvelope e, CancellationToken ct) =>
        Append("use-authorised", AuditAction.Create, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ConsentRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("consent-recorded", AuditAction.Create, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.GillickAssessed m, EventEnvelope e, CancellationToken ct) =>
        Append("gillick-assessed", AuditAction.Create, m.Actor, $"GillickAssessment/{m.AssessmentId}", "Observation", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ProxyAuthorityRegistered m, EventEnvelope e, CancellationToken ct) =>
        Append("proxy-authority-registered", AuditAction.Create, m.Actor, $"ProxyAuthority/{m.ProxyAuthorityId}", "RelatedPerson", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseSuspended m, EventEnvelope e, CancellationToken ct) =>
        Append("use-suspended", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseResumed m, EventEnvelope e, CancellationToken ct) =>
        Append("use-resumed", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseEnded m, EventEnvelope e, CancellationToken ct) =>
        Append("use-ended", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ConsentWithdrawn m, EventEnvelope e, CancellationToken ct) =>
        Append("consent-withdrawn", AuditAction.Update, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.CapacityAssessed m, EventEnvelope e, CancellationToken ct) =>
        Append("capacity-assessed", AuditAction.Create, m.Actor, $"CapacityAssessment/{m.AssessmentId}", "Observation", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseConsentRequired m, EventEnvelope e, CancellationToken ct) =>
        Append("use-consent-required", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.BestInterestsDecisionRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("best-interests-decision-recorded", AuditAction.Create, m.Actor, $"BestInterestsDecision/{m.DecisionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ReviewOverdue m, EventEnvelope e, CancellationToken ct) =>
        Append("review-overdue", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.BlanketUseSignalRaised m, EventEnvelope e, CancellationToken ct) =>
        Append("blanket-use-signal", AuditAction.Execute, m.Actor, $"BlanketUseSignal/{m.SignalId}", "DetectedIssue", e, ct);

    public Task HandleAsync(Consent.UseProposed m, EventEnvelope e, CancellationToken ct) =>
        Append("use-proposed", AuditAction.Create, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseReviewed m, EventEnvelope e, CancellationToken ct) =>
        Append("use-reviewed", AuditAction.Create, m.Actor, $"UseReview/{m.ReviewId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.PatientTransferred m, EventEnvelope e, CancellationToken ct) =>
        Append("patient-transferred", AuditAction.Update, m.Actor, $"Patient/{m.PatientId}", "Patient", e, ct, m.PatientId);

    public Task HandleAsync(Consent.UseReevaluated m, EventEnvelope e, CancellationToken ct) =>
        Append("use-reevaluated", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.SafetyAlert m, EventEnvelope e, CancellationToken ct) =>
        Append("safety-alert", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "DetectedIssue", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ProxyAuthorityEnded m, EventEnvelope e, CancellationToken ct) =>
        Append("proxy-authority-ended", AuditAction.Update, m.Actor, $"ProxyAuthority/{m.ProxyAuthorityId}", "RelatedPerson", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ProxyAuthoritySuspended m, EventEnvelope e, CancellationToken ct) =>
        Append("proxy-authority-suspended", AuditAction.Update, m.Actor, $"ProxyAuthority/{m.ProxyAuthorityId}", "RelatedPerson", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ProxyAuthoritySuspensionLifted m, EventEnvelope e, CancellationToken ct) =>
        Append("proxy-suspension-lifted", AuditAction.Update, m.Actor, $"ProxyAuthority/{m.ProxyAuthorityId}", "RelatedPerson", e, ct, m.PatientId);

    public Task HandleAsync(Consent.BestInterestsDecisionEnded m, EventEnvelope e, CancellationToken ct) =>
        Append("best-interests-decision-ended", AuditAction.Update, m.Actor, $"BestInterestsDecision/{m.DecisionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.AdvanceDecisionRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("advance-decision-recorded", AuditAction.Create, m.Actor, $"AdvanceDecision/{m.AdvanceDecisionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.AdvanceDecisionInvalidated m, EventEnvelope e, CancellationToken ct) =>
        Append("advance-decision-invalidated", AuditAction.Update, m.Actor, $"AdvanceDecision/{m.AdvanceDecisionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.RefusalQuestionAnswered m, EventEnvelope e, CancellationToken ct) =>
        Append("refusal-question-answered", AuditAction.Update, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct, m.PatientId);

    // The trust's own policy (review intervals, grace periods): who changed it; the before and after are in the event.
    public Task HandleAsync(Consent.TrustPolicyChanged m, EventEnvelope e, CancellationToken ct) =>
        Append("trust-policy-changed", AuditAction.Update, m.Actor, "TrustPolicy/current", "TrustPolicy", e, ct);

    // An approval recorded or withdrawn by hand instead of through procurement (ADR 0029: overrides are audited).
    public Task HandleAsync(Consent.TechnologyApprovalOverridden m, EventEnvelope e, CancellationToken ct) =>
        Append(m.Action == Consent.ApprovalOverrideAction.Withdrawn ? "approval-override-withdrawn" : "approval-override-recorded",
            AuditAction.Update, m.Actor, $"TechnologyApproval/{m.ApprovalId}", "Device", e, ct);

    public Task HandleAsync(Consent.ObjectionRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("objection-recorded", AuditAction.Create, m.Actor, $"PatientObjection/{m.ObjectionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ObjectionRedecided m, EventEnvelope e, CancellationToken ct) =>
        Append("objection-redecided", AuditAction.Update, m.Actor, $"PatientObjection/{m.ObjectionId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.DeprivationOfLibertyScreened m, EventEnvelope e, CancellationToken ct) =>
        Append("liberty-screened", AuditAction.Create, m.Actor, $"DeprivationOfLibertyScreen/{m.ScreenId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.CourtOrderRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("court-order-recorded", AuditAction.Create, m.Actor, $"CourtOrder/{m.CourtOrderId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.CourtOrderDischarged m, EventEnvelope e, CancellationToken ct) =>
        Append("court-order-discharged", AuditAction.Update, m.Actor, $"CourtOrder/{m.CourtOrderId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ZoneOfParentalControlRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("parental-control-zone-recorded", AuditAction.Create, m.Actor, $"ZoneOfParentalControlFinding/{m.FindingId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.MentalHealthActStatusRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("mha-status-recorded", AuditAction.Create, m.Actor, $"MentalHealthActRecord/{m.RecordId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.Section63Recorded m, EventEnvelope e, CancellationToken ct) =>
        Append("section-63-recorded", AuditAction.Create, m.Actor, $"Section63Record/{m.Section63RecordId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.Section63Ended m, EventEnvelope e, CancellationToken ct) =>
        Append("section-63-ended", AuditAction.Update, m.Actor, $"Section63Record/{m.Section63RecordId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.ApprovalRouteChosen m, EventEnvelope e, CancellationToken ct) =>
        Append("approval-route-chosen", AuditAction.Update, m.Actor, $"TechnologyApproval/{m.ApprovalId}", "Device", e, ct);

    public Task HandleAsync(Consent.UseCorrected m, EventEnvelope e, CancellationToken ct) =>
        Append("use-corrected", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.HumanRightsBalancingRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("human-rights-balancing-recorded", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.PatientAgeRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("patient-age-recorded", AuditAction.Update, m.Actor, $"Patient/{m.PatientId}", "Patient", e, ct, m.PatientId);

    public Task HandleAsync(Consent.DeadlineWarning m, EventEnvelope e, CancellationToken ct) =>
        Append("deadline-warning", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Consent.AgeThresholdCrossed m, EventEnvelope e, CancellationToken ct) =>
        Append("age-threshold-crossed", AuditAction.Execute, m.Actor, $"Patient/{m.PatientId}", "Patient", e, ct, m.PatientId);

    public Task HandleAsync(Consent.RefusalQuestionDue m, EventEnvelope e, CancellationToken ct) =>
        Append("refusal-question-due", AuditAction.Execute, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct, m.PatientId);

    public Task HandleAsync(Procurement.TechnologyApproved m, EventEnvelope e, CancellationToken ct) =>
        Append("technology-approved", AuditAction.Update, m.Actor, $"Technology/{m.TechnologyId}", "Device", e, ct);

    public Task HandleAsync(Procurement.TechnologyApprovalWithdrawn m, EventEnvelope e, CancellationToken ct) =>
        Append("technology-approval-withdrawn", AuditAction.Update, m.Actor, $"Technology/{m.TechnologyId}", "Device", e, ct);

    public Task HandleAsync(Procurement.TechnologyRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("technology-registered", AuditAction.Create, message.Actor, $"Technology/{message.TechnologyId}", "Device", envelope, cancellationToken);

    public Task HandleAsync(Evidence.EvidenceItemRecorded message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("evidence-item-recorded", AuditAction.Create, message.Actor, $"EvidenceItem/{message.EvidenceItemId}", "Evidence", envelope, cancellationToken);

    public Task HandleAsync(Procurement.CaseOpened m, EventEnvelope e, CancellationToken ct) =>
        Append("procurement-case-opened", AuditAction.Create, m.Actor, $"ProcurementCase/{m.CaseId}", "Device", e, ct);

    public Task HandleAsync(Procurement.GateRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("procurement-gate-recorded", AuditAction.Create, m.Actor, $"ProcurementCase/{m.CaseId}/gate/{m.RecordId}", "Device", e, ct);

    // Raised by procurement's expiry sweep, not by a person: the agent is the service that raised it.
    public Task HandleAsync(Procurement.GateExpired m, EventEnvelope e, CancellationToken ct) =>
        Append("procurement-gate-expired", AuditAction.Execute, null, $"ProcurementCase/{m.CaseId}", "Device", e, ct);

    public Task HandleAsync(Procurement.SupplierEvidenceShared m, EventEnvelope e, CancellationToken ct) =>
        Append("supplier-evidence-shared", AuditAction.Create, m.Actor, $"SharedEvidence/{m.SharedEvidenceId}", "DocumentReference", e, ct);

    public Task HandleAsync(Procurement.SupplierEvidenceReused m, EventEnvelope e, CancellationToken ct) =>
        Append("supplier-evidence-reused", AuditAction.Read, m.Actor, $"SharedEvidence/{m.SharedEvidenceId}", "DocumentReference", e, ct);

    public Task HandleAsync(Evidence.AppraisalCompleted m, EventEnvelope e, CancellationToken ct) =>
        Append("appraisal-completed", AuditAction.Create, m.Actor, $"Appraisal/{m.AppraisalId}", "Evidence", e, ct);

    // An outcome measure of one use (its patient is the consent service's to name; the event carries the use only).
    public Task HandleAsync(Evidence.MeasurementRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("measurement-recorded", AuditAction.Create, m.Actor, $"Measurement/{m.MeasurementId}", "Observation", e, ct);

    // Raised by evidence's outcome flag sweep, not by a person: the agent is the service that raised it.
    public Task HandleAsync(Evidence.OutcomeFlagRaised m, EventEnvelope e, CancellationToken ct) =>
        Append("outcome-flag-raised", AuditAction.Execute, null, $"OutcomeFlag/{m.FlagId}", "DetectedIssue", e, ct);

    // An operator pushed an event through its handler again: who, which event, and whether it took.
    public Task HandleAsync(Messaging.Contracts.V1.DeadLetterReplayed message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append(new NewAuditEntry("dead-letter-replayed", AuditAction.Execute,
            message.Outcome == "handled" ? AuditOutcome.Success : AuditOutcome.MinorFailure,
            new AuditAgent(message.ReplayedBy is { Length: > 0 } who ? who : "unknown", "platform-operator", "HOPERAT"),
            new AuditEntity($"DeadLetter/{message.DeadLetterId}", "Event"), SourceEvent: Source(envelope)), cancellationToken);

    // A read of patient data or a use check, recorded by the service that served it.
    public Task HandleAsync(AccessRecorded message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append(AccessEntry(message, Source(envelope), ""), cancellationToken);

    // The records of concurrent use checks of one trust, written as one event (docs/decisions/0035): an entry per record,
    // each with the record's own id as its source event id, so a redelivered batch (or a record already entered) appends
    // nothing. Every record is checked before any is appended: a batch with one bad record is refused whole.
    public Task HandleAsync(AccessRecordBatch message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (message.Records.Count == 0) throw new EventRejectedException("records.empty: an access record batch holds no record.");
        var entries = new List<NewAuditEntry>(message.Records.Count);
        for (var i = 0; i < message.Records.Count; i++)
        {
            var record = message.Records[i];
            var field = $"records[{i}].";
            if (!Guid.TryParse(record.RecordId, out _)) throw new EventRejectedException($"{field}record_id.invalid: an access record's id must be a UUID.");
            if (record.Access is null) throw new EventRejectedException($"{field}access.missing: the record carries no access.");
            entries.Add(AccessEntry(record.Access, new SourceEvent(envelope.Source, record.RecordId), field));
        }
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var entry in entries) log.AppendWithDelivery(entry);
        return Task.CompletedTask;
    }

    private static NewAuditEntry AccessEntry(AccessRecorded message, SourceEvent source, string field)
    {
        var (type, action) = message.Kind switch
        {
            "patient-record-read" => ("patient-record-read", AuditAction.Read),
            "use-check" => ("use-check", AuditAction.Execute),
            _ => throw new EventRejectedException($"{field}kind.unknown: access kind '{message.Kind}' is not patient-record-read or use-check."),
        };
        var outcome = message.Outcome switch
        {
            "success" => AuditOutcome.Success,
            "denied" => AuditOutcome.MinorFailure,
            _ => throw new EventRejectedException($"{field}outcome.unknown: access outcome '{message.Outcome}' is not success or denied."),
        };
        return new NewAuditEntry(type, action, outcome,
            new AuditAgent(Or(message.ActorSubject), Or(message.ActorRole), message.PurposeOfUse.Trim()),
            new AuditEntity(message.What.Trim(), message.EntityType.Trim()), string.IsNullOrWhiteSpace(message.Patient) ? null : message.Patient.Trim(),
            source);
    }

    // No actor: the event was raised by the service itself (a sweep), so the agent is that service, in role "system".
    private Task Append(string type, AuditAction action, Common.Actor? actor, string what, string entityType, EventEnvelope envelope, CancellationToken ct, string? patientId = null) =>
        Append(new NewAuditEntry(type, action, AuditOutcome.Success,
            actor is null ? new AuditAgent(Or(envelope.Source), "system", "HOPERAT") : new AuditAgent(Or(actor.Subject), Or(actor.Role), "HOPERAT"),
            new AuditEntity(what, entityType), string.IsNullOrWhiteSpace(patientId) ? null : $"Patient/{patientId}", Source(envelope)), ct);

    // Appended with the rest of the delivery's entries before its transaction commits (AuditLog.AppendWithDelivery).
    private Task Append(NewAuditEntry entry, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        log.AppendWithDelivery(entry);
        return Task.CompletedTask;
    }

    private static SourceEvent Source(EventEnvelope envelope) => new(envelope.Source, envelope.Id);

    private static string Or(string? value) => string.IsNullOrWhiteSpace(value) ? "unknown" : value.Trim();
}
