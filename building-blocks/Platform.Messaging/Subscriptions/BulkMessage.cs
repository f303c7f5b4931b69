using System.Buffers;
using System.Text;
using System.Text.Json;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Inbox;

namespace Platform.Messaging.Subscriptions;

/// <summary>One entry of a bulk delivery: Dapr's <c>entryId</c> and the event as the bytes of a structured CloudEvent.</summary>
internal readonly record struct BulkEntry(string EntryId, byte[] Event);

/// <summary>
/// Dapr's bulk subscribe wire format (HTTP). The sidecar POSTs to the subscription's route
/// <c>{"id":..,"type":"com.dapr.event.sent.bulk","topic":..,"pubsubname":..,"metadata":{},
/// "entries":[{"entryId":..,"event":{CloudEvent},"contentType":"application/cloudevents+json","metadata":{}}]}</c>
/// and reads the app's answer <c>{"statuses":[{"entryId":..,"status":"SUCCESS"|"RETRY"|"DROP"}]}</c>; an entry missing
/// from the answer counts as RETRY.
/// </summary>
internal static class BulkMessage
{
    /// <summary>The CloudEvent type Dapr gives the bulk envelope itself.</summary>
    public const string EnvelopeType = "com.dapr.event.sent.bulk";

    /// <summary>
    /// Reads a bulk delivery. Returns false when the body is not one (a single CloudEvent, or not JSON at all). Entries
    /// without an entry id cannot be answered and are skipped (the sender counts them as RETRY). An entry's event is
    /// taken as given: an object is the CloudEvent; a string is the CloudEvent's text.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out List<BulkEntry> entries)
    {
        entries = [];
        // Cheap test first: a structured CloudEvent never has an "entries" member.
        if (body.IndexOf("\"entries\""u8) < 0) return false;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("specversion", out _)
                || !root.TryGetProperty("entries", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object) continue;
                // Dapr writes entryId; some older sidecars wrote entryID.
                var id = Str(entry, "entryId") ?? Str(entry, "entryID");
                if (string.IsNullOrEmpty(id)) continue;
                byte[] bytes;
                if (!entry.TryGetProperty("event", out var ev)) bytes = [];
                else if (ev.ValueKind == JsonValueKind.String) bytes = Encoding.UTF8.GetBytes(ev.GetString()!);
                else bytes = Encoding.UTF8.GetBytes(ev.GetRawText());
                entries.Add(new BulkEntry(id, bytes));
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Writes the bulk delivery of structured CloudEvents (JSON text), as the sidecar sends it to an app.</summary>
    public static byte[] WriteRequest(string pubSubName, string topic, IEnumerable<(string EntryId, string CloudEventJson)> events)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("type", EnvelopeType);
            w.WriteString("topic", topic);
            w.WriteString("pubsubname", pubSubName);
            w.WriteStartObject("metadata");
            w.WriteEndObject();
            w.WriteStartArray("entries");
            foreach (var (entryId, json) in events)
            {
                w.WriteStartObject();
                w.WriteString("entryId", entryId);
                w.WritePropertyName("event");
                var contentType = WriteEvent(w, json);
                w.WriteString("contentType", contentType);
                w.WriteStartObject("metadata");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes an outbox payload as an entry's <c>event</c> and returns its content type: the CloudEvent object as it is,
    /// or, should a row ever hold text that is not JSON, that text as a string (the subscriber then dead-letters it as
    /// malformed, exactly as a single delivery of it would be), so one bad row never spoils its neighbours' request.
    /// </summary>
    public static string WriteEvent(Utf8JsonWriter w, string json)
    {
        try
        {
            w.WriteRawValue(json);
            return CloudEvent.MediaType;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            w.WriteStringValue(json);
            return "text/plain";
        }
    }

    /// <summary>The app's answer: one status per entry.</summary>
    public static byte[] WriteStatuses(IReadOnlyList<(string EntryId, DeliveryStatus Status)> statuses)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + statuses.Count * 64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("statuses");
            foreach (var (entryId, status) in statuses)
            {
                w.WriteStartObject();
                w.WriteString("entryId", entryId);
                w.WriteString("status", StatusText(status));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an app's answer to a bulk delivery: entry id to upper-case status. Null when the body is not one.</summary>
    public static Dictionary<string, string>? ReadStatuses(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("statuses", out var list)) return null;
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            // The documented example shows a single object; the runtime sends and expects an array. Read both.
            IEnumerable<JsonElement> items = list.ValueKind switch
            {
                JsonValueKind.Array => list.EnumerateArray(),
                JsonValueKind.Object => [list],
                _ => [],
            };
            foreach (var item in items)
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                var id = Str(item, "entryId") ?? Str(item, "entryID");
                var status = Str(item, "status");
                if (id is not null && status is not null) result[id] = status.ToUpperInvariant();
            }
            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string StatusText(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Success => "SUCCESS",
        DeliveryStatus.Retry => "RETRY",
        _ => "DROP",
    };

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
