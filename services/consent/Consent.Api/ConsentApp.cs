using Platform.Grpc.Server;
using Platform.Consent.Api.Grpc;
using Platform.ServiceDefaults;

namespace Platform.Consent.Api;

/// <summary>The consent service's composition; Program and the local runner both build the app through it.</summary>
public static class ConsentApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddConsentServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGrpcService<ConsentGrpcService>();
        return app;
    }
}
