using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprBulkPublishRequest = Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Testing;
using Platform.Tools.LocalDelivery;

namespace Platform.Messaging.Tests.Support;

/// <summary>
/// Plays the Dapr sidecar's documented role on loopback. Toward the publisher: Dapr's gRPC API
/// (<c>dapr.proto.runtime.v1.Dapr/PublishEvent</c> and <c>BulkPublishEvent</c>, on h2c, with the request and response
/// messages Dapr.Client itself is built from), which Dapr.Client reaches through <c>DAPR_GRPC_ENDPOINT</c>. Toward the
/// subscriber, as the broker side: subscription discovery from the app's <c>GET /dapr/subscribe</c> and delivery to its
/// routes with Dapr's reading of the replies: 2xx with SUCCESS (or no status) is done, DROP is dropped, RETRY or a
/// non-2xx status is retried, 404 is dropped with an error; after the retries the event goes to the subscription's
/// dead-letter topic.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication _app = null!;
    private int _publishCalls;

    /// <summary>One PublishEvent call: component, topic, metadata, the data's content type and the data as text.</summary>
    public sealed record PublishRequest(string PubSub, string Topic, IReadOnlyDictionary<string, string> Metadata, string ContentType, string Body);

    /// <summary>One BulkPublishEvent call: the entries as sent (entry id, content type, the event's JSON).</summary>
    public sealed record BulkPublishRequest(string PubSub, string Topic, IReadOnlyDictionary<string, string> Metadata,
        IReadOnlyList<(string EntryId, string ContentType, string Event)> Entries);

    public int Port { get; private set; }

    /// <summary>The gRPC endpoint, for <c>DAPR_GRPC_ENDPOINT</c>.</summary>
    public string GrpcEndpoint => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<PublishRequest> Published { get; } = new();
    public ConcurrentQueue<BulkPublishRequest> BulkPublished { get; } = new();

    /// <summary>Decides, per bulk-published entry (event JSON), whether the broker fails it; none fail by default.</summary>
    public Func<string, bool> BulkPublishFails { get; set; } = _ => false;

    /// <summary>The gRPC status of the n-th PublishEvent call (1-based); OK by default.</summary>
    public Func<int, StatusCode> PublishStatus { get; set; } = _ => StatusCode.OK;

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
            var sidecar = new FakeDaprSidecar { Port = FreePort.Next() };
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(sidecar.Port, l => l.Protocols = HttpProtocols.Http2));
            builder.Logging.ClearProviders();
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(sidecar);
            var app = builder.Build();
            app.MapGrpcService<DaprPublishApi>();
            try
            {
                await app.StartAsync();
                sidecar._app = app;
                return sidecar;
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    internal async Task PublishAsync(PublishEventRequest request)
    {
        var body = request.Data.ToStringUtf8();
        Published.Enqueue(new PublishRequest(request.PubsubName, request.Topic, new Dictionary<string, string>(request.Metadata), request.DataContentType, body));
        var status = PublishStatus(Interlocked.Increment(ref _publishCalls));
        if (status != StatusCode.OK) throw new RpcException(new Status(status, "broker unavailable"));
        if (AppBaseUrl is not null) await DeliverAsync(request.Topic, body);
    }

    internal async Task<BulkPublishResponse> BulkPublishAsync(DaprBulkPublishRequest request)
    {
        var entries = request.Entries.Select(e => (e.EntryId, e.ContentType, e.Event.ToStringUtf8())).ToList();
        BulkPublished.Enqueue(new BulkPublishRequest(request.PubsubName, request.Topic, new Dictionary<string, string>(request.Metadata), entries));
        var response = new BulkPublishResponse();
        foreach (var (entryId, _, ev) in entries)
        {
            if (BulkPublishFails(ev)) response.FailedEntries.Add(new BulkPublishResponseFailedEntry { EntryId = entryId, Error = "broker unavailable" });
            else if (AppBaseUrl is not null) await DeliverAsync(request.Topic, ev);
        }
        return response;
    }

    /// <summary>
    /// The publish half of Dapr's gRPC service, bound the way generated code binds a service base (Dapr.Client ships the
    /// messages and the client only): Grpc.AspNetCore finds each handler as the override of the base's method of that name.
    /// </summary>
    [BindServiceMethod(typeof(DaprPublishApiBase), nameof(BindService))]
    internal abstract class DaprPublishApiBase
    {
        private const string Service = "dapr.proto.runtime.v1.Dapr";

        private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
            where TRequest : class, Google.Protobuf.IMessage<TRequest>, new() where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
            new(MethodType.Unary, Service, name,
                Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), b => new Google.Protobuf.MessageParser<TRequest>(() => new TRequest()).ParseFrom(b)),
                Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), b => new Google.Protobuf.MessageParser<TResponse>(() => new TResponse()).ParseFrom(b)));

        public static void BindService(ServiceBinderBase binder, DaprPublishApiBase? api)
        {
            binder.AddMethod(Unary<PublishEventRequest, Empty>(nameof(PublishEvent)), api is null ? null : api.PublishEvent);
            binder.AddMethod(Unary<DaprBulkPublishRequest, BulkPublishResponse>(nameof(BulkPublishEvent)), api is null ? null : api.BulkPublishEvent);
            binder.AddMethod(Unary<DaprBulkPublishRequest, BulkPublishResponse>(nameof(BulkPublishEventAlpha1)), api is null ? null : api.BulkPublishEventAlpha1);
        }

        public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
        public virtual Task<BulkPublishResponse> BulkPublishEvent(DaprBulkPublishRequest request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
        public virtual Task<BulkPublishResponse> BulkPublishEventAlpha1(DaprBulkPublishRequest request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
    }

    internal sealed class DaprPublishApi(FakeDaprSidecar sidecar) : DaprPublishApiBase
    {
        public override async Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
        {
            await sidecar.PublishAsync(request);
            return new Empty();
        }

        public override Task<BulkPublishResponse> BulkPublishEvent(DaprBulkPublishRequest request, ServerCallContext context) => sidecar.BulkPublishAsync(request);

        public override Task<BulkPublishResponse> BulkPublishEventAlpha1(DaprBulkPublishRequest request, ServerCallContext context) => sidecar.BulkPublishAsync(request);
    }

    /// <summary>Reads the app's programmatic subscriptions, as the sidecar does at start-up.</summary>
    public async Task<IReadOnlyList<DaprSubscription>> DiscoverAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AppBaseUrl}/dapr/subscribe");
        request.Headers.Add("dapr-api-token", AppToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return DaprSubscription.ParseList(await response.Content.ReadAsByteArrayAsync());
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
        using var request = new HttpRequestMessage(HttpMethod.Post, AppUrl(route))
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        // Dapr sends the event's trace context as the delivery's own.
        if (SidecarWire.TraceParentOf(body) is { } traceParent) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
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
        using var request = new HttpRequestMessage(HttpMethod.Post, AppUrl(route))
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

    // Dapr.AspNetCore lists routes without their leading slash.
    private string AppUrl(string route) => $"{AppBaseUrl!.TrimEnd('/')}/{route.TrimStart('/')}";

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
