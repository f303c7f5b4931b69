namespace Platform.Messaging.Outbox;

/// <summary>How one attempt to send an outbox row ended.</summary>
public enum SendStatus
{
    /// <summary>The event left the outbox: accepted by the sidecar (or, locally, handled, dropped or dead-lettered by every subscriber).</summary>
    Delivered,

    /// <summary>Nobody could be reached (sidecar or subscriber down); retry with backoff, without limit.</summary>
    Unreachable,

    /// <summary>A subscriber answered and asked for a retry; counts towards dead-lettering (only a transport that delivers itself says this).</summary>
    Refused,
}

/// <summary>The outcome of one send attempt.</summary>
public readonly record struct SendResult(SendStatus Status, string? Error = null)
{
    public static SendResult Ok { get; } = new(SendStatus.Delivered);
}

/// <summary>
/// Carries outbox rows away: in production the Dapr sidecar (<see cref="Dapr.DaprTransport"/>); the local runner and tests
/// register their own in its place before <c>AddPlatformMessaging</c>.
/// </summary>
public interface IEventTransport
{
    Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// A transport that can carry several outbox rows in one request (bulk publish to the sidecar; bulk deliveries on the
/// local runner's path). The relay then sends a batch as chunks of at most <see cref="MaxBatchSizeAsync"/> rows.
/// </summary>
public interface IBatchEventTransport
{
    /// <summary>Most rows per <see cref="SendBatchAsync"/> now; below 2 the relay sends one row per call.</summary>
    ValueTask<int> MaxBatchSizeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when the receiver handles a chunk's rows in order, so a chunk may carry several rows of one subject (all of one
    /// topic); false (bulk publish keeps no order) allows at most one row per subject per chunk.
    /// </summary>
    bool OrderedWithinBatch { get; }

    /// <summary>Sends the rows; returns one result per row, in the same order.</summary>
    Task<SendResult[]> SendBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken);
}
