using Platform.KnownTrusts;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Checkpoints;
using Platform.Audit.Api.Data;
using Platform.Audit.Api.Events;
using Platform.Audit.Api.Grpc;
using Platform.Audit.Api.Witnessing;
using Platform.Grpc;
using Platform.Messaging;
using Platform.Messaging.Subscriptions;
using Platform.Persistence;
using Platform.ServiceDefaults;
using Platform.ServiceDefaults.Auth;

namespace Platform.Audit.Api;

/// <summary>The audit service's composition; Program and the local runner both build the app through it.</summary>
public static class AuditApp
{
    /// <summary>
    /// A new Ed25519 log signing key (the secret string <c>Audit:LogKeys:&lt;ODS&gt;</c> takes) for a trust's log under
    /// <paramref name="deployment"/>: for a development run only; a deployment's keys come from its secret store.
    /// </summary>
    public static string NewDevelopmentLogKey(string deployment, string odsCode) =>
        Domain.Notes.NoteSigningKey.Generate(Domain.Checkpoints.LogOrigin.For(deployment, odsCode), Domain.Notes.NoteSignatureType.Ed25519).ToSecretString();

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddAuditServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapEventSubscriptions();
        app.MapDeadLetterOperations();
        app.MapWitness();
        app.MapGrpcService<AuditGrpcService>();
        return app;
    }

    /// <summary>Everything audit adds to the defaults: its database, the log and its tree, the checkpointer, the handlers.</summary>
    public static IHostApplicationBuilder AddAuditServices(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDatabase<AuditDbContext, AuditSqliteDbContext, AuditPostgresDbContext>("audit");
        builder.AddPlatformEvents<AuditDbContext>("audit");
        builder.Services.AddOptions<AuditOptions>().Bind(builder.Configuration.GetSection(AuditOptions.Section));
        // Only tokens of a trust the directory onboarded (and has not suspended), learned from its events: here
        // DecisionEventHandlers handles TrustOnboarded and TrustChanged (it also enters them in the trust's log, and an
        // event type has one handler), so no handler is added here.
        builder.AddKnownTrusts<AuditDbContext>(_ => { });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<RegionalCheckpoints>();
        // The region's checkpoints take a region token (no trust), in place of the fallback's one known trust (ADR 0042).
        builder.Services.AddAuthorizationBuilder().AddRegionCallerPolicy("the region's audit methods");
        // The delivery's entries are appended together once its handlers have run (AuditLog.AppendWithDelivery).
        builder.Services.AddScoped<Messaging.Inbox.IDeliveryParticipant>(sp => sp.GetRequiredService<AuditLog>());
        builder.Services.AddSingleton<Tree.TreeFrontiers>();
        builder.Services.AddSingleton<AuditKeys>();
        builder.Services.AddSingleton<AuditMetrics>();
        builder.Services.AddSingleton<Checkpointer>();
        builder.Services.AddHostedService<CheckpointerService>();
        builder.Services.AddHttpClient(Checkpointer.WitnessClient);
        // Every decision event of every service, and access records: the handler's interfaces say which (EveryDecisionEventTests).
        builder.Services.AddEventHandlers<DecisionEventHandlers>();
        return builder;
    }
}
