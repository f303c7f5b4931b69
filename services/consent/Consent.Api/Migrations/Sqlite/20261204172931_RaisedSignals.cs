using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
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
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subject_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    detail = table.Column<int>(type: "INTEGER", nullable: false),
                    deadline = table.Column<DateTime>(type: "TEXT", nullable: true),
                    raised_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    signal_key = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "raised_signals");
        }
    }
}
