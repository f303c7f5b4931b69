using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Messaging.Subscriptions;
using Platform.Testing;

namespace Platform.Messaging.Tests.Support;

/// <summary>
/// Plays the Dapr sidecar's documented HTTP role on loopback: the publish endpoint
/// (<c>POST /v1.0/publish/{pubsub}/{topic}</c>, 204 on success) and, as the broker side, subscription discovery from
/// the app's <c>GET /dapr/subscribe</c> and delivery to its routes with Dapr's reading of the replies: 2xx with
/// SUCCESS (or no status) is done, DROP is dropped, RETRY or a non-2xx status is retried, 404 is dropped with an error;
/// after the retries the event goes to the subscription's dead-letter topic.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private int _publishCalls;

    public sealed record PublishRequest(string PubSub, string Topic, string Query, string? ContentType, string Body);

    /// <summary>One bulk publish call: the entries as sent (entry id, content type, the event's JSON).</summary>
    public sealed record BulkPublishRequest(string PubSub, string Topic, string Query, string? ContentType, IReadOnlyList<(string EntryId, string ContentType, string Event)> Entries);

    private FakeDaprSidecar(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<PublishRequest> Published { get; } = new();
    public ConcurrentQueue<BulkPublishRequest> BulkPublished { get; } = new();

    /// <summary>Decides, per bulk-published entry (event JSON), whether the broker fails it; none fail by default.</summary>
    public Func<string, bool> BulkPublishFails { get; set; } = _ => false;

    /// <summary>Status for the n-th publish call (1-based); 204 by default.</summary>
    public Func<int, HttpStatusCode> PublishStatus { get; set; } = _ => HttpStatusCode.NoContent;

    /// <summary>When set, accepted events are delivered to this app, as the broker and the app's sidecar would.</summary>
    public string? AppBaseUrl { get; set; }
    public string AppToken { get; set; } = MessagingApp.Token;
    public int MaxDeliveryAttempts { get; set; } = 3;

    /// <summary>Final outcome per delivered event: SUCCESS, DROP, DROPPED_404 or DEAD_LETTERED.</summary>
    public ConcurrentQueue<(string Topic, string Outcome)> Outcomes { get; } = new();

    public static async Task<FakeDaprSidecar> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            FakeDaprSidecar? sidecar = null;
            app.MapPost("/v1.0/publish/{pubsub}/{topic}", async (string pubsub, string topic, HttpContext http) =>
            {
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var request = new PublishRequest(pubsub, topic, http.Request.QueryString.Value ?? "", http.Request.ContentType, body);
                sidecar!.Published.Enqueue(request);
                var status = sidecar.PublishStatus(Interlocked.Increment(ref sidecar._publishCalls));
                if (status == HttpStatusCode.NoContent && sidecar.AppBaseUrl is not null) await sidecar.DeliverAsync(topic, body);
                return status == HttpStatusCode.NoContent
                    ? Results.NoContent()
                    : Results.Json(new { errorCode = "ERR_PUBSUB_PUBLISH_MESSAGE", message = "broker unavailable" }, statusCode: (int)status);
            });
            // Dapr's bulk publish API: a JSON array of {entryId, event, contentType}; 204 when all were taken, else 500
            // with {"failedEntries":[{"entryId","error"}],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}.
            app.MapPost("/v1.0-alpha1/publish/bulk/{pubsub}/{topic}", async (string pubsub, string topic, HttpContext http) =>
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body);
                var entries = doc.RootElement.EnumerateArray().Select(e => (
                    e.GetProperty("entryId").GetString()!,
                    e.GetProperty("contentType").GetString()!,
                    e.GetProperty("event").GetRawText())).ToList();
                sidecar!.BulkPublished.Enqueue(new BulkPublishRequest(pubsub, topic, http.Request.QueryString.Value ?? "", http.Request.ContentType, entries));
                var failed = entries.Where(e => sidecar.BulkPublishFails(e.Item3)).ToList();
                if (sidecar.AppBaseUrl is not null)
                {
                    foreach (var e in entries.Except(failed)) await sidecar.DeliverAsync(topic, e.Item3);
                }
                return failed.Count == 0
                    ? Results.NoContent()
                    : Results.Json(new { failedEntries = failed.Select(f => new { entryId = f.Item1, error = "broker unavailable" }), errorCode = "ERR_PUBSUB_PUBLISH_MESSAGE" }, statusCode: 500);
            });
            try
            {
                await app.StartAsync();
                sidecar = new FakeDaprSidecar(app, port);
                return sidecar;
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Reads the app's programmatic subscriptions, as the sidecar does at start-up.</summary>
    public async Task<IReadOnlyList<Subscription>> DiscoverAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppBaseUrl}/dapr/subscribe");
        request.Headers.Add("dapr-api-token", AppToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return Subscription.ParseList(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Delivers one CloudEvent to the app's route for <paramref name="topic"/> with Dapr's retry and dead-letter rules.</summary>
    public async Task<string> DeliverAsync(string topic, string cloudEventJson)
    {
        var subscriptions = await DiscoverAsync();
        var sub = subscriptions.FirstOrDefault(s => s.Topic == topic);
        if (sub is null) return Record(topic, "NO_SUBSCRIBER");
        for (var attempt = 1; attempt <= MaxDeliveryAttempts; attempt++)
        {
            var (code, status) = await PostAsync(sub.Route, cloudEventJson, AppToken);
            if (code == HttpStatusCode.NotFound) return Record(topic, "DROPPED_404");
            if ((int)code is >= 200 and < 300)
            {
                if (status is null or "SUCCESS") return Record(topic, "SUCCESS");
                if (status == "DROP") return Record(topic, "DROP");
            }
        }
        var deadLetter = sub.DeadLetterTopic is null ? null : subscriptions.FirstOrDefault(s => s.Topic == sub.DeadLetterTopic);
        if (deadLetter is null) return Record(topic, "DROPPED_AFTER_RETRIES");
        await PostAsync(deadLetter.Route, cloudEventJson, AppToken);
        return Record(topic, "DEAD_LETTERED");
    }

    /// <summary>One raw delivery POST; returns the HTTP status and the reply's <c>status</c>.</summary>
    public async Task<(HttpStatusCode Code, string? Status)> PostAsync(string route, string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{AppBaseUrl}{route}")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        string? status = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status", out var s)) status = s.GetString();
            }
            catch (JsonException) { }
        }
        return (response.StatusCode, status);
    }

    /// <summary>
    /// One bulk delivery in Dapr's shape to <paramref name="route"/>: <c>{"id","type":"com.dapr.event.sent.bulk","topic",
    /// "pubsubname","metadata","entries":[{"entryId","event","contentType","metadata"}]}</c>. An event that is a JSON
    /// object goes in as an object (a CloudEvent), anything else as a string. Returns the HTTP status and the statuses by
    /// entry id.
    /// </summary>
    public async Task<(HttpStatusCode Code, Dictionary<string, string> Statuses)> PostBulkAsync(string route, string topic,
        IEnumerable<(string EntryId, string Event)> entries, string? token)
    {
        var list = new JsonArray();
        foreach (var (entryId, ev) in entries)
        {
            JsonNode? node;
            try { node = JsonNode.Parse(ev) as JsonObject; }
            catch (JsonException) { node = null; }
            list.Add(new JsonObject
            {
                ["entryId"] = entryId,
                ["event"] = node ?? JsonValue.Create(ev),
                ["contentType"] = node is null ? "text/plain" : "application/cloudevents+json",
                ["metadata"] = new JsonObject(),
            });
        }
        var body = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["type"] = "com.dapr.event.sent.bulk",
            ["topic"] = topic,
            ["pubsubname"] = "pubsub",
            ["metadata"] = new JsonObject(),
            ["entries"] = list,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{AppBaseUrl}{route}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var statuses = new Dictionary<string, string>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var doc = JsonDocument.Parse(text);
            foreach (var s in doc.RootElement.GetProperty("statuses").EnumerateArray())
            {
                statuses[s.GetProperty("entryId").GetString()!] = s.GetProperty("status").GetString()!;
            }
        }
        return (response.StatusCode, statuses);
    }

    private string Record(string topic, string outcome)
    {
        Outcomes.Enqueue((topic, outcome));
        return outcome;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
