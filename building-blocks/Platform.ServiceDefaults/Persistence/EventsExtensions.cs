using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Messaging;
using Platform.Messaging.Inbox;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.ServiceDefaults.Persistence;

public static class EventsExtensions
{
    /// <summary>
    /// Platform.Messaging for a service whose context calls <c>AddOutbox()</c>/<c>AddInbox()</c> and whose migrations
    /// call <c>CreateMessagingTables()</c>; every delivery runs for the event's own tenant.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformEvents<TContext>(this IHostApplicationBuilder builder, string serviceName)
        where TContext : PlatformDbContext
    {
        builder.AddPlatformMessaging<TContext>(serviceName);
        builder.Services.AddSingleton<IEventScope, TenantEventScope>();
        return builder;
    }

    // The tenant of an event comes from the event, written by a service that took it from a token; never from
    // anything else on the delivery.
    private sealed class TenantEventScope : IEventScope
    {
        public void Enter(IServiceProvider scope, EventEnvelope envelope) =>
            scope.GetRequiredService<TenantContext>().Use(envelope.Tenant);
    }
}
