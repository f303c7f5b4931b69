using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Domain;
using Xunit;

namespace Platform.Testing;

/// <summary>Raw-SQL probes under the app role, with no EF filter in the way: what row-level security alone lets through, and whether it is on.</summary>
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

    /// <summary>
    /// Fails unless every table of an <see cref="ITenantOwned"/> entity in <paramref name="context"/>'s model has
    /// row-level security enabled and forced, with the <c>tenant_isolation</c> policy: the check that a generated
    /// migration adding a tenant-owned table was given its <c>EnableTenantRowLevelSecurity</c> call.
    /// </summary>
    public static async Task AssertEveryTenantTableIsIsolatedAsync(DbContext context)
    {
        var tenantTables = context.Model.GetEntityTypes()
            .Where(e => !e.IsOwned() && typeof(ITenantOwned).IsAssignableFrom(e.ClrType))
            .Select(e => e.GetTableName()!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(tenantTables);
        var conn = (NpgsqlConnection)context.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname = @table AND c.relkind = 'r'
            """, conn);
        var table = cmd.Parameters.AddWithValue("table", "");
        var problems = new List<string>();
        foreach (var name in tenantTables)
        {
            table.Value = name;
            await using var reader = await cmd.ExecuteReaderAsync();
            if (!await reader.ReadAsync()) problems.Add($"{name} is missing");
            else if (!(reader.GetBoolean(0) && reader.GetBoolean(1) && reader.GetBoolean(2)))
                problems.Add($"{name}: row level security enabled={reader.GetBoolean(0)}, forced={reader.GetBoolean(1)}, tenant_isolation policy={reader.GetBoolean(2)}");
        }
        Assert.True(problems.Count == 0,
            "Tenant-owned tables without row-level security (call migrationBuilder.EnableTenantRowLevelSecurity in the PostgreSQL migration):\n" + string.Join("\n", problems));
    }
}
