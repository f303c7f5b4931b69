using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;

namespace Platform.Messaging.Dapr;

/// <summary>
/// Publishes through the Dapr sidecar's pub/sub HTTP API:
/// <c>POST http://localhost:{DAPR_HTTP_PORT}/v1.0/publish/{pubsub}/{topic}?metadata.rawPayload=false</c> with the
/// structured CloudEvent as <c>application/cloudevents+json</c>. 204 means Dapr took it; anything else is retried,
/// because subscriber retries and dead-lettering are the sidecar's job from there on.
/// </summary>
public sealed class DaprTransport : IEventTransport, IDisposable
{
    private readonly HttpClient _http;
    private readonly MessagingOptions _options;
    private readonly ILogger<DaprTransport> _logger;
    private readonly string _baseAddress;

    public DaprTransport(IOptions<MessagingOptions> options, ILogger<DaprTransport> logger)
    {
        _options = options.Value;
        _logger = logger;
        var dapr = _options.Dapr;
        _baseAddress = (dapr.HttpEndpoint ?? $"http://127.0.0.1:{dapr.HttpPort ?? 3500}").TrimEnd('/');
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

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500];

    public void Dispose() => _http.Dispose();
}
