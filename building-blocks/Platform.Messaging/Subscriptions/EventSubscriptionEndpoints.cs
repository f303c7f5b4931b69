using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Messaging.Inbox;

namespace Platform.Messaging.Subscriptions;

/// <summary>Maps a service's Dapr subscription endpoints with Dapr.AspNetCore.</summary>
public static class EventSubscriptionEndpoints
{
    /// <summary>
    /// The authorization policy of the event routes: Dapr.AspNetCore's <c>AddDapr()</c> policy, which accepts only a request
    /// carrying the app API token in <c>dapr-api-token</c> (authentication scheme "Dapr").
    /// </summary>
    public const string DaprPolicy = "Dapr";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>The dead-letter topic of a subscribing service: <c>&lt;service&gt;.dead_letter.v1</c>.</summary>
    public static string DeadLetterTopic(string serviceName) => $"{serviceName}.dead_letter.v1";

    /// <summary>
    /// Maps <c>GET /dapr/subscribe</c> (<c>MapSubscribeHandler</c>) and, per subscribed topic, <c>POST {prefix}/{topic}</c>
    /// declared with <c>WithTopic</c> (dead-letter topic <c>&lt;service&gt;.dead_letter.v1</c>) and <c>WithBulkSubscribe</c>,
    /// plus <c>POST {prefix}/dead-letter</c> for the dead-letter topic. Every one of them requires the app API token
    /// (<see cref="DaprPolicy"/>; 401 without it), so neither a user's token nor a fallback policy decides them. A delivery
    /// is answered 200 with <c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>, never 404; a topic route also takes Dapr's bulk
    /// delivery (<c>entries[]</c>) and answers it with Dapr.AspNetCore's <see cref="BulkSubscribeAppResponse"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapEventSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var deadLetterTopic = DeadLetterTopic(options.ServiceName);
        var group = endpoints.MapGroup("");
        group.RequireAuthorization(DaprPolicy).ExcludeFromDescription();
        group.MapSubscribeHandler();

        var topics = endpoints.ServiceProvider.GetServices<EventHandlerRegistration>().Select(r => r.Name.Topic).Distinct();
        foreach (var topic in topics)
        {
            var route = group.MapPost($"{options.RoutePrefix}/{topic}", (HttpContext http, CancellationToken ct) => DeliverAsync(http, topic, ct))
                .WithTopic(new TopicOptions { PubsubName = options.PubSubName, Name = topic, DeadLetterTopic = deadLetterTopic });
            if (options.BulkSubscribe is { Enabled: true } bulk)
            {
                route.WithBulkSubscribe(new BulkSubscribeTopicOptions
                {
                    TopicName = topic,
                    MaxMessagesCount = Math.Max(1, bulk.MaxMessagesCount),
                    MaxAwaitDurationMs = Math.Max(0, bulk.MaxAwaitDurationMs),
                });
            }
        }
        group.MapPost($"{options.RoutePrefix}/dead-letter", async (HttpContext http, CancellationToken ct) =>
        {
            var dispatcher = http.RequestServices.GetRequiredService<IEventDispatcher>();
            var body = await ReadEventAsync(http.Request, ct);
            try
            {
                return Reply(await dispatcher.StoreDeadLetterAsync(body, deadLetterTopic, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return Reply(new DispatchOutcome(DeliveryStatus.Retry, Reason: e.Message));
            }
        }).WithTopic(options.PubSubName, deadLetterTopic);
        return group;
    }

    private static async Task<IResult> DeliverAsync(HttpContext http, string topic, CancellationToken ct)
    {
        var dispatcher = http.RequestServices.GetRequiredService<IEventDispatcher>();
        if (!ForwardedCloudEvent.WasUnwrapped(http.Request))
        {
            // Not a structured CloudEvent (content type application/cloudevents+json): Dapr's bulk delivery, or a
            // CloudEvent sent as plain JSON, which is read whole.
            var body = await ReadBodyAsync(http.Request, ct);
            if (TryReadBulk(body, out var entries))
            {
                var statuses = await dispatcher.DispatchBulkAsync(entries, topic, ct);
                var reply = new BulkSubscribeAppResponse(statuses.Select(s => new BulkSubscribeAppResponseEntry(s.EntryId, s.Status switch
                {
                    DeliveryStatus.Success => BulkSubscribeAppResponseStatus.SUCCESS,
                    DeliveryStatus.Retry => BulkSubscribeAppResponseStatus.RETRY,
                    _ => BulkSubscribeAppResponseStatus.DROP,
                })).ToList());
                return Results.Json(reply, s_json);
            }
            return Reply(await dispatcher.DispatchAsync(body, topic, ct));
        }
        return Reply(await dispatcher.DispatchAsync(ForwardedCloudEvent.Reassemble(http.Request, await ReadBodyAsync(http.Request, ct)), topic, ct));
    }

    /// <summary>The delivered event as a structured CloudEvent, whether <c>UseCloudEvents</c> unwrapped it or not.</summary>
    private static async Task<byte[]> ReadEventAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await ReadBodyAsync(request, ct);
        return ForwardedCloudEvent.WasUnwrapped(request) ? ForwardedCloudEvent.Reassemble(request, body) : body;
    }

    /// <summary>
    /// Reads Dapr's bulk delivery into Dapr.AspNetCore's <see cref="BulkSubscribeMessage{TValue}"/>. False when the body is
    /// not one. Entries without an entry id cannot be answered and are skipped (the sidecar counts them as RETRY). An
    /// entry's event is taken as given: an object is the CloudEvent; a string is the CloudEvent's text.
    /// </summary>
    private static bool TryReadBulk(byte[] body, out List<BulkEntry> entries)
    {
        entries = [];
        // Cheap test first: a structured CloudEvent never has an "entries" member.
        if (body.AsSpan().IndexOf("\"entries\""u8) < 0) return false;
        BulkSubscribeMessage<JsonElement>? message;
        try
        {
            message = JsonSerializer.Deserialize<BulkSubscribeMessage<JsonElement>>(body, s_json);
        }
        catch (JsonException)
        {
            return false;
        }
        if (message?.Entries is null) return false;
        foreach (var entry in message.Entries)
        {
            if (string.IsNullOrEmpty(entry?.EntryId)) continue;
            var bytes = entry.Event.ValueKind switch
            {
                JsonValueKind.Undefined => [],
                JsonValueKind.String => System.Text.Encoding.UTF8.GetBytes(entry.Event.GetString()!),
                _ => System.Text.Encoding.UTF8.GetBytes(entry.Event.GetRawText()),
            };
            entries.Add(new BulkEntry(entry.EntryId, bytes));
        }
        return true;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static IResult Reply(DispatchOutcome outcome) => Results.Json(new StatusReply(outcome.Status switch
    {
        DeliveryStatus.Success => "SUCCESS",
        DeliveryStatus.Retry => "RETRY",
        _ => "DROP",
    }), statusCode: StatusCodes.Status200OK);

    private sealed record StatusReply(string status);
}
