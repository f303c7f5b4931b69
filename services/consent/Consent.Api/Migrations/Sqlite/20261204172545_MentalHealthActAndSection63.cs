using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MentalHealthActAndSection63 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mental_health_act_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    from = table.Column<DateTime>(type: "TEXT", nullable: false),
                    until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    recorded_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mental_health_act_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "section_63_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    responsible_clinician = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    why_treatment_for_mental_disorder = table.Column<string>(type: "TEXT", nullable: false),
                    consent_sought = table.Column<bool>(type: "INTEGER", nullable: true),
                    patient_views = table.Column<string>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_section_63_records", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_mental_health_act_records_tenant_id_patient_id",
                table: "mental_health_act_records",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_section_63_records_tenant_id_patient_id",
                table: "section_63_records",
                columns: new[] { "tenant_id", "patient_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mental_health_act_records");

            migrationBuilder.DropTable(
                name: "section_63_records");
        }
    }
}
