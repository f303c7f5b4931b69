using Npgsql;
using NpgsqlTypes;
using Platform.Audit.Domain.Entries;
using Platform.Testing;

namespace Platform.Tools.AuditVerifier.Tests;

/// <summary>
/// The verifier over a real PostgreSQL database laid out as docs/audit-api-followup.md proposes, read as the
/// service's app role under row-level security. Rows are tampered with as the table owner would, past the
/// append-only trigger, and the verifier names the entry.
/// </summary>
public sealed class DatabaseVerificationTests(AuditLogFixture log) : IClassFixture<AuditLogFixture>
{
    /// <summary>The proposed layout (the API task's migration must match what PostgresAuditLogDatabase reads).</summary>
    public const string Schema = """
        CREATE TABLE audit_entries (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            sequence bigint NOT NULL,
            type varchar(64) NOT NULL,
            action varchar(12) NOT NULL,
            outcome integer NOT NULL,
            agent_who varchar(128) NOT NULL,
            agent_role varchar(64) NOT NULL,
            agent_purpose_of_use varchar(32) NOT NULL,
            entity_what varchar(256) NOT NULL,
            entity_type varchar(64) NOT NULL,
            recorded timestamptz NOT NULL,
            patient varchar(128) NULL,
            source_event_source varchar(256) NULL,
            source_event_id varchar(128) NULL);
        CREATE UNIQUE INDEX ix_audit_entries_tenant_id_sequence ON audit_entries (tenant_id, sequence);
        CREATE TABLE audit_tree_tiles (
            tenant_id text NOT NULL,
            level smallint NOT NULL,
            start_index bigint NOT NULL,
            hashes bytea NOT NULL,
            PRIMARY KEY (tenant_id, level, start_index));
        CREATE TABLE audit_checkpoints (
            tenant_id text NOT NULL,
            tree_size bigint NOT NULL,
            root_hash bytea NOT NULL,
            signed_at timestamptz NOT NULL,
            note text NOT NULL,
            PRIMARY KEY (tenant_id, tree_size));
        CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit tables are append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        CREATE TRIGGER audit_tree_tiles_append_only BEFORE UPDATE OR DELETE ON audit_tree_tiles FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        """;

    private async Task<(PostgresServer Server, string Database)> CreateLogDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync("audit_verifier");
        await using var owner = new NpgsqlConnection(server.OwnerConnectionString(database));
        await owner.OpenAsync();
        await Execute(owner, Schema);
        foreach (var table in new[] { "audit_entries", "audit_tree_tiles", "audit_checkpoints" })
        {
            await Execute(owner, $"""
                ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON {table} USING (tenant_id = current_setting('app.tenant_id', true));
                GRANT SELECT, INSERT ON {table} TO {PostgresServer.AppRole};
                """);
        }

        foreach (var entry in log.Entries) await InsertEntryAsync(owner, entry);
        // The leaves as the service stores them (ADR 0038): level-0 runs of hashes within 256-leaf tiles, here one per tile.
        foreach (var tile in log.Store.Written.Where(n => n.Id.Level == 0).OrderBy(n => n.Id.Index).Chunk(256))
        {
            await using var insert = new NpgsqlCommand("INSERT INTO audit_tree_tiles VALUES ('RX3', 0, @start, @hashes)", owner);
            insert.Parameters.AddWithValue("start", tile[0].Id.Index);
            insert.Parameters.AddWithValue("hashes", tile.SelectMany(n => n.Hash).ToArray());
            await insert.ExecuteNonQueryAsync();
        }

        await using (var checkpoint = new NpgsqlCommand("INSERT INTO audit_checkpoints VALUES ('RX3', @size, @root, @at, @note)", owner))
        {
            checkpoint.Parameters.AddWithValue("size", (long)AuditLogFixture.Size);
            checkpoint.Parameters.AddWithValue("root", await log.Tree.RootAsync(AuditLogFixture.Size));
            checkpoint.Parameters.AddWithValue("at", log.Clock.GetUtcNow());
            checkpoint.Parameters.AddWithValue("note", log.Checkpoint.Serialize());
            await checkpoint.ExecuteNonQueryAsync();
        }

