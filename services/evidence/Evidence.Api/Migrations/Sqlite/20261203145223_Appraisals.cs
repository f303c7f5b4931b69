using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Appraisals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "citation",
                table: "evidence_items",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "recorded_by",
                table: "evidence_items",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "risk_of_bias",
                table: "evidence_items",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.CreateTable(
                name: "appraisal_items",
                columns: table => new
                {
                    appraisal_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    evidence_item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    snapshot = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_items", x => new { x.appraisal_id, x.evidence_item_id });
                });

            migrationBuilder.CreateTable(
                name: "appraisal_policies",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    large_scale_minimum_participants = table.Column<int>(type: "INTEGER", nullable: false),
                    high_quality_designs = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_policies", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "appraisal_standards",
                columns: table => new
                {
                    appraisal_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    standard = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    met = table.Column<bool>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_standards", x => new { x.appraisal_id, x.position });
                });

            migrationBuilder.CreateTable(
                name: "appraisals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    tier = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    conclusion = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    how_evidence_informed_decision = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    items_meeting_p7bar = table.Column<int>(type: "INTEGER", nullable: false),
                    reviewed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisals", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appraisals_tenant_id_technology_id_setting_code_completed_at",
                table: "appraisals",
                columns: new[] { "tenant_id", "technology_id", "setting_code", "completed_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "appraisal_items");

            migrationBuilder.DropTable(
                name: "appraisal_policies");

            migrationBuilder.DropTable(
                name: "appraisal_standards");

            migrationBuilder.DropTable(
                name: "appraisals");

            migrationBuilder.DropColumn(
                name: "citation",
                table: "evidence_items");

            migrationBuilder.DropColumn(
                name: "recorded_by",
                table: "evidence_items");

            migrationBuilder.DropColumn(
                name: "risk_of_bias",
                table: "evidence_items");
        }
    }
}
