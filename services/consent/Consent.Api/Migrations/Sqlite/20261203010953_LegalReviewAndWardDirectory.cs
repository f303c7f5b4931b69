using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LegalReviewAndWardDirectory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<TimeSpan>(
                name: "capacity_lost_transition",
                table: "trust_policies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "deadline_warning_notice",
                table: "trust_policies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "gillick_finding_max_age",
                table: "trust_policies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "objection_redecision_within",
                table: "trust_policies",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "care_plan_data_use_purposes",
                table: "technology_uses",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "continuous_monitoring_or_restrictive",
                table: "technology_uses",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "corrected_at",
                table: "technology_uses",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "continuous_monitoring_or_restrictive",
                table: "technology_approvals",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "may_be_life_sustaining",
                table: "technology_approvals",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "mental_disorder_treatment_route",
                table: "technology_approvals",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "NotTreatmentForMentalDisorder");

            migrationBuilder.AddColumn<string>(
                name: "end_or_suspension_reference",
                table: "proxy_authorities",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "end_reason",
                table: "proxy_authorities",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<DateTime>(
                name: "ended_at",
                table: "proxy_authorities",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "suspended_from",
                table: "proxy_authorities",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "suspension_lifted_at",
                table: "proxy_authorities",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "turns_16_on",
                table: "patients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "turns_18_on",
                table: "patients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "refusal_stands_if_capacity_lost",
                table: "own_consents",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reasons",
                table: "gillick_assessments",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "reassess_by",
                table: "gillick_assessments",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "use_ids",
                table: "blanket_signals",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "capacitous_refusal_weighed",
                table: "best_interests_decisions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ended_because",
                table: "best_interests_decisions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "imca_report_reference",
                table: "best_interests_decisions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "serious_medical_treatment",
                table: "best_interests_decisions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "advance_decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    treatment_refused = table.Column<string>(type: "TEXT", nullable: false),
                    circumstances = table.Column<string>(type: "TEXT", nullable: true),
                    made_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    aged_18_or_over_when_made = table.Column<bool>(type: "INTEGER", nullable: true),
                    had_capacity_when_made = table.Column<bool>(type: "INTEGER", nullable: true),
                    in_writing = table.Column<bool>(type: "INTEGER", nullable: false),
                    signed_by_patient_or_at_their_direction = table.Column<bool>(type: "INTEGER", nullable: false),
                    signature_witnessed = table.Column<bool>(type: "INTEGER", nullable: false),
                    states_it_applies_even_if_life_at_risk = table.Column<bool>(type: "INTEGER", nullable: false),
                    document_reference = table.Column<string>(type: "TEXT", nullable: true),
                    recorded_by = table.Column<string>(type: "TEXT", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    invalidated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    invalidation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    inapplicable_from = table.Column<DateTime>(type: "TEXT", nullable: true),
                    inapplicability = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    finding_note = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_advance_decisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "use_reviews",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    use_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    reviewed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    reviewed_by = table.Column<string>(type: "TEXT", nullable: false),
                    participants = table.Column<int>(type: "INTEGER", nullable: false),
                    mdt_roles = table.Column<string>(type: "TEXT", nullable: true),
                    patient_views_sought = table.Column<bool>(type: "INTEGER", nullable: true),
                    patient_views = table.Column<string>(type: "TEXT", nullable: true),
                    why_views_not_sought = table.Column<string>(type: "TEXT", nullable: true),
                    benefit = table.Column<string>(type: "TEXT", nullable: false),
                    harms = table.Column<string>(type: "TEXT", nullable: false),
                    outcome_measure_references = table.Column<string>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    change_description = table.Column<string>(type: "TEXT", nullable: true),
                    next_review_date = table.Column<DateTime>(type: "TEXT", nullable: true),
                    next_review_covers = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_use_reviews", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "wards",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    beds = table.Column<int>(type: "INTEGER", nullable: false),
                    closed = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wards", x => new { x.tenant_id, x.code });
                });

            migrationBuilder.CreateIndex(
                name: "ix_blanket_signals_tenant_id_ward_code_raised_at",
                table: "blanket_signals",
                columns: new[] { "tenant_id", "ward_code", "raised_at" });

            migrationBuilder.CreateIndex(
                name: "ix_advance_decisions_tenant_id_patient_id",
                table: "advance_decisions",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_use_reviews_tenant_id_use_id",
                table: "use_reviews",
                columns: new[] { "tenant_id", "use_id" });

            // Trusts left at the old default grace after regained capacity (72 h) take the new default (12 h, ADR 0014);
            // any other value above the platform's limit is read as the limit until the trust sets it again.
            migrationBuilder.Sql("UPDATE trust_policies SET capacity_regained_grace_period = '12:00:00' WHERE capacity_regained_grace_period = '3.00:00:00';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "advance_decisions");

            migrationBuilder.DropTable(
                name: "use_reviews");

            migrationBuilder.DropTable(
                name: "wards");

            migrationBuilder.DropIndex(
                name: "ix_blanket_signals_tenant_id_ward_code_raised_at",
                table: "blanket_signals");

            migrationBuilder.DropColumn(
                name: "capacity_lost_transition",
                table: "trust_policies");

            migrationBuilder.DropColumn(
                name: "deadline_warning_notice",
                table: "trust_policies");

            migrationBuilder.DropColumn(
                name: "gillick_finding_max_age",
                table: "trust_policies");

            migrationBuilder.DropColumn(
                name: "objection_redecision_within",
                table: "trust_policies");

            migrationBuilder.DropColumn(
                name: "care_plan_data_use_purposes",
                table: "technology_uses");

            migrationBuilder.DropColumn(
                name: "continuous_monitoring_or_restrictive",
                table: "technology_uses");

            migrationBuilder.DropColumn(
                name: "corrected_at",
                table: "technology_uses");

            migrationBuilder.DropColumn(
                name: "continuous_monitoring_or_restrictive",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "may_be_life_sustaining",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "mental_disorder_treatment_route",
                table: "technology_approvals");

            migrationBuilder.DropColumn(
                name: "end_or_suspension_reference",
                table: "proxy_authorities");

            migrationBuilder.DropColumn(
                name: "end_reason",
                table: "proxy_authorities");

            migrationBuilder.DropColumn(
                name: "ended_at",
                table: "proxy_authorities");

            migrationBuilder.DropColumn(
                name: "suspended_from",
                table: "proxy_authorities");

            migrationBuilder.DropColumn(
                name: "suspension_lifted_at",
                table: "proxy_authorities");

            migrationBuilder.DropColumn(
                name: "turns_16_on",
                table: "patients");

            migrationBuilder.DropColumn(
                name: "turns_18_on",
                table: "patients");

            migrationBuilder.DropColumn(
                name: "refusal_stands_if_capacity_lost",
                table: "own_consents");

            migrationBuilder.DropColumn(
                name: "reasons",
                table: "gillick_assessments");

            migrationBuilder.DropColumn(
                name: "reassess_by",
                table: "gillick_assessments");

            migrationBuilder.DropColumn(
                name: "use_ids",
                table: "blanket_signals");

            migrationBuilder.DropColumn(
                name: "capacitous_refusal_weighed",
                table: "best_interests_decisions");

            migrationBuilder.DropColumn(
                name: "ended_because",
                table: "best_interests_decisions");

            migrationBuilder.DropColumn(
                name: "imca_report_reference",
                table: "best_interests_decisions");

            migrationBuilder.DropColumn(
                name: "serious_medical_treatment",
                table: "best_interests_decisions");
        }
    }
}
