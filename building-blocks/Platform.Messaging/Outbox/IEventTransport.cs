namespace Platform.Messaging.Outbox;

/// <summary>How one attempt to send an outbox row ended.</summary>
public enum SendStatus
{
    /// <summary>The event left the outbox: accepted by the sidecar, or handled, dropped or dead-lettered by every subscriber.</summary>
    Delivered,

    /// <summary>Nobody could be reached (sidecar or subscriber down); retry with backoff, without limit.</summary>
    Unreachable,

    /// <summary>A subscriber answered and asked for a retry; counts towards dead-lettering on the local path.</summary>
    Refused,
}

/// <summary>The outcome of one send attempt.</summary>
public readonly record struct SendResult(SendStatus Status, string? Error = null)
{
    public static SendResult Ok { get; } = new(SendStatus.Delivered);
}

/// <summary>Carries outbox rows to subscribers: Dapr's sidecar, or the local subscribers directly.</summary>
public interface IEventTransport
{
    Task<SendResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}
