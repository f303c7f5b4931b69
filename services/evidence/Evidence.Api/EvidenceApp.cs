using Platform.ServiceDefaults.Auth;
using Platform.Contracts.Identity.V1;
using Platform.KnownTrusts;
using Platform.Messaging;
using Platform.Grpc;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Api.Events;
using Platform.Evidence.Api.Grpc;
using Platform.Messaging.Subscriptions;
using Platform.ServiceDefaults;
using Platform.Persistence;

namespace Platform.Evidence.Api;

/// <summary>The evidence service's composition; Program and the local runner both build the app through it.</summary>
public static class EvidenceApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddEvidenceServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapEventSubscriptions();
        app.MapDeadLetterOperations();
        app.MapGrpcService<EvidenceGrpcService>();
        return app;
    }

    /// <summary>Everything evidence adds to the defaults: its database and application services.</summary>
    public static IHostApplicationBuilder AddEvidenceServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDatabase<EvidenceDbContext, EvidenceSqliteDbContext, EvidencePostgresDbContext>("evidence");
        builder.AddPlatformEvents<EvidenceDbContext>("evidence");
        // Only tokens of a trust the directory onboarded (and has not suspended), learned from its events.
        builder.AddKnownTrusts<EvidenceDbContext>(trusts => trusts
            .From<TrustOnboarded>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: true))
            .From<TrustChanged>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: e.Status != TrustStatus.Suspended)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<EvidenceLibrary>();
        builder.Services.AddScoped<Appraisals>();
        builder.Services.AddScoped<Measurements>();
        builder.Services.AddScoped<OutcomeReports>();
        builder.Services.AddScoped<RegionalOutcomeReports>();
        builder.Services.AddScoped<RegionalAppraisals>();
        // The regional report's policy: a region token (no trust), in place of the fallback's one known trust.
        builder.Services.AddAuthorizationBuilder().AddRegionCallerPolicy("the region's evidence methods");
        builder.Services.AddScoped<OutcomeFlags>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyRegistered, ProcurementEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseAuthorised, ConsentEventHandlers>();
        builder.Services.Configure<OutcomeFlagSweepOptions>(builder.Configuration.GetSection(OutcomeFlagSweepOptions.Section));
        builder.Services.AddSingleton<OutcomeFlagSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutcomeFlagSweep>());
        return builder;
    }
}
