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
    IEventHandler<Procurement.TechnologyRegistered>,
    IEventHandler<Evidence.EvidenceItemRecorded>,
    IEventHandler<Messaging.Contracts.V1.DeadLetterReplayed>
{
    public Task HandleAsync(Consent.PatientRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        Append("patient-registered", AuditAction.Create, message.Actor, $"Patient/{message.PatientId}", "Patient", envelope, cancellationToken);

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
