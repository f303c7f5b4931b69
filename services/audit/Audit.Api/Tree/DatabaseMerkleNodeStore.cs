using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Api.Tree;

/// <summary>
/// A trust's tree in the service's database (audit_tree_tiles, audit_tree_heads). Appends write through the caller's
/// DbContext, so the nodes, the head and the entries commit in one transaction or not at all; a crash before the
/// next checkpoint loses nothing, because the checkpointer reads the head from here.
/// </summary>
/// <remarks>
/// Stored as in C2SP tlog-tiles (and Trillian): only the nodes at levels 0, 8, 16, ... are kept, in tiles of 256
/// consecutive hashes; a node between (level 8k + r, r in 1..7) is the root of the 2^r nodes of level 8k under it,
/// all in one tile, and is recomputed when read (at most 127 SHA-256s). An append writes one row per tile level and
/// tile it reaches, holding its new hashes there (for a batch of 100 entries, one row where there were about 200), and
/// never changes a row: a tile filled by several appends is several rows, read together. A proof reads the few tiles
/// its O(log n) nodes lie in, in one query over the primary key (docs/decisions/0038-audit-tree-tiles.md).
/// </remarks>
public sealed class DatabaseMerkleNodeStore(AuditDbContext db, string tenant) : IMerkleNodeStore
{
    /// <summary>Levels per tile: the stored levels are its multiples.</summary>
    public const int TileHeight = 8;

    /// <summary>Hashes per full tile.</summary>
    public const int TileWidth = 1 << TileHeight;

    // The size read under the head lock: while this transaction holds the lock nobody else can move it, so it is not
    // read again (and the append moves it in the same batch as the nodes, not by a statement of its own).
    private long? _lockedSize;

    public async ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
        _lockedSize ?? await db.TreeHeads.AsNoTracking().Where(h => h.TenantId == tenant).Select(h => (long?)h.TreeSize).SingleOrDefaultAsync(cancellationToken) ?? 0;

    public async ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<NodeId, byte[]>(ids.Count);
        if (ids.Count == 0) return result;
        // The tiles the nodes lie in: (stored level, tile number).
        var tiles = ids.Select(TileOf).Distinct().ToList();
        var hashes = await ReadTilesAsync(tiles, cancellationToken);
        foreach (var id in ids)
        {
            var (level, tile) = TileOf(id);
            var below = id.Level - level;
            var first = (int)((id.Index << below) - tile * TileWidth);
            result[id] = Subtree(hashes[(level, tile)], first, 1 << below) ?? throw new MissingTreeNodeException(id);
        }

        return result;
    }

    /// <summary>The stored level and tile number a node's hash is computed from.</summary>
    public static (int Level, long Tile) TileOf(NodeId id)
    {
        var level = id.Level - id.Level % TileHeight;
        return (level, (id.Index << (id.Level - level)) / TileWidth);
    }

    // RFC 9162's MTH of `count` (a power of two) consecutive hashes of one tile; null when one of them is not stored.
    private static byte[]? Subtree(byte[]?[] tile, int first, int count)
    {
        if (count == 1) return tile[first];
        var level = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (tile[first + i] is not { } hash) return null;
            level[i] = hash;
        }

        for (var width = count; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++) level[i] = MerkleHash.Node(level[2 * i], level[2 * i + 1]);
        }

        return level[0];
    }

    // Every row of the given tiles, one query over the primary key (a range of start indexes per tile), each tile as
    // its 256 slots (null where nothing is stored).
    private async Task<Dictionary<(int Level, long Tile), byte[]?[]>> ReadTilesAsync(List<(int Level, long Tile)> tiles, CancellationToken cancellationToken)
    {
        var result = tiles.ToDictionary(t => t, _ => new byte[]?[TileWidth]);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var sql = new StringBuilder("SELECT level, start_index, hashes FROM audit_tree_tiles WHERE tenant_id = @tile_tenant AND (");
            Add(command, "@tile_tenant", tenant);
            for (var i = 0; i < tiles.Count; i++)
            {
                sql.Append(i == 0 ? "" : " OR ").Append($"(level = @tile_level_{i} AND start_index >= @tile_from_{i} AND start_index < @tile_to_{i})");
                Add(command, $"@tile_level_{i}", (short)tiles[i].Level);
                Add(command, $"@tile_from_{i}", tiles[i].Tile * TileWidth);
                Add(command, $"@tile_to_{i}", (tiles[i].Tile + 1) * TileWidth);
            }

            command.CommandText = sql.Append(')').ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var level = Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
                var start = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                var bytes = (byte[])reader.GetValue(2);
                var slots = result[(level, start / TileWidth)];
                var offset = (int)(start % TileWidth);
                // A row holding part of a hash, or running past its tile, is a corrupt store: its nodes read as missing.
                if (bytes.Length % MerkleHash.Size != 0 || offset + bytes.Length / MerkleHash.Size > TileWidth) continue;
                for (var k = 0; k < bytes.Length / MerkleHash.Size; k++) slots[offset + k] = bytes[(k * MerkleHash.Size)..((k + 1) * MerkleHash.Size)];
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return result;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// The rows an append writes: its new nodes at the stored levels, one row per run of consecutive indexes within one
    /// tile. The other nodes it made are not stored (they are recomputed from these).
    /// </summary>
    public static IEnumerable<(short Level, long StartIndex, byte[] Hashes)> TileRows(IEnumerable<StoredNode> nodes)
    {
        foreach (var level in nodes.Where(n => n.Id.Level % TileHeight == 0).GroupBy(n => n.Id.Level))
        {
            var run = new List<StoredNode>();
            foreach (var node in level.OrderBy(n => n.Id.Index))
            {
                if (run.Count > 0 && (node.Id.Index != run[^1].Id.Index + 1 || node.Id.Index % TileWidth == 0))
                {
                    yield return Row(run);
                    run.Clear();
                }

                run.Add(node);
            }

            if (run.Count > 0) yield return Row(run);
        }

        static (short, long, byte[]) Row(List<StoredNode> run) =>
            ((short)run[0].Id.Level, run[0].Id.Index, run.SelectMany(n => n.Hash).ToArray());
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

        foreach (var (level, start, hashes) in TileRows(nodes))
        {
            db.TreeTiles.Add(new TreeTileRow { TenantId = tenant, Level = level, StartIndex = start, Hashes = hashes });
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
