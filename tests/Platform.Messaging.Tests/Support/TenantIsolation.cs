using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Messaging.Inbox;

namespace Platform.Messaging.Tests.Support;

/// <summary>The tenant a DI scope acts for; set only by the event scope hook, from the event's own tenant attribute.</summary>
public sealed class TestTenant
{
    public string? Id { get; set; }
}

/// <summary>
/// Row-level security the way the services use it, in miniature: the <see cref="IEventScope"/> hook sets the scope's tenant
/// before the DbContext exists, and every connection the context opens sets <c>app.tenant_id</c>, which the policies on
/// <c>accounts</c> and <c>notes</c> read (for reads and for writes).
/// </summary>
public static class TenantIsolation
{
    public const string Setting = "app.tenant_id";

    /// <summary>Wires the tenant hook and the connection interceptor into a test app.</summary>
    public static void Use(WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<TestTenant>();
        builder.Services.AddSingleton<IEventScope, TenantScope>();
        builder.Services.ConfigureDbContext<LedgerDbContext>((sp, options) => options.AddInterceptors(new TenantSession(sp.GetRequiredService<TestTenant>())));
    }

    /// <summary>Enables row-level security on the ledger's own tables (as the owner); the app role is not the owner, so it applies.</summary>
    public static async Task EnableAsync(TestDb db)
    {
        await using var conn = new NpgsqlConnection(db.OwnerConnectionString);
        await conn.OpenAsync();
        foreach (var table in new[] { "accounts", "notes" })
        {
            await using var cmd = new NpgsqlCommand(
                $"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY; " +
                $"CREATE POLICY tenant_isolation ON {table} USING (\"Tenant\" = current_setting('{Setting}', true)) " +
                $"WITH CHECK (\"Tenant\" = current_setting('{Setting}', true));", conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Rows of <paramref name="table"/> the app role sees when acting for <paramref name="tenant"/> (null: none set), by raw SQL.</summary>
    public static async Task<List<(string Id, string Tenant)>> VisibleAsync(TestDb db, string table, string? tenant)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using (var set = new NpgsqlCommand($"SELECT set_config('{Setting}', @t, false)", conn))
        {
            set.Parameters.AddWithValue("t", tenant ?? "");
            await set.ExecuteNonQueryAsync();
        }
        var idColumn = table == "notes" ? "\"Text\"" : "\"Id\"";
        await using var cmd = new NpgsqlCommand($"SELECT {idColumn}, \"Tenant\" FROM {table} ORDER BY 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    private sealed class TenantScope : IEventScope
    {
        public void Enter(IServiceProvider scope, EventEnvelope envelope) => scope.GetRequiredService<TestTenant>().Id = envelope.Tenant;
    }

    private sealed class TenantSession(TestTenant tenant) : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var cmd = Command(connection);
            cmd.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var cmd = Command(connection);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        private NpgsqlCommand Command(DbConnection connection)
        {
            var cmd = new NpgsqlCommand($"SELECT set_config('{Setting}', @t, false)", (NpgsqlConnection)connection);
            cmd.Parameters.AddWithValue("t", tenant.Id ?? "");
            return cmd;
        }
    }
}
