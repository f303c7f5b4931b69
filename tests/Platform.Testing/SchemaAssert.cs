using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// Checks that a service's migrations hold its EF model: nothing in the model is missing from the migrations (the
/// snapshot dotnet-ef keeps), and the schema the migrations build has the model's tables, columns, store types and
/// nullability (the migrations are generated, but edited by hand for what EF cannot express, such as row-level security).
/// </summary>
public static class SchemaAssert
{
    /// <summary>Fails when the model has changed since the last migration, i.e. a model edit came without its migration.</summary>
    public static void NoPendingModelChanges(DbContext context) =>
        Assert.False(context.Database.HasPendingModelChanges(),
            $"{context.GetType().Name}: the model has changes that no migration holds. Add one for both providers: bash tools/migrations-add.sh <app> <MigrationName>");

    public static async Task MigratedSchemaMatchesModelAsync(DbContext context)
    {
        var model = context.Model.GetRelationalModel();
        var conn = context.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
        var isPostgres = context.Database.ProviderName!.Contains("Npgsql", StringComparison.Ordinal);
        var problems = new List<string>();
        foreach (var table in model.Tables)
        {
            var actual = isPostgres ? await PostgresColumns(conn, table.Name) : await SqliteColumns(conn, table.Name);
            if (actual.Count == 0)
            {
                problems.Add($"table {table.Name} is missing");
                continue;
            }
            foreach (var column in table.Columns)
            {
                if (!actual.TryGetValue(column.Name, out var found))
                {
                    problems.Add($"{table.Name}.{column.Name} is missing");
                    continue;
                }
                if (!string.Equals(found.Type, column.StoreType, StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{table.Name}.{column.Name} is {found.Type}, the model expects {column.StoreType}");
                if (found.Nullable != column.IsNullable)
                    problems.Add($"{table.Name}.{column.Name} nullable={found.Nullable}, the model expects {column.IsNullable}");
            }
            foreach (var extra in actual.Keys.Except(table.Columns.Select(c => c.Name)))
                problems.Add($"{table.Name}.{extra} is in the database but not in the model");
        }
        Assert.True(problems.Count == 0, "Migrated schema differs from the model:\n" + string.Join("\n", problems));
    }

    private sealed record Column(string Type, bool Nullable);

    private static async Task<Dictionary<string, Column>> PostgresColumns(DbConnection conn, string table)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname = @t AND a.attnum > 0 AND NOT a.attisdropped
            """;
        var p = cmd.CreateParameter();
        p.ParameterName = "t";
        p.Value = table;
        cmd.Parameters.Add(p);
        return await Read(cmd);
    }

    private static async Task<Dictionary<string, Column>> SqliteColumns(DbConnection conn, string table)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT name, type, \"notnull\" = 0 FROM pragma_table_info($t)";
        var p = cmd.CreateParameter();
        p.ParameterName = "$t";
        p.Value = table;
        cmd.Parameters.Add(p);
        return await Read(cmd);
    }

    private static async Task<Dictionary<string, Column>> Read(DbCommand cmd)
    {
        var result = new Dictionary<string, Column>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result[reader.GetString(0)] = new Column(reader.GetString(1), Convert.ToBoolean(reader.GetValue(2)));
        return result;
    }
}

/// <summary>Migrates a new SQLite file with a service's SQLite context and checks the schema against the model.</summary>
public static class SqliteSchema
{
    public static async Task MigrateAndAssertMatchesModelAsync<TContext>() where TContext : DbContext
    {
        var file = Path.Combine(Path.GetTempPath(), $"schema-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<TContext>().UseSqlite($"Data Source={file};Pooling=false").Options;
            await using var db = (TContext)Activator.CreateInstance(typeof(TContext), options, new FixedTenant("RX3"))!;
            await db.Database.MigrateAsync();
            await SchemaAssert.MigratedSchemaMatchesModelAsync(db);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
