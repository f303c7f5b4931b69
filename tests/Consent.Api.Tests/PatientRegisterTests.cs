using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>The consent service on real PostgreSQL, with the background sweeps off: tests run them by hand.</summary>
public sealed class ConsentServiceFixture : IAsyncLifetime
{
    public ServiceFactory<Program> App { get; private set; } = null!;

    public async Task InitializeAsync() =>
        App = await ServiceFactory<Program>.StartOnPostgresAsync("consent", new Dictionary<string, string?>
        {
            ["Consent:Schedules:Enabled"] = "false",
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public class PatientRegisterTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private const string TrustA = "RX3";
    private const string TrustB = "RTQ";

    private async Task<Outcome<Patient>> Register(string tenant, string nhs, string ward = "OAK", AgeBand band = AgeBand.Aged26To64, bool wardInDirectory = true)
    {
        if (wardInDirectory && Validation.Code("ward-code", ward) is null) await WardDirectoryEvents.EnsureAsync(fixture.App, tenant, ward);
        return await fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<PatientRegistry>().RegisterAsync(new RegisterPatient(nhs, ward, band)));
    }

    [Fact]
    public async Task A_patient_is_refused_on_a_ward_the_trusts_directory_does_not_hold_and_ward_codes_are_normalised()
    {
        await WardDirectoryEvents.EnsureAsync(fixture.App, TrustA, "BIRCH");
        await WardDirectoryEvents.EnsureAsync(fixture.App, TrustB, "ROWAN");

        // Not in the directory, another trust's ward, and a closed ward: refused, nothing written.
        Assert.Equal("ward.not-found", (await Register(TrustA, "9990000131", "NOPE", wardInDirectory: false)).Refusal?.Rule);
        Assert.Equal("ward.not-found", (await Register(TrustA, "9990000131", "ROWAN", wardInDirectory: false)).Refusal?.Rule);
        await WardDirectoryEvents.ChangeAsync(fixture.App, TrustA, "SHUT", ConsentClient.Setting, closed: true);
        Assert.Equal("ward.closed", (await Register(TrustA, "9990000131", "SHUT", wardInDirectory: false)).Refusal?.Rule);
        Assert.Equal(0, await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<ConsentDbContext>().Patients.CountAsync(p => p.NhsNumber == "9990000131")));

        // "birch " is BIRCH: one ward, not two.
        var lower = await Register(TrustA, "9990000131", " birch ", wardInDirectory: false);
        Assert.Equal("BIRCH", lower.Value.WardCode);
        var listed = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<PatientRegistry>().ListAsync("Birch", 50, null));
        Assert.Contains(listed.Value.Patients, p => p.Id == lower.Value.Id);
    }

    [Fact]
    public async Task A_registered_patient_can_be_found_by_id_with_number_ward_and_band()
    {
        var registered = await Register(TrustA, "943 476 5919");
        Assert.False(registered.IsRefused, registered.Refusal?.Message);

        var found = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<PatientRegistry>().GetAsync(registered.Value.Id.ToString()));
        Assert.Equal("9434765919", found.Value.NhsNumber);
        Assert.Equal("OAK", found.Value.WardCode);
        Assert.Equal(AgeBand.Aged26To64, found.Value.AgeBand);
        Assert.Equal(TrustA, found.Value.TenantId);
        Assert.Equal(DateTimeKind.Utc, found.Value.RegisteredAt.Kind);
    }

    [Fact]
    public async Task The_same_nhs_number_twice_in_one_trust_is_refused_and_nothing_is_written()
    {
        Assert.False((await Register(TrustA, "4010232137")).IsRefused);
        var second = await Register(TrustA, "401 023 2137", ward: "ELM");
        Assert.Equal(RefusalKind.AlreadyExists, second.Refusal?.Kind);
        var count = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<ConsentDbContext>().Patients.CountAsync(p => p.NhsNumber == "4010232137"));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task A_wrong_check_digit_is_refused_before_anything_is_stored()
    {
        var outcome = await Register(TrustA, "9990000019");
        Assert.Equal("nhs-number.check-digit", outcome.Refusal?.Rule);
        var count = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<ConsentDbContext>().Patients.CountAsync(p => p.NhsNumber == "9990000019"));
        Assert.Equal(0, count);
    }

    [Theory]
    [InlineData("", AgeBand.Aged18To25, "ward-code.required")]
    [InlineData("OAK WARD; DROP", AgeBand.Aged18To25, "ward-code.format")]
    [InlineData("OAK", AgeBand.Unspecified, "age-band.required")]
    public async Task Bad_ward_or_age_band_is_refused_with_the_field_named(string ward, AgeBand band, string rule)
    {
        var outcome = await Register(TrustA, "9990000026", ward, band);
        Assert.Equal(rule, outcome.Refusal?.Rule);
    }

    [Fact]
    public async Task Listing_pages_through_the_trusts_patients_on_a_ward()
    {
        foreach (var nhs in new[] { "9990000034", "9990000042", "9990000050" }) Assert.False((await Register(TrustA, nhs, ward: "ASH")).IsRefused);
        var registry = (IServiceProvider sp) => sp.GetRequiredService<PatientRegistry>();
        var first = await fixture.App.InTenantAsync(TrustA, sp => registry(sp).ListAsync("ASH", 2, null));
        Assert.Equal(2, first.Value.Patients.Count);
        Assert.NotNull(first.Value.NextPageToken);
        var second = await fixture.App.InTenantAsync(TrustA, sp => registry(sp).ListAsync("ASH", 2, first.Value.NextPageToken));
        Assert.Single(second.Value.Patients);
        Assert.Null(second.Value.NextPageToken);
        Assert.Equal(3, first.Value.Patients.Concat(second.Value.Patients).Select(p => p.Id).Distinct().Count());

        var bad = await fixture.App.InTenantAsync(TrustA, sp => registry(sp).ListAsync("ASH", 2, "not-a-token"));
        Assert.Equal("page-token.format", bad.Refusal?.Rule);
    }

    [Fact]
    public async Task Trust_B_cannot_see_or_find_trust_As_patient_through_the_application()
    {
        var a = await Register(TrustA, "9990000069");
        var byId = await fixture.App.InTenantAsync(TrustB, sp => sp.GetRequiredService<PatientRegistry>().GetAsync(a.Value.Id.ToString()));
        Assert.Equal(RefusalKind.NotFound, byId.Refusal?.Kind);
        var list = await fixture.App.InTenantAsync(TrustB, sp => sp.GetRequiredService<PatientRegistry>().ListAsync(null, 500, null));
        Assert.DoesNotContain(list.Value.Patients, p => p.Id == a.Value.Id);
        // The same NHS number is a separate patient record in another trust.
        Assert.False((await Register(TrustB, "9990000069")).IsRefused);
    }

    [Fact]
    public async Task The_ef_filter_alone_hides_other_trusts_rows_even_where_row_level_security_is_bypassed()
    {
        var a = await Register(TrustA, "9990000077");
        // A superuser bypasses row-level security, so only the EF query filter stands between the trusts here.
        var options = new DbContextOptionsBuilder<ConsentPostgresDbContext>()
            .UseNpgsql(fixture.App.Postgres.SuperuserConnectionString(fixture.App.Database)).Options;
        await using var asTrustB = new ConsentPostgresDbContext(options, new FixedTenant(TrustB));
        Assert.False(await asTrustB.Patients.AnyAsync(p => p.Id == a.Value.Id));
        Assert.True(await asTrustB.Patients.IgnoreQueryFilters().AnyAsync(p => p.Id == a.Value.Id)); // the row is there
    }

    [Fact]
    public async Task Row_level_security_alone_hides_other_trusts_rows_from_raw_sql_under_the_app_role()
    {
        var a = await Register(TrustA, "9990000085");
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        async Task<long> CountAs(string? tenant)
        {
            await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, false)", conn))
            {
                set.Parameters.AddWithValue("t", tenant ?? "");
                await set.ExecuteNonQueryAsync();
            }
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM patients WHERE id = @id", conn);
            cmd.Parameters.AddWithValue("id", a.Value.Id);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.Equal(0, await CountAs(TrustB));
        Assert.Equal(0, await CountAs(null));
        Assert.Equal(1, await CountAs(TrustA));

        // Writing a row into another trust is refused by the policy's WITH CHECK.
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', 'RTQ', false)", conn)) await set.ExecuteNonQueryAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO patients (id, tenant_id, nhs_number, ward_code, age_band, registered_at) VALUES (gen_random_uuid(), 'RX3', '9990000093', 'OAK', 'Aged18To25', now())", conn);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal("42501", error.SqlState); // insufficient_privilege: new row violates row-level security policy
    }

    [Fact]
    public async Task The_app_role_cannot_change_the_schema_or_turn_row_level_security_off()
    {
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("ALTER TABLE patients DISABLE ROW LEVEL SECURITY", conn);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("42501", error.SqlState); // must be owner
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model()
    {
        await fixture.App.InTenantAsync(TrustA, async sp =>
        {
            await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<ConsentDbContext>());
            return 0;
        });
    }

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<ConsentSqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync(TrustA, async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<ConsentDbContext>()); return 0; });

    [Fact]
    public async Task Ready_answers_200_when_the_database_is_migrated_and_me_needs_a_token()
    {
        using var anonymous = fixture.App.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/me")).StatusCode);
        using var client = fixture.App.ClientFor(TrustA, "clinician");
        var me = await client.GetStringAsync("/me");
        Assert.Contains("\"tenant\":\"RX3\"", me);
        Assert.Contains("clinician", me);
    }
}
