using System.Net;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Gateway.GraphQL.Protection;
using Platform.Gateway.GraphQL.Schema;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Uses needing the patient's own consent after capacity was regained, as counts (issue 19, ADR 0045; MCA 2005 s1(2),
/// s2-3, s4): a trust's dashboard gets its exact counts within and past the deadline, with no patient and no read
/// recorded; the region analyst gets the region's suppressed tables in one call; a trust's token never reaches them.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class ConsentRequiredCountTests(DashboardHosts hosts)
{
    private const string RegionQuery = """
        { region { consentRequiredCounts { asAt suppressionThreshold trusts
            tables { dimension categories rows { odsCode cells { suppressed uses } total { suppressed uses } } } } } }
        """;

    [Fact]
    public async Task A_ward_manager_counts_the_trusts_uses_in_consent_required_within_and_past_the_deadline_in_one_call_per_ward_with_no_read_recorded()
    {
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var technology = await WardSeed.ApprovedTechnologyAsync(hosts, a);
        var seeded = new List<(string Patient, string Use)>
        {
            await ConsentRequiredSeed.UseAsync(hosts, a, technology, ConsentRequiredSeed.Within),
            await ConsentRequiredSeed.UseAsync(hosts, a, technology, ConsentRequiredSeed.Within),
            await ConsentRequiredSeed.UseAsync(hosts, a, technology, ConsentRequiredSeed.Past),
            await ConsentRequiredSeed.UseAsync(hosts, a, technology, ConsentRequiredSeed.Within, ward: "W2"),
            // On the patient's own consent: never in "consent required".
            await WardSeed.ConsentedUseAsync(hosts, a, technology),
        };
        var recordsBefore = (await WardSeed.AccessRecordsAsync(hosts, a)).Count;
        hosts.ResetCounts();

        var (_, body) = await hosts.Gateway.Client(a, "ward-manager").PostAsync("""
            { trust {
              all: consentRequiredCounts { uses withinDeadline pastDeadline wards { wardCode settingCode uses withinDeadline pastDeadline } countedAt }
              again: consentRequiredCounts { uses }
              w1: consentRequiredCounts(wardCode: "W1") { uses pastDeadline wards { wardCode } }
            } }
            """);

        Assert.True(body!["errors"] is null, body.ToJsonString());
        var all = body["data"]!["trust"]!["all"]!;
        Assert.Equal((4, 3, 1), (all["uses"]!.GetValue<int>(), all["withinDeadline"]!.GetValue<int>(), all["pastDeadline"]!.GetValue<int>()));
        Assert.Equal([("W1", 2, 1), ("W2", 1, 0)], all["wards"]!.AsArray().Select(w => (w!["wardCode"]!.GetValue<string>(), w["withinDeadline"]!.GetValue<int>(), w["pastDeadline"]!.GetValue<int>())));
        Assert.Equal((3, 1), (body["data"]!["trust"]!["w1"]!["uses"]!.GetValue<int>(), body["data"]!["trust"]!["w1"]!["pastDeadline"]!.GetValue<int>()));
        // Two distinct keys (every ward, and W1): two calls, whatever the aliases.
        Assert.Equal(2, hosts.ConsentCalls["CountConsentRequired"]);
        Assert.Equal(2, hosts.CallsToAllServices);
        // Counts name no patient and no use, and consent records no read for them.
        var json = body.ToJsonString();
        Assert.All(seeded, s => Assert.True(!json.Contains(s.Patient, StringComparison.Ordinal) && !json.Contains(s.Use, StringComparison.Ordinal)));
        Assert.Equal(recordsBefore, (await WardSeed.AccessRecordsAsync(hosts, a)).Count);

        var (_, seenByB) = await hosts.Gateway.Client(b, "ward-manager").PostAsync("{ trust { consentRequiredCounts { uses wards { wardCode } } } }");
        Assert.True(seenByB!["errors"] is null, seenByB.ToJsonString());
        Assert.Equal(0, seenByB["data"]!["trust"]!["consentRequiredCounts"]!["uses"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_region_analyst_gets_the_regions_consent_required_counts_suppressed_in_one_call_and_a_trust_token_is_refused_before_any_call()
    {
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var technologyA = await WardSeed.ApprovedTechnologyAsync(hosts, a);
        for (var i = 0; i < 6; i++) await ConsentRequiredSeed.UseAsync(hosts, a, technologyA, ConsentRequiredSeed.Within);
        var technologyB = await WardSeed.ApprovedTechnologyAsync(hosts, b);
        for (var i = 0; i < 2; i++) await ConsentRequiredSeed.UseAsync(hosts, b, technologyB, ConsentRequiredSeed.Past);

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

        // The region's counts are consent's daily publication (ADR 0045 as amended, ADR 0047): today's, now that a and b have uses.
        var published = await RegionPublication.PublishTodayAsync(hosts);
        Assert.True(published.Published);
        var today = published.AsAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        hosts.ResetCounts();
        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery.Replace("{ region {",
            $"{{ region {{ twice: consentRequiredCounts {{ trusts }} named: consentRequiredCounts(asAt: \"{today}\") {{ asAt trusts }}", StringComparison.Ordinal));

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        // One call for the latest and one for the date named, whatever the aliases.
        Assert.Equal(2, hosts.ConsentCalls["GetRegionalConsentRequiredCounts"]);
        Assert.Equal(2, hosts.CallsToAllServices);
        var counts = body!["data"]!["region"]!["consentRequiredCounts"]!;
        Assert.Equal(today, counts["asAt"]!.GetValue<string>());
        Assert.Equal(counts["trusts"]!.ToJsonString(), body["data"]!["region"]!["named"]!["trusts"]!.ToJsonString());
        var trusts = counts["trusts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains(a, trusts);
        Assert.Contains(b, trusts);
        var tables = counts["tables"]!.AsArray();
        Assert.Equal(["deadline", "setting"], tables.Select(t => t!["dimension"]!.GetValue<string>()));
        var deadline = tables[0]!;
        Assert.Equal(["within-deadline", "past-deadline"], deadline["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        // b's two past the deadline: a small cell, hidden with its row's total; a's six within, if shown, are six.
        var rowB = deadline["rows"]!.AsArray()[trusts.IndexOf(b)]!;
        Assert.True(rowB["cells"]![1]!["suppressed"]!.GetValue<bool>() && rowB["total"]!["suppressed"]!.GetValue<bool>(), rowB.ToJsonString());
        Assert.Null(rowB["cells"]![1]!["uses"]);
        var withinA = deadline["rows"]!.AsArray()[trusts.IndexOf(a)]!["cells"]![0]!;
        Assert.True(withinA["suppressed"]!.GetValue<bool>() || withinA["uses"]!.GetValue<int>() == 6, withinA.ToJsonString());
        var cells = tables.SelectMany(t => t!["rows"]!.AsArray()).SelectMany(r => r!["cells"]!.AsArray().Append(r["total"])).ToList();
        Assert.All(cells.Where(c => c!["suppressed"]!.GetValue<bool>()), c => Assert.Null(c!["uses"]));
        Assert.All(cells.Where(c => c!["uses"] is not null), c => Assert.True(c!["uses"]!.GetValue<int>() is 0 or >= 5, $"a small count {c["uses"]} was shown"));
        Assert.DoesNotContain("\"W1\"", body.ToJsonString(), StringComparison.Ordinal);

        // Four more at b after the publication: b's own staff count them at once; the region's figures are the day's
        // until the next publication (ADR 0019's limit: no difference between two calls can isolate a change).
        for (var i = 0; i < 4; i++) await ConsentRequiredSeed.UseAsync(hosts, b, technologyB, ConsentRequiredSeed.Within);
        var (_, own) = await hosts.Gateway.Client(b, "ward-manager").PostAsync("{ trust { consentRequiredCounts { uses } } }");
        Assert.Equal(6, own!["data"]!["trust"]!["consentRequiredCounts"]!["uses"]!.GetValue<int>());
        var (_, later) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery);
        Assert.Equal(counts.ToJsonString(), later!["data"]!["region"]!["consentRequiredCounts"]!.ToJsonString());

        // A date with no publication: consent's NOT_FOUND, and no counts in its place.
        var (_, missing) = await hosts.Gateway.RegionClient().PostAsync("{ region { consentRequiredCounts(asAt: \"2001-01-01\") { asAt trusts } } }");
        Assert.Equal(["NOT_FOUND"], missing.ErrorCodes());
        Assert.Null(missing!["data"]?["region"]?["consentRequiredCounts"]);
        // Not a date: refused by the schema naming the argument, before any call.
        hosts.ResetCounts();
        foreach (var bad in new[] { "yesterday", "2027-01-11T00:00:00Z" })
        {
            var (_, refused) = await hosts.Gateway.RegionClient().PostAsync($"{{ region {{ consentRequiredCounts(asAt: \"{bad}\") {{ asAt }} }} }}");
            Assert.NotEmpty(refused.ErrorCodes());
            Assert.Contains("asAt", refused!["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public void No_field_reachable_from_the_regions_consent_required_counts_is_patient_data_and_every_field_is_described()
    {
        var schema = hosts.Gateway.Services.GetRequiredService<DashboardSchema>();
        schema.Initialize();
        var reached = new List<string>();
        var seen = new HashSet<string>();
        var queue = new Queue<(string Path, FieldType Field)>([
            ("Region.consentRequiredCounts", ((IComplexGraphType)schema.AllTypes["Region"]!).GetField("consentRequiredCounts")!),
            ("Trust.consentRequiredCounts", ((IComplexGraphType)schema.AllTypes["Trust"]!).GetField("consentRequiredCounts")!)]);
        while (queue.Count > 0)
        {
            var (path, field) = queue.Dequeue();
            reached.Add(path);
            Assert.False(field.GetMetadata(PatientDataRule.PatientData, false), $"{path} is marked as patient data");
            Assert.False(string.IsNullOrWhiteSpace(field.Description), $"{path} has no description");
            Assert.DoesNotContain(field.Name, new[] { "patientId", "useIds", "use", "id" });
            if (field.ResolvedType?.GetNamedType() is IComplexGraphType complex && seen.Add(complex.Name))
                foreach (var next in complex.Fields) queue.Enqueue(($"{complex.Name}.{next.Name}", next));
        }
        Assert.Contains("ConsentRequiredCountCell.uses", reached);
        Assert.Contains("WardConsentRequiredCounts.pastDeadline", reached);
    }
}
