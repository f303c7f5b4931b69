using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Procurement.Api.Data;
using Platform.Messaging;
using Platform.Persistence;

namespace Platform.Procurement.Api.Migrations;

// Written by hand (docs/decisions/0001-hand-written-migrations.md).
internal static class ProcurementSchema
{
    public const string TechnologiesTable = "technologies";

    public static void V1Up(MigrationBuilder mb)
    {
        mb.CreateTable(TechnologiesTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            name = c.Text(200),
            supplier = c.Text(200),
            intended_use = c.Text(2000),
            category = c.Text(24),
            surveillance = c.Column<bool>(nullable: false),
            registered_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_technologies", x => x.id));
        mb.CreateIndex("ix_technologies_tenant_id_name_supplier", TechnologiesTable, ["tenant_id", "name", "supplier"], unique: true);
    }

    public static void V1Down(MigrationBuilder mb) => mb.DropTable(TechnologiesTable);
}

[DbContext(typeof(ProcurementSqliteDbContext))]
[Migration("20261122020000_TechnologyRegister")]
public sealed class TechnologyRegisterSqlite() : SchemaStep(ProcurementSchema.V1Up, ProcurementSchema.V1Down);

[DbContext(typeof(ProcurementPostgresDbContext))]
[Migration("20261122020000_TechnologyRegister")]
public sealed class TechnologyRegisterPostgres() : PostgresSchemaStep(ProcurementSchema.V1Up, ProcurementSchema.V1Down, ProcurementSchema.TechnologiesTable);

[DbContext(typeof(ProcurementSqliteDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingSqlite() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);

[DbContext(typeof(ProcurementPostgresDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingPostgres() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);
