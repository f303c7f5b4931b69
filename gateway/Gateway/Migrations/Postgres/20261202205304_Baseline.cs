using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Gateway.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "trusts",
                columns: table => new
                {
                    ods_code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    registered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trusts", x => x.ods_code);
                });

            migrationBuilder.CreateTable(
                name: "wards",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    setting = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    beds = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wards", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_wards_tenant_id_code",
                table: "wards",
                columns: new[] { "tenant_id", "code" },
                unique: true);

            // Added to the generated migration (docs/decisions/0012): row-level security on every tenant-owned table,
            // so a query that escapes the EF tenant filter still sees only its own trust's rows.
            migrationBuilder.EnableTenantRowLevelSecurity("wards");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "trusts");

            migrationBuilder.DropTable(
                name: "wards");
        }
    }
}
