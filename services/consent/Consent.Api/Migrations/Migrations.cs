using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Consent.Api.Data;
using Platform.Messaging;
using Platform.Persistence;

namespace Platform.Consent.Api.Migrations;

// Written by hand (docs/decisions/0001-hand-written-migrations.md). Each schema step is one method below; each
// provider gets a thin migration class per step, so the ids and order match on SQLite and PostgreSQL.
internal static class ConsentSchema
{
    public const string PatientsTable = "patients";

    public static void V1Up(MigrationBuilder mb)
    {
        mb.CreateTable(PatientsTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            nhs_number = c.Text(10),
            ward_code = c.Text(32),
            age_band = c.Text(24),
            registered_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_patients", x => x.id));
        mb.CreateIndex("ix_patients_tenant_id_nhs_number", PatientsTable, ["tenant_id", "nhs_number"], unique: true);
        mb.CreateIndex("ix_patients_tenant_id_ward_code", PatientsTable, ["tenant_id", "ward_code"]);
    }

    public static void V1Down(MigrationBuilder mb) => mb.DropTable(PatientsTable);

    private const int EnumLength = ConsentDbContext.EnumLength;
    private const int CodeLength = ConsentDbContext.CodeLength;

    /// <summary>Every tenant-owned table of the consent-records step; each gets row-level security on PostgreSQL.</summary>
    public static readonly string[] ConsentRecordTables =
    [
        "capacity_assessments", "gillick_assessments", "proxy_authorities", "own_consents", "proxy_consents",
        "best_interests_decisions", "technology_approvals", "technology_uses", "trust_policies",
    ];

    public static void V2Up(MigrationBuilder mb)
    {
        mb.CreateTable("capacity_assessments", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            decision = c.Text(),
            determination = c.Text(EnumLength),
            assessed_at = c.Instant(),
            assessed_by = c.Text(),
            impairment_of_mind_or_brain = c.Column<bool>(nullable: true),
            impairment_description = c.Text(nullable: true),
            understand = c.Text(EnumLength),
            retain = c.Text(EnumLength),
            use_or_weigh = c.Text(EnumLength),
            communicate = c.Text(EnumLength),
            inability_because_of_impairment = c.Column<bool>(nullable: true),
            practicable_steps_taken = c.Text(nullable: true),
            fluctuating = c.Column<bool>(nullable: false),
            reassess_by = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_capacity_assessments", x => x.id));
        PatientIndex(mb, "capacity_assessments");

        mb.CreateTable("gillick_assessments", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            decision = c.Text(),
            competent = c.Column<bool>(nullable: true),
            assessed_by = c.Text(),
            assessed_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_gillick_assessments", x => x.id));
        PatientIndex(mb, "gillick_assessments");

        mb.CreateTable("proxy_authorities", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            kind = c.Text(EnumLength),
            relationship = c.Text(),
            parental_responsibility_basis = c.Text(EnumLength),
            lpa_registration_reference = c.Text(nullable: true),
            lpa_registered_at = c.Instant(nullable: true),
            donor_was_18_or_over_when_made = c.Column<bool>(nullable: true),
            court_order_reference = c.Text(nullable: true),
            covers_decision = c.Column<bool>(nullable: false),
            document_reference = c.Text(nullable: true),
            verified_by = c.Text(nullable: true),
            verified_at = c.Instant(nullable: true),
            expires_at = c.Instant(nullable: true),
            revoked_at = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_proxy_authorities", x => x.id));
        PatientIndex(mb, "proxy_authorities");

        mb.CreateTable("own_consents", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            decision = c.Text(EnumLength),
            information_given = c.Text(),
            information_format = c.Text(EnumLength),
            recorded_at = c.Instant(),
            recorded_by = c.Text(),
            withdrawn_at = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_own_consents", x => x.id));
        PatientIndex(mb, "own_consents");

        mb.CreateTable("proxy_consents", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            proxy_authority_id = c.Column<Guid>(nullable: false),
            decision = c.Text(EnumLength),
            information_given = c.Text(),
            information_format = c.Text(EnumLength),
            recorded_at = c.Instant(),
            recorded_by = c.Text(),
            withdrawn_at = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_proxy_consents", x => x.id));
        PatientIndex(mb, "proxy_consents");

        mb.CreateTable("best_interests_decisions", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            wishes_and_feelings = c.Text(),
            written_statements = c.Text(),
            beliefs_and_values = c.Text(),
            may_regain_capacity = c.Column<bool>(nullable: true),
            regain_capacity_when = c.Text(nullable: true),
            support_to_participate = c.Text(),
            people_consulted = c.Text(),
            no_one_appropriate_to_consult = c.Column<bool>(nullable: false),
            less_restrictive_options = c.Text(),
            decision_maker = c.Text(),
            decided_at = c.Instant(),
            use_is_in_best_interests = c.Column<bool>(nullable: false),
            patient_objects = c.Column<bool>(nullable: false),
            objection_weighed = c.Text(nullable: true),
            ended_at = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_best_interests_decisions", x => x.id));
        PatientIndex(mb, "best_interests_decisions");

        mb.CreateTable("technology_approvals", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            technology_id = c.Column<Guid>(nullable: false),
            technology_name = c.Text(),
            setting_code = c.Text(CodeLength),
            is_surveillance = c.Column<bool>(nullable: false),
            manages_safety_risk = c.Column<bool>(nullable: false),
            approved_at = c.Instant(),
            withdrawn_at = c.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_technology_approvals", x => x.id));
        mb.CreateIndex("ix_technology_approvals_tenant_id_technology_id_setting_code", "technology_approvals", ["tenant_id", "technology_id", "setting_code"]);

        mb.CreateTable("technology_uses", c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            patient_id = c.Column<Guid>(nullable: false),
            technology_id = c.Column<Guid>(nullable: false),
            ward_code = c.Text(CodeLength),
            setting_code = c.Text(CodeLength),
            purpose = c.Text(EnumLength),
            is_surveillance = c.Column<bool>(nullable: false),
            manages_safety_risk = c.Column<bool>(nullable: false),
            patient_objects = c.Column<bool>(nullable: false),
            status = c.Text(EnumLength),
            lawful_basis_kind = c.Text(EnumLength),
            lawful_basis_record_id = c.Column<Guid>(nullable: true),
            lawful_basis_proxy_kind = c.Text(EnumLength),
            proposed_at = c.Instant(),
            activated_at = c.Instant(nullable: true),
            last_reviewed_at = c.Instant(nullable: true),
            suspended_at = c.Instant(nullable: true),
            suspension_reason = c.Text(EnumLength),
            ended_at = c.Instant(nullable: true),
            end_reason = c.Text(EnumLength),
            // The care-plan record (owned, required): the eight P2 items.
            care_plan_record_id = c.Column<Guid>(nullable: false),
            care_plan_technology_name = c.Text(),
            care_plan_reason = c.Text(),
            care_plan_when_and_how_used = c.Text(),
            care_plan_information_given = c.Text(),
            care_plan_information_format = c.Text(EnumLength),
            care_plan_decision_making_process = c.Text(),
            care_plan_data_use = c.Text(),
            care_plan_next_review_date = c.Instant(nullable: true),
            care_plan_review_covers = c.Text(),
            care_plan_how_to_withdraw = c.Text(),
            // Human-rights balancing and safety proportionality (owned, optional: all nullable).
            human_rights_rights_engaged = c.Column<int>(nullable: true),
            human_rights_how_balanced = c.Text(nullable: true),
            human_rights_legal_advice_sought = c.Column<bool>(nullable: true),
            human_rights_legal_advice_summary = c.Text(nullable: true),
            safety_why_proportionate = c.Text(nullable: true),
            safety_how_relational_care_continues = c.Text(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_technology_uses", x => x.id));
        PatientIndex(mb, "technology_uses");
        mb.CreateIndex("ix_technology_uses_tenant_id_technology_id_setting_code", "technology_uses", ["tenant_id", "technology_id", "setting_code"]);

        mb.CreateTable("trust_policies", c => new
        {
            tenant_id = c.Tenant(),
            capacity_regained_grace_period = c.Column<TimeSpan>(nullable: false),
            fluctuating_assessment_max_age = c.Column<TimeSpan>(nullable: false),
            review_grace_period = c.Column<TimeSpan>(nullable: false),
            review_due_soon_notice = c.Column<TimeSpan>(nullable: false),
            max_review_interval = c.Column<TimeSpan>(nullable: false),
            blanket_share_threshold = c.Column<double>(nullable: false),
            blanket_window = c.Column<TimeSpan>(nullable: false),
            blanket_minimum_uses = c.Column<int>(nullable: false),
            rationale_similarity_threshold = c.Column<double>(nullable: false),
            rationale_copy_minimum_uses = c.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_trust_policies", x => x.tenant_id));
    }

    public static void V2Down(MigrationBuilder mb)
    {
        foreach (var table in ConsentRecordTables.Reverse()) mb.DropTable(table);
    }

    /// <summary>The scheduled jobs' step: the trust directory they walk, raised blanket signals, the overdue-alert mark.</summary>
    public static void V3Up(MigrationBuilder mb)
    {
        // ODS codes only, no row-level security: the jobs read it before they take a tenant (see ConsentTrust).
        mb.CreateTable("consent_trusts", c => new
        {
            tenant_id = c.Tenant(),
            first_seen_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_consent_trusts", x => x.tenant_id));

        mb.CreateTable(BlanketSignalsTable, c => new
        {
            id = c.Id(),
            tenant_id = c.Tenant(),
            signal_key = c.Text(64),
            kind = c.Text(EnumLength),
            ward_code = c.Text(CodeLength),
            technology_id = c.Column<Guid>(nullable: false),
            use_count = c.Column<int>(nullable: false),
            raised_at = c.Instant(),
        }, constraints: t => t.PrimaryKey("pk_blanket_signals", x => x.id));
        mb.CreateIndex("ix_blanket_signals_tenant_id_signal_key", BlanketSignalsTable, ["tenant_id", "signal_key"], unique: true);

        mb.AddColumn<DateTime>("review_overdue_raised_for", "technology_uses", nullable: true);
    }

    public static void V3Down(MigrationBuilder mb)
    {
        mb.DropColumn("review_overdue_raised_for", "technology_uses");
        mb.DropTable(BlanketSignalsTable);
        mb.DropTable("consent_trusts");
    }

    public const string BlanketSignalsTable = "blanket_signals";

    /// <summary>
    /// Notes every trust that registered patients before V3 created <c>consent_trusts</c> (registration notes a trust only
    /// from then on), so the scheduled sweeps visit it; first seen = its first patient's registration. On PostgreSQL the
    /// owner reads <c>patients</c> past its row-level security for this one statement and puts FORCE back.
    /// </summary>
    public static void V4Up(MigrationBuilder mb)
    {
        if (mb.IsNpgsql())
        {
            mb.Sql($"""
                ALTER TABLE "{PatientsTable}" NO FORCE ROW LEVEL SECURITY;
                INSERT INTO consent_trusts (tenant_id, first_seen_at)
                    SELECT tenant_id, min(registered_at) FROM "{PatientsTable}" GROUP BY tenant_id
                    ON CONFLICT (tenant_id) DO NOTHING;
                ALTER TABLE "{PatientsTable}" FORCE ROW LEVEL SECURITY;
                """);
        }
        else
        {
            mb.Sql($"""
                INSERT OR IGNORE INTO consent_trusts (tenant_id, first_seen_at)
                    SELECT tenant_id, min(registered_at) FROM "{PatientsTable}" GROUP BY tenant_id;
                """);
        }
    }

    /// <summary>Keeps the rows: they are what registration would have written, and V3's Down drops the table.</summary>
    public static void V4Down(MigrationBuilder mb)
    {
    }

    /// <summary>
    /// The sweep reads a ward's live uses for the blanket-use detector, ward by ward: without this index each read scanned
    /// every use of the trust (400 wards of a 40,000-use trust: 9.5 s of PostgreSQL CPU every 5 minutes).
    /// </summary>
    public static void V5Up(MigrationBuilder mb) =>
        mb.CreateIndex("ix_technology_uses_tenant_id_ward_code", "technology_uses", ["tenant_id", "ward_code"]);

    public static void V5Down(MigrationBuilder mb) => mb.DropIndex("ix_technology_uses_tenant_id_ward_code", "technology_uses");

    private static void PatientIndex(MigrationBuilder mb, string table) =>
        mb.CreateIndex($"ix_{table}_tenant_id_patient_id", table, ["tenant_id", "patient_id"]);
}

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261122020000_PatientRegister")]
public sealed class PatientRegisterSqlite() : SchemaStep(ConsentSchema.V1Up, ConsentSchema.V1Down);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261122020000_PatientRegister")]
public sealed class PatientRegisterPostgres() : PostgresSchemaStep(ConsentSchema.V1Up, ConsentSchema.V1Down, ConsentSchema.PatientsTable);

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261122030000_ConsentRecords")]
public sealed class ConsentRecordsSqlite() : SchemaStep(ConsentSchema.V2Up, ConsentSchema.V2Down);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261122030000_ConsentRecords")]
public sealed class ConsentRecordsPostgres() : PostgresSchemaStep(ConsentSchema.V2Up, ConsentSchema.V2Down, ConsentSchema.ConsentRecordTables);

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261122040000_Messaging")]
public sealed class MessagingSqlite() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261122040000_Messaging")]
public sealed class MessagingPostgres() : SchemaStep(MessagingMigrations.CreateMessagingTables, MessagingMigrations.DropMessagingTables);

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261122050000_Schedules")]
public sealed class SchedulesSqlite() : SchemaStep(ConsentSchema.V3Up, ConsentSchema.V3Down);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261122050000_Schedules")]
public sealed class SchedulesPostgres() : PostgresSchemaStep(ConsentSchema.V3Up, ConsentSchema.V3Down, ConsentSchema.BlanketSignalsTable);

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261201220000_TrustsFromEarlierPatients")]
public sealed class TrustsFromEarlierPatientsSqlite() : SchemaStep(ConsentSchema.V4Up, ConsentSchema.V4Down);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261201220000_TrustsFromEarlierPatients")]
public sealed class TrustsFromEarlierPatientsPostgres() : SchemaStep(ConsentSchema.V4Up, ConsentSchema.V4Down);

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261202030000_UsesByWard")]
public sealed class UsesByWardSqlite() : SchemaStep(ConsentSchema.V5Up, ConsentSchema.V5Down);

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261202030000_UsesByWard")]
public sealed class UsesByWardPostgres() : SchemaStep(ConsentSchema.V5Up, ConsentSchema.V5Down);
