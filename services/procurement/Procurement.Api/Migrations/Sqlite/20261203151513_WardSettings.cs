using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Procurement.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WardSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "procurement_wards",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    ward_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    closed = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_procurement_wards", x => new { x.tenant_id, x.ward_code });
                });

            migrationBuilder.CreateIndex(
                name: "ix_procurement_wards_tenant_id_setting_code",
                table: "procurement_wards",
                columns: new[] { "tenant_id", "setting_code" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "procurement_wards");
        }
    }
}
