using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EqualityProfilesAndOutcomePolicies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "equality_profiles",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    age = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    disability = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    gender_reassignment = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    marriage_or_civil_partnership = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    pregnancy_or_maternity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ethnic_group = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    religion_or_belief = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sex = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sexual_orientation = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    trauma_history = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    paranoia = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_equality_profiles", x => new { x.tenant_id, x.patient_key });
                });

            migrationBuilder.CreateTable(
                name: "outcome_policies",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    suppression_threshold = table.Column<int>(type: "integer", nullable: false),
                    disparity_threshold_share_of_range = table.Column<double>(type: "double precision", nullable: false),
                    no_benefit_minimum_patients = table.Column<int>(type: "integer", nullable: false),
                    no_benefit_maximum_improvement_share_of_range = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcome_policies", x => x.tenant_id);
                });

            // Each trust sees and writes only its own rows.
            migrationBuilder.EnableTenantRowLevelSecurity("equality_profiles");
            migrationBuilder.EnableTenantRowLevelSecurity("outcome_policies");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "equality_profiles");

            migrationBuilder.DropTable(
                name: "outcome_policies");
        }
    }
}
