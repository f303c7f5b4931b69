using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging.Inbox;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Messaging;

public static class EventsExtensions
{
    /// <summary>
    /// Platform.Messaging for a service whose context calls <c>AddOutbox()</c>/<c>AddInbox()</c> (so its generated
    /// migrations create the tables); every delivery runs for the event's own tenant.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformEvents<TContext>(this IHostApplicationBuilder builder, string serviceName)
        where TContext : DbContext
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

/// <summary>
/// An operator's view of a service's dead letters over HTTP: list the caller's trust's dead letters, and replay one.
/// Only the <c>platform-operator</c> role; a replay is published as <c>dead_letter_replayed</c>, which the audit
/// service records.
/// </summary>
public static class DeadLetterOperations
{
    public const string OperatorRole = "platform-operator";

    public static Microsoft.AspNetCore.Routing.RouteGroupBuilder MapDeadLetterOperations(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app)
    {
        // Both must pass: a user acting for a trust, in the operator role.
        var group = app.MapGroup("/operations/dead-letters")
            .RequireAuthorization(AuthenticationExtensions.TenantUserPolicy)
            .RequireAuthorization(p => p.RequireRole(OperatorRole));

        group.MapGet("/", async (ITenantContext tenant, IDeadLetterService letters, bool? includeReplayed, CancellationToken ct) =>
        {
            var rows = await letters.ListAsync(new DeadLetterQuery(tenant.TenantId, includeReplayed ?? false), ct);
            // The payload stays in the store: the operator needs what and why, not the event's data.
            return Microsoft.AspNetCore.Http.Results.Ok(rows.Select(d => new
            {
                id = d.Id, eventId = d.EventId, source = d.Source, type = d.Type, topic = d.Topic, subject = d.Subject,
                reason = d.Reason, receivedAt = d.ReceivedAt, replayedAt = d.ReplayedAt, replayedBy = d.ReplayedBy,
                replayAttempts = d.ReplayAttempts, lastReplayError = d.LastReplayError,
            }));
        });

        group.MapPost("/{id:guid}/replay", async (Guid id, ITenantContext tenant, CurrentActor actor, IDeadLetterService letters, CancellationToken ct) =>
        {
            // Another trust's dead letter is, to this caller, one that does not exist.
            var mine = await letters.ListAsync(new DeadLetterQuery(tenant.TenantId, IncludeReplayed: true, Take: 1, Id: id), ct);
            if (mine.Count == 0) return Microsoft.AspNetCore.Http.Results.Problem(statusCode: 404, title: "No such dead letter in your trust.");
            var result = await letters.ReplayAsync(id, actor.Get().Subject, ct);
            return result.Outcome switch
            {
                ReplayOutcome.AlreadyReplayed => Microsoft.AspNetCore.Http.Results.Problem(statusCode: 409, title: "This dead letter was already replayed."),
                ReplayOutcome.NotFound => Microsoft.AspNetCore.Http.Results.Problem(statusCode: 404, title: "No such dead letter in your trust."),
                _ => Microsoft.AspNetCore.Http.Results.Ok(new { outcome = result.Outcome.ToString(), error = result.Error }),
            };
        });
        return group;
    }
}
