using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>
/// The meter <c>Platform.Messaging</c>: outbox backlog gauge and counters for sends, failures, drops, duplicates and
/// dead letters. One instance per app (created through <see cref="IMeterFactory"/>, no static state).
/// </summary>
public sealed class MessagingMetrics
{
    /// <summary>The meter name to subscribe to (OpenTelemetry <c>AddMeter</c>).</summary>
    public const string MeterName = "Platform.Messaging";

    private readonly KeyValuePair<string, object?> _service;
    private readonly Counter<long> _published;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _sendFailures;
    private readonly Counter<long> _handled;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _deadLettered;
    private long _backlog;
    private double _oldestPendingSeconds;

    public MessagingMetrics(IMeterFactory meterFactory, IOptions<MessagingOptions> options)
    {
        var meter = meterFactory.Create(MeterName);
        _service = new("service", options.Value.ServiceName);
        _published = meter.CreateCounter<long>("platform.messaging.outbox.published", "{event}", "Events appended to the outbox.");
        _sent = meter.CreateCounter<long>("platform.messaging.outbox.sent", "{event}", "Events the relay delivered.");
        _sendFailures = meter.CreateCounter<long>("platform.messaging.outbox.send_failures", "{event}", "Failed send attempts (retried with backoff).");
        _handled = meter.CreateCounter<long>("platform.messaging.inbox.handled", "{event}", "Events handled by a subscriber.");
        _duplicates = meter.CreateCounter<long>("platform.messaging.inbox.duplicates", "{event}", "Redeliveries answered as no-op SUCCESS.");
        _retried = meter.CreateCounter<long>("platform.messaging.inbox.retry", "{event}", "Deliveries answered RETRY (transient fault).");
        _dropped = meter.CreateCounter<long>("platform.messaging.inbox.dropped", "{event}", "Deliveries answered DROP (malformed, unknown or rejected).");
        _deadLettered = meter.CreateCounter<long>("platform.messaging.dead_letters", "{event}", "Events stored as dead letters.");
        meter.CreateObservableGauge("platform.messaging.outbox.backlog", () => new Measurement<long>(Interlocked.Read(ref _backlog), _service),
            "{event}", "Outbox rows not yet sent.");
        meter.CreateObservableGauge("platform.messaging.outbox.oldest_pending_age", () => new Measurement<double>(Volatile.Read(ref _oldestPendingSeconds), _service),
            "s", "Age of the oldest outbox row not yet sent.");
    }

    /// <summary>The backlog the relay last counted.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    internal void SetBacklog(long count, double oldestSeconds)
    {
        Interlocked.Exchange(ref _backlog, count);
        Volatile.Write(ref _oldestPendingSeconds, oldestSeconds);
    }

    internal void Published(string topic) => _published.Add(1, _service, new("topic", topic));
    internal void Sent(int count) => _sent.Add(count, _service);
    internal void SendFailed(string topic) => _sendFailures.Add(1, _service, new("topic", topic));
    internal void Handled(string type) => _handled.Add(1, _service, new("type", type));
    internal void Duplicate(string type) => _duplicates.Add(1, _service, new("type", type));
    internal void Retried(string type) => _retried.Add(1, _service, new("type", type));
    internal void Dropped(string reason) => _dropped.Add(1, _service, new("reason", reason));
    internal void DeadLettered(string reason) => _deadLettered.Add(1, _service, new("reason", reason));
}
