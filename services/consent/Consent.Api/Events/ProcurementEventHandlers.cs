using Platform.Consent.Api.Application;
using Platform.Messaging.Inbox;
using Platform.ServiceDefaults.Tenancy;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Consent.Api.Events;

/// <summary>
/// Procurement's decisions decide which uses may exist. An approval adds the settings it names (resuming uses that
/// were suspended only because an approval had been withdrawn); a withdrawal suspends every use it covered, in the
/// delivery's transaction, so no check can permit one after the event is handled. The tenant is the event's.
/// </summary>
public sealed class ProcurementEventHandlers(TechnologyApprovalService approvals, ConsentEvents events, ILogger<ProcurementEventHandlers> logger) :
    IEventHandler<Procurement.TechnologyApproved>,
    IEventHandler<Procurement.TechnologyApprovalWithdrawn>,
    IEventHandler<Procurement.TechnologyRegistered>
{
    public async Task HandleAsync(Procurement.TechnologyRegistered message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(message.Name)) throw new EventRejectedException("technology-name.required: the event names no technology.");
        await approvals.LearnTechnologyAsync(TechnologyId(message.TechnologyId), message.Name, cancellationToken);
        logger.LogDebug("technology_registered {EventId} applied", envelope.Id);
    }

    public async Task HandleAsync(Procurement.TechnologyApproved message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        events.ActFor(ActorOf(message.Actor));
        var added = await approvals.ApplyApprovedAsync(TechnologyId(message.TechnologyId), message.Name, message.SettingCodes,
            message.Surveillance, message.ManagesSafetyRisk, message.TrialEndsAt?.ToDateTime(),
            message.ContinuousMonitoringOrRestrictive, cancellationToken);
        if (added.IsRefused) throw new EventRejectedException($"{added.Refusal!.Rule}: {added.Refusal.Message}");
        logger.LogInformation("Technology {TechnologyId} approved for {Count} new settings (event {EventId})", message.TechnologyId, added.Value, envelope.Id);
    }

    public async Task HandleAsync(Procurement.TechnologyApprovalWithdrawn message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        events.ActFor(ActorOf(message.Actor));
        var suspended = await approvals.ApplyWithdrawnAsync(TechnologyId(message.TechnologyId), message.SettingCodes, cancellationToken);
        if (suspended.IsRefused) throw new EventRejectedException($"{suspended.Refusal!.Rule}: {suspended.Refusal.Message}");
        logger.LogInformation("Approval of technology {TechnologyId} withdrawn; {Count} uses suspended (event {EventId})", message.TechnologyId, suspended.Value.Count, envelope.Id);
    }

    // A malformed id can never become valid: dead-letter the event for an operator rather than retry it.
    private static Guid TechnologyId(string value) =>
        Guid.TryParse(value, out var id) && id != Guid.Empty ? id : throw new EventRejectedException("technology-id.format: the event's technology id is not a UUID.");

    private static Actor ActorOf(Platform.Contracts.Common.V1.Actor? actor) =>
        new(actor?.Subject is { Length: > 0 } s ? s : "procurement", actor?.Role is { Length: > 0 } r ? r : "system");
}
