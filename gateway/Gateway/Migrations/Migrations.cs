using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Gateway.Tenancy;
using Platform.Persistence;

namespace Platform.Gateway.Migrations;

// Written by hand (docs/decisions/0001-hand-written-migrations.md).
internal static class GatewaySchema
{
    public const string TrustsTable = "trusts";
    public const string WardsTable = "wards";

    public static void V1Up(MigrationBuilder mb)
    {
        mb.CreateTable(TrustsTable, c => new
        {
            ods_code = c.Text(8),
            name = c.Text(200),
            registered_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_trusts", x => x.ods_code));
        mb.CreateTable(WardsTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            code = c.Text(32),
            name = c.Text(200),
            setting = c.Text(24),
            beds = c.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_wards", x => x.id));
        mb.CreateIndex("ix_wards_tenant_id_code", WardsTable, ["tenant_id", "code"], unique: true);
    }

    public static void V1Down(MigrationBuilder mb)
    {
        mb.DropTable(WardsTable);
        mb.DropTable(TrustsTable);
    }
}

[DbContext(typeof(GatewaySqliteDbContext))]
[Migration("20261122020000_TenancyDirectory")]
public sealed class TenancyDirectorySqlite() : SchemaStep(GatewaySchema.V1Up, GatewaySchema.V1Down);

[DbContext(typeof(GatewayPostgresDbContext))]
[Migration("20261122020000_TenancyDirectory")]
public sealed class TenancyDirectoryPostgres() : PostgresSchemaStep(GatewaySchema.V1Up, GatewaySchema.V1Down, GatewaySchema.WardsTable);
