using System.Buffers;
using System.Text;
using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using CloudEvent = Platform.Messaging.CloudEvents.CloudEvent;

namespace Platform.Messaging.Subscriptions;

/// <summary>
/// Dapr.AspNetCore's <c>UseCloudEvents</c> unwraps a structured CloudEvent: the request body becomes its <c>data</c> and
/// the content type its <c>datacontenttype</c>. The inbox needs the envelope too (source and id for dedupe, the
/// <c>tenant</c> extension, subject, time, type), so the middleware is configured to forward those attributes as
/// <c>Cloudevent.&lt;name&gt;</c> request headers, and this puts the structured CloudEvent back together from them, the
/// <c>traceparent</c> header (which Dapr sets on a delivery from the event's own, and which the middleware therefore
/// never forwards) and the unwrapped data. The result goes through the same parser and checks as any other delivery.
/// </summary>
internal static class ForwardedCloudEvent
{
    private const string HeaderPrefix = "Cloudevent.";

    /// <summary>The attributes the middleware forwards: those the inbox reads, nothing Dapr adds for itself.</summary>
    internal static readonly string[] Attributes =
        ["specversion", "id", "source", "type", "subject", "time", "dataschema", "tracestate", CloudEvent.TenantAttribute];

    /// <summary>The middleware's settings for the platform's event routes.</summary>
    internal static CloudEventsMiddlewareOptions MiddlewareOptions() => new()
    {
        ForwardCloudEventPropertiesAsHeaders = true,
        IncludedCloudEventPropertiesAsHeaders = Attributes,
    };

    /// <summary>True when <c>UseCloudEvents</c> unwrapped this request (it forwarded at least one attribute).</summary>
    public static bool WasUnwrapped(HttpRequest request)
    {
        foreach (var key in request.Headers.Keys)
        {
            if (key.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>The structured CloudEvent (JSON) the sender delivered, rebuilt from the forwarded attributes and <paramref name="data"/>.</summary>
    public static byte[] Reassemble(HttpRequest request, byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + data.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var name in Attributes)
            {
                if (request.Headers.TryGetValue(HeaderPrefix + name, out var value)) w.WriteString(name, Decode(value.ToString()));
            }
            if (request.Headers.TryGetValue(HeaderNames.TraceParent, out var traceParent)) w.WriteString("traceparent", traceParent.ToString());
            if (data.Length > 0)
            {
                var contentType = request.ContentType ?? "application/json";
                w.WriteString("datacontenttype", contentType);
                w.WritePropertyName("data");
                if (IsJson(contentType) && IsWellFormed(data)) w.WriteRawValue(data, skipInputValidation: true);
                else w.WriteStringValue(Encoding.UTF8.GetString(data));
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // The middleware forwards an attribute as its raw JSON text without the quotes, so any escape in it is still there.
    private static string Decode(string raw)
    {
        if (!raw.Contains('\\')) return raw;
        try
        {
            return JsonSerializer.Deserialize<string>("\"" + raw + "\"") ?? raw;
        }
        catch (JsonException)
        {
            return raw;
        }
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && (parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || parsed.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static bool IsWellFormed(byte[] json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// Puts Dapr.AspNetCore's <c>UseCloudEvents</c> at the front of the app's pipeline, configured as
/// <see cref="ForwardedCloudEvent"/> needs, so a service that adopts messaging needs no middleware line of its own.
/// </summary>
internal sealed class CloudEventsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseCloudEvents(ForwardedCloudEvent.MiddlewareOptions());
        next(app);
    };
}
