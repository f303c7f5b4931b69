using System.Buffers;
using System.Text.Json;

namespace Platform.Tools.LocalDelivery;

/// <summary>
/// One entry of an app's programmatic subscription list (<c>GET /dapr/subscribe</c>), read as Dapr's sidecar reads it:
/// <c>{"pubsubname":"pubsub","topic":"consent.use_authorised.v1","route":"events/consent.use_authorised.v1",
/// "deadLetterTopic":"audit.dead_letter.v1","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":100}}</c>.
/// Keys are matched ignoring case, as the sidecar (Go's encoding/json) does: Dapr.AspNetCore writes <c>pubsubName</c>.
/// </summary>
public sealed record DaprSubscription(string PubSubName, string Topic, string Route, string? DeadLetterTopic, BulkSubscribeConfig? BulkSubscribe)
{
    private static readonly JsonDocumentOptions s_options = new();

    /// <summary>Reads a subscription list; accepts the v1 <c>route</c> and the v2 <c>routes.default</c> forms.</summary>
    public static IReadOnlyList<DaprSubscription> ParseList(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray(), s_options);
        var list = new List<DaprSubscription>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var route = Str(item, "route");
            if (route is null && Get(item, "routes") is { ValueKind: JsonValueKind.Object } routes) route = Str(routes, "default");
            var pubsub = Str(item, "pubsubname");
            var topic = Str(item, "topic");
            if (pubsub is null || topic is null || route is null) continue;
            list.Add(new DaprSubscription(pubsub, topic, route, Str(item, "deadLetterTopic"), BulkSubscribeConfig.Read(item)));
        }
        return list;
    }

    internal static JsonElement? Get(JsonElement e, string name)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        }
        return null;
    }

    internal static string? Str(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}

/// <summary>Dapr's <c>bulkSubscribe</c> subscription attribute, as an app advertises it.</summary>
public sealed record BulkSubscribeConfig(bool Enabled, int? MaxMessagesCount, int? MaxAwaitDurationMs)
{
    /// <summary>Dapr's default batch size when a subscription names none.</summary>
    public const int DefaultMaxMessagesCount = 100;

    /// <summary>The batch size to use: the advertised one, else Dapr's default.</summary>
    public int EffectiveMaxMessagesCount => MaxMessagesCount is { } n && n > 0 ? n : DefaultMaxMessagesCount;

    internal static BulkSubscribeConfig? Read(JsonElement subscription)
    {
        if (DaprSubscription.Get(subscription, "bulkSubscribe") is not { ValueKind: JsonValueKind.Object } b) return null;
        var enabled = DaprSubscription.Get(b, "enabled") is { ValueKind: JsonValueKind.True };
        int? Int(string name) => DaprSubscription.Get(b, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : null;
        return new BulkSubscribeConfig(enabled, Int("maxMessagesCount"), Int("maxAwaitDurationMs"));
    }
}

/// <summary>What the sidecar sends to an app and reads back, over Dapr's HTTP app channel.</summary>
public static class SidecarWire
{
    /// <summary>The header that carries the app API token on every request the sidecar makes to the app.</summary>
    public const string AppApiTokenHeader = "dapr-api-token";

    /// <summary>The CloudEvent type Dapr gives a bulk delivery's envelope.</summary>
    public const string BulkEnvelopeType = "com.dapr.event.sent.bulk";

    /// <summary>
    /// A bulk delivery of structured CloudEvents (JSON text): <c>{"id","type":"com.dapr.event.sent.bulk","topic",
    /// "pubsubname","metadata","entries":[{"entryId","event","contentType","metadata"}]}</c>. An event that is not JSON goes
    /// in as a string with content type <c>text/plain</c>, so one damaged row never spoils its neighbours' request (the
    /// subscriber dead-letters it as malformed).
    /// </summary>
    public static byte[] WriteBulkRequest(string pubSubName, string topic, IEnumerable<(string EntryId, string CloudEventJson)> events)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("type", BulkEnvelopeType);
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
                string contentType;
                try
                {
                    w.WriteRawValue(json);
                    contentType = "application/cloudevents+json";
                }
                catch (Exception e) when (e is JsonException or ArgumentException)
                {
                    w.WriteStringValue(json);
                    contentType = "text/plain";
                }
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

    /// <summary>Reads an app's answer to a bulk delivery: entry id to upper-case status. Null when the body is not one.</summary>
    public static Dictionary<string, string>? ReadBulkStatuses(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || DaprSubscription.Get(doc.RootElement, "statuses") is not { } list) return null;
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
                var id = DaprSubscription.Str(item, "entryId");
                var status = DaprSubscription.Str(item, "status");
                if (id is not null && status is not null) result[id] = status.ToUpperInvariant();
            }
            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The event's <c>traceparent</c>, which Dapr sends as the delivery's HTTP header; null when it has none or is not JSON.</summary>
    public static string? TraceParentOf(string cloudEventJson)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(cloudEventJson));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTraceParent = reader.ValueTextEquals("traceparent"u8);
                reader.Read();
                if (isTraceParent) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
