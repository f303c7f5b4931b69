using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Platform.Messaging.CloudEvents;

/// <summary>
/// A CloudEvents 1.0 event in structured JSON mode (<c>application/cloudevents+json</c>), as the platform sends it:
/// the required context attributes, the optional ones it uses, the <c>tenant</c> extension (the trust ODS code) and
/// <c>data</c> as raw JSON (the protobuf JSON of the event message).
/// </summary>
public sealed record CloudEvent
{
    /// <summary>The media type of a structured-mode CloudEvent.</summary>
    public const string MediaType = "application/cloudevents+json";

    /// <summary>The only spec version the platform produces and accepts.</summary>
    public const string SpecVersion = "1.0";

    /// <summary>Name of the extension attribute that carries the tenant (trust ODS code).</summary>
    public const string TenantAttribute = "tenant";

    public required string Id { get; init; }
    public required string Source { get; init; }
    public required string Type { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Time { get; init; }
    public string? DataContentType { get; init; } = "application/json";
    public string? DataSchema { get; init; }
    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }

    /// <summary>The tenant extension attribute; a subscriber takes the tenant from here and nowhere else.</summary>
    public string? Tenant { get; init; }

    /// <summary>The <c>data</c> member as raw JSON text, or null when absent.</summary>
    public string? DataJson { get; init; }

    /// <summary>Serializes the event in structured JSON mode.</summary>
    public string ToJson() => ToJson(dataIsWellFormed: false);

    /// <summary>
    /// Serializes the event; <paramref name="dataIsWellFormed"/> skips re-parsing <see cref="DataJson"/>, for data the
    /// caller has just produced with a JSON writer (the publisher's protobuf JSON), where checking it again only costs time.
    /// </summary>
    internal string ToJson(bool dataIsWellFormed)
    {
        // One buffer and one writer per thread: the publisher serializes an event inside every state-change transaction
        // that raises one, and a fresh (zeroed) buffer and writer for each was a measurable part of that (ADR 0008).
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer;
        if (w is null) t_writer = w = new Utf8JsonWriter(buffer);
        else w.Reset(buffer);
        w.WriteStartObject();
        w.WriteString("specversion", SpecVersion);
        w.WriteString("id", Id);
        w.WriteString("source", Source);
        w.WriteString("type", Type);
        if (Subject is not null) w.WriteString("subject", Subject);
        if (Time is { } time)
        {
            Span<byte> text = stackalloc byte[32];
            // "O" of a UTC DateTime: yyyy-MM-ddTHH:mm:ss.fffffffZ (RFC 3339).
            time.UtcDateTime.TryFormat(text, out var written, "O", System.Globalization.CultureInfo.InvariantCulture);
            w.WriteString("time", text[..written]);
        }
        if (DataContentType is not null) w.WriteString("datacontenttype", DataContentType);
        if (DataSchema is not null) w.WriteString("dataschema", DataSchema);
        if (TraceParent is not null) w.WriteString("traceparent", TraceParent);
        if (TraceState is not null) w.WriteString("tracestate", TraceState);
        if (Tenant is not null) w.WriteString(TenantAttribute, Tenant);
        if (DataJson is not null)
        {
            w.WritePropertyName("data");
            w.WriteRawValue(DataJson, skipInputValidation: dataIsWellFormed);
        }
        w.WriteEndObject();
        w.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > MaxKeptBuffer) (t_buffer, t_writer) = (null, null); // an outsized event does not pin its buffer
        return json;
    }

    private const int MaxKeptBuffer = 64 * 1024;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// Parses a structured-mode CloudEvent. Returns false with a reason when the body is not JSON, is not spec
    /// version 1.0, or lacks a required attribute (id, source, type). Unknown attributes (Dapr adds topic,
    /// pubsubname, traceid) are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out CloudEvent? cloudEvent, out string? error)
    {
        cloudEvent = null;
        try
        {
            using var doc = JsonDocument.Parse(utf8Json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { error = "the body is not a JSON object"; return false; }
            var spec = Str(root, "specversion");
            if (spec != SpecVersion) { error = $"specversion must be {SpecVersion}, was '{spec}'"; return false; }
            var id = Str(root, "id");
            var source = Str(root, "source");
            var type = Str(root, "type");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(source) || string.IsNullOrEmpty(type))
            {
                error = "id, source and type are required";
                return false;
            }
            DateTimeOffset? time = null;
            if (Str(root, "time") is { } t)
            {
                if (!DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    error = "time is not an RFC 3339 timestamp";
                    return false;
                }
                time = parsed;
            }
            string? data = null;
            if (root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null) data = d.GetRawText();
            cloudEvent = new CloudEvent
            {
                Id = id,
                Source = source,
                Type = type,
                Subject = Str(root, "subject"),
                Time = time,
                DataContentType = Str(root, "datacontenttype"),
                DataSchema = Str(root, "dataschema"),
                TraceParent = Str(root, "traceparent"),
                TraceState = Str(root, "tracestate"),
                Tenant = Str(root, TenantAttribute),
                DataJson = data,
            };
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = $"the body is not valid JSON: {e.Message}";
            return false;
        }
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
