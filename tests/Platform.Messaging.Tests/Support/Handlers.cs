using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging.Inbox;
using Platform.Messaging.Tests.Ledger.V1;

namespace Platform.Messaging.Tests.Support;

/// <summary>Test switches for the subscriber's handlers: transient faults, a gate that holds handlers, counters.</summary>
public sealed class Faults
{
    private int _handled;
    private TaskCompletionSource _gate = NewOpenGate();

    /// <summary>Accounts whose credits fail with a transient error while listed.</summary>
    public ConcurrentDictionary<string, bool> FailingAccounts { get; } = new();

    /// <summary>Handler entries (including duplicates that reached a handler and rolled back).</summary>
    public int HandlerCalls => Volatile.Read(ref _handled);
    public int HoldAfter { get; set; } = int.MaxValue;
    public ConcurrentBag<EventEnvelope> Envelopes { get; } = [];

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    public void Open() => _gate.TrySetResult();

    internal async Task EnterAsync(EventEnvelope envelope, CancellationToken ct)
    {
        Envelopes.Add(envelope);
        var n = Interlocked.Increment(ref _handled);
        if (n > HoldAfter) await _gate.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}

public sealed class AmountCreditedHandler(LedgerDbContext db, Faults faults) : IEventHandler<AmountCredited>
{
    public async Task HandleAsync(AmountCredited message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await faults.EnterAsync(envelope, cancellationToken);
        if (faults.FailingAccounts.ContainsKey(message.AccountId)) throw new TimeoutException("the ledger store is busy");
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == message.AccountId, cancellationToken);
        if (account is null)
        {
            account = new Account { Id = message.AccountId, Tenant = envelope.Tenant };
            db.Accounts.Add(account);
        }
        account.Version++;
        account.Balance += message.Amount;
        account.Credits++;
        if (message.Seq != account.LastSeq + 1) account.OutOfOrder++;
        account.LastSeq = Math.Max(account.LastSeq, message.Seq);
    }
}

public sealed class NoteAddedHandler(LedgerDbContext db, Faults faults) : IEventHandler<NoteAdded>
{
    public async Task HandleAsync(NoteAdded message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await faults.EnterAsync(envelope, cancellationToken);
        if (message.Text == "poison") throw new EventRejectedException("notes may not say poison");
        if (faults.FailingAccounts.ContainsKey(message.AccountId)) throw new TimeoutException("the note store is busy");
        db.Notes.Add(new Note { Id = Guid.NewGuid(), AccountId = message.AccountId, Tenant = envelope.Tenant, Text = message.Text });
        // A handler may save on its own: it is still inside the inbox transaction.
        await db.SaveChangesAsync(cancellationToken);
    }
}
