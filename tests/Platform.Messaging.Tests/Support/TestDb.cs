using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Testing;

namespace Platform.Messaging.Tests.Support;

/// <summary>A fresh database with the ledger schema: real PostgreSQL (as the app role) or a SQLite file.</summary>
public sealed class TestDb
{
    private TestDb(bool sqlite, string connectionString, string? ownerConnectionString = null)
    {
        IsSqlite = sqlite;
        ConnectionString = connectionString;
        OwnerConnectionString = ownerConnectionString ?? connectionString;
    }

    public bool IsSqlite { get; }
    public string ConnectionString { get; }

    /// <summary>The schema owner's connection (PostgreSQL); row-level security does not apply to it.</summary>
    public string OwnerConnectionString { get; }

    public static async Task<TestDb> PostgresAsync(string prefix = "messaging")
    {
        var server = await PostgresServer.SharedAsync();
        var name = await server.CreateDatabaseAsync(prefix);
        var owner = new TestDb(false, server.OwnerConnectionString(name));
        await using (var db = owner.Open()) await db.Database.EnsureCreatedAsync();
        await using (var conn = new NpgsqlConnection(server.OwnerConnectionString(name)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {PostgresServer.AppRole}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new TestDb(false, server.AppConnectionString(name), server.OwnerConnectionString(name));
    }

    public static async Task<TestDb> SqliteAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"messaging-{Guid.NewGuid():N}.db");
        var db = new TestDb(true, new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString());
        await using var ctx = db.Open();
        await ctx.Database.EnsureCreatedAsync();
        // WAL lets the relay read while a handler writes.
        await ctx.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return db;
    }

    public void Configure(DbContextOptionsBuilder builder)
    {
        if (IsSqlite) builder.UseSqlite(ConnectionString);
        else builder.UseNpgsql(ConnectionString);
    }

    public LedgerDbContext Open()
    {
        var builder = new DbContextOptionsBuilder<LedgerDbContext>();
        Configure(builder);
        return new LedgerDbContext(builder.Options);
    }
}
