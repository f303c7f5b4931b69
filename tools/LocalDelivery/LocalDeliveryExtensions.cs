using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Messaging.Outbox;

namespace Platform.Tools.LocalDelivery;

/// <summary>Local event delivery settings (<c>Messaging:Local</c>).</summary>
public sealed class LocalDeliveryOptions
{
    /// <summary>Base URLs of the subscriber apps (<c>http://127.0.0.1:5011</c>); routes come from their <c>GET /dapr/subscribe</c>.</summary>
    public List<string> Subscribers { get; set; } = [];

    /// <summary>
    /// A subscriber that replies RETRY (or fails with a status other than 404) this many times gets the event on its
    /// dead-letter route instead. A subscriber that cannot be reached is not counted: it is down, not poisoned.
    /// </summary>
    public int MaxDeliveryAttempts { get; set; } = 10;

    /// <summary>How long a subscriber's route list is cached.</summary>
    public TimeSpan DiscoveryRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Deliver in Dapr's bulk shape to subscriptions that advertise <c>bulkSubscribe</c> (at most their
    /// <c>maxMessagesCount</c> per request). False sends one event per request to everyone.
    /// </summary>
    public bool Bulk { get; set; } = true;
}

public static class LocalDeliveryExtensions
{
    /// <summary>
    /// Makes the outbox relay deliver straight to the subscribers in <c>Messaging:Local:Subscribers</c> instead of
    /// publishing to a Dapr sidecar. For the local runner and tests only; call it before or after <c>AddPlatformMessaging</c>.
    /// </summary>
    public static IServiceCollection AddLocalEventDelivery(this IServiceCollection services)
    {
        services.AddOptions<LocalDeliveryOptions>().BindConfiguration("Messaging:Local");
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<IEventTransport>();
        services.AddSingleton<IEventTransport, LocalTransport>();
        return services;
    }
}
