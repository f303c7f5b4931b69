using System.Diagnostics;
using Platform.Messaging.CloudEvents;

namespace Platform.Messaging.Inbox;

/// <summary>
/// The consumer span of an event's handling, on the ActivitySource <c>Platform.Messaging</c>, parented by the
/// CloudEvent's <c>traceparent</c> (the span of the command that wrote it to the outbox), so that one trace runs from
/// the call that changed something to every subscriber's handling of the event.
/// </summary>
internal static class EventProcessingActivity
{
    /// <summary>The ActivitySource to subscribe to (OpenTelemetry <c>AddSource</c>; ServiceDefaults adds <c>Platform.*</c>).</summary>
    public const string SourceName = "Platform.Messaging";

    // An ActivitySource is a process-wide name that listeners subscribe to, as the .NET tracing guidance has it; it holds
    // no app state, so apps hosted side by side in one process (the local runner) share it safely.
    private static readonly ActivitySource s_source = new(SourceName);

    /// <summary>Starts the span, or returns null when nothing listens (no exporter): then the handling costs no span.</summary>
    public static Activity? Start(CloudEvent ce, string topic)
    {
        if (!s_source.HasListeners()) return null;
        // Without a well-formed traceparent the span continues whatever is current (the delivery's request), as any span does.
        ActivityContext.TryParse(ce.TraceParent, ce.TraceState, isRemote: true, out var parent);
        var activity = s_source.StartActivity($"process {topic}", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "dapr");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.message.id", ce.Id);
            activity.SetTag("cloudevents.event_type", ce.Type);
            activity.SetTag("cloudevents.event_source", ce.Source);
        }
        return activity;
    }

    /// <summary>Marks the span as failed with the delivery's answer (RETRY or DROP) and why.</summary>
    public static void Failed(this Activity? activity, DeliveryStatus status, string? reason)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, reason);
        activity.SetTag("platform.messaging.delivery_status", status.ToString().ToUpperInvariant());
    }
}
