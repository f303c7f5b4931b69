using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
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
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    as_at = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    taken_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    suppression_threshold = table.Column<int>(type: "INTEGER", nullable: false),
                    groups = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_published_use_counts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "use_count_publications",
                columns: table => new
                {
                    as_at = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    trusts = table.Column<string>(type: "TEXT", nullable: false)
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
