using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Audit.Api.Data;
using Platform.Audit.Api.Tree;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Tree;
using Platform.Domain;
using Platform.Messaging.Inbox;
using Platform.Persistence;

namespace Platform.Audit.Api.Application;

/// <summary>An entry to append; the log gives it its id, tenant, sequence and time.</summary>
public sealed record NewAuditEntry(string Type, AuditAction Action, AuditOutcome Outcome, AuditAgent Agent, AuditEntity Entity,
    string? Patient = null, SourceEvent? SourceEvent = null);

/// <summary>Which entries to list: every filter given must match; the page starts after <see cref="AfterSequence"/>.</summary>
public sealed record AuditQuery(long AfterSequence = 0, int PageSize = 0, string? Patient = null, string? AgentWho = null, string? Type = null,
    DateTimeOffset? RecordedFrom = null, DateTimeOffset? RecordedBefore = null, IReadOnlyCollection<string>? Types = null);

/// <summary>A page of entries and the cursor of the next page (null on the last).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextAfterSequence);

/// <summary>
/// A trust's append-only log (the tenant is the scope's). Only the platform appends: event handlers and the
/// service's own record of who read the log; no caller chooses what an entry says about who acted. Each append puts
/// the entries' leaves into the trust's Merkle tree in the same transaction; sequences are the tree's size + 1.
/// </summary>
public sealed class AuditLog(AuditDbContext db, TreeFrontiers frontiers, TimeProvider clock) : IDeliveryParticipant
{
    public const int MaxPageSize = Paging.MaxSize;

    private readonly List<NewAuditEntry> _delivered = [];
    private TreeFrontier? _uncommittedFrontier;

    private string Tenant => db.CurrentTenant ?? throw new InvalidOperationException("The audit log is used only within a trust's scope.");

    /// <summary>The trust's tree on this scope's database connection.</summary>
    public MerkleTree Tree() => new(TreeStore());

    /// <summary>The trust's stored tree nodes on this scope's database connection.</summary>
    public DatabaseMerkleNodeStore TreeStore() => new(db, Tenant);

    public async Task<Outcome<AuditEntry>> AppendAsync(NewAuditEntry entry, CancellationToken cancellationToken = default)
    {
        var appended = await AppendAsync([entry], cancellationToken);
        return appended.IsRefused ? appended.Refusal! : appended.Value[0];
    }

    /// <summary>
    /// An entry from an event delivery: held until the delivery's handlers have all run, then appended with the rest of
    /// the delivery's entries for the trust in one <see cref="AppendAsync(IReadOnlyList{NewAuditEntry}, CancellationToken)"/>.
    /// </summary>
    public void AppendWithDelivery(NewAuditEntry entry) => _delivered.Add(entry);

    async Task IDeliveryParticipant.BeforeCommitAsync(CancellationToken cancellationToken)
    {
        if (_delivered.Count == 0) return;
        var entries = _delivered.ToList();
        _delivered.Clear();
        var outcome = await AppendAsync(entries, cancellationToken);
        // A malformed event can never become a valid entry: dead-letter it for an operator rather than retry forever
        // (a batch that holds it is retried event by event, so only that event is).
        if (outcome.IsRefused) throw new EventRejectedException($"{outcome.Refusal!.Rule}: {outcome.Refusal.Message}");
    }

    void IDeliveryParticipant.Committed() => PublishCommittedFrontier();

