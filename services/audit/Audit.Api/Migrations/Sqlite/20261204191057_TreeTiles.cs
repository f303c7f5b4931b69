using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Audit.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TreeTiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Added to the generated migration (ADR 0038): SQLite (the local runner's) has no byte-string aggregate to move
            // the nodes into tiles, so the tree is rebuilt from the entries: every trust's head goes back to 0 and the
            // checkpointer's first round puts its entries into the tree again (AuditLog.AdoptUntreedEntriesAsync), to
            // the same hashes, since the leaves are the entries' canonical bytes.
            migrationBuilder.DropTable(
                name: "audit_tree_nodes");
            migrationBuilder.Sql("UPDATE audit_tree_heads SET tree_size = 0;");

            // Removed from the generated migration: SQLite would rebuild audit_entries for the new key (tenant, sequence), and
            // the rebuild drops the table's append-only triggers. The local runner's database keeps the old key (the id)
            // and its unique index on (tenant, sequence): the same rows are refused, the model is the same to EF.

            migrationBuilder.CreateTable(
                name: "audit_tree_tiles",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    level = table.Column<short>(type: "INTEGER", nullable: false),
                    start_index = table.Column<long>(type: "INTEGER", nullable: false),
                    hashes = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_tiles", x => new { x.tenant_id, x.level, x.start_index });
                });

            // Append-only like the rest. And audit_entries' triggers again: VerifiableLog's column changes made SQLite rebuild
            // that table after its triggers were created, which dropped them (TreeTilesMigrationTests found it).
            foreach (var table in new[] { "audit_tree_tiles", "audit_entries" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_append_only_update;");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_append_only_delete;");
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_tree_tiles");


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

            // Added: rebuilt from the entries by the checkpointer's first round, as in Up.
            migrationBuilder.Sql("UPDATE audit_tree_heads SET tree_size = 0;");
            foreach (var table in new[] { "audit_tree_nodes" })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
                    """);
            }

        }
    }
}
