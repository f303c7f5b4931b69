using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Domain = Platform.Consent.Domain;
using Platform.Contracts.Consent.V1;
using Platform.Grpc.Interceptors;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Uses in "consent required" after capacity was regained, as counts (issue 19, ADR 0045). Capacity is presumed and
/// assessed per decision (MCA 2005 s1(2), s2-3); a best-interests decision (s4) or an attorney's consent (s9-s11) is a
/// basis only while the person cannot decide, so once capacity is found again the use runs on "consent required" for
/// the trust's grace period and is then refused. A trust's count is what paging <c>ListConsentRequired</c> to its end
/// finds, from the same search and rule; the region's has trusts as rows, small counts suppressed.
/// </summary>
public sealed class ConsentRequiredCountsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>
    /// A patient who lost capacity three days ago, a use on a best-interests decision (MCA 2005 s4) or an attorney's
    /// consent (s9-s11) made then, and, when <paramref name="regained"/> is given, a finding of capacity at that time.
    /// </summary>
    internal static async Task<string> UseAsync(ConsentClient a, string technology, string ward, DateTime? regained, bool proxy = false)
    {
        var patient = await a.PatientAsync(AgeBand._26To64, ward);
        var lost = DateTime.UtcNow.AddDays(-3);
        await a.LacksCapacityAsync(patient, technology, at: lost);
        if (proxy) await a.ConsentAsync(patient, technology, await a.LpaAsync(patient), at: lost.AddHours(1));
        else await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, at: lost.AddHours(1))));
        await a.ActiveUseAsync(patient, technology, ward);
        if (regained is { } at) await a.HasCapacityAsync(patient, technology, at);
        return patient;
    }

    /// <summary>Within the 12-hour default grace: capacity found five minutes ago.</summary>
    internal static DateTime Within => DateTime.UtcNow.AddMinutes(-5);

    /// <summary>Past the grace: capacity found a day ago, so the 12 hours ran out half a day ago.</summary>
    internal static DateTime Past => DateTime.UtcNow.AddDays(-1);

    private static async Task<List<ConsentRequiredUse>> PageToTheEndAsync(ConsentClient manager, string ward)
    {
        var all = new List<ConsentRequiredUse>();
        var token = "";
        do
        {
            var page = await manager.Call(c => c.ListConsentRequiredAsync(new ListConsentRequiredRequest { WardCode = ward, PageSize = 2, PageToken = token }));
            all.AddRange(page.Uses);
            token = page.NextPageToken;
        } while (token.Length > 0);
        return all;
    }

    [Fact]
    public async Task A_trusts_count_is_what_paging_the_consent_required_list_to_its_end_finds_within_and_past_the_deadline_by_ward()
    {
        const string Trust = "CRQ1";
        var a = new ConsentClient(fixture.App, Trust);
        var manager = new ConsentClient(fixture.App, Trust, "ward-manager");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patients = new List<string>
        {
            // OAK: three within the deadline (one on an attorney's consent), two past it.
            await UseAsync(a, technology, "OAK", Within), await UseAsync(a, technology, "OAK", Within), await UseAsync(a, technology, "OAK", Within, proxy: true),
            await UseAsync(a, technology, "OAK", Past), await UseAsync(a, technology, "OAK", Past),
            // ASH: one within, one past (on an attorney's consent).
            await UseAsync(a, technology, "ASH", Within), await UseAsync(a, technology, "ASH", Past, proxy: true),
            // Not in "consent required": still lacking capacity (the s4 decision stands), and a use on the patient's own consent.
            await UseAsync(a, technology, "OAK", regained: null),
        };
        var own = await a.PatientAsync(AgeBand._26To64, "ASH");
        await a.HasCapacityAsync(own, technology);
        await a.ConsentAsync(own, technology);
        await a.ActiveUseAsync(own, technology, "ASH");
        patients.Add(own);
        var accessRecordsBefore = (await Outbox.PublishedAsync<AccessRecorded>(fixture.App, Trust)).Count;

        var all = await manager.Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()));

        Assert.Equal((7, 4, 3), (all.Uses, all.WithinDeadline, all.PastDeadline));
        Assert.Equal([("ASH", 1, 1), ("OAK", 3, 2)], all.Wards.Select(w => (w.WardCode, w.WithinDeadline, w.PastDeadline)));
        Assert.All(all.Wards, w => Assert.Equal(ConsentClient.Setting, w.SettingCode));
        // Aggregates: no patient, no access record for a count (ADR 0040, 0045).
        var json = JsonFormatter.Default.Format(all);
        Assert.All(patients, p => Assert.DoesNotContain(p, json));
        Assert.Equal(accessRecordsBefore, (await Outbox.PublishedAsync<AccessRecorded>(fixture.App, Trust)).Count);

        // The same numbers as the list paged to its end, for the trust and for each ward (and a ward named in any case).
        foreach (var ward in new[] { "", "OAK", " ash " })
        {
            var listed = await PageToTheEndAsync(manager, ward);
            var counted = ward.Length == 0 ? all : await manager.Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest { WardCode = ward }));
            Assert.Equal((listed.Count, listed.Count(u => !u.PastDue), listed.Count(u => u.PastDue)), (counted.Uses, counted.WithinDeadline, counted.PastDeadline));
            Assert.Equal(listed.Count, listed.Select(u => u.Use.UseId).Distinct().Count());
        }

        // A ward with none answers zeros; bad input names the field; a clinician counts; a device does not.
        var birch = await manager.Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest { WardCode = "BIRCH" }));
        Assert.Equal((0, "BIRCH", 0), (birch.Uses, Assert.Single(birch.Wards).WardCode, birch.Wards[0].WithinDeadline));
        await manager.Refused(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest { WardCode = "no spaces allowed!" }), StatusCode.InvalidArgument, "ward-code.format");
        Assert.Equal(7, (await a.Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()))).Uses);
        await new ConsentClient(fixture.App, Trust, "device").Refused(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()), StatusCode.PermissionDenied, "role.required");

        // Another trust counts none of them.
        var theirs = await new ConsentClient(fixture.App, "CRQ2", "ward-manager").Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()));
        Assert.Equal((0, 0), (theirs.Uses, theirs.Wards.Count));
    }
}

