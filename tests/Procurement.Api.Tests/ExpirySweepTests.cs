using Platform.Contracts.Procurement.V1;
using Xunit;
using static Platform.Procurement.Api.Tests.ProcurementCaseClient;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// The hosted expiry sweep on the app's clock: the test moves a fake clock and waits until the sweep's effect is
/// visible over gRPC (a condition, never a sleep).
/// </summary>
public class ExpirySweepTests(ProcurementClockFixture fixture) : IClassFixture<ProcurementClockFixture>
{
    [Fact]
    public async Task Expired_evidence_reopens_its_gate_and_past_the_grace_period_withdraws_the_approval()
    {
        var a = new ProcurementCaseClient(fixture, "REX1");
        var penTestEnds = ProcurementClockFixture.Start.UtcDateTime.AddDays(40);
        var (opened, approval) = await a.ApprovedCaseAsync("Ward tablet expiry", penTestEnds);
        Assert.True(approval.InForce);

        // Past the penetration test's end: the gate reopens, the approval stands through the grace period (30 days).
        fixture.Clock.Advance(TimeSpan.FromDays(41));
        var reopened = await UntilAsync(() => a.As(Ig).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId }).ResponseAsync,
            async c => c.Gates.Single(g => g.Code == "dtac-c3-technical-security").State == GateState.Expired
                 && (await a.PublishedAsync("procurement.gate_expired.v1", opened.CaseId)).Count == 1);
        Assert.Equal(CaseStatus.Approved, reopened.Status);
        var expired = Assert.Single(await a.PublishedAsync("procurement.gate_expired.v1", opened.CaseId));
        Assert.Contains("\"gate\": \"dtac-c3-technical-security\"", expired);
        Assert.Contains("\"kind\": \"penetration-test\"", expired);
        Assert.Contains($"\"withdrawalDueAt\": \"{penTestEnds.AddDays(30):yyyy-MM-ddTHH:mm:ss}Z\"", expired);
        var open = await a.As(Lead).ListOpenGatesAsync(new ListOpenGatesRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full });
        Assert.Equal("dtac-c3-technical-security", Assert.Single(open.OpenGates).Code);
        Assert.Contains("penetration test", open.OpenGates[0].Detail);
        Assert.Empty(await a.PublishedAsync("procurement.technology_approval_withdrawn.v1", opened.CaseId));

        // Not renewed within the grace period: the approval is withdrawn and consent is told which gate lapsed.
        fixture.Clock.Advance(TimeSpan.FromDays(30));
        var withdrawn = await UntilAsync(() => a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId }).ResponseAsync,
            c => Task.FromResult(c.Status == CaseStatus.Withdrawn));
        Assert.Equal(WithdrawalCause.EvidenceExpired, withdrawn.Approvals[^1].WithdrawalCause);
        Assert.Equal(["dtac-c3-technical-security"], withdrawn.Approvals[^1].WithdrawalExpiredGates);
        var published = Assert.Single(await a.PublishedAsync("procurement.technology_approval_withdrawn.v1", opened.CaseId));
        Assert.Contains("\"cause\": \"WITHDRAWAL_CAUSE_EVIDENCE_EXPIRED\"", published);
        Assert.Contains("\"expiredGates\": [ \"dtac-c3-technical-security\" ]", published);
        Assert.Contains("\"subject\": \"procurement:expiry-review\"", published);

        // A later sweep finds nothing new to report.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await UntilAsync(() => a.As(Lead).GetCaseAsync(new GetCaseRequest { CaseId = opened.CaseId }).ResponseAsync, c => Task.FromResult(c.Status == CaseStatus.Withdrawn));
        Assert.Single(await a.PublishedAsync("procurement.gate_expired.v1", opened.CaseId));
        Assert.Single(await a.PublishedAsync("procurement.technology_approval_withdrawn.v1", opened.CaseId));
    }

    // Polls the service until the hosted sweep's work is visible; the bound only ends a test whose rule is broken.
    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, Task<bool>> done)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (await done(value)) return value;
            await Task.Delay(25, limit.Token);
        }
    }
}
