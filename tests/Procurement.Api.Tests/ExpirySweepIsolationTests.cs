using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Contracts.Procurement.V1;
using Platform.Procurement.Api.Application;
using Xunit;

namespace Platform.Procurement.Api.Tests;

/// <summary>Procurement on PostgreSQL and a fake clock with the hosted sweep off, so a test runs each sweep itself.</summary>
public sealed class ExpirySweepByHandFixture : ProcurementClockFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Procurement:ExpirySweep:Enabled"] = "false" };
}

/// <summary>
/// One trust's fault must not keep another trust's lapsed evidence in force: the sweep reviews each trust on its own
/// (<c>TrustSweep</c>), logs the trust that failed, and tries it again on the next sweep.
/// </summary>
public class ExpirySweepIsolationTests(ExpirySweepByHandFixture fixture) : IClassFixture<ExpirySweepByHandFixture>
{
    [Fact]
    public async Task A_trust_whose_expiry_review_fails_is_reported_and_retried_while_the_other_trusts_gates_reopen()
    {
        var failing = new ProcurementCaseClient(fixture, "REXA1");
        var healthy = new ProcurementCaseClient(fixture, "REXB1");
        var penTestEnds = ProcurementClockFixture.Start.UtcDateTime.AddDays(40);
        var (failingCase, _) = await failing.ApprovedCaseAsync("Ward tablet A", penTestEnds);
        var (healthyCase, _) = await healthy.ApprovedCaseAsync("Ward tablet B", penTestEnds);
        fixture.Clock.Advance(TimeSpan.FromDays(41));

        // A fault in one trust's rows: the database refuses every event REXA1's review would publish. REXA1 sorts
        // first, so a sweep that stopped at the first failure would leave REXB1's lapsed test unnoticed.
        await fixture.App.OwnerSqlAsync("""
            CREATE FUNCTION refuse_rexa1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test fault for REXA1'; END $$;
            CREATE TRIGGER refuse_rexa1 BEFORE INSERT ON outbox_messages FOR EACH ROW WHEN (NEW.tenant = 'REXA1') EXECUTE FUNCTION refuse_rexa1();
            """);
        var sweep = fixture.App.Services.GetRequiredService<ExpirySweep>();
        try
        {
            var result = await sweep.SweepAsync();
            Assert.Equal(["REXA1"], result.FailedTrusts);
            Assert.Equal(1, result.GatesReopened);
            Assert.Single(await healthy.PublishedAsync("procurement.gate_expired.v1", healthyCase.CaseId));
            Assert.Empty(await failing.PublishedAsync("procurement.gate_expired.v1", failingCase.CaseId));
            Assert.Contains(fixture.Logs.Entries, e => e.Level == LogLevel.Error && e.Category == typeof(ExpirySweep).FullName
                && e.Message.Contains("failed for trust REXA1", StringComparison.Ordinal) && e.Exception is not null);
        }
        finally
        {
            await fixture.App.OwnerSqlAsync("DROP TRIGGER refuse_rexa1 ON outbox_messages; DROP FUNCTION refuse_rexa1();");
        }

        // The next sweep catches up the trust that failed (its expiry was not marked as noticed without its event:
        // nothing half-done) and changes nothing for the other.
        var retried = await sweep.SweepAsync();
        Assert.Empty(retried.FailedTrusts);
        Assert.Single(await failing.PublishedAsync("procurement.gate_expired.v1", failingCase.CaseId));
        Assert.Single(await healthy.PublishedAsync("procurement.gate_expired.v1", healthyCase.CaseId));
    }
}
