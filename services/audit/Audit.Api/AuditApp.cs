using Platform.Contracts.Identity.V1;
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
        // Only tokens of a trust the directory onboarded (and has not suspended), learned from its events.
        builder.AddKnownTrusts<AuditDbContext>(trusts => trusts
            .From<TrustOnboarded>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: true))
            .From<TrustChanged>(e => new KnownTrustChange(e.OdsCode, e.Name, Active: e.Status != TrustStatus.Suspended)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AuditLog>();
        // The delivery's entries are appended together once its handlers have run (AuditLog.AppendWithDelivery).
        builder.Services.AddScoped<Messaging.Inbox.IDeliveryParticipant>(sp => sp.GetRequiredService<AuditLog>());
        builder.Services.AddSingleton<Tree.TreeFrontiers>();
        builder.Services.AddSingleton<AuditKeys>();
        builder.Services.AddSingleton<AuditMetrics>();
        builder.Services.AddSingleton<Checkpointer>();
        builder.Services.AddHostedService<CheckpointerService>();
        builder.Services.AddHttpClient(Checkpointer.WitnessClient);
        builder.Services.AddEventHandler<Contracts.Consent.V1.PatientRegistered, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseAuthorised, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ConsentRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.GillickAssessed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ProxyAuthorityRegistered, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseSuspended, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseResumed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseEnded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ConsentWithdrawn, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.CapacityAssessed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseConsentRequired, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.BestInterestsDecisionRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ReviewOverdue, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.BlanketUseSignalRaised, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyApproved, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyApprovalWithdrawn, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.TechnologyRegistered, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseProposed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseReviewed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.PatientTransferred, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseReevaluated, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.SafetyAlert, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ProxyAuthorityEnded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ProxyAuthoritySuspended, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ProxyAuthoritySuspensionLifted, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.BestInterestsDecisionEnded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.AdvanceDecisionRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.AdvanceDecisionInvalidated, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.RefusalQuestionAnswered, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.TrustPolicyChanged, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.TechnologyApprovalOverridden, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ObjectionRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ObjectionRedecided, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.DeprivationOfLibertyScreened, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.CourtOrderRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ZoneOfParentalControlRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.MentalHealthActStatusRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.Section63Recorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.Section63Ended, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.ApprovalRouteChosen, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.UseCorrected, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.HumanRightsBalancingRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.PatientAgeRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.DeadlineWarning, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.AgeThresholdCrossed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Consent.V1.RefusalQuestionDue, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.CaseOpened, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.GateRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.GateExpired, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.SupplierEvidenceShared, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Procurement.V1.SupplierEvidenceReused, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Evidence.V1.EvidenceItemRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Evidence.V1.AppraisalCompleted, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Evidence.V1.MeasurementRecorded, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Contracts.Evidence.V1.OutcomeFlagRaised, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Messaging.Contracts.V1.DeadLetterReplayed, DecisionEventHandlers>();
        builder.Services.AddEventHandler<Messaging.Contracts.Access.V1.AccessRecorded, DecisionEventHandlers>();
        return builder;
    }
}
