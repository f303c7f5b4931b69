using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Audit.Api.Data;
using Platform.Messaging;
using Platform.Persistence;

namespace Platform.Audit.Api.Migrations;

// Written by hand (docs/decisions/0001-hand-written-migrations.md).
internal static class AuditSchema
{
    public const string EntriesTable = "audit_entries";

    public static void V1Up(MigrationBuilder mb)
    {
        mb.CreateTable(EntriesTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            sequence = c.Column<long>(nullable: false),
            type = c.Text(64),
            action = c.Text(12),
            outcome = c.Column<int>(nullable: false),
            agent_who = c.Text(128),
            agent_role = c.Text(64),
            agent_purpose_of_use = c.Text(32),
            entity_what = c.Text(256),
            entity_type = c.Text(64),
            recorded = c.Instant(),
            source_event_id = c.Text(128, nullable: true),
            leaf_hash = c.Text(64),
        }, constraints: t => t.PrimaryKey("pk_audit_entries", x => x.id));
        mb.CreateIndex("ix_audit_entries_tenant_id_sequence", EntriesTable, ["tenant_id", "sequence"], unique: true);
    }

    public static void V1Down(MigrationBuilder mb) => mb.DropTable(EntriesTable);
}

[DbContext(typeof(AuditSqliteDbContext))]
[Migration("20261122020000_AuditEntries")]
public sealed class AuditEntriesSqlite() : SchemaStep(AuditSchema.V1Up, AuditSchema.V1Down);

[DbContext(typeof(AuditPostgresDbContext))]
[Migration("20261122020000_AuditEntries")]
public sealed class AuditEntriesPostgres : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        AuditSchema.V1Up(mb);
        mb.EnableTenantRowLevelSecurity(AuditSchema.EntriesTable);
        // Append-only, enforced by the database too: the app role may insert and read, never change or remove.
        mb.Sql($"""
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit entries are append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
            CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON "{AuditSchema.EntriesTable}"
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
            """);
    }

    protected override void Down(MigrationBuilder mb)
    {
        mb.Sql($"""DROP TRIGGER IF EXISTS audit_entries_append_only ON "{AuditSchema.EntriesTable}"; DROP FUNCTION IF EXISTS audit_entries_append_only();""");
        mb.DisableTenantRowLevelSecurity(AuditSchema.EntriesTable);
        AuditSchema.V1Down(mb);
    }
}

[DbContext(typeof(AuditSqliteDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingSqlite() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);

[DbContext(typeof(AuditPostgresDbContext))]
[Migration("20261122030000_Messaging")]
public sealed class MessagingPostgres() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);
