using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Evidence.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutcomeFlags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outcome_flags",
                columns: table => new
                {
                    flag_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    instrument = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    characteristic = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    lower_group_category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    lower_group_label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    lower_group_patients = table.Column<int>(type: "INTEGER", nullable: true),
                    lower_group_mean = table.Column<double>(type: "REAL", nullable: true),
                    higher_group_category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    higher_group_label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    higher_group_patients = table.Column<int>(type: "INTEGER", nullable: true),
                    higher_group_mean = table.Column<double>(type: "REAL", nullable: true),
                    mean_improvement = table.Column<double>(type: "REAL", nullable: true),
                    patients = table.Column<int>(type: "INTEGER", nullable: true),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    raised_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcome_flags", x => x.flag_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_flags_tenant_id_period_key",
                table: "outcome_flags",
                columns: new[] { "tenant_id", "period", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outcome_flags_tenant_id_technology_id_raised_at",
                table: "outcome_flags",
                columns: new[] { "tenant_id", "technology_id", "raised_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outcome_flags");
        }
    }
}
