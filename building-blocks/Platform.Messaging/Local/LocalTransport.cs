using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Messaging.Subscriptions;

namespace Platform.Messaging.Local;

/// <summary>
/// The embedded transport: plays the Dapr sidecar's delivery role without a sidecar. It discovers each subscriber's
/// routes from its <c>GET /dapr/subscribe</c>, POSTs the CloudEvent to every route subscribed to the topic with the
/// <c>dapr-api-token</c> header, and reads the reply as Dapr does (2xx + SUCCESS/DROP/empty = done, RETRY or another
/// status = retry, 404 = dropped with an error). After <see cref="LocalOptions.MaxDeliveryAttempts"/> refusals the
/// event goes to the subscriber's dead-letter route.
/// </summary>
public sealed class LocalTransport : IEventTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly MessagingOptions _options;
    private readonly ILogger<LocalTransport> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (DateTimeOffset FetchedAt, IReadOnlyList<Subscription> Subscriptions)> _routes = new();

    public LocalTransport(IOptions<MessagingOptions> options, ILogger<LocalTransport> logger, TimeProvider time)
    {
        _options = options.Value;
        _logger = logger;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string? unreachable = null;
        string? refused = null;
        foreach (var baseUrl in _options.Local.Subscribers)
        {
            var subscriptions = await DiscoverAsync(baseUrl, cancellationToken);
            if (subscriptions is null)
            {
                unreachable ??= $"{baseUrl}: subscriptions unavailable";
                continue;
            }
            foreach (var sub in subscriptions.Where(s => s.Topic == message.Topic && s.PubSubName == _options.PubSubName))
            {
                var outcome = await DeliverAsync(baseUrl, sub.Route, message.Payload, cancellationToken);
                if (outcome.Status == SendStatus.Refused && message.RefusedAttempts + 1 >= _options.Local.MaxDeliveryAttempts)
                {
                    outcome = await DeadLetterAsync(baseUrl, subscriptions, sub, message, outcome.Error, cancellationToken);
                }
                switch (outcome.Status)
                {
                    case SendStatus.Unreachable: unreachable ??= outcome.Error; break;
                    case SendStatus.Refused: refused ??= outcome.Error; break;
                }
            }
        }
        // A refusal counts towards dead-lettering only when it is the whole story: a subscriber that is down says
        // nothing about whether the event is poison.
        if (unreachable is not null) return new SendResult(SendStatus.Unreachable, unreachable);
        if (refused is not null) return new SendResult(SendStatus.Refused, refused);
        return SendResult.Ok;
    }

    private async Task<SendResult> DeadLetterAsync(string baseUrl, IReadOnlyList<Subscription> subscriptions, Subscription sub,
        OutboxMessage message, string? error, CancellationToken cancellationToken)
    {
        var deadLetterRoute = sub.DeadLetterTopic is null ? null
            : subscriptions.FirstOrDefault(s => s.Topic == sub.DeadLetterTopic && s.PubSubName == _options.PubSubName)?.Route;
        if (deadLetterRoute is null)
        {
            _logger.LogError("Event {EventId} on {Topic} was refused {Attempts} times by {Subscriber} and it has no dead-letter route; it is kept and retried",
                message.Id, message.Topic, message.RefusedAttempts + 1, baseUrl);
            return new SendResult(SendStatus.Refused, error);
        }
        _logger.LogWarning("Event {EventId} on {Topic} was refused {Attempts} times by {Subscriber}; sending it to dead-letter topic {DeadLetterTopic}",
            message.Id, message.Topic, message.RefusedAttempts + 1, baseUrl, sub.DeadLetterTopic);
        return await DeliverAsync(baseUrl, deadLetterRoute, message.Payload, cancellationToken);
    }

    private async Task<SendResult> DeliverAsync(string baseUrl, string route, string payload, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(baseUrl, route))
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.MediaType) { CharSet = "utf-8" };
        AddToken(request);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Dapr's rule: 404 from the app means the message is dropped, with an error in the log.
                _logger.LogError("Subscriber {Subscriber}{Route} answered 404; the event is dropped as Dapr would", baseUrl, route);
                return SendResult.Ok;
            }
            if (!response.IsSuccessStatusCode)
            {
                return new SendResult(SendStatus.Refused, $"{baseUrl}{route} answered {(int)response.StatusCode}");
            }
            return ReadStatus(body) switch
            {
                "SUCCESS" or "DROP" or null => SendResult.Ok,
                "RETRY" => new SendResult(SendStatus.Refused, $"{baseUrl}{route} answered RETRY"),
                var other => new SendResult(SendStatus.Refused, $"{baseUrl}{route} answered unknown status '{other}'"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendStatus.Unreachable, $"{baseUrl}{route} unreachable: {e.Message}");
        }
    }

    /// <summary>Dapr: an empty body (or one without a status) on a 2xx reply means SUCCESS.</summary>
    private static string? ReadStatus(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!.ToUpperInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<Subscription>?> DiscoverAsync(string baseUrl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_routes.TryGetValue(baseUrl, out var cached) && now - cached.FetchedAt < _options.Local.DiscoveryRefresh) return cached.Subscriptions;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Combine(baseUrl, "/dapr/subscribe"));
            AddToken(request);
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var subscriptions = Subscription.ParseList(json);
            _routes[baseUrl] = (now, subscriptions);
            return subscriptions;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Could not read subscriptions of {Subscriber}: {Error}", baseUrl, e.Message);
            // A subscriber that is down keeps its last known routes, so its events wait for it rather than being skipped.
            return cached.Subscriptions;
        }
    }

    private void AddToken(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(_options.AppApiToken)) request.Headers.Add(AppApiTokenFilter.HeaderName, _options.AppApiToken);
    }

    private static string Combine(string baseUrl, string route) => baseUrl.TrimEnd('/') + "/" + route.TrimStart('/');

    public void Dispose() => _http.Dispose();
}
