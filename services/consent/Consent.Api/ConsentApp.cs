using Platform.Messaging;
using Platform.Grpc;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Grpc;
using Platform.Messaging.Subscriptions;
using Platform.ServiceDefaults;
using Platform.Persistence;

namespace Platform.Consent.Api;

/// <summary>The consent service's composition; Program and the local runner both build the app through it.</summary>
public static class ConsentApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddConsentServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapEventSubscriptions();
        app.MapDeadLetterOperations();
        app.MapGrpcService<ConsentGrpcService>();
        return app;
    }
}
