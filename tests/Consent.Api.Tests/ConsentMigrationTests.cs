using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Platform.Consent.Api.Data;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>A database that had patients before the schedules step: its trusts must be swept like any other.</summary>
public sealed class ConsentMigrationTests
{
    private const string BeforeSchedules = "20261122040000_Messaging";
    private static readonly DateTime s_firstA = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime s_firstB = new(2026, 11, 21, 14, 30, 0, DateTimeKind.Utc);

    [Fact]
    public async Task On_postgres_trusts_with_patients_from_before_the_schedules_step_are_noted_for_the_sweeps()
    {
        var server = await PostgresServer.SharedAsync();
        var owner = server.OwnerConnectionString(await server.CreateDatabaseAsync("consent_migration"));
        await using var db = new ConsentPostgresDbContext(new DbContextOptionsBuilder<ConsentPostgresDbContext>().UseNpgsql(owner).Options, NoTenant());
        await db.GetService<IMigrator>().MigrateAsync(BeforeSchedules);
        await using (var conn = new NpgsqlConnection(owner))
        {
            await conn.OpenAsync();
            foreach (var (tenant, at) in Registrations())
            {
                // patients is under FORCE row-level security: even the owner writes only as a tenant.
                await using var insert = new NpgsqlCommand(
                    "SELECT set_config('app.tenant_id', @tenant, false); " +
                    "INSERT INTO patients (id, tenant_id, nhs_number, ward_code, age_band, registered_at) VALUES (@id, @tenant, @nhs, 'OAK', 'Adult', @at)", conn);
                insert.Parameters.AddWithValue("id", Guid.NewGuid());
                insert.Parameters.AddWithValue("tenant", tenant);
                insert.Parameters.AddWithValue("nhs", Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString());
                insert.Parameters.AddWithValue("at", at);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await db.Database.MigrateAsync();

        await using (var conn = new NpgsqlConnection(owner))
        {
            await conn.OpenAsync();
            Assert.Equal([("RXA", s_firstA), ("RXB", s_firstB)], await TrustsAsync(conn));
            // Row-level security is back in force on patients: without a tenant the owner sees none of them.
            await using var count = new NpgsqlCommand("SELECT count(*) FROM patients", conn);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task On_sqlite_trusts_with_patients_from_before_the_schedules_step_are_noted_for_the_sweeps()
    {
        var file = Path.Combine(Path.GetTempPath(), $"consent-migration-{Guid.NewGuid():N}.db");
        try
        {
            var connection = $"Data Source={file};Pooling=False";
            await using var db = new ConsentSqliteDbContext(new DbContextOptionsBuilder<ConsentSqliteDbContext>().UseSqlite(connection).Options, NoTenant());
            await db.GetService<IMigrator>().MigrateAsync(BeforeSchedules);
            await using (var conn = new SqliteConnection(connection))
            {
                await conn.OpenAsync();
                foreach (var (tenant, at) in Registrations())
                {
                    await using var insert = conn.CreateCommand();
                    insert.CommandText = "INSERT INTO patients (id, tenant_id, nhs_number, ward_code, age_band, registered_at) VALUES ($id, $tenant, $nhs, 'OAK', 'Adult', $at)";
                    insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString().ToUpperInvariant()); // as EF stores a Guid on SQLite
                    insert.Parameters.AddWithValue("$tenant", tenant);
                    insert.Parameters.AddWithValue("$nhs", Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString());
                    insert.Parameters.AddWithValue("$at", at);
                    await insert.ExecuteNonQueryAsync();
                }
            }

            await db.Database.MigrateAsync();

            var trusts = await db.Trusts.AsNoTracking().OrderBy(t => t.TenantId).Select(t => new { t.TenantId, t.FirstSeenAt }).ToListAsync();
            Assert.Equal([("RXA", s_firstA), ("RXB", s_firstB)], trusts.Select(t => (t.TenantId, t.FirstSeenAt)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Two trusts; each trust's first registration is the earliest of its patients.
    private static IEnumerable<(string Tenant, DateTime At)> Registrations() =>
    [
        ("RXB", s_firstB.AddDays(1)), ("RXA", s_firstA.AddHours(5)), ("RXA", s_firstA), ("RXB", s_firstB), ("RXA", s_firstA.AddDays(2)),
    ];

    private static async Task<List<(string, DateTime)>> TrustsAsync(NpgsqlConnection conn)
    {
        await using var read = new NpgsqlCommand("SELECT tenant_id, first_seen_at FROM consent_trusts ORDER BY tenant_id", conn);
        await using var reader = await read.ExecuteReaderAsync();
        var trusts = new List<(string, DateTime)>();
        while (await reader.ReadAsync()) trusts.Add((reader.GetString(0), reader.GetDateTime(1)));
        return trusts;
    }

    private static TenantContext NoTenant() => new(new CurrentRequest());
}
