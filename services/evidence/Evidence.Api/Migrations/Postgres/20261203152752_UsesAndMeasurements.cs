using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Postgres
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    use_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    instrument = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    responses = table.Column<string>(type: "text", nullable: false),
                    score = table.Column<string>(type: "text", nullable: false),
                    headline = table.Column<double>(type: "double precision", nullable: true),
                    measured_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcome_measurements", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "technology_uses",
                columns: table => new
                {
                    use_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    patient_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    authorised_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_technology_uses", x => x.use_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_measurements_tenant_id_technology_id_instrument_set",
                table: "outcome_measurements",
                columns: new[] { "tenant_id", "technology_id", "instrument", "setting_code", "patient_key", "measured_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_measurements_tenant_id_use_id_measured_at",
                table: "outcome_measurements",
                columns: new[] { "tenant_id", "use_id", "measured_at" });

            // Each trust sees and writes only its own rows.
            migrationBuilder.EnableTenantRowLevelSecurity("technology_uses");
            migrationBuilder.EnableTenantRowLevelSecurity("outcome_measurements");
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
