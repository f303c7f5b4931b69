using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;

namespace Platform.Tools.LocalDelivery;

/// <summary>
/// The local runner's transport (and the tests'): plays the Dapr sidecar's delivery role where there is no sidecar. It discovers each subscriber's
/// routes from its <c>GET /dapr/subscribe</c>, POSTs the CloudEvent to every route subscribed to the topic with the
/// <c>dapr-api-token</c> header, and reads the reply as Dapr does (2xx + SUCCESS/DROP/empty = done, RETRY or another
/// status = retry, 404 = dropped with an error). After <see cref="LocalDeliveryOptions.MaxDeliveryAttempts"/> refusals the
/// event goes to the subscriber's dead-letter route. A single delivery carries the event's <c>traceparent</c> as an HTTP
/// header, as Dapr's does. To a subscription that advertises <c>bulkSubscribe</c> it delivers
/// several events per request in Dapr's bulk shape and reads the per-entry statuses the same way.
/// </summary>
public sealed class LocalTransport : IEventTransport, IBatchEventTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly MessagingOptions _options;
    private readonly LocalDeliveryOptions _local;
    private readonly ILogger<LocalTransport> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (DateTimeOffset FetchedAt, IReadOnlyList<DaprSubscription> Subscriptions)> _routes = new();
    private readonly SemaphoreSlim _singleDeliveries;

    public LocalTransport(IOptions<MessagingOptions> options, IOptions<LocalDeliveryOptions> local, ILogger<LocalTransport> logger, TimeProvider time)
    {
        _options = options.Value;
        _local = local.Value;
        _logger = logger;
        _time = time;
        _singleDeliveries = new SemaphoreSlim(Math.Max(1, _options.Relay.MaxParallelism));
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string? unreachable = null;
        string? refused = null;
        foreach (var baseUrl in _local.Subscribers)
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
                if (outcome.Status == SendStatus.Refused && message.RefusedAttempts + 1 >= _local.MaxDeliveryAttempts)
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

    /// <summary>
    /// Bulk delivery size: the largest <c>maxMessagesCount</c> the subscribers advertise (read from their
    /// <c>GET /dapr/subscribe</c>, cached); 0 (one by one) when <see cref="LocalDeliveryOptions.Bulk"/> is off or none takes bulk
    /// deliveries.
    /// </summary>
    public async ValueTask<int> MaxBatchSizeAsync(CancellationToken cancellationToken)
    {
        if (!_local.Bulk) return 0;
        var max = 0;
        foreach (var baseUrl in _local.Subscribers)
        {
            var subscriptions = await DiscoverAsync(baseUrl, cancellationToken) ?? [];
            foreach (var s in subscriptions)
            {
                if (s.PubSubName == _options.PubSubName && s.BulkSubscribe is { Enabled: true } bulk) max = Math.Max(max, bulk.EffectiveMaxMessagesCount);
            }
        }
        return max;
    }

    /// <summary>Our subscribers handle a bulk delivery's entries in order.</summary>
    public bool OrderedWithinBatch => true;

    public async Task<SendResult[]> SendBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var results = Enumerable.Repeat(SendResult.Ok, messages.Count).ToArray();
        foreach (var baseUrl in _local.Subscribers)
        {
            var subscriptions = await DiscoverAsync(baseUrl, cancellationToken);
            if (subscriptions is null)
            {
                for (var i = 0; i < results.Length; i++) results[i] = Worse(results[i], new SendResult(SendStatus.Unreachable, $"{baseUrl}: subscriptions unavailable"));
                continue;
            }
            foreach (var topicRows in Enumerable.Range(0, messages.Count).GroupBy(i => messages[i].Topic))
            {
                var rows = topicRows.ToList();
                foreach (var sub in subscriptions.Where(s => s.Topic == topicRows.Key && s.PubSubName == _options.PubSubName))
                {
                    var outcomes = _local.Bulk && sub.BulkSubscribe is { Enabled: true } bulk
                        ? await DeliverBulkAsync(baseUrl, subscriptions, sub, bulk.EffectiveMaxMessagesCount, rows.Select(i => messages[i]).ToList(), cancellationToken)
                        : await DeliverOneByOneAsync(baseUrl, subscriptions, sub, rows.Select(i => messages[i]).ToList(), cancellationToken);
                    for (var k = 0; k < rows.Count; k++) results[rows[k]] = Worse(results[rows[k]], outcomes[k]);
                }
            }
        }
        return results;
    }

    /// <summary>Across subscribers the worst outcome wins: unreachable, then refused, then delivered.</summary>
    private static SendResult Worse(SendResult a, SendResult b) => Rank(b.Status) > Rank(a.Status) ? b : a;

    private static int Rank(SendStatus status) => status switch
    {
        SendStatus.Unreachable => 2,
        SendStatus.Refused => 1,
        _ => 0,
    };

    /// <summary>
    /// Bulk deliveries of at most <paramref name="maxCount"/> entries, one after another. Once an entry of a subject is not
    /// delivered, that subject's entries in later requests are held back (answered as refused, which the relay reads
    /// as waiting, not as an attempt).
    /// </summary>
    private async Task<SendResult[]> DeliverBulkAsync(string baseUrl, IReadOnlyList<DaprSubscription> subscriptions, DaprSubscription sub, int maxCount,
        List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var results = new SendResult[rows.Count];
        var failedSubjects = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < rows.Count; start += maxCount)
        {
            var piece = new List<int>();
            for (var i = start; i < Math.Min(rows.Count, start + maxCount); i++)
            {
                if (failedSubjects.Contains(rows[i].Subject)) results[i] = new SendResult(SendStatus.Refused, "held behind an earlier event of its subject");
                else piece.Add(i);
            }
            if (piece.Count == 0) continue;
            var outcomes = await PostBulkAsync(baseUrl, sub.Route, piece.Select(i => rows[i]).ToList(), cancellationToken);
            var failedHere = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < piece.Count; k++)
            {
                var row = rows[piece[k]];
                var outcome = outcomes[k];
                // Only the first refused event of a subject was really tried; the later ones were answered RETRY to keep the order.
                if (outcome.Status == SendStatus.Refused && !failedHere.Contains(row.Subject) && row.RefusedAttempts + 1 >= _local.MaxDeliveryAttempts)
                {
                    outcome = await DeadLetterAsync(baseUrl, subscriptions, sub, row, outcome.Error, cancellationToken);
                }
                if (outcome.Status != SendStatus.Delivered) failedHere.Add(row.Subject);
                results[piece[k]] = outcome;
            }
            failedSubjects.UnionWith(failedHere);
        }
        return results;
    }

    private async Task<SendResult[]> PostBulkAsync(string baseUrl, string route, List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        SendResult[] All(SendResult r) => Enumerable.Repeat(r, rows.Count).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(baseUrl, route))
        {
            Content = new ByteArrayContent(SidecarWire.WriteBulkRequest(_options.PubSubName, rows[0].Topic, rows.Select(r => (r.Id.ToString(), r.Payload)))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        AddToken(request);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Dapr's rule for a bulk delivery: 404 from the app drops every message, with an error in the log.
                _logger.LogError("Subscriber {Subscriber}{Route} answered 404 to a bulk delivery; {Count} events are dropped as Dapr would", baseUrl, route, rows.Count);
                return All(SendResult.Ok);
            }
            if (!response.IsSuccessStatusCode) return All(new SendResult(SendStatus.Refused, $"{baseUrl}{route} answered {(int)response.StatusCode}"));
            var statuses = SidecarWire.ReadBulkStatuses(body) ?? [];
            return rows.Select(r => statuses.GetValueOrDefault(r.Id.ToString()) switch
            {
                "SUCCESS" or "DROP" => SendResult.Ok,
                null => new SendResult(SendStatus.Refused, $"{baseUrl}{route} gave no status for the entry (RETRY)"),
                var other => new SendResult(SendStatus.Refused, $"{baseUrl}{route} answered {other}"),
            }).ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return All(new SendResult(SendStatus.Unreachable, $"{baseUrl}{route} unreachable: {e.Message}"));
        }
    }

    /// <summary>A subscription without bulk: one request per event, subjects in parallel, each subject's events in order.</summary>
    private async Task<SendResult[]> DeliverOneByOneAsync(string baseUrl, IReadOnlyList<DaprSubscription> subscriptions, DaprSubscription sub,
        List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var results = new SendResult[rows.Count];
        var bySubject = Enumerable.Range(0, rows.Count).GroupBy(i => rows[i].Subject).Select(g => g.ToList());
        await Task.WhenAll(bySubject.Select(async indices =>
        {
            var stopped = false;
            foreach (var i in indices)
            {
                if (stopped)
                {
                    results[i] = new SendResult(SendStatus.Refused, "held behind an earlier event of its subject");
                    continue;
                }
                await _singleDeliveries.WaitAsync(cancellationToken);
                SendResult outcome;
                try
                {
                    outcome = await DeliverAsync(baseUrl, sub.Route, rows[i].Payload, cancellationToken);
                    if (outcome.Status == SendStatus.Refused && rows[i].RefusedAttempts + 1 >= _local.MaxDeliveryAttempts)
                    {
                        outcome = await DeadLetterAsync(baseUrl, subscriptions, sub, rows[i], outcome.Error, cancellationToken);
                    }
                }
                finally
                {
                    _singleDeliveries.Release();
                }
                results[i] = outcome;
                stopped = outcome.Status != SendStatus.Delivered;
            }
        }));
        return results;
    }

    private async Task<SendResult> DeadLetterAsync(string baseUrl, IReadOnlyList<DaprSubscription> subscriptions, DaprSubscription sub,
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
        if (SidecarWire.TraceParentOf(payload) is { } traceParent) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
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

    private async Task<IReadOnlyList<DaprSubscription>?> DiscoverAsync(string baseUrl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_routes.TryGetValue(baseUrl, out var cached) && now - cached.FetchedAt < _local.DiscoveryRefresh) return cached.Subscriptions;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Combine(baseUrl, "/dapr/subscribe"));
            AddToken(request);
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var subscriptions = DaprSubscription.ParseList(json);
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
        if (!string.IsNullOrEmpty(_options.AppApiToken)) request.Headers.Add(SidecarWire.AppApiTokenHeader, _options.AppApiToken);
    }

    private static string Combine(string baseUrl, string route) => baseUrl.TrimEnd('/') + "/" + route.TrimStart('/');

    public void Dispose()
    {
        _http.Dispose();
        _singleDeliveries.Dispose();
    }
}
