using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Grpc.Interceptors;
using Platform.Testing;
using Xunit;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The region's blanket-use signals (issue 19, ADR 0044; P2), on a fake clock (11 January 2027, so the period is
/// December 2026) in an app of their own: counts of the sweep's stored signals by kind and ward setting, trusts as
/// rows, suppressed together (ADR 0019's method, as ADR 0040), for a region token as region analyst only.
/// </summary>
public sealed class RegionalBlanketSignalsGrpcTests(SignalSweepFixture fixture) : IClassFixture<SignalSweepFixture>
{
    private ConsentService.ConsentServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    /// <summary>Stores signals as the sweep would have raised them: each its own finding (key), at <paramref name="raisedAt"/>.</summary>
    private Task SignalsAsync(string tenant, string ward, Domain.BlanketSignalKind kind, DateTime raisedAt, params Guid[] technologies) =>
        fixture.App.InTenantAsync(tenant, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            foreach (var technology in technologies)
                db.RaisedBlanketSignals.Add(new RaisedBlanketSignal
                {
                    Id = Guid.NewGuid(), SignalKey = Guid.NewGuid().ToString("N"), Kind = kind, WardCode = ward, TechnologyId = technology,
                    UseCount = 4, UseIds = [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()], RaisedAt = raisedAt,
                });
            return await db.SaveChangesAsync();
        });

    private static Guid[] New(int n) => Enumerable.Range(0, n).Select(_ => Guid.NewGuid()).ToArray();

    [Fact]
    public async Task The_region_analyst_gets_last_months_signals_by_kind_and_setting_suppressed_with_no_ward_technology_or_use()
    {
        var december = new DateTime(2026, 12, 10, 3, 0, 0, DateTimeKind.Utc);
        await fixture.App.KnowTrustsAsync(["RBA", "RBB", "RBC", "RBD"]);
        await WardDirectoryEvents.EnsureAsync(fixture.App, "RBA", "OAK", "acute-adult");
        await WardDirectoryEvents.EnsureAsync(fixture.App, "RBA", "ASH", "picu");
        await WardDirectoryEvents.EnsureAsync(fixture.App, "RBB", "ELM", "acute-adult");
        await WardDirectoryEvents.EnsureAsync(fixture.App, "RBD", "OAK", "acute-adult");
        await WardDirectoryEvents.EnsureAsync(fixture.App, "RBD", "PINE", "picu");
        // RBA: 6 high-share (acute-adult), 5 copied reasons (picu). RBB: 2 high-share: a small count.
        await SignalsAsync("RBA", "OAK", Domain.BlanketSignalKind.HighShareOfWard, december, New(6));
        await SignalsAsync("RBA", "ASH", Domain.BlanketSignalKind.NearIdenticalRationales, december, New(5));
        await SignalsAsync("RBB", "ELM", Domain.BlanketSignalKind.HighShareOfWard, december, New(2));
        // RBD: 7 high-share, one raised at the month's first instant, and one re-raised twice more as its evidence
        // grew (the same ward, technology and kind: one signal); 5 copied reasons. Outside December: not counted.
        var rbd = New(7);
        await SignalsAsync("RBD", "OAK", Domain.BlanketSignalKind.HighShareOfWard, december, rbd[..6]);
        await SignalsAsync("RBD", "OAK", Domain.BlanketSignalKind.HighShareOfWard, new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), rbd[6]);
        await SignalsAsync("RBD", "OAK", Domain.BlanketSignalKind.HighShareOfWard, december.AddDays(5), rbd[0], rbd[0]);
        await SignalsAsync("RBD", "PINE", Domain.BlanketSignalKind.NearIdenticalRationales, december, New(5));
        await SignalsAsync("RBD", "OAK", Domain.BlanketSignalKind.HighShareOfWard, new DateTime(2026, 11, 30, 23, 59, 59, DateTimeKind.Utc), New(3));
        await SignalsAsync("RBD", "OAK", Domain.BlanketSignalKind.HighShareOfWard, new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), New(3));
        // RBC raised none, but its threshold (6) is the strictest: it holds for every row.
        var admin = new ConsentClient(fixture.App, "RBC", "trust-admin");
        var policy = await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        policy.SuppressionThreshold = 6;
        await admin.Call(c => c.SetTrustPolicyAsync(policy));

        var signals = await Region().GetRegionalBlanketUseSignalsAsync(new GetRegionalBlanketUseSignalsRequest());

        Assert.Equal(("2026-12", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            (signals.Period, signals.PeriodStart.ToDateTime(), signals.PeriodEnd.ToDateTime()));
        Assert.Equal(6, signals.SuppressionThreshold);
        Assert.Equal(signals.Trusts.Order(StringComparer.Ordinal), signals.Trusts);
        var byKind = signals.Tables.Single(t => t.Dimension == "kind");
        var bySetting = signals.Tables.Single(t => t.Dimension == "setting");
        Assert.Equal(["high-share-of-ward", "near-identical-rationales"], byKind.Categories);
        Assert.Equal(["acute-adult", "picu"], bySetting.Categories);
        Assert.Equal([.. signals.Trusts, ""], byKind.Rows.Select(r => r.OdsCode));

        var truth = new Dictionary<(string, string), int[]>
        {
            [("kind", "RBA")] = [6, 5, 11], [("kind", "RBB")] = [2, 0, 2], [("kind", "RBD")] = [7, 5, 12], [("kind", "")] = [15, 10, 25],
            [("setting", "RBA")] = [6, 5, 11], [("setting", "RBB")] = [2, 0, 2], [("setting", "RBD")] = [7, 5, 12], [("setting", "")] = [15, 10, 25],
        };
        foreach (var table in signals.Tables)
            foreach (var row in table.Rows)
            {
                var expected = truth.GetValueOrDefault((table.Dimension, row.OdsCode)) ?? new int[table.Categories.Count + 1];
                var shown = row.Cells.Append(row.Total).Select(c => c.Suppressed ? (int?)null : c.Signals).ToList();
                for (var i = 0; i < shown.Count; i++)
                    if (shown[i] is { } value) Assert.True(value == expected[i], $"{table.Dimension} {row.OdsCode} column {i}: shown {value}, true count {expected[i]}");
            }
        // The region's total is shown: each signal once, December only (a re-raise or another month would move it).
        Assert.Equal(25, byKind.Rows[^1].Total.Signals);
        Assert.True(byKind.Rows[signals.Trusts.IndexOf("RBB")].Total.Suppressed, "RBB's 2 signals are hidden");

        foreach (var table in signals.Tables)
        {
            Assert.All(table.Rows.SelectMany(r => r.Cells.Append(r.Total)),
                c => Assert.True(c.Suppressed ? !c.HasSignals : c.HasSignals && (c.Signals == 0 || c.Signals >= 6), $"{table.Dimension}: a small count {c.Signals} was shown"));
            foreach (var row in table.Rows)
                Assert.NotEqual(1, row.Cells.Append(row.Total).Count(c => c.Suppressed));
            for (var c = 0; c <= table.Categories.Count; c++)
                Assert.NotEqual(1, table.Rows.Count(r => (c < table.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
        }
        // Codes and counts only: no ward, technology or use of any signal.
        var json = JsonFormatter.Default.Format(signals);
        foreach (var ward in new[] { "OAK", "ASH", "ELM", "PINE" }) Assert.DoesNotContain($"\"{ward}\"", json);
        Assert.DoesNotContain(rbd[0].ToString(), json);
        Assert.DoesNotContain("useIds", json);
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_the_regions_signals()
    {
        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await Assert.ThrowsAsync<RpcException>(() =>
            new ConsentClient(fixture.App, "RX3", "region-analyst").Service.GetRegionalBlanketUseSignalsAsync(new GetRegionalBlanketUseSignalsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, trust.StatusCode);
        Assert.Contains("names no trust", trust.Status.Detail);
        // A region token in another region role.
        var operatorCall = await Assert.ThrowsAsync<RpcException>(() => Region("region-operator").GetRegionalBlanketUseSignalsAsync(new GetRegionalBlanketUseSignalsRequest()).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, CallPolicyInterceptor.RoleRequiredRule), (operatorCall.StatusCode, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer)));
        // The region analyst's token detects nothing on a trust's wards.
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => Region().DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest { WardCodes = { "OAK" } }).ResponseAsync)).StatusCode);
    }
}
