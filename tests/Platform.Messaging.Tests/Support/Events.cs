using Google.Protobuf;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Tests.Ledger.V1;

namespace Platform.Messaging.Tests.Support;

/// <summary>CloudEvents as the ledger service would publish them, for deliveries made by hand.</summary>
public static class Events
{
    public static string Credit(string account, long amount, int seq, string tenant = "RX4", string? id = null) =>
        Of(new AmountCredited { AccountId = account, Amount = amount, Seq = seq }, account, tenant, id);

    public static string Note(string account, string text, string tenant = "RX4", string? id = null) =>
        Of(new NoteAdded { AccountId = account, Text = text }, account, tenant, id);

    public static string Of(IMessage message, string subject, string? tenant = "RX4", string? id = null)
    {
        var name = EventName.For(message.Descriptor);
        return new CloudEvent
        {
            Id = id ?? Guid.NewGuid().ToString(),
            Source = "/ledger",
            Type = name.Type,
            Subject = subject,
            Time = DateTimeOffset.UtcNow,
            Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
    }

    public static string Route(IMessage message) => $"/events/{EventName.For(message.Descriptor).Topic}";
    public const string CreditRoute = "/events/ledger.amount_credited.v1";
    public const string NoteRoute = "/events/ledger.note_added.v1";
}