        return (server, database);
    }

    private static async Task InsertEntryAsync(NpgsqlConnection connection, AuditEntry e)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO audit_entries VALUES (@id, @tenant, @sequence, @type, @action, @outcome, @who, @role, @purpose, @what, @entityType,
                @recorded, @patient, @eventSource, @eventId)
            """, connection);
        insert.Parameters.AddWithValue("id", e.Id);
        insert.Parameters.AddWithValue("tenant", e.Tenant);
        insert.Parameters.AddWithValue("sequence", e.Sequence);
        insert.Parameters.AddWithValue("type", e.Type);
        insert.Parameters.AddWithValue("action", e.Action.ToString());
        insert.Parameters.AddWithValue("outcome", (int)e.Outcome);
        insert.Parameters.AddWithValue("who", e.Agent.Who);
        insert.Parameters.AddWithValue("role", e.Agent.Role);
        insert.Parameters.AddWithValue("purpose", e.Agent.PurposeOfUse);
        insert.Parameters.AddWithValue("what", e.Entity.What);
        insert.Parameters.AddWithValue("entityType", e.Entity.Type);
        insert.Parameters.AddWithValue("recorded", e.Recorded.UtcDateTime);
        insert.Parameters.Add(new NpgsqlParameter("patient", NpgsqlDbType.Varchar) { Value = (object?)e.Patient ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("eventSource", NpgsqlDbType.Varchar) { Value = (object?)e.SourceEvent?.Source ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("eventId", NpgsqlDbType.Varchar) { Value = (object?)e.SourceEvent?.Id ?? DBNull.Value });
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Changes rows as the table owner, switching the append-only triggers off first as an attacker would.</summary>
    private static async Task TamperAsync(PostgresServer server, string database, string sql)
    {
        await using var owner = new NpgsqlConnection(server.OwnerConnectionString(database));
        await owner.OpenAsync();
        await Execute(owner, "ALTER TABLE audit_entries DISABLE TRIGGER USER; ALTER TABLE audit_tree_tiles DISABLE TRIGGER USER;");
        await Execute(owner, sql);
    }

    private Task<VerifierRun> VerifyAsync(PostgresServer server, string database) =>
        VerifierRun.RunAsync("database", "--connection", server.AppConnectionString(database),
            "--key", log.LogKey.Verifier.ToString(), "--key", log.WitnessKey.Verifier.ToString());

    [Fact]
    public async Task An_untouched_database_verifies_as_the_app_role()
    {
        var (server, database) = await CreateLogDatabaseAsync();

        var run = await VerifyAsync(server, database);

        Assert.Equal(ExitCodes.Intact, run.ExitCode);
        Assert.Contains("INTACT: all 12 entries", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_append_only_trigger_stops_the_app_role_and_the_owner_until_switched_off()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        await using var owner = new NpgsqlConnection(server.OwnerConnectionString(database));
        await owner.OpenAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => Execute(owner, "UPDATE audit_entries SET agent_who = 'x' WHERE sequence = 5"));

        Assert.Equal("42501", refused.SqlState);
    }

    [Fact]
    public async Task A_row_altered_by_the_owner_is_named()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        await TamperAsync(server, database, "UPDATE audit_entries SET agent_who = 'someone-else' WHERE sequence = 5");

        var run = await VerifyAsync(server, database);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains($"BROKEN at entry 5 (position 5, id {log.Entries[4].Id:D}): altered.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_row_is_named()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        await TamperAsync(server, database, "DELETE FROM audit_entries WHERE sequence = 6");

        var run = await VerifyAsync(server, database);

        Assert.Contains("BROKEN at entry 6 (position 6): deleted.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_renumbered_to_change_their_order_are_named()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        await TamperAsync(server, database, """
            UPDATE audit_entries SET sequence = -3 WHERE sequence = 3;
            UPDATE audit_entries SET sequence = 3 WHERE sequence = 4;
            UPDATE audit_entries SET sequence = 4 WHERE sequence = -3;
            """);

        var run = await VerifyAsync(server, database);

        Assert.Contains($"BROKEN at entry 3 (position 3, id {log.Entries[3].Id:D}): reordered.", run.Output, StringComparison.Ordinal);
        Assert.Contains("the log's entry 4, renumbered 3", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inserted_row_is_named()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        var forged = log.Entries[6] with { Id = Guid.Parse("00000000-0000-7000-8000-000000000001"), Agent = new AuditAgent("nobody", "clinician", "TREAT") };
        await TamperAsync(server, database, "DROP INDEX ix_audit_entries_tenant_id_sequence");
        await using (var owner = new NpgsqlConnection(server.OwnerConnectionString(database)))
        {
            await owner.OpenAsync();
            await InsertEntryAsync(owner, forged);
        }

        var run = await VerifyAsync(server, database);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("BROKEN at entry 7 (position 7, id 00000000-0000-7000-8000-000000000001): inserted.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_and_its_stored_leaf_rewritten_together_still_fail_against_the_signed_root()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        var altered = log.Entries[4] with { Agent = new AuditAgent("someone-else", log.Entries[4].Agent.Role, log.Entries[4].Agent.PurposeOfUse) };
        var leaf = Convert.ToHexStringLower(AuditEntryCanonicalForm.LeafHash(altered));
        await TamperAsync(server, database, $"""
            UPDATE audit_entries SET agent_who = 'someone-else' WHERE sequence = 5;
            UPDATE audit_tree_tiles SET hashes = overlay(hashes placing '\x{leaf}' from 4 * 32 + 1 for 32) WHERE level = 0 AND start_index = 0;
            """);

        var run = await VerifyAsync(server, database);

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("the stored Merkle tree does NOT reproduce the signed root", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_checkpoint_not_signed_by_the_given_keys_is_refused()
    {
        var (server, database) = await CreateLogDatabaseAsync();
        using var stranger = Platform.Audit.Domain.Notes.NoteSigningKey.Generate(AuditLogFixture.Origin, Platform.Audit.Domain.Notes.NoteSignatureType.Ed25519);

        var run = await VerifierRun.RunAsync("database", "--connection", server.AppConnectionString(database), "--key", stranger.Verifier.ToString());

        Assert.Equal(ExitCodes.Broken, run.ExitCode);
        Assert.Contains("the checkpoint is not to be trusted", run.Output, StringComparison.Ordinal);
    }
}