/// <summary>
/// The region's uses in "consent required" (ADR 0045), in an app of their own so these trusts are the region's only ones:
/// a region token as region analyst only; trusts as rows of two linked tables (deadline, setting), suppressed together
/// at the strictest trust's threshold (ADR 0019, 0040).
/// </summary>
public sealed class RegionalConsentRequiredCountsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private ConsentService.ConsentServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    [Fact]
    public async Task The_region_analyst_gets_trusts_as_rows_each_the_trusts_own_count_with_no_small_count_shown_at_the_strictest_threshold()
    {
        await fixture.App.KnowTrustsAsync(["RCA", "RCB", "RCC"]);
        var clients = new Dictionary<string, ConsentClient>();
        foreach (var (trust, within, past) in new[] { ("RCA", 6, 5), ("RCB", 2, 0), ("RCC", 6, 0) })
        {
            var a = clients[trust] = new ConsentClient(fixture.App, trust);
            var technology = (await a.ApproveAsync()).TechnologyId;
            for (var i = 0; i < within; i++) await ConsentRequiredCountsGrpcTests.UseAsync(a, technology, "OAK", ConsentRequiredCountsGrpcTests.Within);
            for (var i = 0; i < past; i++) await ConsentRequiredCountsGrpcTests.UseAsync(a, technology, "ELM", ConsentRequiredCountsGrpcTests.Past);
            // Still lacking capacity: in no count.
            await ConsentRequiredCountsGrpcTests.UseAsync(a, technology, "OAK", regained: null);
        }
        // RCC raises its threshold to 6 (ADR 0040): it holds for every trust's row, so RCA's 5 past the deadline is small.
        var admin = new ConsentClient(fixture.App, "RCC", "trust-admin");
        var policy = await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        policy.SuppressionThreshold = 6;
        await admin.Call(c => c.SetTrustPolicyAsync(policy));

        // The region reads the day's publication (ADR 0045 as amended, ADR 0047), published here by hand.
        await fixture.App.Services.GetRequiredService<UseCountPublisher>().PublishAsync();
        var counts = await Region().GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest());

        Assert.Equal(6, counts.SuppressionThreshold);
        Assert.Equal(Domain.UseCountPublication.Format(Domain.UseCountPublication.DayOf(DateTime.UtcNow)), counts.AsAt);
        // The region is every active known trust (the fixture knows others, with no use: zeros), in code order.
        Assert.Equal(counts.Trusts.Order(StringComparer.Ordinal), counts.Trusts);
        RegionalUseCountRow Row(string ods) => counts.Tables[0].Rows[counts.Trusts.IndexOf(ods)];
        Assert.Equal(["deadline", "setting"], counts.Tables.Select(t => t.Dimension));
        var deadline = counts.Tables[0];
        Assert.Equal(["within-deadline", "past-deadline"], deadline.Categories);
        Assert.Equal([ConsentClient.Setting], counts.Tables[1].Categories);
        Assert.Equal([.. counts.Trusts, ""], deadline.Rows.Select(r => r.OdsCode));

        // Every count shown is the trust's own exact count (what its staff count and list), never another's added in.
        var truth = new Dictionary<string, int[]>();
        foreach (var (trust, client) in clients)
        {
            var own = await new ConsentClient(fixture.App, trust, "ward-manager").Call(c => c.CountConsentRequiredAsync(new CountConsentRequiredRequest()));
            truth[trust] = [own.WithinDeadline, own.PastDeadline, own.Uses];
        }
        Assert.Equal([6, 5, 11], truth["RCA"]);
        Assert.Equal([2, 0, 2], truth["RCB"]);
        truth[""] = [14, 5, 19];
        foreach (var row in deadline.Rows)
        {
            var shown = row.Cells.Append(row.Total).ToList();
            for (var i = 0; i < shown.Count; i++)
            {
                var expected = truth.GetValueOrDefault(row.OdsCode) ?? [0, 0, 0];
                if (!shown[i].Suppressed) Assert.True(shown[i].Uses == expected[i], $"{row.OdsCode} column {i}: shown {shown[i].Uses}, true {expected[i]}");
            }
        }
        Assert.Equal(19, deadline.Rows[^1].Total.Uses);
        // RCB's 2 are hidden; RCA's 5 past the deadline are hidden at RCC's threshold of 6.
        Assert.True(Row("RCB").Cells[0].Suppressed && Row("RCB").Total.Suppressed, "RCB's 2 uses are hidden");
        Assert.True(Row("RCA").Cells[1].Suppressed, "RCA's 5 past the deadline are hidden at 6");
        foreach (var table in counts.Tables)
        {
            var cells = table.Rows.SelectMany(r => r.Cells.Append(r.Total)).ToList();
            Assert.All(cells, c => Assert.True(c.Suppressed ? !c.HasUses : c.HasUses && (c.Uses == 0 || c.Uses >= 6), $"{table.Dimension}: a small count {c.Uses} was shown"));
            // No line holds a single hidden count (it would follow by subtraction).
            foreach (var row in table.Rows) Assert.NotEqual(1, row.Cells.Append(row.Total).Count(c => c.Suppressed));
            for (var c = 0; c <= table.Categories.Count; c++)
                Assert.NotEqual(1, table.Rows.Count(r => (c < table.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
        }
        // Codes and counts only: no ward, no patient, no use.
        var json = JsonFormatter.Default.Format(counts);
        Assert.DoesNotContain("OAK", json);
        Assert.DoesNotContain("ELM", json);
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_the_regions_consent_required_counts()
    {
        await fixture.App.KnowTrustsAsync(["RCX"]);
        // A known trust's token carrying region-analyst does not read across the region.
        var trust = await Assert.ThrowsAsync<RpcException>(() =>
            new ConsentClient(fixture.App, "RCX", "region-analyst").Service.GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, trust.StatusCode);
        Assert.Contains("names no trust", trust.Status.Detail);
        // A region token in another region role.
        var other = await Assert.ThrowsAsync<RpcException>(() => Region("region-operator").GetRegionalConsentRequiredCountsAsync(new GetRegionalConsentRequiredCountsRequest()).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, CallPolicyInterceptor.RoleRequiredRule), (other.StatusCode, other.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer)));
        // The region analyst's token counts no trust's own.
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => Region().CountConsentRequiredAsync(new CountConsentRequiredRequest()).ResponseAsync)).StatusCode);
    }
}
