using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Entries;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Inbox;
using Consent = Platform.Contracts.Consent.V1;
using Evidence = Platform.Contracts.Evidence.V1;
using Procurement = Platform.Contracts.Procurement.V1;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Audit.Api.Events;

/// <summary>
/// Turns other services' decision events and access records into audit entries, each carrying the CloudEvent source
/// and id it came from and the actor the originating service took from its caller's token. The tenant is the
/// event's; the inbox (and a unique index on the source event behind it) makes a redelivery append nothing. A
/// delivery's entries for a trust (one event, or a whole bulk delivery's) are appended in one batch at its end.
/// </summary>
public sealed class DecisionEventHandlers(AuditLog log) :
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
    IEventHandler<Procurement.TechnologyApproved>,
    IEventHandler<Procurement.TechnologyApprovalWithdrawn>,
    IEventHandler<Procurement.TechnologyRegistered>,
    IEventHandler<Evidence.EvidenceItemRecorded>,
    IEventHandler<Messaging.Contracts.V1.DeadLetterReplayed>,
    IEventHandler<AccessRecorded>
{
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

    public Task HandleAsync(Procurement.TechnologyApproved m, EventEnvelope e, CancellationToken ct) =>
        Append("technology-approved", AuditAction.Update, m.Actor, $"Technology/{m.TechnologyId}", "Device", e, ct);

    public Task HandleAsync(Procurement.TechnologyApprovalWithdrawn m, EventEnvelope e, CancellationToken ct) =>
        Append("technology-approval-withdrawn", AuditAction.Update, m.Actor, $"Technology/{m.TechnologyId}", "Device", e, ct);

    public Task HandleAsync(Procurement.TechnologyRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("technology-registered", AuditAction.Create, message.Actor, $"Technology/{message.TechnologyId}", "Device", envelope, cancellationToken);

    public Task HandleAsync(Evidence.EvidenceItemRecorded message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("evidence-item-recorded", AuditAction.Create, message.Actor, $"EvidenceItem/{message.EvidenceItemId}", "Evidence", envelope, cancellationToken);

    // An operator pushed an event through its handler again: who, which event, and whether it took.
    public Task HandleAsync(Messaging.Contracts.V1.DeadLetterReplayed message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append(new NewAuditEntry("dead-letter-replayed", AuditAction.Execute,
            message.Outcome == "handled" ? AuditOutcome.Success : AuditOutcome.MinorFailure,
            new AuditAgent(message.ReplayedBy is { Length: > 0 } who ? who : "unknown", "platform-operator", "HOPERAT"),
            new AuditEntity($"DeadLetter/{message.DeadLetterId}", "Event"), SourceEvent: Source(envelope)), cancellationToken);

    // A read of patient data or a use check, recorded by the service that served it.
    public Task HandleAsync(AccessRecorded message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var (type, action) = message.Kind switch
        {
            "patient-record-read" => ("patient-record-read", AuditAction.Read),
            "use-check" => ("use-check", AuditAction.Execute),
            _ => throw new EventRejectedException($"kind.unknown: access kind '{message.Kind}' is not patient-record-read or use-check."),
        };
        var outcome = message.Outcome switch
        {
            "success" => AuditOutcome.Success,
            "denied" => AuditOutcome.MinorFailure,
            _ => throw new EventRejectedException($"outcome.unknown: access outcome '{message.Outcome}' is not success or denied."),
        };
        return Append(new NewAuditEntry(type, action, outcome,
            new AuditAgent(Or(message.ActorSubject), Or(message.ActorRole), message.PurposeOfUse.Trim()),
            new AuditEntity(message.What.Trim(), message.EntityType.Trim()), string.IsNullOrWhiteSpace(message.Patient) ? null : message.Patient.Trim(),
            Source(envelope)), cancellationToken);
    }

    private Task Append(string type, AuditAction action, Common.Actor? actor, string what, string entityType, EventEnvelope envelope, CancellationToken ct, string? patientId = null) =>
        Append(new NewAuditEntry(type, action, AuditOutcome.Success, new AuditAgent(Or(actor?.Subject), Or(actor?.Role), "HOPERAT"),
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
