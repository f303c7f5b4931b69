using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Consent.Api.Migrations.Postgres
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    court = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    effect = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    authorises_deprivation_of_liberty = table.Column<bool>(type: "boolean", nullable: false),
                    made_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    discharged_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    verified_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    verified_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_court_orders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deprivation_of_liberty_screens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    screened_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    screened_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    continuous_supervision_and_control = table.Column<bool>(type: "boolean", nullable: true),
                    free_to_leave = table.Column<bool>(type: "boolean", nullable: true),
                    valid_consent_to_arrangements = table.Column<bool>(type: "boolean", nullable: true),
                    authorisation = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    authorisation_reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    authorisation_expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    review_by = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deprivation_of_liberty_screens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "patient_objections",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    use_id = table.Column<Guid>(type: "uuid", nullable: false),
                    observed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expressed = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    redecision_decided_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    redecision_decided_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    redecision_outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    redecision_reasons = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    redecision_harm_prevented = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    redecision_why_proportionate = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    redecision_human_rights_rights_engaged = table.Column<int>(type: "integer", nullable: true),
                    redecision_human_rights_how_balanced = table.Column<string>(type: "text", nullable: true),
                    redecision_human_rights_legal_advice_sought = table.Column<bool>(type: "boolean", nullable: true),
                    redecision_human_rights_legal_advice_summary = table.Column<string>(type: "text", nullable: true),
                    redecision_deprivation_of_liberty_screen_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patient_objections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "zone_of_parental_control_findings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    within_zone = table.Column<bool>(type: "boolean", nullable: true),
                    reasons = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    assessed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    assessed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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

            // Tenant-owned: each trust sees only its own rows, under the app role (ADR 0012).
            migrationBuilder.EnableTenantRowLevelSecurity("court_orders");
            migrationBuilder.EnableTenantRowLevelSecurity("deprivation_of_liberty_screens");
            migrationBuilder.EnableTenantRowLevelSecurity("patient_objections");
            migrationBuilder.EnableTenantRowLevelSecurity("zone_of_parental_control_findings");
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
