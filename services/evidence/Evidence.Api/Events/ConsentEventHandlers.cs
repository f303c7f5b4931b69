using Platform.Evidence.Api.Application;
using Platform.Messaging.Inbox;
using Consent = Platform.Contracts.Consent.V1;

namespace Platform.Evidence.Api.Events;

/// <summary>
/// Consent's authorised uses are what outcomes are recorded under: the use, the patient's pseudonymous key (consent's
/// patient id), the technology and the ward's setting. The tenant is the event's.
/// </summary>
public sealed class ConsentEventHandlers(Measurements measurements, TimeProvider clock, ILogger<ConsentEventHandlers> logger) : IEventHandler<Consent.UseAuthorised>
{
    public async Task HandleAsync(Consent.UseAuthorised message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        // A malformed event can never become valid: dead-letter it for an operator rather than retry it. The key is
        // refused when it looks like an NHS number, and the refusal names the rule only, never the value.
        if (!Guid.TryParse(message.UseId, out var useId)) throw new EventRejectedException("use-id.format: the event's use id is not a UUID.");
        if (!Guid.TryParse(message.TechnologyId, out var technologyId)) throw new EventRejectedException("technology-id.format: the event's technology id is not a UUID.");
        var authorisedAt = envelope.Time?.UtcDateTime ?? clock.GetUtcNow().UtcDateTime;
        var learned = await measurements.LearnUseAsync(useId, message.PatientId, technologyId, message.SettingCode, authorisedAt, cancellationToken);
        if (learned.IsRefused) throw new EventRejectedException($"{learned.Refusal!.Rule}: {learned.Refusal.Message}");
        logger.LogDebug("use_authorised {EventId} applied (new use: {New})", envelope.Id, learned.Value);
    }
}
