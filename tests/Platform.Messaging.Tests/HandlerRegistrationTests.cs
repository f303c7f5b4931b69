using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Inbox;
using Platform.Messaging.Tests.Ledger.V1;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>AddEventHandlers subscribes a handler to exactly the events its IEventHandler interfaces name.</summary>
public sealed class HandlerRegistrationTests
{
    private sealed class TwoEvents : IEventHandler<AmountCredited>, IEventHandler<NoteAdded>
    {
        public Task HandleAsync(AmountCredited message, EventEnvelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task HandleAsync(NoteAdded message, EventEnvelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NoEvents;

    [Fact]
    public void Each_event_the_handler_implements_is_subscribed_once_and_resolves_to_it()
    {
        var services = new ServiceCollection().AddEventHandlers<TwoEvents>();

        var names = services.BuildServiceProvider().GetServices<EventHandlerRegistration>().Select(r => r.Name.Type).Order().ToArray();
        Assert.Equal([CloudEvents.EventName.For<AmountCredited>().Type, CloudEvents.EventName.For<NoteAdded>().Type], names);
        using var scope = services.BuildServiceProvider().CreateScope();
        Assert.IsType<TwoEvents>(scope.ServiceProvider.GetRequiredService<IEventHandler<NoteAdded>>());
    }

    [Fact]
    public void A_second_handler_for_an_event_and_a_handler_of_nothing_are_refused()
    {
        var services = new ServiceCollection().AddEventHandlers<TwoEvents>();
        Assert.Contains("already registered", Assert.Throws<InvalidOperationException>(() => services.AddEventHandlers<TwoEvents>()).Message);
        Assert.Contains("handles no event", Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddEventHandlers<NoEvents>()).Message);
    }
}
