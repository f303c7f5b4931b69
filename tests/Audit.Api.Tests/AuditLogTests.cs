using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Data;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Tree;
using Platform.Domain;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

// The log under the API: sequences from the tree, leaves in the canonical form, the database's own guards.
// Each test uses its own trust so that sequence numbers start at 1 for it.
public class AuditLogTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private static NewAuditEntry CapacityAssessed(string patientKey, string? eventId = null) =>
        new("capacity-assessed", AuditAction.Create, AuditOutcome.Success, new AuditAgent("clinician-7", "clinician", "TREAT"),
            new AuditEntity($"CapacityAssessment/{patientKey}", "Observation"), $"Patient/{patientKey}",
            eventId is null ? null : new SourceEvent("/consent", eventId));

    private Task<Outcome<AuditEntry>> Append(string tenant, NewAuditEntry entry) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<AuditLog>().AppendAsync(entry));

    [Fact]
    public async Task Entries_are_numbered_from_one_per_trust_without_gaps_and_each_is_a_leaf_of_the_trusts_tree()
    {
        var a1 = await Append("AAA1", CapacityAssessed("p1"));
        var a2 = await Append("AAA1", CapacityAssessed("p2"));
        var b1 = await Append("BBB1", CapacityAssessed("p3"));
        Assert.Equal((1, 2, 1), (a1.Value.Sequence, a2.Value.Sequence, b1.Value.Sequence));

        var (size, leaves) = await fixture.App.InTenantAsync("AAA1", async sp =>
        {
            var db = sp.GetRequiredService<AuditDbContext>();
            var tree = sp.GetRequiredService<AuditLog>().Tree();
            var leafRows = (await db.TreeTiles.AsNoTracking().Where(n => n.Level == 0).OrderBy(n => n.StartIndex).Select(n => n.Hashes).ToListAsync())
                .SelectMany(h => h).Chunk(MerkleHash.Size).ToList();
            return (await tree.GetSizeAsync(), leafRows);
        });
        Assert.Equal(2, size);
        Assert.Equal(AuditEntryCanonicalForm.LeafHash(a1.Value), leaves[0]);
        Assert.Equal(AuditEntryCanonicalForm.LeafHash(a2.Value), leaves[1]);
    }

    // ADR 0038: the tree is stored as tiles (levels 0, 8, 16, ... in runs of at most 256 hashes), the nodes between
    // recomputed when read. Whatever the batches, across tile edges and at every level, it gives the roots and proofs
    // of RFC 9162's tree over the same leaves (the domain's in-memory store keeps every node).
    [Fact]
    public async Task The_tiled_tree_gives_the_rfc_roots_and_proofs_across_tile_edges_whatever_the_batches_and_writes_a_row_per_tile_reached()
    {
        var leaves = new List<byte[]>();
        var n = 0;
        foreach (var batch in new[] { 1, 1, 37, 255, 1, 300, 105 })
        {
            var entries = Enumerable.Range(0, batch).Select(_ => CapacityAssessed($"t{n++}")).ToList();
            var appended = await fixture.App.InTenantAsync("TIL1", sp => sp.GetRequiredService<AuditLog>().AppendAsync(entries));
            leaves.AddRange(appended.Value.Select(AuditEntryCanonicalForm.LeafHash));
        }

        var reference = new MerkleTree(new InMemoryMerkleNodeStore());
        await reference.AppendAsync(leaves);
        long[] sizes = [1, 2, 255, 256, 257, 511, 512, 513, 700];
        long[] indexes = [0, 1, 254, 255, 256, 511, 512, 699];
        var expected = await Proofs(reference, sizes, indexes);

        var (stored, rows) = await fixture.App.InTenantAsync("TIL1", async sp =>
            (await Proofs(sp.GetRequiredService<AuditLog>().Tree(), sizes, indexes),
                await sp.GetRequiredService<AuditDbContext>().TreeTiles.CountAsync()));
        Assert.Equal(expected, stored);
        // Level 0: a row per batch, two where a batch crosses a tile's edge (at 256 and 512): 9; level 8: its nodes 0 and 1.
        Assert.Equal(11, rows);
    }

    private static async Task<List<string>> Proofs(MerkleTree tree, long[] sizes, long[] indexes)
    {
        var proofs = new List<string> { Convert.ToHexString((await tree.HeadAsync()).RootHash) };
        foreach (var size in sizes)
        {
            proofs.Add($"root {size}: " + Convert.ToHexString(await tree.RootAsync(size)));
            foreach (var index in indexes.Where(i => i < size))
            {
                proofs.Add($"inclusion {index} in {size}: " + string.Join(",", (await tree.InclusionProofAsync(index, size)).Select(Convert.ToHexString)));
            }

            foreach (var first in sizes.Where(s => s < size))
            {
                proofs.Add($"consistency {first} to {size}: " + string.Join(",", (await tree.ConsistencyProofAsync(first, size)).Select(Convert.ToHexString)));
            }
        }

        return proofs;
    }

    [Fact]
    public async Task Concurrent_appends_to_one_trust_take_distinct_sequences_and_the_tree_holds_every_one()
    {
        var appended = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Append("AAA9", CapacityAssessed($"c{i}"))));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), appended.Select(a => a.Value.Sequence).Order());
        var root = await fixture.App.InTenantAsync("AAA9", async sp =>
        {
            var tree = sp.GetRequiredService<AuditLog>().Tree();
            return (await tree.HeadAsync()).RootHash;
        });
        var leaves = appended.Select(a => a.Value).OrderBy(e => e.Sequence).Select(AuditEntryCanonicalForm.LeafHash).ToList();
        Assert.Equal(Platform.Audit.Domain.Verification.AuditLogVerifier.RootOf(leaves, 0, leaves.Count), root);
    }

    // Another replica's appends, or a transaction that rolled back, leave this process's cached frontier behind: the
    // next append must notice (the size under the lock differs) and read the frontier, or the tree's root goes wrong.
    [Fact]
    public async Task An_append_after_another_replicas_appends_keeps_the_tree_right()
    {
        await Append("AAF1", CapacityAssessed("p1"));
        await Append("AAF1", CapacityAssessed("p2"));
        await OtherReplicaAppends("AAF1", "q1", "q2", "q3");
        await Append("AAF1", CapacityAssessed("p3"));
        await AssertTreeHoldsEveryEntry("AAF1", 6);
    }

    [Fact]
    public async Task An_append_rolled_back_then_another_replicas_appends_of_as_many_entries_keep_the_tree_right()
    {
        await Append("AAF2", CapacityAssessed("p1"));
        await fixture.App.InTenantAsync("AAF2", async sp =>
        {
            var db = sp.GetRequiredService<AuditDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var appended = await sp.GetRequiredService<AuditLog>().AppendAsync([CapacityAssessed("gone1"), CapacityAssessed("gone2")]);
            Assert.Equal(3, appended.Value[^1].Sequence);
            await tx.RollbackAsync();
            return 0;
        });
        // The same size the rolled-back append reached, with other leaves.
        await OtherReplicaAppends("AAF2", "q1", "q2");
        await Append("AAF2", CapacityAssessed("p2"));
        await AssertTreeHoldsEveryEntry("AAF2", 4);
    }

    private Task OtherReplicaAppends(string tenant, params string[] patients) =>
        fixture.App.InTenantAsync(tenant, async sp =>
        {
            var replica = new AuditLog(sp.GetRequiredService<AuditDbContext>(), new Tree.TreeFrontiers(), TimeProvider.System);
            return (await replica.AppendAsync([.. patients.Select(p => CapacityAssessed(p))])).Value.Count;
        });

    private async Task AssertTreeHoldsEveryEntry(string tenant, int count)
    {
        var (entries, head) = await fixture.App.InTenantAsync(tenant, async sp =>
        {
            var log = sp.GetRequiredService<AuditLog>();
            return ((await log.ListAsync(new AuditQuery(PageSize: 100))).Value.Entries, await log.Tree().HeadAsync());
        });
        Assert.Equal(count, entries.Count);
        var leaves = entries.Select(AuditEntryCanonicalForm.LeafHash).ToList();
        Assert.Equal(count, head.Size);
        Assert.Equal(Platform.Audit.Domain.Verification.AuditLogVerifier.RootOf(leaves, 0, leaves.Count), head.RootHash);
        // And from a fresh reader of the stored nodes, not this process's cache.
        var stored = await fixture.App.InTenantAsync(tenant, async sp =>
            await new MerkleTree(new Tree.DatabaseMerkleNodeStore(sp.GetRequiredService<AuditDbContext>(), tenant)).RootAsync(count));
        Assert.Equal(head.RootHash, stored);
    }

    [Fact]
    public async Task Malformed_entries_are_refused_naming_the_field_and_change_nothing()
    {
        Assert.Equal("type.format", (await Append("AAA5", CapacityAssessed("p1") with { Type = "has spaces" })).Refusal?.Rule);
        Assert.Equal("agent-who.required", (await Append("AAA5", CapacityAssessed("p1") with { Agent = new AuditAgent("", "clinician", "TREAT") })).Refusal?.Rule);
        Assert.Equal("patient.too-long", (await Append("AAA5", CapacityAssessed(new string('x', 130)))).Refusal?.Rule);
        var size = await fixture.App.InTenantAsync("AAA5", async sp => await sp.GetRequiredService<AuditLog>().Tree().GetSizeAsync());
        Assert.Equal(0, size);
    }

    [Fact]
    public async Task One_source_event_becomes_one_entry_even_past_the_inbox()
    {
        var first = await Append("AAA2", CapacityAssessed("p1", "evt-once"));
        var again = await Append("AAA2", CapacityAssessed("p1", "evt-once"));
        Assert.Equal(first.Value.Id, again.Value.Id);
        var count = await fixture.App.InTenantAsync("AAA2", sp => sp.GetRequiredService<AuditDbContext>().Entries.CountAsync());
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Trust_B_cannot_see_trust_As_entries_or_tree()
    {
        var a = await Append("AAA6", CapacityAssessed("p1"));
        var fromB = await fixture.App.InTenantAsync("BBB6", async sp => (await sp.GetRequiredService<AuditLog>().ListAsync(new AuditQuery())).Value.Entries);
        Assert.Empty(fromB);
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "audit_entries", a.Value.Id, "BBB6"));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "audit_entries", a.Value.Id, "AAA6"));
        Assert.Equal(0, await CountAsApp("BBB6", "SELECT count(*) FROM audit_tree_tiles WHERE tenant_id = 'AAA6'"));
        Assert.Equal(1, await CountAsApp("AAA6", "SELECT count(*) FROM audit_tree_tiles WHERE tenant_id = 'AAA6'"));
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET outcome = 12")]
    [InlineData("DELETE FROM audit_entries")]
    [InlineData("UPDATE audit_tree_tiles SET hashes = '\\x00'")]
    [InlineData("DELETE FROM audit_tree_tiles")]
    [InlineData("UPDATE audit_checkpoints SET note = ''")]
    public async Task The_database_refuses_to_change_or_delete_the_log_even_for_its_own_trust(string sql)
    {
        await Append("AAA7", CapacityAssessed("p1"));
        await fixture.CheckpointAsync();
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', 'AAA7', false)", conn)) await set.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand(sql + " WHERE tenant_id = 'AAA7'", conn);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Contains("append-only", error.MessageText);
    }

    private async Task<long> CountAsApp(string tenant, string sql)
    {
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", conn))
        {
            set.Parameters.AddWithValue("t", tenant);
            await set.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync("AAA8", async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<AuditDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<AuditSqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync("AAA8", async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<AuditDbContext>()); return 0; });
}
