using Platform.Audit.Api.Application;
using Platform.Audit.Api.Data;
using Platform.Messaging.Inbox;
using Consent = Platform.Contracts.Consent.V1;
using Evidence = Platform.Contracts.Evidence.V1;
using Procurement = Platform.Contracts.Procurement.V1;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Audit.Api.Events;

/// <summary>
/// Turns other services' decision events into audit entries, each carrying the CloudEvent id it came from. The
/// tenant is the event's; the inbox makes a redelivery a no-op, so an event is entered once.
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
    IEventHandler<Messaging.Contracts.V1.DeadLetterReplayed>
{
    public Task HandleAsync(Consent.PatientRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("patient-registered", AuditAction.Create, message.Actor, $"Patient/{message.PatientId}", "Patient", envelope, cancellationToken);

    // Consent decisions: the entity is the use or record decided on (ids only; the consent service never sends names).
    public Task HandleAsync(Consent.UseAuthorised m, EventEnvelope e, CancellationToken ct) =>
        Append("use-authorised", AuditAction.Create, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

    public Task HandleAsync(Consent.ConsentRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("consent-recorded", AuditAction.Create, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct);

    public Task HandleAsync(Consent.GillickAssessed m, EventEnvelope e, CancellationToken ct) =>
        Append("gillick-assessed", AuditAction.Create, m.Actor, $"GillickAssessment/{m.AssessmentId}", "Observation", e, ct);

    public Task HandleAsync(Consent.ProxyAuthorityRegistered m, EventEnvelope e, CancellationToken ct) =>
        Append("proxy-authority-registered", AuditAction.Create, m.Actor, $"ProxyAuthority/{m.ProxyAuthorityId}", "RelatedPerson", e, ct);

    public Task HandleAsync(Consent.UseSuspended m, EventEnvelope e, CancellationToken ct) =>
        Append("use-suspended", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

    public Task HandleAsync(Consent.UseResumed m, EventEnvelope e, CancellationToken ct) =>
        Append("use-resumed", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

    public Task HandleAsync(Consent.UseEnded m, EventEnvelope e, CancellationToken ct) =>
        Append("use-ended", AuditAction.Update, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

    public Task HandleAsync(Consent.ConsentWithdrawn m, EventEnvelope e, CancellationToken ct) =>
        Append("consent-withdrawn", AuditAction.Update, m.Actor, $"Consent/{m.ConsentId}", "Consent", e, ct);

    public Task HandleAsync(Consent.CapacityAssessed m, EventEnvelope e, CancellationToken ct) =>
        Append("capacity-assessed", AuditAction.Create, m.Actor, $"CapacityAssessment/{m.AssessmentId}", "Observation", e, ct);

    public Task HandleAsync(Consent.UseConsentRequired m, EventEnvelope e, CancellationToken ct) =>
        Append("use-consent-required", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

    public Task HandleAsync(Consent.BestInterestsDecisionRecorded m, EventEnvelope e, CancellationToken ct) =>
        Append("best-interests-decision-recorded", AuditAction.Create, m.Actor, $"BestInterestsDecision/{m.DecisionId}", "Consent", e, ct);

    public Task HandleAsync(Consent.ReviewOverdue m, EventEnvelope e, CancellationToken ct) =>
        Append("review-overdue", AuditAction.Execute, m.Actor, $"TechnologyUse/{m.UseId}", "Consent", e, ct);

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
    public async Task HandleAsync(Messaging.Contracts.V1.DeadLetterReplayed message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var outcome = await log.AppendAsync(new AppendAuditEntry("dead-letter-replayed", AuditAction.Execute,
            message.Outcome == "handled" ? AuditOutcome.Success : AuditOutcome.MinorFailure,
            message.ReplayedBy is { Length: > 0 } who ? who : "unknown", "platform-operator", "HOPERAT",
            $"DeadLetter/{message.DeadLetterId}", "Event", envelope.Id), cancellationToken);
        if (outcome.IsRefused) throw new EventRejectedException($"{outcome.Refusal!.Rule}: {outcome.Refusal.Message}");
    }

    private async Task Append(string type, AuditAction action, Common.Actor? actor, string what, string entityType, EventEnvelope envelope, CancellationToken ct)
    {
        var outcome = await log.AppendAsync(new AppendAuditEntry(type, action, AuditOutcome.Success,
            actor?.Subject is { Length: > 0 } s ? s : "unknown", actor?.Role is { Length: > 0 } r ? r : "unknown", "HOPERAT",
            what, entityType, envelope.Id), ct);
        // A malformed event can never become a valid entry: dead-letter it for an operator rather than retry forever.
        if (outcome.IsRefused) throw new EventRejectedException($"{outcome.Refusal!.Rule}: {outcome.Refusal.Message}");
    }
}
