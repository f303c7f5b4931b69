using Platform.Evidence.Api.Application;
using Platform.Messaging.Inbox;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Evidence.Api.Events;

/// <summary>
/// Procurement owns the technology register; its technology_registered events are how evidence knows which technologies
/// a trust has, so that evidence is recorded only for those. The tenant is the event's.
/// </summary>
public sealed class ProcurementEventHandlers(EvidenceLibrary library, ILogger<ProcurementEventHandlers> logger) : IEventHandler<Procurement.TechnologyRegistered>
{
    public async Task HandleAsync(Procurement.TechnologyRegistered message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        // A malformed id can never become valid: dead-letter the event for an operator rather than retry it.
        if (!Guid.TryParse(message.TechnologyId, out var id) || id == Guid.Empty)
            throw new EventRejectedException("technology-id.format: the event's technology id is not a UUID.");
        if (string.IsNullOrWhiteSpace(message.Name))
            throw new EventRejectedException("technology-name.required: the event names no technology.");
        await library.LearnTechnologyAsync(id, message.Name, cancellationToken);
        logger.LogDebug("technology_registered {EventId} applied", envelope.Id);
    }
}
