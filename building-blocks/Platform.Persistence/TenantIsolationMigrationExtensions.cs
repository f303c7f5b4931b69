using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Persistence;

/// <summary>
/// PostgreSQL row-level security for a tenant-owned table, called from a generated PostgreSQL migration after the
/// table is created (EF's model cannot express policies, so dotnet-ef does not write this line itself). Dropping the
/// table drops its policy with it.
/// </summary>
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
}
