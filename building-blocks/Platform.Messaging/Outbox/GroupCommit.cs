namespace Platform.Messaging.Outbox;

/// <summary>
/// Writes the items of concurrent callers together (a group commit). An item waits in the queue of its partition (a
/// tenant: never two in one transaction) until a write takes it: at once when no write is in flight, when the queue
/// holds <c>maxBatch</c> items, when the write in flight ends, or <c>maxDelay</c> after the queue's first item came,
/// whichever is first. A caller's task completes once the write holding its item has committed, or fails with that
/// write's error; the other partitions' writes are not touched by it.
/// </summary>
/// <remarks>
/// A caller that cancels while its item still waits takes it back (nothing is written for it); once a write has taken
/// the item it is written whatever the caller does, and only that caller's wait ends early. The writes themselves are
/// never cancelled by a caller: they carry other callers' items.
/// </remarks>
internal sealed class GroupCommit<TItem> : IDisposable
{
    private readonly Func<string, IReadOnlyList<TItem>, Task> _write;
    private readonly Func<TItem, string> _partition;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue> _queues = new(StringComparer.Ordinal);
    private bool _disposed;

    private readonly bool _writeAtOnceWhenIdle;

    public GroupCommit(Func<TItem, string> partition, Func<string, IReadOnlyList<TItem>, Task> write, int maxBatch, TimeSpan maxDelay, TimeProvider time,
        bool writeAtOnceWhenIdle = true)
    {
        _writeAtOnceWhenIdle = writeAtOnceWhenIdle;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, TimeSpan.Zero);
        _partition = partition;
        _write = write;
        _maxBatch = maxBatch;
        _maxDelay = maxDelay;
        _time = time;
    }

    private sealed class Queue(string key)
    {
        public readonly string Key = key;
        public List<Waiting> Items = [];
        public int InFlight;
        public ITimer? Timer;
    }

    private sealed class Waiting(TItem item)
    {
        public readonly TItem Item = item;
        public readonly TaskCompletionSource Written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Queues <paramref name="item"/> and completes once a write holding it has committed.</summary>
    public async Task WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = _partition(item);
        var waiting = new Waiting(item);
        List<Waiting>? writeNow;
        Queue queue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_queues.TryGetValue(key, out queue!)) _queues[key] = queue = new Queue(key);
            queue.Items.Add(waiting);
            writeNow = (_writeAtOnceWhenIdle && queue.InFlight == 0) || queue.Items.Count >= _maxBatch ? TakeLocked(queue) : null;
            if (writeNow is null && queue.Timer is null)
            {
                queue.Timer = _time.CreateTimer(static state => ((Action)state!)(), (Action)(() => OnDelayElapsed(queue)), _maxDelay, Timeout.InfiniteTimeSpan);
            }
        }

        if (writeNow is not null) _ = WriteBatchAsync(queue, writeNow);
        if (!cancellationToken.CanBeCanceled)
        {
            await waiting.Written.Task;
            return;
        }

        // The caller's own signal, completed off its thread: its wait ends however the cancellation races the write.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                // Still waiting: take it back, so nothing is written for a call that answers nothing.
                if (queue.Items.Remove(waiting))
                {
                    waiting.Written.TrySetCanceled(cancellationToken);
                    return;
                }
            }

            stopped.TrySetCanceled(cancellationToken);
        });
        await await Task.WhenAny(waiting.Written.Task, stopped.Task);
    }

    private void OnDelayElapsed(Queue queue)
    {
        List<Waiting>? batch;
        lock (_gate)
        {
            batch = queue.Items.Count > 0 ? TakeLocked(queue) : null;
            if (batch is null) DisarmLocked(queue);
        }

        if (batch is not null) _ = WriteBatchAsync(queue, batch);
    }

    private List<Waiting> TakeLocked(Queue queue)
    {
        DisarmLocked(queue);
        var batch = queue.Items;
        queue.Items = [];
        queue.InFlight++;
        return batch;
    }

    private static void DisarmLocked(Queue queue)
    {
        queue.Timer?.Dispose();
        queue.Timer = null;
    }

    private async Task WriteBatchAsync(Queue queue, List<Waiting> batch)
    {
        // Off the caller's stack: its thread goes back to waiting on its own item.
        await Task.Yield();
        Exception? failure = null;
        try
        {
            await _write(queue.Key, batch.ConvertAll(w => w.Item));
        }
        catch (Exception e)
        {
            failure = e;
        }

        List<Waiting>? next;
        lock (_gate)
        {
            queue.InFlight--;
            // Whatever queued while this write was in flight goes now: under load, the batch is what one write's
            // round trip lets accumulate.
            next = _writeAtOnceWhenIdle && queue.Items.Count > 0 ? TakeLocked(queue) : null;
        }

        // The callers hear of their write only once the queue no longer counts it in flight, so what a caller queues
        // next meets the queue as it now is (not a tail of this write that would take it along at once).
        foreach (var waiting in batch)
            if (failure is null) waiting.Written.TrySetResult();
            else waiting.Written.TrySetException(failure);

        if (next is not null) _ = WriteBatchAsync(queue, next);
    }

    /// <summary>Stops: items still waiting fail (their callers answer an error, never a success without a write).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var queue in _queues.Values)
            {
                DisarmLocked(queue);
                foreach (var waiting in queue.Items) waiting.Written.TrySetException(new ObjectDisposedException(nameof(GroupCommit<TItem>), "The service is stopping; the item was not written."));
                queue.Items.Clear();
            }
        }
    }
}
