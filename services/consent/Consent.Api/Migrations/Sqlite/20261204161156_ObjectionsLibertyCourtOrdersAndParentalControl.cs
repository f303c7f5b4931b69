using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ObjectionsLibertyCourtOrdersAndParentalControl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "court_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    court = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    effect = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    authorises_deprivation_of_liberty = table.Column<bool>(type: "INTEGER", nullable: false),
                    made_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    discharged_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    verified_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    verified_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_court_orders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deprivation_of_liberty_screens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    screened_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    screened_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    continuous_supervision_and_control = table.Column<bool>(type: "INTEGER", nullable: true),
                    free_to_leave = table.Column<bool>(type: "INTEGER", nullable: true),
                    valid_consent_to_arrangements = table.Column<bool>(type: "INTEGER", nullable: true),
                    authorisation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    authorisation_reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    authorisation_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    review_by = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deprivation_of_liberty_screens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "patient_objections",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    use_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    observed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expressed = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    recorded_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    redecision_decided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    redecision_decided_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    redecision_outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    redecision_reasons = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    redecision_harm_prevented = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    redecision_why_proportionate = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    redecision_human_rights_rights_engaged = table.Column<int>(type: "INTEGER", nullable: true),
                    redecision_human_rights_how_balanced = table.Column<string>(type: "TEXT", nullable: true),
                    redecision_human_rights_legal_advice_sought = table.Column<bool>(type: "INTEGER", nullable: true),
                    redecision_human_rights_legal_advice_summary = table.Column<string>(type: "TEXT", nullable: true),
                    redecision_deprivation_of_liberty_screen_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patient_objections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "zone_of_parental_control_findings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    within_zone = table.Column<bool>(type: "INTEGER", nullable: true),
                    reasons = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    assessed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    assessed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_zone_of_parental_control_findings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_court_orders_tenant_id_patient_id",
                table: "court_orders",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_of_liberty_screens_tenant_id_patient_id",
                table: "deprivation_of_liberty_screens",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_patient_objections_tenant_id_patient_id",
                table: "patient_objections",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_patient_objections_tenant_id_use_id",
                table: "patient_objections",
                columns: new[] { "tenant_id", "use_id" });

            migrationBuilder.CreateIndex(
                name: "ix_zone_of_parental_control_findings_tenant_id_patient_id",
                table: "zone_of_parental_control_findings",
                columns: new[] { "tenant_id", "patient_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "court_orders");

            migrationBuilder.DropTable(
                name: "deprivation_of_liberty_screens");

            migrationBuilder.DropTable(
                name: "patient_objections");

            migrationBuilder.DropTable(
                name: "zone_of_parental_control_findings");
        }
    }
}
