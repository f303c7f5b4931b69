namespace Platform.Messaging.Inbox;

/// <summary>
/// Work a service defers to the end of a delivery's transaction. Register it scoped: the delivery's scope resolves every
/// one after all the delivery's handlers have run (one event, or a tenant's share of a bulk delivery) and calls
/// <see cref="BeforeCommitAsync"/> before the transaction (holding the inbox rows) commits, then
/// <see cref="Committed"/> once it has. A handler that buffers (say, entries to write in one statement) writes them in
/// <see cref="BeforeCommitAsync"/>; an exception there fails the delivery as a handler's would
/// (<see cref="EventRejectedException"/> dead-letters it; a failed batch is retried one event per transaction).
/// </summary>
public interface IDeliveryParticipant
{
    /// <summary>Writes what the handlers buffered, in the delivery's transaction.</summary>
    Task BeforeCommitAsync(CancellationToken cancellationToken);

    /// <summary>The delivery's transaction committed: what was written is durable.</summary>
    void Committed();
}
