using Google.Protobuf;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Messaging.Dapr;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Subscriptions;
using Dapr.AspNetCore;

namespace Platform.Messaging;

/// <summary>Registration of Platform.Messaging.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Wires messaging for a service whose DbContext <typeparamref name="TDbContext"/> calls <c>AddOutbox()</c> and
    /// <c>AddInbox()</c> in <c>OnModelCreating</c>: the scoped <see cref="IEventPublisher"/>, the outbox relay publishing
    /// through Dapr.Client (<see cref="DaprTransport"/>, unless an <see cref="IEventTransport"/> was registered before), the
    /// inbox dispatcher behind <c>MapEventSubscriptions()</c> with Dapr.AspNetCore's <c>UseCloudEvents</c> and app-token
    /// authentication, <see cref="IDeadLetterService"/>, metrics and the readiness check "messaging". Settings come from
    /// the <c>Messaging</c> section, plus APP_API_TOKEN, DAPR_GRPC_ENDPOINT (or DAPR_GRPC_PORT) and DAPR_API_TOKEN.
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
                if (string.IsNullOrEmpty(o.Dapr.ApiToken)) o.Dapr.ApiToken = configuration["DAPR_API_TOKEN"];
                configure?.Invoke(o);
            });
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MessagingMetrics>();
        services.TryAddSingleton<OutboxSequence>();
        services.TryAddSingleton<OutboxRowFactory>();
        services.TryAddScoped<IEventPublisher, EventPublisher<TDbContext>>();
        // Events that go with no state change (access records) share a write with concurrent callers' (docs/decisions/0027).
        services.TryAddSingleton<OutboxGroupCommit<TDbContext>>();
        services.TryAddSingleton<IOutboxGroupCommit>(sp => sp.GetRequiredService<OutboxGroupCommit<TDbContext>>());
        services.TryAddSingleton<IOutboxRowWriter>(sp => sp.GetRequiredService<OutboxGroupCommit<TDbContext>>());
        // A use check's record goes with the records of the checks beside it in one event and one row (docs/decisions/0035).
        services.TryAddSingleton<Access.AccessRecordBatches>();
        services.TryAddScoped<Access.IAccessRecorder, Access.AccessRecorder>();
        // Outbox rows ride in the caller's own SaveChanges command on PostgreSQL (docs/decisions/0008).
        services.TryAddSingleton<OutboxBatchWriter>();
        services.AddSingleton<IDbContextOptionsConfiguration<TDbContext>, OutboxOptionsConfiguration<TDbContext>>();
        // Dapr.Client reads DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT and DAPR_API_TOKEN itself; our settings override them.
        services.AddDaprClient((sp, dapr) =>
        {
            var settings = sp.GetRequiredService<IOptions<MessagingOptions>>().Value.Dapr;
            if (!string.IsNullOrEmpty(settings.GrpcEndpoint)) dapr.UseGrpcEndpoint(settings.GrpcEndpoint);
            if (!string.IsNullOrEmpty(settings.ApiToken)) dapr.UseDaprApiToken(settings.ApiToken);
        });
        services.TryAddSingleton<IEventTransport, DaprTransport>();
        AddDaprAppToken(services);
        services.AddTransient<IStartupFilter, CloudEventsStartupFilter>();
        services.AddHostedService<OutboxRelay<TDbContext>>();
        services.TryAddSingleton<IEventDispatcher, EventDispatcher<TDbContext>>();
        services.TryAddScoped<IDeadLetterService, DeadLetterService<TDbContext>>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck<TDbContext>>("messaging", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Dapr.AspNetCore's app-token authentication: scheme "Dapr" checks <c>dapr-api-token</c> against the app API token
    /// (<see cref="MessagingOptions.AppApiToken"/>, else APP_API_TOKEN), and policy "Dapr" requires it on the event routes.
    /// </summary>
    private static void AddDaprAppToken(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DaprAppTokenMarker))) return; // the scheme may be added once only
        services.AddSingleton<DaprAppTokenMarker>();
        services.AddAuthentication().AddDapr();
        services.AddOptions<DaprAuthenticationOptions>(DaprScheme)
            .Configure<IOptions<MessagingOptions>>((dapr, messaging) => dapr.Token = messaging.Value.AppApiToken ?? "");
        services.AddAuthorization(o => o.AddDapr(EventSubscriptionEndpoints.DaprPolicy));
    }

    private sealed class DaprAppTokenMarker;

    // The scheme name AddDapr() registers (DaprAuthenticationOptions.DefaultScheme, internal to the SDK).
    private const string DaprScheme = "Dapr";

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

    /// <summary>
    /// <see cref="AddEventHandler{TEvent,THandler}"/> for every <c>IEventHandler&lt;TEvent&gt;</c> that
    /// <typeparamref name="THandler"/> implements: the handler's own interface list is the one list of what it handles.
    /// </summary>
    public static IServiceCollection AddEventHandlers<THandler>(this IServiceCollection services) where THandler : class
    {
        var events = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>))
            .Select(i => i.GetGenericArguments()[0]).ToList();
        if (events.Count == 0) throw new InvalidOperationException($"{typeof(THandler).Name} handles no event (it implements no IEventHandler<T>).");
        var add = typeof(MessagingServiceCollectionExtensions).GetMethod(nameof(AddEventHandler))!;
        foreach (var message in events)
        {
            try { add.MakeGenericMethod(message, typeof(THandler)).Invoke(null, [services]); }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            }
        }
        return services;
    }
}

/// <summary>Adds the <see cref="OutboxBatchWriter"/> to the options of every <typeparamref name="TDbContext"/> built from DI.</summary>
internal sealed class OutboxOptionsConfiguration<TDbContext>(OutboxBatchWriter writer) : IDbContextOptionsConfiguration<TDbContext>
    where TDbContext : DbContext
{
    public void Configure(IServiceProvider serviceProvider, DbContextOptionsBuilder optionsBuilder) => optionsBuilder.AddInterceptors(writer);
}
