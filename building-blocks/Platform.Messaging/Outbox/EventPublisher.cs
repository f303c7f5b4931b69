using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Messaging.CloudEvents;

namespace Platform.Messaging.Outbox;

/// <summary>Publishes integration events through the transactional outbox of the caller's DbContext.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Adds <paramref name="message"/> as a CloudEvent to the outbox of the scoped DbContext. Nothing is sent until
    /// the caller's <c>SaveChanges</c> commits it together with the state change; the relay sends it afterwards.
    /// Type and topic come from the message's proto name (see <see cref="EventName"/>); source is <c>/&lt;service&gt;</c>.
    /// </summary>
    /// <param name="message">The event, a message defined in <c>protos/</c>.</param>
    /// <param name="tenant">The trust ODS code, taken from the authenticated caller; carried as the <c>tenant</c> attribute.</param>
    /// <param name="subject">The aggregate id; events of one subject are delivered in publish order.</param>
    /// <returns>The CloudEvent id.</returns>
    Guid Publish<T>(T message, string tenant, string subject) where T : IMessage;
}

/// <summary>App-assigned, strictly increasing outbox sequence for this process (ticks of the append time, bumped on ties).</summary>
public sealed class OutboxSequence(TimeProvider time)
{
    private long _last;

    public long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(time.GetUtcNow().UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }
}

internal sealed class EventPublisher<TDbContext>(TDbContext db, OutboxRowFactory rows, MessagingMetrics metrics, OutboxBatchWriter writer)
    : IEventPublisher where TDbContext : DbContext
{
    public Guid Publish<T>(T message, string tenant, string subject) where T : IMessage
    {
        var row = rows.Create(message, tenant, subject);
        if (!writer.TryEnqueue(db, row)) db.Set<OutboxMessage>().Add(row);
        metrics.Published(row.Topic);
        return row.Id;
    }
}

/// <summary>An event as its outbox row: the CloudEvent (id, source, type, trace context, tenant) and the relay's fields.</summary>
internal sealed class OutboxRowFactory(IOptions<MessagingOptions> options, OutboxSequence sequence, TimeProvider time)
{
    private string? _source;

    public OutboxMessage Create<T>(T message, string tenant, string subject) where T : IMessage
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var names = PublishedNames.For(message.Descriptor);
        var now = time.GetUtcNow().UtcDateTime;
        var id = Guid.CreateVersion7();
        var activity = Activity.Current;
        var cloudEvent = new CloudEvent
        {
            Id = id.ToString(),
            Source = _source ??= "/" + options.Value.ServiceName,
            Type = names.Type,
            Subject = subject,
            Time = now,
            DataContentType = "application/json",
            DataSchema = names.DataSchema,
            TraceParent = activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null,
            TraceState = activity?.TraceStateString,
            Tenant = tenant,
            DataJson = ProtobufJson.Format(message),
        };
        return new OutboxMessage
        {
            Id = id,
            Sequence = sequence.Next(),
            Topic = names.Topic,
            Type = names.Type,
            Subject = subject,
            Tenant = tenant,
            Payload = cloudEvent.ToJson(dataIsWellFormed: true), // JsonFormatter's own output
            CreatedAt = now,
            DueAt = now,
        };
    }
}

/// <summary>An event message's CloudEvent type, topic and data schema, worked out once per message type.</summary>
internal sealed record PublishedNames(string Type, string Topic, string DataSchema)
{
    private static readonly ConcurrentDictionary<MessageDescriptor, PublishedNames> s_cache = new();

    public static PublishedNames For(MessageDescriptor descriptor) => s_cache.GetOrAdd(descriptor, static d =>
    {
        var name = EventName.For(d);
        return new PublishedNames(name.Type, name.Topic, "urn:proto:" + d.FullName);
    });
}

/// <summary>
/// The protobuf JSON of a message (JsonFormatter.Default's output), written through one StringWriter per thread
/// instead of a new one whose buffer grows several times per event.
/// </summary>
internal static class ProtobufJson
{
    private const int MaxKeptChars = 32 * 1024;
    [ThreadStatic] private static StringWriter? t_writer;

    public static string Format(IMessage message)
    {
        var writer = t_writer ??= new StringWriter(new StringBuilder(1024), CultureInfo.InvariantCulture);
        var text = writer.GetStringBuilder().Clear();
        JsonFormatter.Default.Format(message, writer);
        var json = text.ToString();
        if (text.Capacity > MaxKeptChars) t_writer = null; // an outsized event does not pin its buffer
        return json;
    }
}
