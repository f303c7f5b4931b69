using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Consent.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LearnTechnologiesFromProcurement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "technologies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    learned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_technologies", x => new { x.tenant_id, x.id });
                });

            migrationBuilder.EnableTenantRowLevelSecurity("technologies");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "technologies");
        }
    }
}
