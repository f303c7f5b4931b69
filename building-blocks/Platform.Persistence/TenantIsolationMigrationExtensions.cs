using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Persistence;

/// <summary>Migration helpers for PostgreSQL row-level security on tenant-owned tables.</summary>
public static class TenantIsolationMigrationExtensions
{
    /// <summary>
    /// Turns on row-level security with FORCE (so even the table owner is subject to it) and a policy that admits only
    /// rows whose tenant_id equals the session's <c>app.tenant_id</c>, for reads and for writes.
    /// </summary>
    public static void EnableTenantRowLevelSecurity(this MigrationBuilder migrationBuilder, string table)
    {
        migrationBuilder.Sql($"""
            ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
            ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON "{table}"
                USING (tenant_id = current_setting('{TenantConnectionInterceptor.Setting}', true))
                WITH CHECK (tenant_id = current_setting('{TenantConnectionInterceptor.Setting}', true));
            """);
    }

    /// <summary>Reverses <see cref="EnableTenantRowLevelSecurity"/>.</summary>
    public static void DisableTenantRowLevelSecurity(this MigrationBuilder migrationBuilder, string table)
    {
        migrationBuilder.Sql($"""
            DROP POLICY IF EXISTS tenant_isolation ON "{table}";
            ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;
            ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;
            """);
    }
}
