using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
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

    private FakeDaprSidecar(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<PublishRequest> Published { get; } = new();

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
