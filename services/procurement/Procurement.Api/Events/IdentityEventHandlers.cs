using Platform.Messaging.Inbox;
using Platform.Procurement.Api.Application;
using Common = Platform.Contracts.Common.V1;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Procurement.Api.Events;

/// <summary>
/// The identity service's directory is the only source of the trust's ward setting types here. The tenant is the
/// event's. A malformed ward can never become valid: it goes to the dead letters.
/// </summary>
public sealed class IdentityEventHandlers(SettingDirectory settings, ILogger<IdentityEventHandlers> logger) :
    IEventHandler<Identity.WardRegistered>,
    IEventHandler<Identity.WardChanged>
{
    public Task HandleAsync(Identity.WardRegistered message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        ApplyAsync(new WardFromDirectory(message.WardCode, Common.WardSettingCodes.Of(message.SettingCode, message.Setting), Closed: false), envelope, cancellationToken);

    public Task HandleAsync(Identity.WardChanged message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        ApplyAsync(new WardFromDirectory(message.WardCode, Common.WardSettingCodes.Of(message.SettingCode, message.Setting), message.Closed), envelope, cancellationToken);

    private async Task ApplyAsync(WardFromDirectory ward, EventEnvelope envelope, CancellationToken ct)
    {
        var applied = await settings.ApplyAsync(ward, ct);
        if (applied.IsRefused) throw new EventRejectedException($"{applied.Refusal!.Rule}: {applied.Refusal.Message}");
        logger.LogInformation("Ward {WardCode} from the directory applied (event {EventId})", ward.WardCode, envelope.Id);
    }
}
