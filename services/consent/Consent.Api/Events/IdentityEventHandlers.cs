using Platform.Consent.Api.Application;
using Platform.Messaging.Inbox;
using Platform.ServiceDefaults.Tenancy;
using Common = Platform.Contracts.Common.V1;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Consent.Api.Events;

/// <summary>
/// The identity service owns the trust and ward directory; its ward events are the only source of a ward's setting
/// here. The tenant is the event's. A malformed ward can never become valid: it goes to the dead letters.
/// </summary>
public sealed class IdentityEventHandlers(WardDirectory wards, ConsentEvents events, ILogger<IdentityEventHandlers> logger) :
    IEventHandler<Identity.WardRegistered>,
    IEventHandler<Identity.WardChanged>
{
    public Task HandleAsync(Identity.WardRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        ApplyAsync(new WardFromDirectory(message.WardCode, Common.WardSettingCodes.Of(message.SettingCode, message.Setting), message.Beds, Closed: false), message.Actor, envelope, cancellationToken);

    public Task HandleAsync(Identity.WardChanged message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        ApplyAsync(new WardFromDirectory(message.WardCode, Common.WardSettingCodes.Of(message.SettingCode, message.Setting), message.Beds, message.Closed), message.Actor, envelope, cancellationToken);

    private async Task ApplyAsync(WardFromDirectory ward, Common.Actor? actor, EventEnvelope envelope, CancellationToken ct)
    {
        events.ActFor(new Actor(actor?.Subject is { Length: > 0 } s ? s : "identity", actor?.Role is { Length: > 0 } r ? r : "system"));
        var applied = await wards.ApplyAsync(ward, ct);
        if (applied.IsRefused) throw new EventRejectedException($"{applied.Refusal!.Rule}: {applied.Refusal.Message}");
        logger.LogInformation("Ward {WardCode} from the directory applied (event {EventId})", ward.WardCode, envelope.Id);
    }
}
