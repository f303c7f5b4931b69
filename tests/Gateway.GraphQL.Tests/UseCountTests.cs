using System.Net;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Gateway.GraphQL.Protection;
using Platform.Gateway.GraphQL.Schema;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Active uses by lawful basis and ward as counts (issue 19, ADR 0040): a trust's dashboard gets its own exact counts
/// from consent, with no patient in them and no read recorded; the region analyst gets the region's suppressed tables;
/// each through the request's batch loader, one call per distinct key; a trust's token never reaches the region.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class UseCountTests(DashboardHosts hosts)
{
    private const string RegionQuery = """
        { region { activeUseCounts { suppressionThreshold trusts
            tables { dimension categories rows { odsCode cells { suppressed uses } total { suppressed uses } } } } } }
        """;

    [Fact]
    public async Task A_ward_manager_counts_the_trusts_uses_by_basis_and_ward_in_one_call_per_ward_asked_with_no_read_recorded_and_trust_b_sees_none()
    {
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var technology = await WardSeed.ApprovedTechnologyAsync(hosts, a);
        var seeded = new List<(string Patient, string Use)>();
        for (var i = 0; i < 2; i++) seeded.Add(await WardSeed.ConsentedUseAsync(hosts, a, technology, ward: "W1"));
        seeded.Add(await WardSeed.ConsentedUseAsync(hosts, a, technology, ward: "W2"));
        await WardSeed.MakeReviewOverdueAsync(hosts, a, seeded[0].Use);
        var recordsBefore = (await WardSeed.AccessRecordsAsync(hosts, a)).Count;
        hosts.ResetCounts();

        var (_, body) = await hosts.Gateway.Client(a, "ward-manager").PostAsync("""
            { trust {
              all: activeUseCounts { uses overdueReviews byLawfulBasis { lawfulBasis uses } wards { wardCode settingCode uses overdueReviews byLawfulBasis { lawfulBasis uses } } countedAt }
              again: activeUseCounts { uses }
              w1: activeUseCounts(wardCode: "W1") { uses wards { wardCode } }
            } }
            """);

        Assert.True(body!["errors"] is null, body.ToJsonString());
        var all = body["data"]!["trust"]!["all"]!;
        Assert.Equal(3, all["uses"]!.GetValue<int>());
        Assert.Equal(3, all["byLawfulBasis"]!.AsArray().Single(x => x!["lawfulBasis"]!.GetValue<string>() == "OWN_CONSENT")!["uses"]!.GetValue<int>());
        Assert.Equal(5, all["byLawfulBasis"]!.AsArray().Count);
        Assert.Equal([("W1", 2), ("W2", 1)], all["wards"]!.AsArray().Select(w => (w!["wardCode"]!.GetValue<string>(), w["uses"]!.GetValue<int>())));
        Assert.Equal(2, body["data"]!["trust"]!["w1"]!["uses"]!.GetValue<int>());
        // The exact count of overdue reviews comes in the same call: one W1 use is past its review date.
        Assert.Equal(1, all["overdueReviews"]!.GetValue<int>());
        Assert.Equal([1, 0], all["wards"]!.AsArray().Select(w => w!["overdueReviews"]!.GetValue<int>()));
        // Two distinct keys (every ward, and W1): two calls, whatever the aliases.
        Assert.Equal(2, hosts.ConsentCalls["CountActiveUses"]);
        Assert.Equal(2, hosts.CallsToAllServices);
        // Counts name no patient and no use, and consent records no read for them.
        var json = body.ToJsonString();
        Assert.All(seeded, s => Assert.True(!json.Contains(s.Patient, StringComparison.Ordinal) && !json.Contains(s.Use, StringComparison.Ordinal)));
        Assert.Equal(recordsBefore, (await WardSeed.AccessRecordsAsync(hosts, a)).Count);

        var (_, seenByB) = await hosts.Gateway.Client(b, "ward-manager").PostAsync("{ trust { activeUseCounts { uses wards { wardCode } } w1: activeUseCounts(wardCode: \"W1\") { uses } } }");
        Assert.True(seenByB!["errors"] is null, seenByB.ToJsonString());
        Assert.Equal(0, seenByB["data"]!["trust"]!["activeUseCounts"]!["uses"]!.GetValue<int>());
        Assert.Empty(seenByB["data"]!["trust"]!["activeUseCounts"]!["wards"]!.AsArray());
        Assert.Equal(0, seenByB["data"]!["trust"]!["w1"]!["uses"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_region_analyst_gets_the_regions_counts_suppressed_in_one_call_and_a_trust_token_is_refused_before_any_call()
    {
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var technologyA = await WardSeed.ApprovedTechnologyAsync(hosts, a);
        for (var i = 0; i < 6; i++) await WardSeed.MakeReviewOverdueAsync(hosts, a, (await WardSeed.ConsentedUseAsync(hosts, a, technologyA)).Use);
        var technologyB = await WardSeed.ApprovedTechnologyAsync(hosts, b);
        for (var i = 0; i < 2; i++) await WardSeed.ConsentedUseAsync(hosts, b, technologyB);

        // A trust's token, with the dashboard's roles or carrying region-analyst, gets nothing of the region, and no
        // service is asked.
        hosts.ResetCounts();
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"], ["clinician", "ward-manager"] })
        {
            var (_, refused) = await hosts.Gateway.Client(a, roles).PostAsync(RegionQuery);
            Assert.Equal(["FORBIDDEN"], refused.ErrorCodes());
            Assert.Null(refused!["data"]);
        }
        Assert.Equal(0, hosts.CallsToAllServices);

        // The region's counts are consent's daily publication (ADR 0047): today's, taken now that a and b have uses.
        var published = await RegionPublication.PublishTodayAsync(hosts);
        Assert.True(published.Published);
        var today = published.AsAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        hosts.ResetCounts();
        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery
            .Replace("{ region {", $"{{ region {{ twice: activeUseCounts {{ trusts }} named: activeUseCounts(asAt: \"{today}\") {{ asAt trusts }}", StringComparison.Ordinal)
            .Replace("activeUseCounts { suppressionThreshold", "activeUseCounts { asAt suppressionThreshold", StringComparison.Ordinal));

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        // One call for the latest and one for the date named (the same day, asked for by date), whatever the aliases.
        Assert.Equal(2, hosts.ConsentCalls["GetRegionalActiveUseCounts"]);
        Assert.Equal(2, hosts.CallsToAllServices);
        var counts = body!["data"]!["region"]!["activeUseCounts"]!;
        Assert.Equal(today, counts["asAt"]!.GetValue<string>());
        Assert.Equal(counts["trusts"]!.ToJsonString(), body["data"]!["region"]!["named"]!["trusts"]!.ToJsonString());
        var trusts = counts["trusts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains(a, trusts);
        Assert.Contains(b, trusts);
        var tables = counts["tables"]!.AsArray();
        Assert.Equal(["lawful-basis", "setting", "review"], tables.Select(t => t!["dimension"]!.GetValue<string>()));
        // Overdue reviews came in the same one call: trusts as rows, overdue or not, sharing the other tables' totals
        // (shown or hidden alike). a's six uses are all past review; b's two reviews are weeks away.
        var review = tables[2]!;
        Assert.Equal(["overdue", "not-overdue"], review["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(tables[0]!["rows"]!.AsArray().Select(r => r!["total"]!.ToJsonString()), review["rows"]!.AsArray().Select(r => r!["total"]!.ToJsonString()));
        var overdueA = review["rows"]!.AsArray()[trusts.IndexOf(a)]!["cells"]![0]!;
        Assert.True(overdueA["suppressed"]!.GetValue<bool>() || overdueA["uses"]!.GetValue<int>() == 6, overdueA.ToJsonString());
        Assert.True(review["rows"]!.AsArray()[trusts.IndexOf(b)]!["total"]!["suppressed"]!.GetValue<bool>(), "b's two uses");
        var cells = tables.SelectMany(t => t!["rows"]!.AsArray()).SelectMany(r => r!["cells"]!.AsArray().Append(r["total"])).ToList();
        Assert.All(cells.Where(c => c!["suppressed"]!.GetValue<bool>()), c => Assert.Null(c!["uses"]));
        Assert.All(cells.Where(c => c!["uses"] is not null), c => Assert.True(c!["uses"]!.GetValue<int>() is 0 or >= 5, $"a small count {c["uses"]} was shown"));
        // b's two uses: its row's total is hidden.
        var basisRows = tables[0]!["rows"]!.AsArray();
        Assert.True(basisRows[trusts.IndexOf(b)]!["total"]!["suppressed"]!.GetValue<bool>());

        // Three more uses at b after the publication: b's own staff see them at once; the region's figures are the
        // day's until the next publication (ADR 0019's limit: no difference between two calls can isolate a change).
        for (var i = 0; i < 3; i++) await WardSeed.ConsentedUseAsync(hosts, b, technologyB);
        var (_, own) = await hosts.Gateway.Client(b, "ward-manager").PostAsync("{ trust { activeUseCounts { uses } } }");
        Assert.Equal(5, own!["data"]!["trust"]!["activeUseCounts"]!["uses"]!.GetValue<int>());
        var (_, later) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery.Replace("activeUseCounts { suppressionThreshold", "activeUseCounts { asAt suppressionThreshold", StringComparison.Ordinal));
        Assert.Equal(counts.ToJsonString(), later!["data"]!["region"]!["activeUseCounts"]!.ToJsonString());

        // A date with no publication: consent's NOT_FOUND, and no counts in its place.
        var (_, missing) = await hosts.Gateway.RegionClient().PostAsync("{ region { activeUseCounts(asAt: \"2001-01-01\") { asAt trusts } } }");
        Assert.Equal(["NOT_FOUND"], missing.ErrorCodes());
        Assert.Contains("2001-01-01", missing!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        // Not a date, or a date and time: refused by the schema naming the argument, before any call.
        hosts.ResetCounts();
        foreach (var bad in new[] { "yesterday", "2027-01-11T00:00:00Z" })
        {
            var (_, refused) = await hosts.Gateway.RegionClient().PostAsync($"{{ region {{ activeUseCounts(asAt: \"{bad}\") {{ asAt }} }} }}");
            Assert.NotEmpty(refused.ErrorCodes());
            Assert.Contains("asAt", refused!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task No_field_a_region_token_can_reach_from_the_regions_counts_is_patient_data_and_its_ward_lists_stay_refused()
    {
        var schema = hosts.Gateway.Services.GetRequiredService<DashboardSchema>();
        schema.Initialize();
        var region = (IComplexGraphType)schema.AllTypes["Region"]!;
        var start = region.GetField("activeUseCounts")!;
        var reached = new List<string>();
        var seen = new HashSet<string>();
        var queue = new Queue<(string Path, FieldType Field)>([("Region.activeUseCounts", start)]);
        while (queue.Count > 0)
        {
            var (path, field) = queue.Dequeue();
            reached.Add(path);
            Assert.False(field.GetMetadata(PatientDataRule.PatientData, false), $"{path} is marked as patient data");
            Assert.DoesNotContain(field.Name, new[] { "patientId", "useIds", "use", "id" });
            if (field.ResolvedType?.GetNamedType() is IComplexGraphType complex && seen.Add(complex.Name))
                foreach (var next in complex.Fields) queue.Enqueue(($"{complex.Name}.{next.Name}", next));
        }
        Assert.Contains("UseCountCell.uses", reached);

        // And a region token asking for the trust's rows beside the counts is refused whole, before any call.
        hosts.ResetCounts();
        var (response, body) = await hosts.Gateway.RegionClient().PostAsync("{ region { activeUseCounts { trusts } } trust { activeUses(wardCode: \"W1\") { edges { node { use { patientId } } } } } }");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["PATIENT_DATA_NOT_FOR_REGION"], body.ErrorCodes());
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task The_counts_declare_their_list_sizes_so_a_dashboard_fits_and_a_flood_of_aliases_is_refused_before_any_call()
    {
        // Each wards list is sized 50 with five bases per ward: a few hundred, well under the limit; a hundred aliases
        // of it are not, and are refused before any resolver runs.
        var trust = Seed.NewTrust();
        var one = "activeUseCounts { uses byLawfulBasis { lawfulBasis uses } wards { wardCode uses byLawfulBasis { lawfulBasis uses } } }";
        hosts.ResetCounts();
        var (_, fits) = await hosts.Gateway.Client(trust, "ward-manager").PostAsync($"{{ trust {{ {one} }} }}");
        Assert.True(fits!["errors"] is null, fits.ToJsonString());
        var flood = string.Join(" ", Enumerable.Range(0, 100).Select(i => $"a{i}: {one}"));
        hosts.ResetCounts();
        var (_, refused) = await hosts.Gateway.Client(trust, "ward-manager").PostAsync($"{{ trust {{ {flood} }} }}");
        Assert.NotEmpty(refused.ErrorCodes());
        Assert.Null(refused!["data"]);
        Assert.Equal(0, hosts.CallsToAllServices);
    }
}
