using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Consent.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PublishedUseCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "published_use_counts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    as_at = table.Column<DateOnly>(type: "date", nullable: false),
                    taken_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    suppression_threshold = table.Column<int>(type: "integer", nullable: false),
                    groups = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_published_use_counts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "use_count_publications",
                columns: table => new
                {
                    as_at = table.Column<DateOnly>(type: "date", nullable: false),
                    published_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    trusts = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_use_count_publications", x => x.as_at);
                });

            migrationBuilder.CreateIndex(
                name: "ix_published_use_counts_tenant_id_as_at",
                table: "published_use_counts",
                columns: new[] { "tenant_id", "as_at" },
                unique: true);

            // A trust's published counts are its own: read in its scope, as every tenant-owned table. The publications
            // name trusts only (ODS codes, as consent_trusts and known_trusts) and are read before taking a tenant.
            migrationBuilder.EnableTenantRowLevelSecurity("published_use_counts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "published_use_counts");

            migrationBuilder.DropTable(
                name: "use_count_publications");
        }
    }
}
