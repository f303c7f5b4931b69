using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Audit.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VerifiableLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "leaf_hash",
                table: "audit_entries");

            migrationBuilder.AddColumn<string>(
                name: "patient",
                table: "audit_entries",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source_event_source",
                table: "audit_entries",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    root_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    signed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    note = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_checkpoints", x => new { x.tenant_id, x.tree_size });
                });

            migrationBuilder.CreateTable(
                name: "audit_cosignatures",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    witness = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    line = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_cosignatures", x => new { x.tenant_id, x.tree_size, x.witness });
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_heads",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_heads", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_nodes",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    level = table.Column<short>(type: "smallint", nullable: false),
                    node_index = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_nodes", x => new { x.tenant_id, x.level, x.node_index });
                });

            migrationBuilder.CreateTable(
                name: "audit_witness_heads",
                columns: table => new
                {
                    origin = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    root_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    cosigned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_witness_heads", x => x.origin);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_agent",
                table: "audit_entries",
                columns: new[] { "tenant_id", "agent_who", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_patient",
                table: "audit_entries",
                columns: new[] { "tenant_id", "patient", "sequence" },
                filter: "patient IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_source_event",
                table: "audit_entries",
                columns: new[] { "tenant_id", "source_event_source", "source_event_id" },
                unique: true,
                filter: "source_event_id IS NOT NULL");

            // Added to the generated migration (docs/decisions/0012, 0022): row-level security on the new tenant-owned
            // tables. audit_tree_heads (a trust code and a count) and audit_witness_heads (other logs' heads) are not
            // per tenant: the deployment's checkpointer and witness read them across trusts.
            migrationBuilder.EnableTenantRowLevelSecurity("audit_tree_nodes");
            migrationBuilder.EnableTenantRowLevelSecurity("audit_checkpoints");
            migrationBuilder.EnableTenantRowLevelSecurity("audit_cosignatures");

            // The tree, the checkpoints and their cosignatures are append-only like the entries.
            migrationBuilder.Sql("""
                CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                CREATE TRIGGER audit_cosignatures_append_only BEFORE UPDATE OR DELETE ON audit_cosignatures
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                """);

            // Entries written before the tree existed (hashed the old way) are put into their trust's tree in the new
            // canonical form, in sequence order, by the checkpointer's first round: it finds them through a head row.
            migrationBuilder.Sql("""
                ALTER TABLE audit_entries NO FORCE ROW LEVEL SECURITY;
                INSERT INTO audit_tree_heads (tenant_id, tree_size) SELECT DISTINCT tenant_id, 0 FROM audit_entries;
                ALTER TABLE audit_entries FORCE ROW LEVEL SECURITY;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS audit_tree_nodes_append_only ON audit_tree_nodes;
                DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints;
                DROP TRIGGER IF EXISTS audit_cosignatures_append_only ON audit_cosignatures;
                """);

            migrationBuilder.DropTable(
                name: "audit_checkpoints");

            migrationBuilder.DropTable(
                name: "audit_cosignatures");

            migrationBuilder.DropTable(
                name: "audit_tree_heads");

            migrationBuilder.DropTable(
                name: "audit_tree_nodes");

            migrationBuilder.DropTable(
                name: "audit_witness_heads");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_agent",
                table: "audit_entries");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_patient",
                table: "audit_entries");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_source_event",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "patient",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "source_event_source",
                table: "audit_entries");

            migrationBuilder.AddColumn<string>(
                name: "leaf_hash",
                table: "audit_entries",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");
        }
    }
}
