using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging.Outbox;
using PlatformCloudEvent = Platform.Messaging.CloudEvents.CloudEvent;

namespace Platform.Messaging.Dapr;

/// <summary>
/// Publishes outbox rows through the Dapr sidecar with Dapr.Client (gRPC, <c>dapr.proto.runtime.v1.Dapr/PublishEvent</c>).
/// Each row is already a structured CloudEvent of ours, so it goes as bytes with content type
/// <c>application/cloudevents+json</c> and metadata <c>rawPayload=false</c>: Dapr keeps the envelope as it is (id,
/// source, subject, the <c>tenant</c> extension, <c>traceparent</c>) and only adds the attributes it lacks. Success means
/// Dapr took it; any failure is retried, because subscriber retries and dead-lettering are the sidecar's job from there
/// on. With <see cref="DaprOptions.BulkPublish"/> it publishes through <c>BulkPublishEventAsync</c> instead: the entries
/// the sidecar reports as failed are retried while the others count as sent.
/// </summary>
public sealed class DaprTransport : IEventTransport, IBatchEventTransport
{
    private readonly DaprClient _dapr;
    private readonly MessagingOptions _options;
    private readonly ILogger<DaprTransport> _logger;
    private readonly Dictionary<string, string> _metadata;

    public DaprTransport(DaprClient dapr, IOptions<MessagingOptions> options, ILogger<DaprTransport> logger)
    {
        _dapr = dapr;
        _options = options.Value;
        _logger = logger;
        _metadata = PublishMetadata(_options.Dapr);
    }

    /// <summary>The metadata every publish carries: <c>rawPayload=false</c>, and <c>ttlInSeconds</c> when set.</summary>
    public static Dictionary<string, string> PublishMetadata(DaprOptions dapr)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["rawPayload"] = "false" };
        if (dapr.TtlInSeconds is { } ttl) metadata["ttlInSeconds"] = ttl.ToString(CultureInfo.InvariantCulture);
        return metadata;
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _dapr.PublishByteEventAsync(_options.PubSubName, message.Topic, Encoding.UTF8.GetBytes(message.Payload),
                PlatformCloudEvent.MediaType, _metadata, cancellationToken);
            return SendResult.Ok;
        }
        catch (DaprException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = StatusOf(e);
            _logger.Log(LevelFor(status), "Dapr refused event {EventId} on topic {Topic}: {StatusCode} {Detail}",
                message.Id, message.Topic, status, Detail(e));
            return new SendResult(SendStatus.Unreachable, $"dapr publish failed: {status} {Detail(e)}");
        }
    }

    /// <summary>Bulk publish size, or 0 (one publish per event) when <see cref="DaprOptions.BulkPublish"/> is off.</summary>
    public ValueTask<int> MaxBatchSizeAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_options.Dapr.BulkPublish ? Math.Max(1, _options.Dapr.BulkPublishMaxCount) : 0);

    /// <summary>Dapr's bulk publish does not keep the order of its entries: at most one event per subject per call.</summary>
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
        try
        {
            var entries = rows.Select(r => new OutboxCloudEvent(r)).ToList();
            var response = await _dapr.BulkPublishEventAsync(_options.PubSubName, topic, entries, _metadata, cancellationToken);
            if (response.FailedEntries.Count == 0) return rows.Select(_ => SendResult.Ok).ToArray();
            _logger.LogWarning("Dapr bulk publish on topic {Topic}: {Failed} of {Count} events failed", topic, response.FailedEntries.Count, rows.Count);
            var failed = response.FailedEntries.ToDictionary(f => f.Entry.EventData.Row.Id, f => f.ErrorMessage);
            return rows.Select(r => failed.TryGetValue(r.Id, out var error)
                ? new SendResult(SendStatus.Unreachable, $"dapr bulk publish failed for the entry: {Truncate(error ?? "")}")
                : SendResult.Ok).ToArray();
        }
        catch (DaprException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = StatusOf(e);
            _logger.Log(LevelFor(status), "Dapr refused a bulk publish of {Count} events on topic {Topic}: {StatusCode} {Detail}",
                rows.Count, topic, status, Detail(e));
            var result = new SendResult(SendStatus.Unreachable, $"dapr bulk publish failed: {status} {Detail(e)}");
            return rows.Select(_ => result).ToArray();
        }
    }

    private static StatusCode StatusOf(DaprException e) => e.InnerException is RpcException rpc ? rpc.StatusCode : StatusCode.Unknown;

    private static string Detail(DaprException e) => Truncate(e.InnerException is RpcException rpc ? rpc.Status.Detail : e.Message);

    // A sidecar that refuses the component, the topic or the caller is misconfigured: keep the event and say so loudly.
    private static LogLevel LevelFor(StatusCode status) =>
        status is StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.Unimplemented or StatusCode.Unauthenticated
            ? LogLevel.Error
            : LogLevel.Warning;

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500];

    /// <summary>
    /// An outbox row as a bulk entry. Dapr.Client gives an entry the content type <c>application/cloudevents+json</c>
    /// only for a <see cref="CloudEvent"/>, and serializes it with System.Text.Json; the converter writes the row's own
    /// CloudEvent bytes, so the envelope stays ours.
    /// </summary>
    [JsonConverter(typeof(OutboxCloudEventConverter))]
    internal sealed class OutboxCloudEvent(OutboxMessage row) : CloudEvent
    {
        public OutboxMessage Row { get; } = row;
    }

    private sealed class OutboxCloudEventConverter : JsonConverter<OutboxCloudEvent>
    {
        public override OutboxCloudEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Outbox events are only written.");

        // Rows were written by the publisher's JSON writer; a damaged one fails only its own entry at the sidecar.
        public override void Write(Utf8JsonWriter writer, OutboxCloudEvent value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Row.Payload, skipInputValidation: true);
    }
}
