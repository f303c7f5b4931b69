using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Procurement.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SharedSupplierEvidence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "shared_supplier_evidence",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    origin_tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    supplier = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    product_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    content = table.Column<string>(type: "TEXT", nullable: false),
                    assessed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    valid_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    shared_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    shared_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    withdrawn_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shared_supplier_evidence", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_shared_supplier_evidence_origin_tenant_id",
                table: "shared_supplier_evidence",
                column: "origin_tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_shared_supplier_evidence_supplier_shared_at",
                table: "shared_supplier_evidence",
                columns: new[] { "supplier", "shared_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "shared_supplier_evidence");
        }
    }
}
