using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;

namespace MessagingBench.DaprPath;

/// <summary>
/// BENCH-ONLY BASELINE: the hand-written transport Platform.Messaging had before it moved onto Dapr.Client (commit
/// 851517b), kept here so MessagingBench can measure the SDK path against it in one run. Never used by a service.
/// Publishes through the Dapr sidecar's pub/sub HTTP API:
/// <c>POST http://localhost:{DAPR_HTTP_PORT}/v1.0/publish/{pubsub}/{topic}?metadata.rawPayload=false</c> with the
/// structured CloudEvent as <c>application/cloudevents+json</c>. 204 means Dapr took it; anything else is retried,
/// because subscriber retries and dead-lettering are the sidecar's job from there on. With <see cref="DaprOptions.BulkPublish"/>
/// it publishes through the bulk API instead (<c>POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}</c>): 204 means every
/// entry was taken; 500 lists the <c>failedEntries</c>, which are retried while the others count as sent.
/// </summary>
public sealed class HttpDaprTransport : IEventTransport, IBatchEventTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly MessagingOptions _options;
    private readonly ILogger<HttpDaprTransport> _logger;
    private readonly string _baseAddress;

    public HttpDaprTransport(string httpEndpoint, IOptions<MessagingOptions> options, ILogger<HttpDaprTransport> logger)
    {
        _options = options.Value;
        _logger = logger;
        _baseAddress = httpEndpoint.TrimEnd('/');
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The publish URL for <paramref name="topic"/>, with the metadata query parameters.</summary>
    public string PublishUrl(string topic)
    {
        var url = $"{_baseAddress}/v1.0/publish/{Uri.EscapeDataString(_options.PubSubName)}/{Uri.EscapeDataString(topic)}?metadata.rawPayload=false";
        if (_options.Dapr.TtlInSeconds is { } ttl) url += $"&metadata.ttlInSeconds={ttl}";
        return url;
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PublishUrl(message.Topic))
        {
            Content = new StringContent(message.Payload, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.MediaType) { CharSet = "utf-8" };
        if (!string.IsNullOrEmpty(_options.Dapr.ApiToken)) request.Headers.Add("dapr-api-token", _options.Dapr.ApiToken);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NoContent) return SendResult.Ok;
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            // 403 (access control) and 404 (no such pubsub) are configuration faults: keep the event and say so loudly.
            var level = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound ? LogLevel.Error : LogLevel.Warning;
            _logger.Log(level, "Dapr refused event {EventId} on topic {Topic}: {StatusCode} {Body}", message.Id, message.Topic, (int)response.StatusCode, Truncate(body));
            return new SendResult(SendStatus.Unreachable, $"dapr publish returned {(int)response.StatusCode}: {Truncate(body)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendStatus.Unreachable, $"dapr sidecar unreachable: {e.Message}");
        }
    }

    /// <summary>The bulk publish URL for <paramref name="topic"/>, with the metadata query parameters.</summary>
    public string BulkPublishUrl(string topic)
    {
        var url = $"{_baseAddress}/v1.0-alpha1/publish/bulk/{Uri.EscapeDataString(_options.PubSubName)}/{Uri.EscapeDataString(topic)}?metadata.rawPayload=false";
        if (_options.Dapr.TtlInSeconds is { } ttl) url += $"&metadata.ttlInSeconds={ttl}";
        return url;
    }

    /// <summary>Bulk publish size, or 0 (one publish per event) when <see cref="DaprOptions.BulkPublish"/> is off.</summary>
    public ValueTask<int> MaxBatchSizeAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_options.Dapr.BulkPublish ? Math.Max(1, _options.Dapr.BulkPublishMaxCount) : 0);

    /// <summary>Dapr's bulk publish does not keep the order of its entries: at most one event per subject per request.</summary>
    public bool OrderedWithinBatch => false;

    public async Task<SendResult[]> SendBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var results = new SendResult[messages.Count];
        foreach (var topicRows in Enumerable.Range(0, messages.Count).GroupBy(i => messages[i].Topic))
        {
            var rows = topicRows.ToList();
            var outcomes = await BulkPublishAsync(topicRows.Key, rows.Select(i => messages[i]).ToList(), cancellationToken);
            for (var k = 0; k < rows.Count; k++) results[rows[k]] = outcomes[k];
        }
        return results;
    }

    private async Task<SendResult[]> BulkPublishAsync(string topic, List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        SendResult[] All(SendResult r) => Enumerable.Repeat(r, rows.Count).ToArray();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("entryId", row.Id.ToString());
                w.WritePropertyName("event");
                var contentType = WriteEvent(w, row.Payload);
                w.WriteString("contentType", contentType);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, BulkPublishUrl(topic)) { Content = new ByteArrayContent(buffer.WrittenSpan.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (!string.IsNullOrEmpty(_options.Dapr.ApiToken)) request.Headers.Add("dapr-api-token", _options.Dapr.ApiToken);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NoContent) return All(SendResult.Ok);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.InternalServerError && ReadFailedEntries(body) is { Count: > 0 } failedEntries)
            {
                _logger.LogWarning("Dapr bulk publish on topic {Topic}: {Failed} of {Count} events failed", topic, failedEntries.Count, rows.Count);
                return rows.Select(r => failedEntries.TryGetValue(r.Id.ToString(), out var error)
                    ? new SendResult(SendStatus.Unreachable, $"dapr bulk publish failed for the entry: {Truncate(error)}")
                    : SendResult.Ok).ToArray();
            }
            var level = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest ? LogLevel.Error : LogLevel.Warning;
            _logger.Log(level, "Dapr refused a bulk publish of {Count} events on topic {Topic}: {StatusCode} {Body}", rows.Count, topic, (int)response.StatusCode, Truncate(body));
            return All(new SendResult(SendStatus.Unreachable, $"dapr bulk publish returned {(int)response.StatusCode}: {Truncate(body)}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return All(new SendResult(SendStatus.Unreachable, $"dapr sidecar unreachable: {e.Message}"));
        }
    }

    /// <summary>Reads <c>{"failedEntries":[{"entryId":..,"error":..}],"errorCode":..}</c>; null when the body is not that.</summary>
    private static Dictionary<string, string>? ReadFailedEntries(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("failedEntries", out var list) || list.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                return null;
            }
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == System.Text.Json.JsonValueKind.Object && item.TryGetProperty("entryId", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    result[id.GetString()!] = item.TryGetProperty("error", out var error) ? error.ToString() : "";
                }
            }
            return result;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string WriteEvent(System.Text.Json.Utf8JsonWriter w, string json)
    {
        try
        {
            w.WriteRawValue(json);
            return CloudEvent.MediaType;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            w.WriteStringValue(json);
            return "text/plain";
        }
    }

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500];

    public void Dispose() => _http.Dispose();
}
