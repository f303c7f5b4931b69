using Microsoft.Extensions.Options;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Outbox;

namespace Platform.Messaging.Access;

/// <summary>
/// The durable access records of concurrent callers (use checks), written together: every record that one shared
/// write takes (the group commit of docs/decisions/0027) goes into one <see cref="AccessRecordBatch"/> event, one outbox
/// row and one CloudEvent, instead of a row and a CloudEvent each (docs/decisions/0035). Each record keeps its own id,
/// which the audit service enters as the entry's source event id, so a redelivered batch appends nothing. A batch holds
/// one trust's records only; a caller completes once the row holding its record is committed, and a failed write fails
/// every caller in it with <see cref="OutboxWriteFailedException"/>.
/// </summary>
internal sealed class AccessRecordBatches : IDisposable
{
    private readonly IOutboxRowWriter _writer;
    private readonly OutboxRowFactory _rows;
    private readonly MessagingMetrics _metrics;
    private readonly GroupCommit<Pending> _commit;

    private sealed record Pending(Guid Id, string Tenant, AccessRecorded Access);

    public AccessRecordBatches(IOutboxRowWriter writer, OutboxRowFactory rows, MessagingMetrics metrics, IOptions<MessagingOptions> options, TimeProvider time)
    {
        _writer = writer;
        _rows = rows;
        _metrics = metrics;
        var settings = options.Value.GroupCommit;
        _commit = new GroupCommit<Pending>(p => p.Tenant, WriteAsync, settings.MaxBatch, settings.MaxDelay, time, settings.WriteAtOnceWhenIdle);
    }

    /// <summary>Records <paramref name="access"/> for <paramref name="tenant"/>; completes once it is committed. Returns the record's id.</summary>
    public async Task<Guid> RecordAsync(AccessRecorded access, string tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        var pending = new Pending(Guid.CreateVersion7(), tenant, access);
        await _commit.WriteAsync(pending, cancellationToken);
        return pending.Id;
    }

    private async Task WriteAsync(string tenant, IReadOnlyList<Pending> records)
    {
        var batch = new AccessRecordBatch();
        foreach (var record in records) batch.Records.Add(new BatchedAccessRecord { RecordId = record.Id.ToString(), Access = record.Access });
        // The subject orders the relay's sending: each batch is its own, so one batch the relay cannot send holds up no other.
        var row = _rows.Create(batch, tenant, "AccessRecordBatch/" + records[0].Id);
        await _writer.WriteAsync(tenant, [row]);
        _metrics.Published(row.Topic);
    }

    public void Dispose() => _commit.Dispose();
}
