using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Messaging.Inbox;

namespace Platform.Messaging.Subscriptions;

/// <summary>Maps the Dapr-style subscription endpoints of a service.</summary>
public static class EventSubscriptionEndpoints
{
    /// <summary>The dead-letter topic of a subscribing service: <c>&lt;service&gt;.dead_letter.v1</c>.</summary>
    public static string DeadLetterTopic(string serviceName) => $"{serviceName}.dead_letter.v1";

    /// <summary>The subscriptions this app declares, one per registered handler, plus its dead-letter topic.</summary>
    public static IReadOnlyList<Subscription> Subscriptions(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var deadLetterTopic = DeadLetterTopic(options.ServiceName);
        var bulk = options.BulkSubscribe is { Enabled: true } b
            ? new BulkSubscribeConfig(true, Math.Max(1, b.MaxMessagesCount), Math.Max(0, b.MaxAwaitDurationMs))
            : null;
        var list = services.GetServices<EventHandlerRegistration>()
            .Select(r => r.Name.Topic).Distinct()
            .Select(topic => new Subscription(options.PubSubName, topic, $"{options.RoutePrefix}/{topic}", deadLetterTopic) { BulkSubscribe = bulk })
            .ToList();
        list.Add(new Subscription(options.PubSubName, deadLetterTopic, $"{options.RoutePrefix}/dead-letter", null));
        return list;
    }

    /// <summary>
    /// Serves <c>GET /dapr/subscribe</c> and a <c>POST {prefix}/{topic}</c> route per subscribed topic plus the
    /// dead-letter route. The routes are anonymous to user authentication (a fallback policy must not block the
    /// sidecar) and instead demand the app API token in <c>dapr-api-token</c>; without it they answer 401. A delivery
    /// is answered 200 with <c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>, never 404. A topic route also takes Dapr's bulk
    /// delivery (<c>entries[]</c>, advertised as <c>bulkSubscribe</c>) and answers it 200 with
    /// <c>{"statuses":[{"entryId":..,"status":..}]}</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapEventSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("");
        group.AllowAnonymous().ExcludeFromDescription().AddEndpointFilter<AppApiTokenFilter>();

        group.MapGet("/dapr/subscribe", (HttpContext http) => Results.Json(Subscriptions(http.RequestServices)));

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var subscriptions = Subscriptions(endpoints.ServiceProvider);
        foreach (var sub in subscriptions.Where(s => s.DeadLetterTopic is not null))
        {
            var topic = sub.Topic;
            group.MapPost(sub.Route, async (HttpContext http, CancellationToken ct) =>
            {
                var dispatcher = http.RequestServices.GetRequiredService<IEventDispatcher>();
                var body = await ReadBodyAsync(http.Request, ct);
                if (BulkMessage.TryParse(body, out var entries))
                {
                    var statuses = await dispatcher.DispatchBulkAsync(entries, topic, ct);
                    return Results.Bytes(BulkMessage.WriteStatuses(statuses), "application/json");
                }
                return Reply(await dispatcher.DispatchAsync(body, topic, ct));
            });
        }
        var deadLetterTopic = DeadLetterTopic(options.ServiceName);
        group.MapPost($"{options.RoutePrefix}/dead-letter", async (HttpContext http, CancellationToken ct) =>
        {
            var dispatcher = http.RequestServices.GetRequiredService<IEventDispatcher>();
            var body = await ReadBodyAsync(http.Request, ct);
            try
            {
                return Reply(await dispatcher.StoreDeadLetterAsync(body, deadLetterTopic, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return Reply(new DispatchOutcome(DeliveryStatus.Retry, Reason: e.Message));
            }
        });
        return group;
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
