using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Consent.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "best_interests_decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    wishes_and_feelings = table.Column<string>(type: "TEXT", nullable: false),
                    written_statements = table.Column<string>(type: "TEXT", nullable: false),
                    beliefs_and_values = table.Column<string>(type: "TEXT", nullable: false),
                    may_regain_capacity = table.Column<bool>(type: "INTEGER", nullable: true),
                    regain_capacity_when = table.Column<string>(type: "TEXT", nullable: true),
                    support_to_participate = table.Column<string>(type: "TEXT", nullable: false),
                    people_consulted = table.Column<string>(type: "TEXT", nullable: false),
                    no_one_appropriate_to_consult = table.Column<bool>(type: "INTEGER", nullable: false),
                    less_restrictive_options = table.Column<string>(type: "TEXT", nullable: false),
                    decision_maker = table.Column<string>(type: "TEXT", nullable: false),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    use_is_in_best_interests = table.Column<bool>(type: "INTEGER", nullable: false),
                    patient_objects = table.Column<bool>(type: "INTEGER", nullable: false),
                    objection_weighed = table.Column<string>(type: "TEXT", nullable: true),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_best_interests_decisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "blanket_signals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    signal_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ward_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    use_count = table.Column<int>(type: "INTEGER", nullable: false),
                    raised_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_blanket_signals", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "capacity_assessments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", nullable: false),
                    determination = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    assessed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    assessed_by = table.Column<string>(type: "TEXT", nullable: false),
                    impairment_of_mind_or_brain = table.Column<bool>(type: "INTEGER", nullable: true),
                    impairment_description = table.Column<string>(type: "TEXT", nullable: true),
                    understand = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    retain = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    use_or_weigh = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    communicate = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    inability_because_of_impairment = table.Column<bool>(type: "INTEGER", nullable: true),
                    practicable_steps_taken = table.Column<string>(type: "TEXT", nullable: true),
                    fluctuating = table.Column<bool>(type: "INTEGER", nullable: false),
                    reassess_by = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_capacity_assessments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "consent_trusts",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consent_trusts", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "dead_letters",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    topic = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    tenant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    replayed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    replayed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    replay_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_replay_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dead_letters", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "gillick_assessments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", nullable: false),
                    competent = table.Column<bool>(type: "INTEGER", nullable: true),
                    assessed_by = table.Column<string>(type: "TEXT", nullable: false),
                    assessed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_gillick_assessments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    event_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    tenant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    handled_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.source, x.event_id });
                });

            migrationBuilder.CreateTable(
                name: "outbox_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    topic = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    tenant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    refused_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "own_consents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    information_given = table.Column<string>(type: "TEXT", nullable: false),
                    information_format = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recorded_by = table.Column<string>(type: "TEXT", nullable: false),
                    withdrawn_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_own_consents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    nhs_number = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    ward_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    age_band = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    registered_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "proxy_authorities",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    relationship = table.Column<string>(type: "TEXT", nullable: false),
                    parental_responsibility_basis = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    lpa_registration_reference = table.Column<string>(type: "TEXT", nullable: true),
                    lpa_registered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    donor_was_18_or_over_when_made = table.Column<bool>(type: "INTEGER", nullable: true),
                    court_order_reference = table.Column<string>(type: "TEXT", nullable: true),
                    covers_decision = table.Column<bool>(type: "INTEGER", nullable: false),
                    document_reference = table.Column<string>(type: "TEXT", nullable: true),
                    verified_by = table.Column<string>(type: "TEXT", nullable: true),
                    verified_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_proxy_authorities", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "proxy_consents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    proxy_authority_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    decision = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    information_given = table.Column<string>(type: "TEXT", nullable: false),
                    information_format = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recorded_by = table.Column<string>(type: "TEXT", nullable: false),
                    withdrawn_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_proxy_consents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "technology_approvals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_name = table.Column<string>(type: "TEXT", nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    is_surveillance = table.Column<bool>(type: "INTEGER", nullable: false),
                    manages_safety_risk = table.Column<bool>(type: "INTEGER", nullable: false),
                    approved_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    withdrawn_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_technology_approvals", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "technology_uses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    patient_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    technology_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ward_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    setting_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    is_surveillance = table.Column<bool>(type: "INTEGER", nullable: false),
                    manages_safety_risk = table.Column<bool>(type: "INTEGER", nullable: false),
                    patient_objects = table.Column<bool>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    lawful_basis_kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    lawful_basis_record_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    lawful_basis_proxy_kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    care_plan_record_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    care_plan_technology_name = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_reason = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_when_and_how_used = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_information_given = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_information_format = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    care_plan_decision_making_process = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_data_use = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_next_review_date = table.Column<DateTime>(type: "TEXT", nullable: true),
                    care_plan_review_covers = table.Column<string>(type: "TEXT", nullable: false),
                    care_plan_how_to_withdraw = table.Column<string>(type: "TEXT", nullable: false),
                    human_rights_rights_engaged = table.Column<int>(type: "INTEGER", nullable: true),
                    human_rights_how_balanced = table.Column<string>(type: "TEXT", nullable: true),
                    human_rights_legal_advice_sought = table.Column<bool>(type: "INTEGER", nullable: true),
                    human_rights_legal_advice_summary = table.Column<string>(type: "TEXT", nullable: true),
                    safety_why_proportionate = table.Column<string>(type: "TEXT", nullable: true),
                    safety_how_relational_care_continues = table.Column<string>(type: "TEXT", nullable: true),
                    proposed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    activated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_reviewed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    suspended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    suspension_reason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    end_reason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    review_overdue_raised_for = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_technology_uses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "trust_policies",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    capacity_regained_grace_period = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    fluctuating_assessment_max_age = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    review_grace_period = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    review_due_soon_notice = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    max_review_interval = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    blanket_share_threshold = table.Column<double>(type: "REAL", nullable: false),
                    blanket_window = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    blanket_minimum_uses = table.Column<int>(type: "INTEGER", nullable: false),
                    rationale_similarity_threshold = table.Column<double>(type: "REAL", nullable: false),
                    rationale_copy_minimum_uses = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trust_policies", x => x.tenant_id);
                });

            migrationBuilder.InsertData(
                table: "outbox_leases",
                columns: new[] { "name", "owner", "until" },
                values: new object[] { "relay", null, new DateTime(2000, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc) });

            migrationBuilder.CreateIndex(
                name: "ix_best_interests_decisions_tenant_id_patient_id",
                table: "best_interests_decisions",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_blanket_signals_tenant_id_signal_key",
                table: "blanket_signals",
                columns: new[] { "tenant_id", "signal_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_capacity_assessments_tenant_id_patient_id",
                table: "capacity_assessments",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_event",
                table: "dead_letters",
                columns: new[] { "source", "event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_received_at",
                table: "dead_letters",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_gillick_assessments_tenant_id_patient_id",
                table: "gillick_assessments",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_pending",
                table: "outbox_messages",
                column: "sequence",
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_pending_subject",
                table: "outbox_messages",
                columns: new[] { "subject", "sequence" },
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_own_consents_tenant_id_patient_id",
                table: "own_consents",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_patients_tenant_id_nhs_number",
                table: "patients",
                columns: new[] { "tenant_id", "nhs_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_patients_tenant_id_ward_code",
                table: "patients",
                columns: new[] { "tenant_id", "ward_code" });

            migrationBuilder.CreateIndex(
                name: "ix_proxy_authorities_tenant_id_patient_id",
                table: "proxy_authorities",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_proxy_consents_tenant_id_patient_id",
                table: "proxy_consents",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_technology_approvals_tenant_id_technology_id_setting_code",
                table: "technology_approvals",
                columns: new[] { "tenant_id", "technology_id", "setting_code" });

            migrationBuilder.CreateIndex(
                name: "ix_technology_uses_tenant_id_patient_id",
                table: "technology_uses",
                columns: new[] { "tenant_id", "patient_id" });

            migrationBuilder.CreateIndex(
                name: "ix_technology_uses_tenant_id_technology_id_setting_code",
                table: "technology_uses",
                columns: new[] { "tenant_id", "technology_id", "setting_code" });

            migrationBuilder.CreateIndex(
                name: "ix_technology_uses_tenant_id_ward_code",
                table: "technology_uses",
                columns: new[] { "tenant_id", "ward_code" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "best_interests_decisions");

            migrationBuilder.DropTable(
                name: "blanket_signals");

            migrationBuilder.DropTable(
                name: "capacity_assessments");

            migrationBuilder.DropTable(
                name: "consent_trusts");

            migrationBuilder.DropTable(
                name: "dead_letters");

            migrationBuilder.DropTable(
                name: "gillick_assessments");

            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "outbox_leases");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "own_consents");

            migrationBuilder.DropTable(
                name: "patients");

            migrationBuilder.DropTable(
                name: "proxy_authorities");

            migrationBuilder.DropTable(
                name: "proxy_consents");

            migrationBuilder.DropTable(
                name: "technology_approvals");

            migrationBuilder.DropTable(
                name: "technology_uses");

            migrationBuilder.DropTable(
                name: "trust_policies");
        }
    }
}
