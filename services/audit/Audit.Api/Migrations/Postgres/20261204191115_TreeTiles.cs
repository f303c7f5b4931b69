using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Audit.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TreeTiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_tree_tiles",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    level = table.Column<short>(type: "smallint", nullable: false),
                    start_index = table.Column<long>(type: "bigint", nullable: false),
                    hashes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_tree_tiles", x => new { x.tenant_id, x.level, x.start_index });
                });

            // Added to the generated migration (ADR 0038). The stored nodes at levels 0, 8, 16, ... move into tiles as
            // they were (not recomputed, so a row altered before the migration still fails the verifier): one row per
            // run of consecutive indexes within a 256-node tile. The nodes between are recomputed when read. Hashes
            // are incompressible: stored out of line without trying to compress them.
            migrationBuilder.Sql("""
                ALTER TABLE audit_tree_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL;
                ALTER TABLE audit_tree_nodes NO FORCE ROW LEVEL SECURITY;
                INSERT INTO audit_tree_tiles (tenant_id, level, start_index, hashes)
                SELECT tenant_id, level, min(node_index), string_agg(hash, ''::bytea ORDER BY node_index)
                FROM (SELECT tenant_id, level, node_index, hash,
                        node_index - row_number() OVER (PARTITION BY tenant_id, level, node_index / 256 ORDER BY node_index) AS run
                      FROM audit_tree_nodes WHERE level % 8 = 0) n
                GROUP BY tenant_id, level, node_index / 256, run;
                """);
            migrationBuilder.EnableTenantRowLevelSecurity("audit_tree_tiles");
            migrationBuilder.Sql("""
                CREATE TRIGGER audit_tree_tiles_append_only BEFORE UPDATE OR DELETE ON audit_tree_tiles
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                """);

            migrationBuilder.DropTable(
                name: "audit_tree_nodes");

            // The trust and sequence become the entries' key: one index where there were two.
            migrationBuilder.DropPrimaryKey(
                name: "pk_audit_entries",
                table: "audit_entries");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_tenant_id_sequence",
                table: "audit_entries");

            migrationBuilder.AddPrimaryKey(
                name: "pk_audit_entries",
                table: "audit_entries",
                columns: new[] { "tenant_id", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_tree_tiles");

            migrationBuilder.DropPrimaryKey(
                name: "pk_audit_entries",
                table: "audit_entries");

            migrationBuilder.AddPrimaryKey(
                name: "pk_audit_entries",
                table: "audit_entries",
                column: "id");

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

            // Added: the old table is rebuilt from the entries, not from the tiles: every trust's head goes back to 0
            // and the checkpointer's first round puts its entries into the tree again (AuditLog.AdoptUntreedEntriesAsync).
            migrationBuilder.EnableTenantRowLevelSecurity("audit_tree_nodes");
            migrationBuilder.Sql("""
                CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
                UPDATE audit_tree_heads SET tree_size = 0;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_tenant_id_sequence",
                table: "audit_entries",
                columns: new[] { "tenant_id", "sequence" },
                unique: true);
        }
    }
}
