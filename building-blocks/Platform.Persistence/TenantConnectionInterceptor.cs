using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Platform.Persistence;

/// <summary>
/// On every PostgreSQL connection a context opens, sets the session variable <c>app.tenant_id</c> that the
/// row-level-security policies read. An empty value (no tenant) matches no row.
/// </summary>
internal sealed class TenantConnectionInterceptor : DbConnectionInterceptor
{
    public const string Setting = "app.tenant_id";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = Build(connection, eventData);
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = Build(connection, eventData);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Build(DbConnection connection, ConnectionEndEventData eventData)
    {
        var tenant = (eventData.Context as PlatformDbContext)?.CurrentTenant ?? "";
        var cmd = new NpgsqlCommand($"SELECT set_config('{Setting}', @tenant, false)", (NpgsqlConnection)connection);
        cmd.Parameters.AddWithValue("tenant", tenant);
        return cmd;
    }
}
