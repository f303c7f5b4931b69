namespace Platform.Messaging.Inbox;

/// <summary>A row of <c>inbox_messages</c>: an event (source, id) this service has handled.</summary>
public sealed class InboxMessage
{
    public string Source { get; set; } = "";
    public string EventId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Tenant { get; set; } = "";
    public DateTime HandledAt { get; set; }
}

/// <summary>
/// A row of <c>dead_letters</c>: an event this service could not handle (malformed, unknown, rejected by its handler,
/// or out of delivery attempts), kept for an operator to inspect and replay.
/// </summary>
public sealed class DeadLetter
{
    public Guid Id { get; set; }
    public string EventId { get; set; } = "";
    public string Source { get; set; } = "";
    public string Type { get; set; } = "";
    public string Topic { get; set; } = "";
    public string Tenant { get; set; } = "";
    public string? Subject { get; set; }

    /// <summary>The event as received (structured CloudEvent JSON, or the raw body when it was not one).</summary>
    public string Payload { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public DateTime? ReplayedAt { get; set; }
    public string? ReplayedBy { get; set; }
    public int ReplayAttempts { get; set; }
    public string? LastReplayError { get; set; }
}
