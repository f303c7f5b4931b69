using System.Diagnostics;
using Google.Protobuf;
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

internal sealed class EventPublisher<TDbContext>(TDbContext db, IOptions<MessagingOptions> options, OutboxSequence sequence,
    TimeProvider time, MessagingMetrics metrics, OutboxBatchWriter writer) : IEventPublisher where TDbContext : DbContext
{
    public Guid Publish<T>(T message, string tenant, string subject) where T : IMessage
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var name = EventName.For(message.Descriptor);
        var now = time.GetUtcNow().UtcDateTime;
        var id = Guid.CreateVersion7();
        var activity = Activity.Current;
        var cloudEvent = new CloudEvent
        {
            Id = id.ToString(),
            Source = "/" + options.Value.ServiceName,
            Type = name.Type,
            Subject = subject,
            Time = now,
            DataContentType = "application/json",
            DataSchema = "urn:proto:" + message.Descriptor.FullName,
            TraceParent = activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null,
            TraceState = activity?.TraceStateString,
            Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        };
        var row = new OutboxMessage
        {
            Id = id,
            Sequence = sequence.Next(),
            Topic = name.Topic,
            Type = name.Type,
            Subject = subject,
            Tenant = tenant,
            Payload = cloudEvent.ToJson(dataIsWellFormed: true), // JsonFormatter's own output
            CreatedAt = now,
            DueAt = now,
        };
        if (!writer.TryEnqueue(db, row)) db.Set<OutboxMessage>().Add(row);
        metrics.Published(name.Topic);
        return id;
    }
}
