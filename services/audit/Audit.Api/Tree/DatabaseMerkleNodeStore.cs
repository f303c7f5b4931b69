using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Api.Tree;

/// <summary>
/// A trust's tree in the service's database (audit_tree_nodes, audit_tree_heads). Appends write through the caller's
/// DbContext, so the nodes, the head and the entries commit in one transaction or not at all; a crash before the
/// next checkpoint loses nothing, because the checkpointer reads the head from here.
/// </summary>
public sealed class DatabaseMerkleNodeStore(AuditDbContext db, string tenant) : IMerkleNodeStore
{
    // The size read under the head lock: while this transaction holds the lock nobody else can move it, so it is not
    // read again (and the append moves it in the same batch as the nodes, not by a statement of its own).
    private long? _lockedSize;

    public async ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
        _lockedSize ?? await db.TreeHeads.AsNoTracking().Where(h => h.TenantId == tenant).Select(h => (long?)h.TreeSize).SingleOrDefaultAsync(cancellationToken) ?? 0;

    public async ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<NodeId, byte[]>(ids.Count);
        if (ids.Count == 0) return result;
        // One query over the primary key: the rows at any wanted level and any wanted index (a small superset of the
        // O(log n) wanted pairs, since a proof's nodes share few levels and indexes), then the exact pairs.
        var levels = ids.Select(i => (short)i.Level).Distinct().ToArray();
        var indexes = ids.Select(i => i.Index).Distinct().ToArray();
        var wanted = ids.ToHashSet();
        var rows = await db.TreeNodes.AsNoTracking()
            .Where(n => n.TenantId == tenant && levels.Contains(n.Level) && indexes.Contains(n.NodeIndex))
            .Select(n => new { n.Level, n.NodeIndex, n.Hash })
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var id = new NodeId(row.Level, row.NodeIndex);
            if (wanted.Contains(id)) result[id] = row.Hash;
        }

        foreach (var id in ids)
        {
            if (!result.ContainsKey(id)) throw new MissingTreeNodeException(id);
        }

        return result;
    }

    public async ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
    {
        if (_lockedSize is { } locked)
        {
            if (locked != expectedSize) throw new TreeSizeConflictException(expectedSize, locked);
            // Under the lock: the head's UPDATE rides in the SaveChanges batch with the nodes (and the caller's entries).
            var head = db.TreeHeads.Attach(new TreeHeadRow { TenantId = tenant, TreeSize = expectedSize });
            head.Entity.TreeSize = newSize;
        }
        else
        {
            var moved = await db.TreeHeads.Where(h => h.TenantId == tenant && h.TreeSize == expectedSize)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.TreeSize, newSize), cancellationToken);
            if (moved == 0) throw new TreeSizeConflictException(expectedSize, await GetSizeAsync(cancellationToken));
        }

        foreach (var node in nodes)
        {
            db.TreeNodes.Add(new TreeNodeRow { TenantId = tenant, Level = (short)node.Id.Level, NodeIndex = node.Id.Index, Hash = node.Hash });
        }

        await db.SaveChangesAsync(cancellationToken);
        if (_lockedSize is not null)
        {
            _lockedSize = newSize;
            db.Entry(db.TreeHeads.Local.Single(h => h.TenantId == tenant)).State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Creates the trust's head row if needed, locks it until the caller's transaction ends (so that this writer is the
    /// trust's only one: the sequence numbers it gives entries, from the size, cannot be taken meanwhile) and returns its
    /// size: one statement. <paramref name="alsoRead"/> is SQL run after it in the same round trip, under the lock.
    /// </summary>
    public async Task<long> LockHeadAsync(CancellationToken cancellationToken, Action<DbCommand, StringBuilder>? alsoRead = null,
        Func<DbDataReader, CancellationToken, Task>? readAlso = null)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var tenantParameter = command.CreateParameter();
            tenantParameter.ParameterName = "@head_tenant";
            tenantParameter.Value = tenant;
            command.Parameters.Add(tenantParameter);
            var sql = new StringBuilder("""
                INSERT INTO audit_tree_heads (tenant_id, tree_size) VALUES (@head_tenant, 0)
                ON CONFLICT (tenant_id) DO UPDATE SET tree_size = audit_tree_heads.tree_size RETURNING tree_size;
                """);
            alsoRead?.Invoke(command, sql);
            command.CommandText = sql.ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var size = reader.GetInt64(0);
            if (readAlso is not null && await reader.NextResultAsync(cancellationToken)) await readAlso(reader, cancellationToken);
            _lockedSize = size;
            return size;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
