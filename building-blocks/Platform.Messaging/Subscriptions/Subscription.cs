using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Messaging.Subscriptions;

/// <summary>
/// One entry of Dapr's programmatic subscription list (<c>GET /dapr/subscribe</c>):
/// <c>{"pubsubname":"pubsub","topic":"consent.use_authorised.v1","route":"/events/consent.use_authorised.v1","deadLetterTopic":"audit.dead_letter.v1",
/// "bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":100}}</c>.
/// </summary>
public sealed record Subscription(
    [property: JsonPropertyName("pubsubname")] string PubSubName,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("deadLetterTopic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeadLetterTopic)
{
    /// <summary>Dapr's bulk subscribe options for this topic; null when the route takes one event per request.</summary>
    [JsonPropertyName("bulkSubscribe"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BulkSubscribeConfig? BulkSubscribe { get; init; }

    /// <summary>Reads a subscription list; accepts the v1 <c>route</c> and the v2 <c>routes.default</c> forms.</summary>
    public static IReadOnlyList<Subscription> ParseList(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var list = new List<Subscription>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            string? Get(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var route = Get("route");
            if (route is null && item.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Object
                && routes.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.String)
            {
                route = d.GetString();
            }
            var pubsub = Get("pubsubname");
            var topic = Get("topic");
            if (pubsub is null || topic is null || route is null) continue;
            list.Add(new Subscription(pubsub, topic, route, Get("deadLetterTopic")) { BulkSubscribe = BulkSubscribeConfig.Read(item) });
        }
        return list;
    }
}

/// <summary>
/// Dapr's <c>bulkSubscribe</c> subscription attribute: deliver up to <see cref="MaxMessagesCount"/> events in one request
/// (Dapr's bulk shape, <c>entries[]</c>), waiting at most <see cref="MaxAwaitDurationMs"/> to fill it.
/// </summary>
public sealed record BulkSubscribeConfig(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("maxMessagesCount"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxMessagesCount,
    [property: JsonPropertyName("maxAwaitDurationMs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxAwaitDurationMs)
{
    /// <summary>Dapr's default batch size when a subscription names none.</summary>
    public const int DefaultMaxMessagesCount = 100;

    /// <summary>The batch size to use: the advertised one, else Dapr's default.</summary>
    [JsonIgnore]
    public int EffectiveMaxMessagesCount => MaxMessagesCount is { } n && n > 0 ? n : DefaultMaxMessagesCount;

    internal static BulkSubscribeConfig? Read(JsonElement subscription)
    {
        if (!subscription.TryGetProperty("bulkSubscribe", out var b) || b.ValueKind != JsonValueKind.Object) return null;
        var enabled = b.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
        int? Int(string name) => b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
        return new BulkSubscribeConfig(enabled, Int("maxMessagesCount"), Int("maxAwaitDurationMs"));
    }
}
