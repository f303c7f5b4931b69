using Platform.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Xunit;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Blanket-use detection for many wards in one call (issue 19, ADR 0044; P2: never a blanket approach): each ward gets
/// exactly the signals DetectBlanketUse gives it, from a fixed number of queries however many wards are named.
/// </summary>
public sealed class BlanketUseForWardsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>A signal without its window: two calls are two instants, and the window ends at the call's.</summary>
    private static BlanketUseSignal Timeless(BlanketUseSignal s)
    {
        var copy = s.Clone();
        copy.WindowStart = null;
        copy.WindowEnd = null;
        return copy;
    }

    [Fact]
    public async Task Each_ward_named_gets_the_signals_DetectBlanketUse_gives_it_in_the_order_named_and_another_trust_none()
    {
        var a = new ConsentClient(fixture.App, "BWA");
        var technology = (await a.ApproveAsync()).TechnologyId;
        // ASH: 3 of 4 patients started it with the same reason (both signals). OAK: 1 of 3 (none). ELM: no patients.
        foreach (var (ward, patients, withUse) in new[] { ("ASH", 4, 3), ("OAK", 3, 1) })
            for (var i = 0; i < patients; i++)
            {
                var patient = await a.PatientAsync(AgeBand._26To64, ward: ward);
                if (i >= withUse) continue;
                await a.HasCapacityAsync(patient, technology);
                await a.ConsentAsync(patient, technology);
                await a.ActiveUseAsync(patient, technology, ward: ward);
            }

        string[] asked = ["ash", "OAK", "ELM", " ASH"];
        var batch = await a.Call(c => c.DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest { WardCodes = { asked } }));

        Assert.Equal(["ASH", "OAK", "ELM", "ASH"], batch.Wards.Select(w => w.WardCode));
        for (var i = 0; i < asked.Length; i++)
        {
            var one = await a.Call(c => c.DetectBlanketUseAsync(new DetectBlanketUseRequest { WardCode = asked[i] }));
            Assert.Equal(one.Signals.Select(Timeless), batch.Wards[i].Signals.Select(Timeless));
        }
        // Not vacuous: the ward with the pattern raised both kinds, with its evidence (3 of 4 patients).
        var ash = batch.Wards[0].Signals;
        Assert.Equal([BlanketSignalKind.HighShareOfWard, BlanketSignalKind.NearIdenticalRationales], ash.Select(s => s.Kind).Order());
        Assert.Equal((3, 4), (ash.Single(s => s.Kind == BlanketSignalKind.HighShareOfWard).UseCount, ash.Single(s => s.Kind == BlanketSignalKind.HighShareOfWard).PatientsOnWard));
        Assert.Empty(batch.Wards[1].Signals);

        // Another trust's wards of the same codes: its own (none).
        var other = await new ConsentClient(fixture.App, "BWB").Call(c => c.DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest { WardCodes = { "ASH", "OAK" } }));
        Assert.All(other.Wards, w => Assert.Empty(w.Signals));
    }

    [Fact]
    public async Task Bad_ward_lists_are_refused_naming_the_field()
    {
        var a = new ConsentClient(fixture.App, "BWA");
        await a.Refused(c => c.DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest()), StatusCode.InvalidArgument, "ward-codes.required");
        var tooMany = new DetectBlanketUseForWardsRequest();
        tooMany.WardCodes.AddRange(Enumerable.Range(0, BlanketUseReads.MaxWards + 1).Select(i => $"W{i}"));
        await a.Refused(c => c.DetectBlanketUseForWardsAsync(tooMany), StatusCode.InvalidArgument, "ward-codes.too-many");
        var atMost = new DetectBlanketUseForWardsRequest();
        atMost.WardCodes.AddRange(Enumerable.Range(0, BlanketUseReads.MaxWards).Select(i => $"W{i}"));
        Assert.Equal(BlanketUseReads.MaxWards, (await a.Call(c => c.DetectBlanketUseForWardsAsync(atMost))).Wards.Count);
        var badCode = await a.Refused(c => c.DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest { WardCodes = { "OAK", "O AK" } }),
            StatusCode.InvalidArgument, "ward-codes.format");
        Assert.Contains("ward_codes[1]", badCode.Status.Detail);
        await a.Refused(c => c.DetectBlanketUseForWardsAsync(new DetectBlanketUseForWardsRequest { WardCodes = { "OAK", "" } }), StatusCode.InvalidArgument, "ward-codes.required");
    }

    [Fact]
    public async Task A_hundred_and_fifty_wards_cost_the_same_queries_as_one()
    {
        // The gateway's trust dashboard asks for every ward: one set of queries per ward is what this call replaces.
        foreach (var ward in Enumerable.Range(0, 150).Select(i => $"Q{i}"))
            await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "BWQ", ward, "acute-adult", Domain.LawfulBasisKind.OwnConsent, 2);

        async Task<(int Statements, int Wards)> DetectAsync(int wards) =>
            await fixture.App.InTenantAsync("BWQ", async sp =>
            {
                var db = sp.GetRequiredService<ConsentDbContext>();
                using var statements = new StatementLog(db);
                var found = (await sp.GetRequiredService<BlanketUseReads>().DetectForWardsAsync(Enumerable.Range(0, wards).Select(i => (string?)$"Q{i}").ToList())).Value;
                return (statements.Count, found.Count);
            });

        await DetectAsync(1); // the trust's settings, read once and cached as every call finds them
        var one = await DetectAsync(1);
        var many = await DetectAsync(150);
        Assert.Equal((1, 150), (one.Wards, many.Wards));
        Assert.InRange(one.Statements, 1, 4);
        Assert.Equal(one.Statements, many.Statements);
    }
}
