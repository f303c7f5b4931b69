using Platform.Testing;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;

using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// A patient's consent snapshot is loaded two ways: one patient at a time with compiled queries (CheckUse), and many
/// patients together (the trust-wide lists, issue 19). Both must read every record kind the snapshot carries, whatever
/// data a test happens to seed: a record kind added to <see cref="Platform.Consent.Domain.PatientConsentRecords"/> and loaded by only one of
/// them would let a list and a check judge the same patient on different records.
/// </summary>
public sealed partial class SnapshotLoadsTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task Both_loads_read_the_table_of_every_record_kind_the_snapshot_carries()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var patient = Guid.Parse(await a.PatientAsync(AgeBand._26To64));

        var (expected, alone, together) = await fixture.App.InTenantAsync("RX3", async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var store = sp.GetRequiredService<PatientRecordsStore>();
            // The snapshot's record kinds: each array property's element type is an entity of the model, and its table
            // is what a load must read.
            var kinds = typeof(Platform.Consent.Domain.PatientConsentRecords).GetProperties()
                .Where(p => p.PropertyType.IsArray)
                .Select(p => db.Model.FindEntityType(p.PropertyType.GetElementType()!)?.GetTableName()
                             ?? throw new InvalidOperationException($"{p.Name}: no table in the consent model"))
                .Append(db.Patients.EntityType.GetTableName()!)
                .ToHashSet();

            store.InvalidatePatient(patient);
            using (var one = new StatementLog(db))
            {
                Assert.NotNull(await store.GetAsync(patient));
                var aloneTables = TablesIn(one);
                store.InvalidatePatient(patient);
                using var many = new StatementLog(db);
                Assert.Single(await store.GetManyAsync([patient]));
                return (kinds, aloneTables, TablesIn(many));
            }
        });

        Assert.True(expected.Count > 10, $"the snapshot's record kinds were not found: {string.Join(", ", expected)}");
        Assert.Equal(expected.Order(), alone.Order());
        Assert.Equal(expected.Order(), together.Order());
    }

    /// <summary>The tables named after FROM in the statements logged.</summary>
    private static HashSet<string> TablesIn(StatementLog log) =>
        [.. log.Commands.SelectMany(c => From().Matches(c)).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("""FROM\s+"?(\w+)"?""", RegexOptions.IgnoreCase)]
    private static partial Regex From();
}
