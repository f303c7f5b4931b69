using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Consent.Api.Data;
using Platform.ServiceDefaults.Persistence;

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
}

[DbContext(typeof(ConsentSqliteDbContext))]
[Migration("20261122020000_PatientRegister")]
public sealed class PatientRegisterSqlite : Migration
{
    protected override void Up(MigrationBuilder mb) => ConsentSchema.V1Up(mb);

    protected override void Down(MigrationBuilder mb) => ConsentSchema.V1Down(mb);
}

[DbContext(typeof(ConsentPostgresDbContext))]
[Migration("20261122020000_PatientRegister")]
public sealed class PatientRegisterPostgres : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        ConsentSchema.V1Up(mb);
        mb.EnableTenantRowLevelSecurity(ConsentSchema.PatientsTable);
    }

    protected override void Down(MigrationBuilder mb)
    {
        mb.DisableTenantRowLevelSecurity(ConsentSchema.PatientsTable);
        ConsentSchema.V1Down(mb);
    }
}
