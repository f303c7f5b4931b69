using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Consent.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RaisedSignals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "raised_signals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    detail = table.Column<int>(type: "integer", nullable: false),
                    deadline = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    raised_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    signal_key = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_raised_signals", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_raised_signals_tenant_id_kind_deadline",
                table: "raised_signals",
                columns: new[] { "tenant_id", "kind", "deadline" });

            migrationBuilder.CreateIndex(
                name: "ix_raised_signals_tenant_id_kind_subject_id",
                table: "raised_signals",
                columns: new[] { "tenant_id", "kind", "subject_id" });

            migrationBuilder.CreateIndex(
                name: "ix_raised_signals_tenant_id_signal_key",
                table: "raised_signals",
                columns: new[] { "tenant_id", "signal_key" },
                unique: true);

            migrationBuilder.EnableTenantRowLevelSecurity("raised_signals");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "raised_signals");
        }
    }
}
