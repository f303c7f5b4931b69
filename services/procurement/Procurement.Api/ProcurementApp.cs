using Platform.ServiceDefaults.Auth;
using Platform.Contracts.Identity.V1;
using Platform.KnownTrusts;
using Platform.Messaging;
using Platform.Grpc;
using Platform.Procurement.Api.Application;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Api.Events;
using Platform.Procurement.Api.Grpc;
using Platform.Messaging.Subscriptions;
using Platform.ServiceDefaults;
using Platform.Persistence;

namespace Platform.Procurement.Api;

/// <summary>The procurement service's composition; Program and the local runner both build the app through it.</summary>
public static class ProcurementApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddProcurementServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapEventSubscriptions();
        app.MapDeadLetterOperations();
        app.MapGrpcService<ProcurementGrpcService>();
        return app;
    }

    /// <summary>Everything procurement adds to the defaults: its database and application services.</summary>
    public static IHostApplicationBuilder AddProcurementServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDatabase<ProcurementDbContext, ProcurementSqliteDbContext, ProcurementPostgresDbContext>("procurement");
        builder.AddPlatformEvents<ProcurementDbContext>("procurement");
        // Only tokens of a trust the directory onboarded (and has not suspended), learned from its events.
        builder.AddKnownTrusts<ProcurementDbContext>(trusts => trusts
            .From<TrustOnboarded>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: true))
            .From<TrustChanged>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: e.Status != TrustStatus.Suspended)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<TechnologyRegister>();
        builder.Services.AddScoped<CaseStore>();
        builder.Services.AddScoped<ProcurementEvents>();
        builder.Services.AddScoped<ProcurementCases>();
        builder.Services.AddScoped<RegionalEvidence>();
        builder.Services.AddScoped<SettingDirectory>();
        builder.Services.AddScoped<RegionalApprovals>();
        builder.Services.AddScoped<OpenGatesForCases>();
        // The region's approval counts take a region token (no trust), in place of the fallback's one known trust (ADR 0039).
        builder.Services.AddAuthorizationBuilder().AddRegionCallerPolicy("the region's procurement methods");
        builder.Services.AddEventHandler<Contracts.Evidence.V1.AppraisalCompleted, EvidenceEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Evidence.V1.OutcomeFlagRaised, EvidenceEventHandlers>();
        builder.Services.AddEventHandler<WardRegistered, IdentityEventHandlers>();
        builder.Services.AddEventHandler<WardChanged, IdentityEventHandlers>();
        builder.Services.Configure<ExpirySweepOptions>(builder.Configuration.GetSection(ExpirySweepOptions.Section));
        builder.Services.AddSingleton<ExpirySweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpirySweep>());
        return builder;
    }
}
