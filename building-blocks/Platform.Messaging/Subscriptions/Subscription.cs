using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Messaging.Subscriptions;

/// <summary>
/// One entry of Dapr's programmatic subscription list (<c>GET /dapr/subscribe</c>):
/// <c>{"pubsubname":"pubsub","topic":"consent.use_authorised.v1","route":"/events/consent.use_authorised.v1","deadLetterTopic":"audit.dead_letter.v1"}</c>.
/// </summary>
public sealed record Subscription(
    [property: JsonPropertyName("pubsubname")] string PubSubName,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("deadLetterTopic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeadLetterTopic)
{
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
            list.Add(new Subscription(pubsub, topic, route, Get("deadLetterTopic")));
        }
        return list;
    }
}
