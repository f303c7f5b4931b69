using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Postgres
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
                type: "character varying(500)",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "recorded_by",
                table: "evidence_items",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "risk_of_bias",
                table: "evidence_items",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.CreateTable(
                name: "appraisal_items",
                columns: table => new
                {
                    appraisal_id = table.Column<Guid>(type: "uuid", nullable: false),
                    evidence_item_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    snapshot = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_items", x => new { x.appraisal_id, x.evidence_item_id });
                });

            migrationBuilder.CreateTable(
                name: "appraisal_policies",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    large_scale_minimum_participants = table.Column<int>(type: "integer", nullable: false),
                    high_quality_designs = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_policies", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "appraisal_standards",
                columns: table => new
                {
                    appraisal_id = table.Column<Guid>(type: "uuid", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    standard = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    met = table.Column<bool>(type: "boolean", nullable: false),
                    note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisal_standards", x => new { x.appraisal_id, x.position });
                });

            migrationBuilder.CreateTable(
                name: "appraisals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    tier = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    conclusion = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    how_evidence_informed_decision = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    items_meeting_p7bar = table.Column<int>(type: "integer", nullable: false),
                    reviewed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisals", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appraisals_tenant_id_technology_id_setting_code_completed_at",
                table: "appraisals",
                columns: new[] { "tenant_id", "technology_id", "setting_code", "completed_at" });

            // Each trust sees and writes only its own rows.
            migrationBuilder.EnableTenantRowLevelSecurity("appraisals");
            migrationBuilder.EnableTenantRowLevelSecurity("appraisal_items");
            migrationBuilder.EnableTenantRowLevelSecurity("appraisal_standards");
            migrationBuilder.EnableTenantRowLevelSecurity("appraisal_policies");
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
