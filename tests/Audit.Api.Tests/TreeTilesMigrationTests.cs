using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using NpgsqlTypes;
using Platform.Audit.Api.Data;
using Platform.Audit.Api.Tree;
using Platform.Audit.Domain.Tree;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

/// <summary>
/// ADR 0038: migration TreeTiles moves a trust's stored tree (a row per node, as the service wrote it before) into
/// tiles without recomputing it, and the tiles give the same roots and proofs, so checkpoints signed before the
/// migration still verify against the tree after it.
/// </summary>
public sealed class TreeTilesMigrationTests
{
    private const string Trust = "MIG1";

    [Fact]
    public async Task A_tree_stored_a_node_a_row_before_the_migration_gives_the_same_roots_and_proofs_from_its_tiles()
    {
        var pg = await PostgresServer.SharedAsync();
        var database = await pg.CreateDatabaseAsync("audit_tiles_migration");
        await using (var owner = Context(pg.OwnerConnectionString(database)))
        {
            await owner.GetService<IMigrator>().MigrateAsync("20261203010618_VerifiableLog");
        }

        // The old service's rows: every node its appends wrote (batches of 1 to 300 leaves), and the head.
        var store = new KeepingStore();
        var reference = new MerkleTree(store);
        var random = new Random(16);
        foreach (var batch in new[] { 1, 40, 300, 215, 1, 143 })
        {
            await reference.AppendAsync(Enumerable.Range(0, batch).Select(_ =>
            {
                var data = new byte[40];
                random.NextBytes(data);
                return MerkleHash.Leaf(data);
            }).ToList());
        }

        await using (var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database)))
        {
            await conn.OpenAsync();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY audit_tree_nodes (tenant_id, level, node_index, hash) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var node in store.Written)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(Trust, NpgsqlDbType.Varchar);
                    await copy.WriteAsync((short)node.Id.Level, NpgsqlDbType.Smallint);
                    await copy.WriteAsync(node.Id.Index, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(node.Hash, NpgsqlDbType.Bytea);
                }

                await copy.CompleteAsync();
            }

            await using var head = new NpgsqlCommand($"INSERT INTO audit_tree_heads (tenant_id, tree_size) VALUES ('{Trust}', 700)", conn);
            await head.ExecuteNonQueryAsync();
        }

        await using (var owner = Context(pg.OwnerConnectionString(database)))
        {
            await owner.GetService<IMigrator>().MigrateAsync();
        }

        await using var db = Context(pg.SuperuserConnectionString(database), Trust);
        var migrated = new MerkleTree(new DatabaseMerkleNodeStore(db, Trust));
        long[] sizes = [1, 41, 255, 256, 341, 512, 556, 557, 700];
        Assert.Equal(await ProofsAsync(reference, sizes), await ProofsAsync(migrated, sizes));
        // Levels 0 and 8 in tiles: three level-0 tiles (the last partial) and level 8's nodes 0 and 1 in one run.
        Assert.Equal(4, await db.TreeTiles.IgnoreQueryFilters().CountAsync());
    }

    // SQLite (the local runner's) rebuilds audit_entries for its new key: the rebuilt table and the tiles stay append-only.
    [Fact]
    public async Task On_sqlite_the_migrated_entries_and_tiles_are_still_append_only()
    {
        var path = Path.Combine(Path.GetTempPath(), $"audit-tiles-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<AuditSqliteDbContext>().UsePlatformProvider(DatabaseProvider.Sqlite, $"Data Source={path};Pooling=false");
            await using var db = new AuditSqliteDbContext((DbContextOptions<AuditSqliteDbContext>)options.Options, new FixedTenant(Trust));
            await db.GetService<IMigrator>().MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO audit_entries (tenant_id, sequence, id, type, action, outcome, agent_who, agent_role, agent_purpose_of_use,
                    entity_what, entity_type, recorded) VALUES ('MIG1', 1, '0193a8f0-0000-7000-8000-000000000001', 'use-check', 'Execute', 0, 'n',
                    'clinician', 'TREAT', 'TechnologyUse/1', 'Consent', '2026-12-04 12:00:00');
                INSERT INTO audit_tree_tiles (tenant_id, level, start_index, hashes) VALUES ('MIG1', 0, 0, zeroblob(32));
                """);
            foreach (var sql in new[] { "UPDATE audit_entries SET outcome = 12", "DELETE FROM audit_entries", "UPDATE audit_tree_tiles SET hashes = zeroblob(64)", "DELETE FROM audit_tree_tiles" })
            {
                var error = await Record.ExceptionAsync(() => db.Database.ExecuteSqlRawAsync(sql));
                Assert.True(error?.Message.Contains("append-only", StringComparison.Ordinal) == true, $"{sql}: {error?.Message ?? "not refused"}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<List<string>> ProofsAsync(MerkleTree tree, long[] sizes)
    {
        var proofs = new List<string> { Convert.ToHexString((await tree.HeadAsync()).RootHash) };
        foreach (var size in sizes)
        {
            proofs.Add($"root {size}: {Convert.ToHexString(await tree.RootAsync(size))}");
            foreach (var index in new long[] { 0, 255, 256, 511, 699 }.Where(i => i < size))
            {
                proofs.Add($"inclusion {index}/{size}: " + string.Join(",", (await tree.InclusionProofAsync(index, size)).Select(Convert.ToHexString)));
            }

            foreach (var first in sizes.Where(s => s < size))
            {
                proofs.Add($"consistency {first}/{size}: " + string.Join(",", (await tree.ConsistencyProofAsync(first, size)).Select(Convert.ToHexString)));
            }
        }

        return proofs;
    }

    private static AuditPostgresDbContext Context(string connectionString, string? tenant = null)
    {
        var options = new DbContextOptionsBuilder<AuditPostgresDbContext>().UsePlatformProvider(DatabaseProvider.Postgres, connectionString);
        return new AuditPostgresDbContext((DbContextOptions<AuditPostgresDbContext>)options.Options, new FixedTenant(tenant));
    }

    private sealed class FixedTenant(string? tenant) : ITenantContext
    {
        public string? TenantId => tenant;
    }

    // The in-memory store, plus every node the tree asks it to store: the rows the old database store wrote.
    private sealed class KeepingStore : IMerkleNodeStore
    {
        private readonly InMemoryMerkleNodeStore _inner = new();

        public List<StoredNode> Written { get; } = [];

        public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) => _inner.GetSizeAsync(cancellationToken);

        public ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(ids, cancellationToken);

        public ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
        {
            Written.AddRange(nodes);
            return _inner.AppendAsync(expectedSize, newSize, nodes, cancellationToken);
        }
    }
}
