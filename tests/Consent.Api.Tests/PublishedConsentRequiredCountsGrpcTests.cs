using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The region's uses in "consent required" after capacity was regained are published with the day's active-use counts
/// and read only from a published date (issue 19; ADR 0045 as amended, ADR 0047), never counted "as at now": ADR 0019's
/// limit, "differences over time are not prevented by cell suppression: the API must publish for fixed reporting periods
/// (or as at fixed dates)". The state moves with time alone (a use passes its deadline when the trust's grace period after
/// a finding of capacity runs out: MCA 2005 s1(2), s2-3; s4 and s9-s11 bases end with the incapacity), so two live
/// calls hours apart would show a trust's cells change with no event. Own app and fake clock (11 January 2027, 09:00).
/// </summary>
public sealed class PublishedConsentRequiredCountsGrpcTests(PublishedUseCountsFixture fixture) : IClassFixture<PublishedUseCountsFixture>
{
    private Task<RegionalConsentRequiredCounts> RegionAsync(string asAt = "") =>
        fixture.Region().GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest { AsAt = asAt }).ResponseAsync;

    private async Task<RpcException> RefusedAsync(string asAt, StatusCode code, string rule)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RegionAsync(asAt));
        Assert.Equal((code, rule), (error.StatusCode, error.Trailers.GetValue(Platform.Grpc.RefusalStatus.RuleTrailer)));
        return error;
    }

    /// <summary>The shown count of a trust's row in the deadline table (column 0 within, 1 past, -1 the total); null when hidden.</summary>
    private static int? Shown(RegionalConsentRequiredCounts counts, string ods, int column = -1)
    {
        var row = counts.Tables.Single(t => t.Dimension == "deadline").Rows.Single(r => r.OdsCode == ods);
        var cell = column < 0 ? row.Total : row.Cells[column];
        return cell.Suppressed ? null : cell.Uses;
    }

    /// <summary>
    /// A use on a best-interests decision (MCA 2005 s4) made when the patient lost capacity three days before
    /// <paramref name="regained"/> (on the fake clock), and the finding of capacity at <paramref name="regained"/>.
    /// </summary>
    private async Task UseAsync(ConsentClient a, string technology, string ward, DateTime regained)
    {
        var patient = await a.PatientAsync(AgeBand._26To64, ward);
        var lost = regained.AddDays(-3);
        await a.LacksCapacityAsync(patient, technology, at: lost, reassessBy: regained.AddDays(20));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, at: lost.AddHours(1))));
        // Proposed and activated as ActiveUseAsync does, with the next review a month after the fake clock's now.
        await a.WardAsync(ward);
        var request = ConsentClient.Use(patient, technology, ward);
        request.CarePlan.NextReviewDate = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(Now.AddDays(30));
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        Assert.Equal(UseStatus.Active, (await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }))).Status);
        await a.HasCapacityAsync(patient, technology, regained);
    }

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task A_use_passing_its_deadline_or_a_new_one_shows_only_in_the_next_days_publication()
    {
        var app = fixture.App;
        await app.KnowTrustsAsync(["PRA", "PRB"]);
        var pra = new ConsentClient(app, "PRA");
        var prb = new ConsentClient(app, "PRB");
        var praTech = (await pra.ApproveAsync()).TechnologyId;
        var prbTech = (await prb.ApproveAsync()).TechnologyId;
        // PRA: 6 within the 12-hour grace (capacity found at 08:55, deadline 20:55). PRB: 5 past it (found a day ago).
        for (var i = 0; i < 6; i++) await UseAsync(pra, praTech, "OAK", Now.AddMinutes(-5));
        for (var i = 0; i < 5; i++) await UseAsync(prb, prbTech, "ELM", Now.AddDays(-1));

        // Nothing published yet: no live count in its place.
        await RefusedAsync("", StatusCode.NotFound, "as-at.none-published");
        Assert.True((await fixture.Publisher.PublishAsync()).Published);

        var first = await RegionAsync();
        Assert.Equal("2027-01-11", first.AsAt);
        Assert.Equal(new DateTime(2027, 1, 11, 9, 0, 0, DateTimeKind.Utc), first.CountedAt.ToDateTime());
        Assert.Equal((6, 0, 6), (Shown(first, "PRA", 0), Shown(first, "PRA", 1), Shown(first, "PRA")));
        Assert.Equal((0, 5, 5), (Shown(first, "PRB", 0), Shown(first, "PRB", 1), Shown(first, "PRB")));
        // The same date and threshold as the day's active-use counts: one publication.
        var uses = await fixture.RegionAsync();
        Assert.Equal((uses.AsAt, uses.SuppressionThreshold, uses.Trusts), (first.AsAt, first.SuppressionThreshold, first.Trusts));

        // 13 hours on, PRA's 6 have passed their deadline with time alone, and 6 new ones at PRB are within theirs.
        fixture.Clock.Advance(TimeSpan.FromHours(13));
        for (var i = 0; i < 6; i++) await UseAsync(prb, prbTech, "ELM", Now.AddMinutes(-5));
        // The trust's own count is live and exact (its staff may list these uses one by one).
        var own = await new ConsentClient(app, "PRA", "ward-manager").Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()));
        Assert.Equal((0, 6), (own.WithinDeadline, own.PastDeadline));
        // The region sees the same figures all day, by default and by date; a rerun of the day's publication changes nothing.
        Assert.Equal(first, await RegionAsync());
        Assert.Equal(first, await RegionAsync("2027-01-11"));
        Assert.Equal(0, (await fixture.Publisher.PublishAsync()).TrustsRecorded);
        Assert.Equal(first, await RegionAsync());

        // Past midnight, before the next publication: still the 11th's; the 12th is not published.
        fixture.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 12, 0, 0, 30, TimeSpan.Zero));
        Assert.Equal(first, await RegionAsync());
        await RefusedAsync("2027-01-12", StatusCode.NotFound, "as-at.not-published");

        // The 12th's publication carries both changes; the 11th still answers as it did.
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True((await fixture.Publisher.PublishAsync()).Published);
        var next = await RegionAsync();
        Assert.Equal("2027-01-12", next.AsAt);
        Assert.Equal((0, 6, 6), (Shown(next, "PRA", 0), Shown(next, "PRA", 1), Shown(next, "PRA")));
        Assert.Equal((6, 5, 11), (Shown(next, "PRB", 0), Shown(next, "PRB", 1), Shown(next, "PRB")));
        Assert.Equal(next, await RegionAsync("2027-01-12"));
        Assert.Equal(first, await RegionAsync("2027-01-11"));

        // A day never published is not found, not counted now in its place.
        await RefusedAsync("2027-01-10", StatusCode.NotFound, "as-at.not-published");

        // A date published before these counts were recorded (a row without them: the deploy day) is not found for
        // them, while its active-use counts still answer; no trust's row is silently left out.
        await fixture.ExecuteAsync("UPDATE published_use_counts SET consent_required = NULL WHERE as_at = DATE '2027-01-12' AND tenant_id = 'PRB'");
        await RefusedAsync("2027-01-12", StatusCode.NotFound, "as-at.not-published");
        await RefusedAsync("", StatusCode.NotFound, "as-at.not-published");
        Assert.Equal("2027-01-12", (await fixture.RegionAsync("2027-01-12")).AsAt);
    }

    [Fact]
    public async Task A_value_that_is_not_a_calendar_date_is_invalid_argument_naming_as_at()
    {
        foreach (var bad in new[] { "2027-01-11T00:00:00Z", "2027-01-01/2027-01-31", "2027-02-30", "11/01/2027", "today" })
        {
            var error = await RefusedAsync(bad, StatusCode.InvalidArgument, "as-at.not-a-date");
            Assert.Equal("as_at", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
        }
    }
}
