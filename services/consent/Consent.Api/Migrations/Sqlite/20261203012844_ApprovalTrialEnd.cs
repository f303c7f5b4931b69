using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ApprovalTrialEnd : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "trial_ends_at",
                table: "technology_approvals",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trial_ends_at",
                table: "technology_approvals");
        }
    }
}
