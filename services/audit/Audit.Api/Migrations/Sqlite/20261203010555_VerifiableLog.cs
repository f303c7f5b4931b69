using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Audit.Api.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "source_event_source",
                table: "audit_entries",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "INTEGER", nullable: false),
                    root_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    signed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_checkpoints", x => new { x.tenant_id, x.tree_size });
                });

            migrationBuilder.CreateTable(
                name: "audit_cosignatures",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "INTEGER", nullable: false),
                    witness = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    line = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_cosignatures", x => new { x.tenant_id, x.tree_size, x.witness });
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_heads",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    tree_size = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_heads", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_nodes",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    level = table.Column<short>(type: "INTEGER", nullable: false),
                    node_index = table.Column<long>(type: "INTEGER", nullable: false),
                    hash = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_nodes", x => new { x.tenant_id, x.level, x.node_index });
                });

            migrationBuilder.CreateTable(
                name: "audit_witness_heads",
                columns: table => new
                {
                    origin = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    tree_size = table.Column<long>(type: "INTEGER", nullable: false),
                    root_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    cosigned_at = table.Column<DateTime>(type: "TEXT", nullable: false)
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

            // Added to the generated migration: append-only in SQLite too (it has no row-level security; the local
            // runner's database holds one deployment's trusts behind the EF tenant filter).
            foreach (var table in new[] { "audit_entries", "audit_tree_nodes", "audit_checkpoints", "audit_cosignatures" })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
            }

            migrationBuilder.Sql("INSERT INTO audit_tree_heads (tenant_id, tree_size) SELECT DISTINCT tenant_id, 0 FROM audit_entries;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "audit_entries", "audit_tree_nodes", "audit_checkpoints", "audit_cosignatures" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_append_only_update;");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_append_only_delete;");
            }

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
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");
        }
    }
}
