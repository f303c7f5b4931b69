using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsesAndMeasurements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outcome_measurements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    use_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    patient_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    instrument = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    responses = table.Column<string>(type: "TEXT", nullable: false),
                    score = table.Column<string>(type: "TEXT", nullable: false),
                    headline = table.Column<double>(type: "REAL", nullable: true),
                    measured_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recorded_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcome_measurements", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "technology_uses",
                columns: table => new
                {
                    use_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    authorised_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_technology_uses", x => x.use_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_measurements_tenant_id_technology_id_instrument_setting_code_patient_key_measured_at",
                table: "outcome_measurements",
                columns: new[] { "tenant_id", "technology_id", "instrument", "setting_code", "patient_key", "measured_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_measurements_tenant_id_use_id_measured_at",
                table: "outcome_measurements",
                columns: new[] { "tenant_id", "use_id", "measured_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outcome_measurements");

            migrationBuilder.DropTable(
                name: "technology_uses");
        }
    }
}