    /// <summary>
    /// Appends entries in order, in the caller's transaction when there is one (an event delivery's, with its inbox
    /// rows) or in one of its own, and returns the entry of each, in the same order. An entry whose source event is
    /// already in the log, or earlier in this list, appends nothing: its place holds the entry that event made. A
    /// malformed entry refuses the whole batch, naming the field, and writes nothing.
    /// </summary>
    /// <remarks>
    /// Three round trips when no transaction is open: the head lock (which returns the size and which of the source
    /// events are already entered), one batch with the entries, the tree nodes and the head's new size, and the commit.
    /// The tree's frontier comes from <see cref="TreeFrontiers"/> when its size is the size read under the lock.
    /// </remarks>
    public async Task<Outcome<IReadOnlyList<AuditEntry>>> AppendAsync(IReadOnlyList<NewAuditEntry> entries, CancellationToken cancellationToken = default)
    {
        var tenant = Tenant;
        var recorded = AuditEntry.ToMicroseconds(clock.GetUtcNow());
        // Checked once before the lock with a placeholder sequence, so a refusal costs no database work.
        foreach (var e in entries)
        {
            if (Build(e, tenant, 1, recorded).Check() is { } refusal) return refusal;
        }

        var sources = entries.Where(e => e.SourceEvent is not null).Select(e => e.SourceEvent!).Distinct().ToList();
        var store = new DatabaseMerkleNodeStore(db, tenant);
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var entered = new HashSet<SourceEvent>();
        var size = await store.LockHeadAsync(cancellationToken,
            sources.Count == 0 ? null : (command, sql) => AddEnteredQuery(command, sql, sources),
            sources.Count == 0 ? null : async (reader, ct) =>
            {
                while (await reader.ReadAsync(ct)) entered.Add(new SourceEvent(reader.GetString(0), reader.GetString(1)));
            });

        // An event redelivered after its inbox row was purged, or twice in one batch: its first entry stands.
        var bySource = new Dictionary<SourceEvent, AuditEntry>();
        if (entered.Count > 0)
        {
            var enteredSources = entered.Select(s => s.Source).Distinct().ToList();
            var ids = entered.Select(s => s.Id).ToList();
            var rows = await db.Entries.AsNoTracking()
                .Where(e => e.SourceEventSource != null && enteredSources.Contains(e.SourceEventSource) && e.SourceEventId != null && ids.Contains(e.SourceEventId))
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                var entry = row.ToDomain();
                if (entry.SourceEvent is { } source && entered.Contains(source)) bySource[source] = entry;
            }
        }

        var result = new List<AuditEntry>(entries.Count);
        var leaves = new List<byte[]>(entries.Count);
        foreach (var e in entries)
        {
            if (e.SourceEvent is { } source && bySource.TryGetValue(source, out var earlier))
            {
                result.Add(earlier);
                continue;
            }

            var entry = Build(e, tenant, size + leaves.Count + 1, recorded);
            result.Add(entry);
            leaves.Add(AuditEntryCanonicalForm.LeafHash(entry));
            db.Entries.Add(AuditEntryRow.From(entry));
            if (e.SourceEvent is { } first) bySource[first] = entry;
        }

