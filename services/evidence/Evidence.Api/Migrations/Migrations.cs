using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Evidence.Api.Data;
using Platform.Messaging;
using Platform.Persistence;

namespace Platform.Evidence.Api.Migrations;

// Written by hand (docs/decisions/0001-hand-written-migrations.md).
internal static class EvidenceSchema
{
    public const string EvidenceItemsTable = "evidence_items";

    public static void V1Up(MigrationBuilder mb)
    {
        mb.CreateTable(EvidenceItemsTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            technology_id = c.Id(),
            title = c.Text(300),
            study_design = c.Text(24),
            sample_size = c.Column<int>(nullable: false),
            independent_of_supplier = c.Column<bool>(nullable: false),
            setting_relevance = c.Text(24),
            quality = c.Text(24),
            recorded_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_evidence_items", x => x.id));
        mb.CreateIndex("ix_evidence_items_tenant_id_technology_id", EvidenceItemsTable, ["tenant_id", "technology_id"]);
    }

    public static void V1Down(MigrationBuilder mb) => mb.DropTable(EvidenceItemsTable);
}

[DbContext(typeof(EvidenceSqliteDbContext))]
[Migration("20261122020000_EvidenceItems")]
public sealed class EvidenceItemsSqlite() : SchemaStep(EvidenceSchema.V1Up, EvidenceSchema.V1Down);

[DbContext(typeof(EvidencePostgresDbContext))]
[Migration("20261122020000_EvidenceItems")]
public sealed class EvidenceItemsPostgres() : PostgresSchemaStep(EvidenceSchema.V1Up, EvidenceSchema.V1Down, EvidenceSchema.EvidenceItemsTable);

[DbContext(typeof(EvidenceSqliteDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingSqlite() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);

[DbContext(typeof(EvidencePostgresDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingPostgres() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);
