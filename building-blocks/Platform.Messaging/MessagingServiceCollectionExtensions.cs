using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Messaging.Dapr;
using Platform.Messaging.Inbox;
using Platform.Messaging.Local;
using Platform.Messaging.Outbox;

namespace Platform.Messaging;

/// <summary>Registration of Platform.Messaging.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Wires messaging for a service whose DbContext <typeparamref name="TDbContext"/> calls <c>AddOutbox()</c> and
    /// <c>AddInbox()</c> in <c>OnModelCreating</c>: the scoped <see cref="IEventPublisher"/>, the outbox relay, the
    /// transport chosen by <c>Messaging:Transport</c> (Local by default, or Dapr), the inbox dispatcher behind
    /// <c>MapEventSubscriptions()</c>, <see cref="IDeadLetterService"/>, metrics and the readiness check "messaging".
    /// Settings come from the <c>Messaging</c> section, plus APP_API_TOKEN, DAPR_HTTP_PORT and DAPR_API_TOKEN.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformMessaging<TDbContext>(this IHostApplicationBuilder builder, string serviceName,
        Action<MessagingOptions>? configure = null) where TDbContext : DbContext
    {
        builder.Services.AddPlatformMessaging<TDbContext>(builder.Configuration, serviceName, configure);
        return builder;
    }

    /// <inheritdoc cref="AddPlatformMessaging{TDbContext}(IHostApplicationBuilder, string, Action{MessagingOptions}?)"/>
    public static IServiceCollection AddPlatformMessaging<TDbContext>(this IServiceCollection services, IConfiguration configuration,
        string serviceName, Action<MessagingOptions>? configure = null) where TDbContext : DbContext
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection("Messaging"))
            .Configure(o =>
            {
                o.ServiceName = serviceName;
                if (string.IsNullOrEmpty(o.AppApiToken)) o.AppApiToken = configuration["APP_API_TOKEN"];
                if (o.Dapr.HttpPort is null && int.TryParse(configuration["DAPR_HTTP_PORT"], out var port)) o.Dapr.HttpPort = port;
                if (string.IsNullOrEmpty(o.Dapr.ApiToken)) o.Dapr.ApiToken = configuration["DAPR_API_TOKEN"];
                configure?.Invoke(o);
            });
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MessagingMetrics>();
        services.TryAddSingleton<OutboxSequence>();
        services.TryAddScoped<IEventPublisher, EventPublisher<TDbContext>>();
        // Outbox rows ride in the caller's own SaveChanges command on PostgreSQL (docs/decisions/0008).
        services.TryAddSingleton<OutboxBatchWriter>();
        services.AddSingleton<IDbContextOptionsConfiguration<TDbContext>, OutboxOptionsConfiguration<TDbContext>>();
        services.TryAddSingleton<LocalTransport>();
        services.TryAddSingleton<DaprTransport>();
        services.TryAddSingleton<IEventTransport>(sp => sp.GetRequiredService<IOptions<MessagingOptions>>().Value.Transport switch
        {
            MessagingTransport.Dapr => sp.GetRequiredService<DaprTransport>(),
            _ => sp.GetRequiredService<LocalTransport>(),
        });
        services.AddHostedService<OutboxRelay<TDbContext>>();
        services.TryAddSingleton<IEventDispatcher, EventDispatcher<TDbContext>>();
        services.TryAddScoped<IDeadLetterService, DeadLetterService<TDbContext>>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck<TDbContext>>("messaging", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Subscribes this service to <typeparamref name="TEvent"/> (topic derived from its proto name) and handles it with
    /// <typeparamref name="THandler"/>, resolved per delivery from a scope that shares the inbox's DbContext.
    /// </summary>
    public static IServiceCollection AddEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IEventHandler<TEvent>
    {
        var registration = EventHandlerRegistration.For<TEvent>();
        if (services.Any(d => d.ServiceType == typeof(EventHandlerRegistration) && d.ImplementationInstance is EventHandlerRegistration r && r.Name == registration.Name))
        {
            throw new InvalidOperationException($"A handler for {registration.Name.Type} is already registered; one handler per event type.");
        }
        services.AddScoped<IEventHandler<TEvent>, THandler>();
        services.AddSingleton(registration);
        return services;
    }
}

/// <summary>Adds the <see cref="OutboxBatchWriter"/> to the options of every <typeparamref name="TDbContext"/> built from DI.</summary>
internal sealed class OutboxOptionsConfiguration<TDbContext>(OutboxBatchWriter writer) : IDbContextOptionsConfiguration<TDbContext>
    where TDbContext : DbContext
{
    public void Configure(IServiceProvider serviceProvider, DbContextOptionsBuilder optionsBuilder) => optionsBuilder.AddInterceptors(writer);
}