        if (leaves.Count > 0)
        {
            var tree = new MerkleTree(store, frontiers.Get(tenant));
            await tree.AppendAsync(leaves, cancellationToken);
            _uncommittedFrontier = tree.Frontier;
        }

        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
            PublishCommittedFrontier();
        }

        return result;
    }

    // Only a committed frontier is shared: one of a transaction that then rolled back could match a size another
    // writer reaches later with other leaves.
    private void PublishCommittedFrontier()
    {
        if (_uncommittedFrontier is { } frontier) frontiers.Committed(Tenant, frontier);
        _uncommittedFrontier = null;
    }

    // Both columns of the unique index on (tenant, source, id) are named, so each pair is one index probe: a query on the
    // id alone would read every entry of the trust. The pairs are a list joined to the table, not ORed conditions: with
    // a bulk delivery's 100 pairs ORed, PostgreSQL chose to scan the trust's entries and test each against all 100
    // (61 ms a delivery at 10^4 entries, 400 us an entry, more than all the rest of an append: docs/audit/bench.md);
    // joined, it probes the index once a pair. A common table expression with a column list reads alike on SQLite.
    private static void AddEnteredQuery(DbCommand command, StringBuilder sql, IReadOnlyList<SourceEvent> sources)
    {
        sql.Append("WITH wanted (source, id) AS (VALUES ");
        for (var i = 0; i < sources.Count; i++)
        {
            sql.Append(i == 0 ? "(" : ", (").Append(Parameter(command, $"@entered_source_{i}", sources[i].Source))
                .Append(", ").Append(Parameter(command, $"@entered_id_{i}", sources[i].Id)).Append(')');
        }

        sql.Append(") SELECT e.source_event_source, e.source_event_id FROM wanted JOIN audit_entries e ON e.tenant_id = @head_tenant")
            .Append(" AND e.source_event_source = wanted.source AND e.source_event_id = wanted.id WHERE e.source_event_id IS NOT NULL;");
    }

    private static string Parameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return name;
    }

    /// <summary>
    /// Puts entries that are in the table but not in the tree (rows written before the tree existed) into the tree,
    /// in sequence order, in the canonical form. Returns how many; stops at a gap in the sequence, which only the
    /// verifier can then explain.
    /// </summary>
    public async Task<int> AdoptUntreedEntriesAsync(ILogger logger, CancellationToken cancellationToken = default)
    {
        var tenant = Tenant;
        var store = new DatabaseMerkleNodeStore(db, tenant);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var size = await store.LockHeadAsync(cancellationToken);
        var rows = await db.Entries.AsNoTracking().Where(e => e.Sequence > size).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        var leaves = new List<byte[]>(rows.Count);
        foreach (var row in rows)
        {
            var entry = row.ToDomain();
            if (entry.Sequence != size + leaves.Count + 1 || entry.Check() is not null)
            {
                logger.LogError("Trust {Tenant}'s entry {Sequence} cannot be put in its tree (a gap or a malformed row); the verifier will name it", tenant, entry.Sequence);
                break;
            }

            leaves.Add(AuditEntryCanonicalForm.LeafHash(entry));
        }

        if (leaves.Count > 0) await new MerkleTree(store).AppendAsync(leaves, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return leaves.Count;
    }

    private static AuditEntry Build(NewAuditEntry e, string tenant, long sequence, DateTimeOffset recorded) =>
        new(Guid.CreateVersion7(recorded), tenant, sequence, e.Type, e.Action, e.Outcome, recorded, e.Agent, e.Entity, e.Patient, e.SourceEvent);

    public async Task<Outcome<AuditPage>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        if (query.AfterSequence < 0) return Refusal.Invalid("after-sequence.range", "After-sequence cannot be negative.");
        if (!Paging.TryRead(query.PageSize, null, out var size, out _, out var badSize)) return badSize!;
        if (query.RecordedFrom is { } from && query.RecordedBefore is { } before && before < from)
        {
            return Refusal.Invalid("recorded-before.range", "Recorded-before must not be earlier than recorded-from.");
        }

        var rows = db.Entries.AsNoTracking().Where(e => e.Sequence > query.AfterSequence);
        if (!string.IsNullOrWhiteSpace(query.Patient)) rows = rows.Where(e => e.Patient == query.Patient.Trim());
        if (!string.IsNullOrWhiteSpace(query.AgentWho)) rows = rows.Where(e => e.AgentWho == query.AgentWho.Trim());
        if (!string.IsNullOrWhiteSpace(query.Type)) rows = rows.Where(e => e.Type == query.Type.Trim());
        if (query.Types is { Count: > 0 } types) rows = rows.Where(e => types.Contains(e.Type));
        if (query.RecordedFrom is { } f) rows = rows.Where(e => e.Recorded >= f.UtcDateTime);
        if (query.RecordedBefore is { } b) rows = rows.Where(e => e.Recorded < b.UtcDateTime);
        var page = await rows.OrderBy(e => e.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        var entries = page.Take(size).Select(r => r.ToDomain()).ToList();
        return new AuditPage(entries, page.Count > size ? entries[^1].Sequence : null);
    }

    /// <summary>Entries <paramref name="first"/>..<paramref name="last"/> in sequence order.</summary>
    public async Task<IReadOnlyList<AuditEntry>> RangeAsync(long first, long last, CancellationToken cancellationToken = default) =>
        (await db.Entries.AsNoTracking().Where(e => e.Sequence >= first && e.Sequence <= last).OrderBy(e => e.Sequence).ToListAsync(cancellationToken))
            .ConvertAll(r => r.ToDomain());
}
