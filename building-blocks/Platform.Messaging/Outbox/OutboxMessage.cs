namespace Platform.Messaging.Outbox;

/// <summary>
/// A row of <c>outbox_messages</c>: one CloudEvent waiting to be sent (or sent). Written by <see cref="IEventPublisher"/>
/// in the caller's transaction; read and marked by <see cref="OutboxRelay{TDbContext}"/>.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The CloudEvent id.</summary>
    public Guid Id { get; set; }

    /// <summary>Monotonic append order (app-assigned, no identity column), used to send events of a subject in order.</summary>
    public long Sequence { get; set; }
    public string Topic { get; set; } = "";
    public string Type { get; set; } = "";

    /// <summary>The aggregate id; events with the same subject are sent in <see cref="Sequence"/> order.</summary>
    public string Subject { get; set; } = "";
    public string Tenant { get; set; } = "";

    /// <summary>The whole CloudEvent in structured JSON mode, exactly as it is sent.</summary>
    public string Payload { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>Not before this time (UTC); moves forward with backoff after a failed send.</summary>
    public DateTime DueAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>Failed attempts where a subscriber answered and refused (RETRY); decides dead-lettering on the local path.</summary>
    public int RefusedAttempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>When the event left the outbox; null while pending.</summary>
    public DateTime? SentAt { get; set; }
}

/// <summary>The row of <c>outbox_leases</c> that makes one relay per database the sender.</summary>
public sealed class OutboxLease
{
    public const string RelayLease = "relay";
    public string Name { get; set; } = RelayLease;
    public string? Owner { get; set; }
    public DateTime Until { get; set; }
}
