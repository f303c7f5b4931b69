using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Persistence;

#nullable disable

namespace Platform.Procurement.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CasesGatesApprovals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "manages_safety_risk",
                table: "technologies",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "appraisals_received",
                columns: table => new
                {
                    appraisal_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    tier = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    conclusion = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reviewer_subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appraisals_received", x => x.appraisal_id);
                });

            migrationBuilder.CreateTable(
                name: "approvals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    technology_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    rationale = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    evidence_appraisal_id = table.Column<Guid>(type: "uuid", nullable: false),
                    evidence_conclusion = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    trial_ends_on = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    evaluation = table.Column<string>(type: "text", nullable: true),
                    is_surveillance = table.Column<bool>(type: "boolean", nullable: false),
                    manages_safety_risk = table.Column<bool>(type: "boolean", nullable: false),
                    approved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    approved_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    superseded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    withdrawal_cause = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    withdrawal_reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    withdrawal_expired_gates = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    withdrawal_flag_id = table.Column<Guid>(type: "uuid", nullable: true),
                    withdrawn_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    withdrawn_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_approvals", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "gate_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    gate = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    evidence = table.Column<string>(type: "text", nullable: false),
                    evidence_reference = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    recorded_as = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    failure_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reuse_shared_evidence_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reuse_origin_tenant = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    reuse_kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    reuse_origin_assessed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reuse_review_note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    expiry_noticed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    invalidated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    invalidation_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_gate_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outcome_flags_received",
                columns: table => new
                {
                    flag_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    instrument = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    raised_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outcome_flags_received", x => x.flag_id);
                });

            migrationBuilder.CreateTable(
                name: "procurement_cases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    technology_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    setting_description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    purpose = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    opened_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    opened_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_procurement_cases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "procurement_policies",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    expiry_grace_days = table.Column<int>(type: "integer", nullable: false),
                    max_trial_days = table.Column<int>(type: "integer", nullable: false),
                    max_ehia_review_days = table.Column<int>(type: "integer", nullable: false),
                    max_refresher_months = table.Column<int>(type: "integer", nullable: false),
                    min_usability_score_percent = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_procurement_policies", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "procurement_trusts",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_procurement_trusts", x => x.tenant_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appraisals_received_tenant_id_technology_id_setting_code_co",
                table: "appraisals_received",
                columns: new[] { "tenant_id", "technology_id", "setting_code", "completed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_approvals_tenant_id_case_id_approved_at",
                table: "approvals",
                columns: new[] { "tenant_id", "case_id", "approved_at" });

            migrationBuilder.CreateIndex(
                name: "ix_gate_records_tenant_id_case_id_gate_recorded_at",
                table: "gate_records",
                columns: new[] { "tenant_id", "case_id", "gate", "recorded_at" });

            migrationBuilder.CreateIndex(
                name: "ix_gate_records_tenant_id_expires_at",
                table: "gate_records",
                columns: new[] { "tenant_id", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outcome_flags_received_tenant_id_technology_id",
                table: "outcome_flags_received",
                columns: new[] { "tenant_id", "technology_id" });

            migrationBuilder.CreateIndex(
                name: "ix_procurement_cases_tenant_id_technology_id_setting_code",
                table: "procurement_cases",
                columns: new[] { "tenant_id", "technology_id", "setting_code" },
                unique: true);

            migrationBuilder.EnableTenantRowLevelSecurity("procurement_cases");
            migrationBuilder.EnableTenantRowLevelSecurity("gate_records");
            migrationBuilder.EnableTenantRowLevelSecurity("approvals");
            migrationBuilder.EnableTenantRowLevelSecurity("appraisals_received");
            migrationBuilder.EnableTenantRowLevelSecurity("outcome_flags_received");
            migrationBuilder.EnableTenantRowLevelSecurity("procurement_policies");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "appraisals_received");

            migrationBuilder.DropTable(
                name: "approvals");

            migrationBuilder.DropTable(
                name: "gate_records");

            migrationBuilder.DropTable(
                name: "outcome_flags_received");

            migrationBuilder.DropTable(
                name: "procurement_cases");

            migrationBuilder.DropTable(
                name: "procurement_policies");

            migrationBuilder.DropTable(
                name: "procurement_trusts");

            migrationBuilder.DropColumn(
                name: "manages_safety_risk",
                table: "technologies");
        }
    }
}
