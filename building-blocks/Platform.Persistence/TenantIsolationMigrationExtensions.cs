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

    /// <summary>
    /// Row-level security for a region-scoped table, one that every trust reads but only the trust a row came from
    /// writes (shared supplier evidence): FORCE, a <c>region_read</c> policy admitting every row to a session acting for
    /// a trust active in <paramref name="knownTrustsTable"/> (a table of <c>ods_code</c> and <c>active</c>, as
    /// Platform.KnownTrusts keeps), and <c>origin_insert</c> / <c>origin_update</c> policies admitting a write only
    /// where <paramref name="originColumn"/> equals the session's <c>app.tenant_id</c>. No policy allows DELETE, so
    /// no trust can delete a row.
    /// </summary>
    public static void EnableRegionSharedRowLevelSecurity(this MigrationBuilder migrationBuilder, string table, string originColumn, string knownTrustsTable)
    {
        var tenant = $"current_setting('{TenantConnectionInterceptor.Setting}', true)";
        migrationBuilder.Sql($"""
            ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
            ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
            CREATE POLICY region_read ON "{table}" FOR SELECT
                USING (EXISTS (SELECT 1 FROM "{knownTrustsTable}" k WHERE k.ods_code = {tenant} AND k.active));
            CREATE POLICY origin_insert ON "{table}" FOR INSERT
                WITH CHECK ("{originColumn}" = {tenant});
            CREATE POLICY origin_update ON "{table}" FOR UPDATE
                USING ("{originColumn}" = {tenant})
                WITH CHECK ("{originColumn}" = {tenant});
            """);
    }
}
