using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Persistence;

/// <summary>
/// A hand-written migration step made from a schema body (docs/decisions/0001): each provider's context gets one
/// class per step with the same migration id, and the class has no code of its own.
/// </summary>
public abstract class SchemaStep(Action<MigrationBuilder> up, Action<MigrationBuilder> down) : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => up(migrationBuilder);

    protected override void Down(MigrationBuilder migrationBuilder) => down(migrationBuilder);
}

/// <summary>The PostgreSQL form of a step: the same body, then row-level security on the tenant-owned tables it creates.</summary>
public abstract class PostgresSchemaStep(Action<MigrationBuilder> up, Action<MigrationBuilder> down, params string[] tenantTables) : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        up(migrationBuilder);
        foreach (var table in tenantTables) migrationBuilder.EnableTenantRowLevelSecurity(table);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in tenantTables) migrationBuilder.DisableTenantRowLevelSecurity(table);
        down(migrationBuilder);
    }
}
