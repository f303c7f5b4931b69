using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ApprovalOverride : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "override_approval_reason",
                table: "technology_approvals",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "override_approved_by",
                table: "technology_approvals",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "override_approved_role",
                table: "technology_approvals",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "override_withdrawal_reason",
                table: "technology_approvals",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "override_withdrawn_by",
                table: "technology_approvals",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "override_withdrawn_role",
                table: "technology_approvals",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "override_approval_reason",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "override_approved_by",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "override_approved_role",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "override_withdrawal_reason",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "override_withdrawn_by",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "override_withdrawn_role",
                table: "technology_approvals");
        }
    }
}
