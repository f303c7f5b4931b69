using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Data;
using Platform.Domain;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

public sealed class AuditServiceFixture() : ServiceFixture<Program>("audit");

// Each test uses its own trust so that sequence numbers start at 1 for it.
public class AuditLogTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private static readonly AuditReader Auditor = new("auditor-1", ["auditor"]);

    private static AppendAuditEntry CapacityAssessed(string patientKey) =>
        new("capacity-assessment", AuditAction.Create, AuditOutcome.Success, "clinician-7", "clinician", "TREAT", $"Patient/{patientKey}", "Patient", "evt-123");

    private Task<Outcome<AuditEntry>> Append(string tenant, AppendAuditEntry command) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<AuditLog>().AppendAsync(command));

    private Task<Outcome<IReadOnlyList<AuditEntry>>> Read(string tenant, AuditReader reader, long after = 0) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<AuditLog>().ListAsync(reader, after, 100));

    [Fact]
    public async Task Entries_are_numbered_from_one_per_trust_without_gaps()
    {
        var a1 = await Append("AAA1", CapacityAssessed("p1"));
        var a2 = await Append("AAA1", CapacityAssessed("p2"));
        var b1 = await Append("BBB1", CapacityAssessed("p3"));
        Assert.Equal(1, a1.Value.Sequence);
        Assert.Equal(2, a2.Value.Sequence);
        Assert.Equal(1, b1.Value.Sequence);
    }

    [Fact]
    public async Task The_stored_leaf_hash_is_sha256_of_0x00_and_the_canonical_entry_after_a_round_trip()
    {
        var appended = await Append("AAA2", CapacityAssessed("p1"));
        var reloaded = await fixture.App.InTenantAsync("AAA2", sp => sp.GetRequiredService<AuditDbContext>().Entries.AsNoTracking().SingleAsync(e => e.Id == appended.Value.Id));
        var canonical = AuditEntryCanonical.Bytes(reloaded);
        var expected = Convert.ToHexStringLower(SHA256.HashData([0x00, .. canonical]));
        Assert.Equal(expected, reloaded.LeafHash);

        using var json = JsonDocument.Parse(canonical);
        Assert.Equal("C", json.RootElement.GetProperty("action").GetString());
        Assert.Equal("Patient/p1", json.RootElement.GetProperty("entity").GetProperty("what").GetString());
        Assert.Equal("evt-123", json.RootElement.GetProperty("sourceEventId").GetString());
    }

    [Fact]
    public async Task Only_auditors_can_read_the_log_and_a_refused_attempt_is_itself_recorded()
    {
        await Append("AAA3", CapacityAssessed("p1"));
        var refused = await Read("AAA3", new AuditReader("clinician-7", ["clinician"]));
        Assert.Equal(RefusalKind.PermissionDenied, refused.Refusal?.Kind);

        var entries = (await Read("AAA3", Auditor)).Value;
        Assert.Equal(2, entries.Count);
        Assert.Equal("audit-log-read", entries[1].Type);
        Assert.Equal(AuditOutcome.MinorFailure, entries[1].Outcome);
        Assert.Equal("clinician-7", entries[1].AgentWho);
    }

    [Fact]
    public async Task Every_read_by_an_auditor_is_audited()
    {
        await Append("AAA4", CapacityAssessed("p1"));
        var first = (await Read("AAA4", Auditor)).Value;
        Assert.Single(first);
        var second = (await Read("AAA4", Auditor, after: 1)).Value;
        var read = Assert.Single(second);
        Assert.Equal(("audit-log-read", AuditAction.Read, "auditor-1"), (read.Type, read.Action, read.AgentWho));
    }

    [Theory]
    [InlineData("", "type.required")]
    [InlineData("has spaces", "type.format")]
    public async Task Malformed_entries_are_refused(string type, string rule)
    {
        Assert.Equal(rule, (await Append("AAA5", CapacityAssessed("p1") with { Type = type })).Refusal?.Rule);
        Assert.Equal("action.required", (await Append("AAA5", CapacityAssessed("p1") with { Action = AuditAction.Unspecified })).Refusal?.Rule);
        Assert.Equal("agent-who.required", (await Append("AAA5", CapacityAssessed("p1") with { AgentWho = "" })).Refusal?.Rule);
    }

    [Fact]
    public async Task Trust_B_cannot_read_trust_As_entries()
    {
        var a = await Append("AAA6", CapacityAssessed("p1"));
        var fromB = (await Read("BBB6", Auditor)).Value;
        Assert.Empty(fromB);
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "audit_entries", a.Value.Id, "BBB6"));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "audit_entries", a.Value.Id, "AAA6"));
    }

    [Fact]
    public async Task The_database_refuses_to_change_or_delete_an_entry_even_for_its_own_trust()
    {
        var a = await Append("AAA7", CapacityAssessed("p1"));
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.AppConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', 'AAA7', false)", conn)) await set.ExecuteNonQueryAsync();
        foreach (var sql in new[] { "UPDATE audit_entries SET outcome = 12 WHERE id = @id", "DELETE FROM audit_entries WHERE id = @id" })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("id", a.Value.Id);
            var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.MessageText);
        }
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync("AAA8", async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<AuditDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<AuditSqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync("AAA8", async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<AuditDbContext>()); return 0; });
}
