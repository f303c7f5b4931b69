using Platform.Contracts.Identity.V1;
using Platform.KnownTrusts;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Consent.Api.Events;
using Platform.Messaging;
using Platform.Persistence;
using Platform.ServiceDefaults.Auth;

namespace Platform.Consent.Api;

public static class ConsentServiceCollectionExtensions
{
    /// <summary>Everything the consent service adds to the defaults: its database and application services.</summary>
    public static IHostApplicationBuilder AddConsentServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDatabase<ConsentDbContext, ConsentSqliteDbContext, ConsentPostgresDbContext>("consent");
        builder.AddPlatformEvents<ConsentDbContext>("consent");
        // Only tokens of a trust the directory onboarded (and has not suspended), learned from its events.
        builder.AddKnownTrusts<ConsentDbContext>(trusts => trusts
            .From<TrustOnboarded>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: true))
            .From<TrustChanged>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: e.Status != TrustStatus.Suspended)));
        builder.Services.AddSingleton(TimeProvider.System);
        // Its IAccessRecorder comes from AddPlatformEvents (Platform.Messaging), resolved per scope like everything here.
        builder.Services.AddScoped<AccessLog>();
        builder.Services.AddScoped<PatientRegistry>();
        builder.Services.AddSingleton<ConsentRecordsCache>();
        builder.Services.AddScoped<PatientRecordsStore>();
        builder.Services.AddScoped<ConsentRecordsService>();
        builder.Services.AddScoped<TechnologyUseService>();
        builder.Services.AddScoped<UseChecker>();
        builder.Services.AddScoped<TechnologyApprovalService>();
        builder.Services.AddScoped<TrustPolicyService>();
        builder.Services.AddScoped<WardDirectory>();
        builder.Services.AddScoped<WardQueries>();
        builder.Services.AddScoped<UseCounts>();
        builder.Services.AddScoped<BlanketUseReads>();
        builder.Services.AddScoped<ConsentRequiredCounting>();
        // The region's counts' policy: a region token (no trust), in place of the fallback's one known trust.
        builder.Services.AddAuthorizationBuilder().AddRegionCallerPolicy("the region's consent methods");
        builder.Services.AddScoped<ConsentEvents>();
        builder.Services.AddSingleton<ConsentTrustDirectory>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyApproved, ProcurementEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyApprovalWithdrawn, ProcurementEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyRegistered, ProcurementEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Identity.V1.WardRegistered, IdentityEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Identity.V1.WardChanged, IdentityEventHandlers>();
        builder.Services.Configure<ConsentScheduleOptions>(builder.Configuration.GetSection(ConsentScheduleOptions.Section));
        builder.Services.AddSingleton<ConsentScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsentScheduler>());
        builder.Services.Configure<ConsentSignalSweepOptions>(builder.Configuration.GetSection(ConsentSignalSweepOptions.Section));
        builder.Services.AddSingleton<ConsentSignalSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsentSignalSweep>());
        // The region's counts, published once a day (ADR 0047).
        builder.Services.Configure<UseCountPublicationOptions>(builder.Configuration.GetSection(UseCountPublicationOptions.Section));
        builder.Services.AddSingleton<UseCountPublisher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UseCountPublisher>());
        builder.Services.AddScoped<PublishedUseCounts>();
        return builder;
    }
}
