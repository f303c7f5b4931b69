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
        ApplyAsync(new WardFromDirectory(message.WardCode, SettingCode(message.SettingCode, message.Setting), message.Beds, Closed: false), message.Actor, envelope, cancellationToken);

    public Task HandleAsync(Identity.WardChanged message, EventEnvelope envelope, CancellationToken cancellationToken) =>
        ApplyAsync(new WardFromDirectory(message.WardCode, SettingCode(message.SettingCode, message.Setting), message.Beds, message.Closed), message.Actor, envelope, cancellationToken);

    private async Task ApplyAsync(WardFromDirectory ward, Common.Actor? actor, EventEnvelope envelope, CancellationToken ct)
    {
        events.ActFor(new Actor(actor?.Subject is { Length: > 0 } s ? s : "identity", actor?.Role is { Length: > 0 } r ? r : "system"));
        var applied = await wards.ApplyAsync(ward, ct);
        if (applied.IsRefused) throw new EventRejectedException($"{applied.Refusal!.Rule}: {applied.Refusal.Message}");
        logger.LogInformation("Ward {WardCode} from the directory applied (event {EventId})", ward.WardCode, envelope.Id);
    }

    /// <summary>The event's code, else the enum's (as procurement's approvals name settings).</summary>
    public static string SettingCode(string code, Common.WardSetting setting) => !string.IsNullOrWhiteSpace(code) ? code.Trim() : setting switch
    {
        Common.WardSetting.AcuteAdult => "acute-adult",
        Common.WardSetting.Picu => "picu",
        Common.WardSetting.Camhs => "camhs",
        Common.WardSetting.LdAutism => "ld-autism",
        Common.WardSetting.OlderAdults => "older-adults",
        Common.WardSetting.MotherAndBaby => "mother-and-baby",
        Common.WardSetting.Secure => "secure",
        Common.WardSetting.Rehabilitation => "rehabilitation",
        _ => "",
    };
}
