using Npgsql;

namespace Platform.Testing;

/// <summary>Raw-SQL probes under the app role, with no EF filter in the way: what row-level security alone lets through.</summary>
public static class RowLevelSecurity
{
    /// <summary>Counts rows of <paramref name="table"/> with this id that the app role sees when acting for <paramref name="tenant"/> (null: no tenant set).</summary>
    public static async Task<long> CountVisibleAsync(PostgresServer pg, string database, string table, Guid id, string? tenant)
    {
        await using var conn = new NpgsqlConnection(pg.AppConnectionString(database));
        await conn.OpenAsync();
        if (tenant is not null)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", conn);
            set.Parameters.AddWithValue("t", tenant);
            await set.ExecuteNonQueryAsync();
        }
        // The table name comes from the test, never from input; it is quoted as an identifier.
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM \"{table.Replace("\"", "", StringComparison.Ordinal)}\" WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", id);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
