using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.CloudEvents;

namespace Platform.Messaging.Inbox;

/// <summary>
/// The CloudEvent context of a delivered event. <see cref="Tenant"/> is the event's <c>tenant</c> attribute: the only
/// place a handler may take the tenant from.
/// </summary>
public sealed record EventEnvelope(string Id, string Source, string Type, string? Subject, string Tenant, DateTimeOffset? Time, string? TraceParent);

/// <summary>
/// Handles one event type. Runs in a scope whose DbContext also holds the inbox row, inside one transaction: write
/// through the scoped DbContext (calling SaveChanges is optional) and the writes commit with the inbox row or not at all.
/// Throw <see cref="EventRejectedException"/> for an event that can never be handled (it is dead-lettered and DROPped);
/// any other exception is treated as transient (RETRY).
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IMessage
{
    Task HandleAsync(TEvent message, EventEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>Thrown by a handler for an event it can never accept: the event is dead-lettered and answered DROP.</summary>
public sealed class EventRejectedException(string reason) : Exception(reason);

/// <summary>A registered handler: which event type and topic it serves and how to call it.</summary>
public sealed class EventHandlerRegistration
{
    internal EventHandlerRegistration(EventName name, Google.Protobuf.Reflection.MessageDescriptor descriptor,
        Func<IServiceProvider, IMessage, EventEnvelope, CancellationToken, Task> invoke)
    {
        Name = name;
        Descriptor = descriptor;
        Invoke = invoke;
    }

    public EventName Name { get; }
    internal Google.Protobuf.Reflection.MessageDescriptor Descriptor { get; }
    internal Func<IServiceProvider, IMessage, EventEnvelope, CancellationToken, Task> Invoke { get; }

    internal static EventHandlerRegistration For<TEvent>() where TEvent : IMessage<TEvent>, new()
    {
        var descriptor = new TEvent().Descriptor;
        return new EventHandlerRegistration(EventName.For(descriptor), descriptor,
            (sp, message, envelope, ct) => sp.GetRequiredService<IEventHandler<TEvent>>().HandleAsync((TEvent)message, envelope, ct));
    }
}
