using Npgsql;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Verification;

namespace Platform.Tools.AuditVerifier;

/// <summary>
/// Reads the audit tables as docs/audit-api-followup.md lays them out (audit_entries, audit_tree_tiles,
/// audit_checkpoints; the stored leaves are the level-0 tile rows, runs of 32-byte hashes, ADR 0038). It sets the row-level-security tenant, so the service's app role can run it as well as the
/// owner, and only reads.
/// </summary>
public sealed class PostgresAuditLogDatabase(NpgsqlDataSource dataSource) : IAuditLogDatabase
{
    public static PostgresAuditLogDatabase Open(string connectionString) => new(NpgsqlDataSource.Create(connectionString));

    public async Task<string?> ReadLatestCheckpointAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenant, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT note FROM audit_checkpoints WHERE tenant_id = @tenant ORDER BY tree_size DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlyList<CandidateEntry>> ReadEntriesAsync(string tenant, long first, long last, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenant, cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT id, tenant_id, sequence, type, action, outcome, recorded, agent_who, agent_role, agent_purpose_of_use,
                   entity_what, entity_type, patient, source_event_source, source_event_id
            FROM audit_entries
            WHERE tenant_id = @tenant AND sequence BETWEEN @first AND @last
            ORDER BY sequence, id
            """, connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("first", first);
        command.Parameters.AddWithValue("last", last);
        var entries = new List<CandidateEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var position = entries.Count;
            var actionText = reader.GetString(4);
            if (!Enum.TryParse<AuditAction>(actionText, out var action) || !Enum.IsDefined(action))
            {
                entries.Add(new CandidateEntry(position, null, $"row {reader.GetGuid(0)} has action '{actionText}'"));
                continue;
            }

            var outcome = (AuditOutcome)reader.GetInt32(5);
            var sourceEvent = reader.IsDBNull(14) ? null : new SourceEvent(reader.IsDBNull(13) ? "" : reader.GetString(13), reader.GetString(14));
            var entry = new AuditEntry(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), action, outcome,
                new DateTimeOffset(reader.GetFieldValue<DateTime>(6), TimeSpan.Zero),
                new AuditAgent(reader.GetString(7), reader.GetString(8), reader.GetString(9)),
                new AuditEntity(reader.GetString(10), reader.GetString(11)),
                reader.IsDBNull(12) ? null : reader.GetString(12), sourceEvent);
            entries.Add(new CandidateEntry(position, entry));
        }

        return entries;
    }

    public async Task<IReadOnlyList<byte[]>> ReadLeafHashesAsync(string tenant, long size, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(tenant, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT start_index, hashes FROM audit_tree_tiles WHERE tenant_id = @tenant AND level = 0 AND start_index < @size ORDER BY start_index", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("size", size);
        var leaves = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // A missing or overlapping run, or a torn hash, ends the leaves: the stored tree cannot then reproduce the signed root.
            var hashes = reader.GetFieldValue<byte[]>(1);
            if (reader.GetInt64(0) != leaves.Count || hashes.Length % 32 != 0) break;
            leaves.AddRange(hashes.Chunk(32));
        }

        if (leaves.Count > size) leaves.RemoveRange((int)size, leaves.Count - (int)size);
        return leaves;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private async Task<NpgsqlConnection> OpenAsync(string tenant, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var setTenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, false)", connection);
        setTenant.Parameters.AddWithValue("tenant", tenant);
        await setTenant.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
