using Microsoft.EntityFrameworkCore;
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
    public async ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
        await db.TreeHeads.AsNoTracking().Where(h => h.TenantId == tenant).Select(h => (long?)h.TreeSize).SingleOrDefaultAsync(cancellationToken) ?? 0;

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
        var moved = await db.TreeHeads.Where(h => h.TenantId == tenant && h.TreeSize == expectedSize)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.TreeSize, newSize), cancellationToken);
        if (moved == 0) throw new TreeSizeConflictException(expectedSize, await GetSizeAsync(cancellationToken));
        foreach (var node in nodes)
        {
            db.TreeNodes.Add(new TreeNodeRow { TenantId = tenant, Level = (short)node.Id.Level, NodeIndex = node.Id.Index, Hash = node.Hash });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the trust's head row if needed and locks it until the caller's transaction ends, so that this writer
    /// is the trust's only one: the sequence numbers it gives entries (from the size) cannot be taken meanwhile.
    /// </summary>
    public async Task LockHeadAsync(CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO audit_tree_heads (tenant_id, tree_size) VALUES ({tenant}, 0) ON CONFLICT DO NOTHING;
            UPDATE audit_tree_heads SET tree_size = tree_size WHERE tenant_id = {tenant};
            """, cancellationToken);
    }
}
