using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging.Outbox;

/// <summary>
/// Sends pending outbox rows through the configured <see cref="IEventTransport"/>. Events of one subject go one at a
/// time in append order; different subjects go in parallel. A row is marked sent only after the transport reports
/// delivery; a failed row and every later row of its subject wait for its backoff. One relay per database sends at a
/// time (a lease row, renewed every batch), so several instances never send concurrently; a crashed instance's lease
/// runs out and another takes over. Delivery is at least once: a crash between sending and marking resends.
/// </summary>
public sealed class OutboxRelay<TDbContext>(IServiceScopeFactory scopes, IEventTransport transport, IOptions<MessagingOptions> options,
    MessagingMetrics metrics, TimeProvider time, ILogger<OutboxRelay<TDbContext>> logger) : BackgroundService where TDbContext : DbContext
{
    private readonly RelayOptions _options = options.Value.Relay;
    private DateTime _backlogCountedAt;
    private DateTime _purgedAt;

    /// <summary>This instance's lease owner id.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        await Task.Yield();
        var consecutiveErrors = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var full = false;
                try
                {
                    var result = await RunOnceAsync(stoppingToken);
                    full = result.Selected >= _options.BatchSize;
                    consecutiveErrors = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // The database may be down or restarting: keep the service up and try again later.
                    consecutiveErrors++;
                    logger.LogError(e, "Outbox relay batch failed ({ConsecutiveErrors} in a row)", consecutiveErrors);
                    await DelayAsync(Backoff(consecutiveErrors), stoppingToken);
                    continue;
                }
                if (!full) await DelayAsync(_options.PollInterval, stoppingToken);
            }
        }
        finally
        {
            await ReleaseLeaseAsync();
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try { await Task.Delay(delay, time, cancellationToken); }
        catch (OperationCanceledException) { }
    }

    internal readonly record struct BatchResult(bool Leader, int Selected, int Sent, int Failed);

    /// <summary>One pass: take the lease, select due rows, send them, record the outcome.</summary>
    internal async Task<BatchResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        if (!await TryAcquireLeaseAsync(db, now, cancellationToken)) return new BatchResult(false, 0, 0, 0);
        await CountBacklogAsync(db, now, cancellationToken);
        await PurgeAsync(db, now, cancellationToken);

        var outbox = db.Set<OutboxMessage>();
        // Due rows in append order, except those queued behind an earlier row of the same subject that is waiting out
        // its backoff: that keeps each aggregate's events in order across failures.
        var batch = await outbox.AsNoTracking()
            .Where(m => m.SentAt == null && m.DueAt <= now
                && !outbox.Any(e => e.SentAt == null && e.Subject == m.Subject && e.Sequence < m.Sequence && e.DueAt > now))
            .OrderBy(m => m.Sequence)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);
        if (batch.Count == 0) return new BatchResult(true, 0, 0, 0);

        var sent = new ConcurrentBag<Guid>();
        var markedEarly = new ConcurrentDictionary<Guid, bool>();
        var failed = new ConcurrentBag<(OutboxMessage Message, SendResult Result)>();
        var bySubject = batch.GroupBy(m => m.Subject).Select(g => g.ToList()).ToList();
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var renewalStop = new CancellationTokenSource();
        var renewal = KeepLeaseAsync(leaseLost, renewalStop.Token);
        try
        {
            if (transport is IBatchEventTransport batching && await batching.MaxBatchSizeAsync(leaseLost.Token) is > 1 and var max)
            {
                await SendInLanesAsync(batching, max, batch, sent, markedEarly, failed, leaseLost.Token);
            }
            else
            {
                await Parallel.ForEachAsync(bySubject, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = leaseLost.Token },
                    async (events, ct) =>
                    {
                        foreach (var message in events)
                        {
                            var result = await transport.SendAsync(message, ct);
                            if (result.Status == SendStatus.Delivered)
                            {
                                sent.Add(message.Id);
                                continue;
                            }
                            failed.Add((message, result));
                            break; // later events of this subject wait for this one
                        }
                    });
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease was lost mid-batch (another instance holds it now): stop sending, record what did get through.
            logger.LogWarning("Outbox relay {InstanceId} lost its lease mid-batch; {Sent} of {Selected} events were sent", InstanceId, sent.Count, batch.Count);
        }
        finally
        {
            await renewalStop.CancelAsync();
            await renewal;
        }

        var sentAt = time.GetUtcNow().UtcDateTime;
        // A crash before this update resends these rows after restart: at least once, never lost. (Batched sending has
        // marked most of its rows already, chunk by chunk.)
        foreach (var chunk in sent.Where(id => !markedEarly.ContainsKey(id)).Chunk(1000))
        {
            var ids = chunk.ToList();
            await outbox.Where(m => ids.Contains(m.Id) && m.SentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, sentAt).SetProperty(m => m.LastError, (string?)null), CancellationToken.None);
        }
        metrics.Sent(sent.Count);
        foreach (var (message, result) in failed)
        {
            var attempts = message.Attempts + 1;
            var refused = message.RefusedAttempts + (result.Status == SendStatus.Refused ? 1 : 0);
            var due = sentAt + Backoff(attempts);
            var error = result.Error is { Length: > 2000 } e ? e[..2000] : result.Error;
            metrics.SendFailed(message.Topic);
            logger.LogWarning("Outbox event {EventId} on {Topic} for {Subject} not delivered (attempt {Attempts}): {Error}; next try at {DueAt:o}",
                message.Id, message.Topic, message.Subject, attempts, error, due);
            await outbox.Where(m => m.Id == message.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.RefusedAttempts, refused)
                    .SetProperty(m => m.DueAt, due).SetProperty(m => m.LastError, error), CancellationToken.None);
        }
        return new BatchResult(true, batch.Count, sent.Count, failed.Count);
    }

    /// <summary>
    /// Batched sending: each subject is given to one lane (round robin in order of first appearance), lanes run in
    /// parallel, and a lane sends its rows in sequence order as chunks of at most <paramref name="max"/> rows,
    /// one chunk after another. A subject's rows in one chunk are all of one topic (or, for a transport that keeps no order
    /// within a chunk, a single row); a row that fails stops its subject for this batch, and the subject's later rows in
    /// that chunk that were not delivered are held back without counting an attempt (the receiver answered RETRY for
    /// them only to keep the order). A chunk that reached nobody ends its lane for this pass.
    /// </summary>
    private async Task SendInLanesAsync(IBatchEventTransport batching, int max, List<OutboxMessage> batch, ConcurrentBag<Guid> sent,
        ConcurrentDictionary<Guid, bool> markedEarly, ConcurrentBag<(OutboxMessage Message, SendResult Result)> failed, CancellationToken cancellationToken)
    {
        var laneCount = Math.Clamp((batch.Count + max - 1) / max, 1, Math.Max(1, _options.MaxParallelism));
        var lanes = Enumerable.Range(0, laneCount).Select(_ => new List<OutboxMessage>()).ToArray();
        var laneOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var message in batch)
        {
            if (!laneOf.TryGetValue(message.Subject, out var lane))
            {
                lane = laneOf.Count % laneCount;
                laneOf[message.Subject] = lane;
            }
            lanes[lane].Add(message);
        }
        await Parallel.ForEachAsync(lanes, new ParallelOptions { MaxDegreeOfParallelism = laneCount, CancellationToken = cancellationToken },
            async (lane, ct) =>
            {
                var pending = lane;
                var stopped = new HashSet<string>(StringComparer.Ordinal);
                while (pending.Count > 0)
                {
                    var chunk = new List<OutboxMessage>(Math.Min(max, pending.Count));
                    var rest = new List<OutboxMessage>();
                    var topicOf = new Dictionary<string, string>(StringComparer.Ordinal);
                    var deferred = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var m in pending)
                    {
                        if (stopped.Contains(m.Subject)) continue; // waits for its failed predecessor (stays pending)
                        var fits = chunk.Count < max && !deferred.Contains(m.Subject)
                            && (!topicOf.TryGetValue(m.Subject, out var topic) || (batching.OrderedWithinBatch && topic == m.Topic));
                        if (!fits)
                        {
                            deferred.Add(m.Subject);
                            rest.Add(m);
                            continue;
                        }
                        topicOf[m.Subject] = m.Topic;
                        chunk.Add(m);
                    }
                    if (chunk.Count == 0) break;
                    var results = await batching.SendBatchAsync(chunk, ct);
                    var unreachable = 0;
                    var delivered = new List<Guid>(chunk.Count);
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var (m, result) = (chunk[i], results[i]);
                        if (result.Status == SendStatus.Delivered)
                        {
                            sent.Add(m.Id);
                            delivered.Add(m.Id);
                            continue;
                        }
                        if (!stopped.Add(m.Subject)) continue; // held behind this subject's earlier failure: no attempt counted
                        failed.Add((m, result));
                        if (result.Status == SendStatus.Unreachable) unreachable++;
                    }
                    // Mark this chunk sent now, while the other lanes are still sending: the database work overlaps theirs,
                    // and a crash later in the batch resends less. Should it fail, the batch's final update marks them.
                    if (delivered.Count > 0 && await TryMarkSentAsync(delivered))
                    {
                        foreach (var id in delivered) markedEarly[id] = true;
                    }
                    if (unreachable > 0 && unreachable == topicOf.Count) break; // nobody could be reached: the rest waits for the next pass
                    pending = rest;
                }
            });
    }

    private async Task<bool> TryMarkSentAsync(List<Guid> ids)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var sentAt = time.GetUtcNow().UtcDateTime;
            await db.Set<OutboxMessage>().Where(m => ids.Contains(m.Id) && m.SentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, sentAt).SetProperty(m => m.LastError, (string?)null), CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogDebug(e, "Could not mark a chunk of {Count} outbox rows sent yet; the batch's final update will", ids.Count);
            return false;
        }
    }

    /// <summary>
    /// Renews the lease every third of its duration while a batch is being sent, so a slow batch never outlives it;
    /// cancels <paramref name="leaseLost"/> if another instance has taken it.
    /// </summary>
    private async Task KeepLeaseAsync(CancellationTokenSource leaseLost, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, time, stop);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
                if (!await TryAcquireLeaseAsync(db, time.GetUtcNow().UtcDateTime, stop))
                {
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // Cannot tell whether we still hold it: stop sending rather than risk two senders.
            logger.LogWarning(e, "Outbox relay {InstanceId} could not renew its lease", InstanceId);
            await leaseLost.CancelAsync();
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var exp = Math.Min(attempts - 1, 20);
        var ms = Math.Min(_options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exp), _options.MaxBackoff.TotalMilliseconds);
        // Jitter spreads retries of many rows (and many pods) so a recovering subscriber is not hit all at once.
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    private async Task<bool> TryAcquireLeaseAsync(TDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var until = now + _options.LeaseDuration;
        var owner = InstanceId;
        var leases = db.Set<OutboxLease>();
        // One conditional UPDATE: take the lease if it is ours or has run out. Concurrent takers serialize on the row.
        var taken = await leases.Where(l => l.Name == OutboxLease.RelayLease && (l.Owner == owner || l.Until < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.Until, until), cancellationToken);
        if (taken == 1) return true;
        if (await leases.AnyAsync(l => l.Name == OutboxLease.RelayLease, cancellationToken)) return false;
        leases.Add(new OutboxLease { Name = OutboxLease.RelayLease, Owner = owner, Until = until });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    private async Task ReleaseLeaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var owner = InstanceId;
            var expired = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            await db.Set<OutboxLease>().Where(l => l.Name == OutboxLease.RelayLease && l.Owner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, (string?)null).SetProperty(l => l.Until, expired), timeout.Token);
        }
        catch (Exception e)
        {
            // The lease then simply runs out.
            logger.LogDebug(e, "Could not release the outbox relay lease");
        }
    }

    /// <summary>Deletes sent outbox rows and old inbox rows past their retention; only the lease holder does it.</summary>
    internal async Task PurgeAsync(TDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        if (now - _purgedAt < _options.PurgeInterval) return;
        _purgedAt = now;
        var sentBefore = now - _options.SentRetention;
        var sent = await db.Set<OutboxMessage>().Where(m => m.SentAt != null && m.SentAt < sentBefore).ExecuteDeleteAsync(cancellationToken);
        var inbox = 0;
        if (db.Model.FindEntityType(typeof(Inbox.InboxMessage)) is not null)
        {
            var handledBefore = now - _options.InboxRetention;
            inbox = await db.Set<Inbox.InboxMessage>().Where(m => m.HandledAt < handledBefore).ExecuteDeleteAsync(cancellationToken);
        }
        if (sent + inbox > 0) logger.LogInformation("Purged {SentOutboxRows} sent outbox rows and {InboxRows} inbox rows past retention", sent, inbox);
    }

    private async Task CountBacklogAsync(TDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        if (now - _backlogCountedAt < TimeSpan.FromSeconds(1)) return;
        _backlogCountedAt = now;
        var (count, oldest) = await OutboxBacklog.ReadAsync(db, cancellationToken);
        metrics.SetBacklog(count, oldest is null ? 0 : Math.Max(0, (now - oldest.Value).TotalSeconds));
    }
}

internal static class OutboxBacklog
{
    public static async Task<(long Count, DateTime? Oldest)> ReadAsync(DbContext db, CancellationToken cancellationToken)
    {
        var pending = db.Set<OutboxMessage>().Where(m => m.SentAt == null);
        var count = await pending.LongCountAsync(cancellationToken);
        var oldest = count == 0 ? null : await pending.OrderBy(m => m.Sequence).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return (count, oldest);
    }
}
