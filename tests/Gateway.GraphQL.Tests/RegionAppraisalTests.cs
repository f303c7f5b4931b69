using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Evidence.V1;
using Platform.KnownTrusts;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The region's appraisals and ESF tiers through GraphQL (issue 19, ADR 0046): per technology name and setting type,
/// how many trusts appraised it and their current appraisals by conclusion and tier, and each trust's own, for a region
/// analyst's token only, in one call per distinct page; never a reviewer, a reason or an id.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class RegionAppraisalTests(DashboardHosts hosts)
{
    private const string Reasoning = "Dr Example's audit on Ward 9 decided it";

    private const string AppraisalsQuery = """
        query($name: String) {
          region { appraisals(technologyName: $name) {
            trusts
            edges { cursor node { technologyName trustsAppraised
              settings { settingCode trusts conclusions { conclusion appraisals } tiers { tier appraisals } }
              trusts { odsCode appraisals { settingCode esfTier conclusion completedOn } } } }
            pageInfo { hasNextPage hasPreviousPage }
          } }
        }
        """;

    /// <summary>A technology registered in <paramref name="trust"/> under <paramref name="name"/>, appraised insufficient at <paramref name="tier"/> for each setting.</summary>
    private async Task<List<Appraisal>> AppraisedAsync(string trust, string name, EsfTier tier, params string[] settings)
    {
        var technology = (await Seed.TechnologiesAsync(hosts, trust, 1, name: name))[0];
        var evidence = hosts.Evidence.GrpcClient<EvidenceService.EvidenceServiceClient>(trust, "evidence-reviewer");
        var made = new List<Appraisal>();
        foreach (var setting in settings)
        {
            var request = new CompleteAppraisalRequest
            {
                TechnologyId = technology.TechnologyId, SettingCode = setting, Tier = tier, Conclusion = AppraisalConclusion.Insufficient, HowEvidenceInformedDecision = Reasoning,
            };
            request.Standards.Add(new EsfStandardJudgement { Standard = $"{tier}-9", Met = false, Note = "Asked the ward's charge nurse" });
            made.Add(await evidence.CompleteAppraisalAsync(request));
        }
        return made;
    }

    [Fact]
    public async Task A_region_analyst_reads_a_technologys_appraisals_across_active_trusts_by_setting_conclusion_and_tier_and_per_trust_and_nothing_personal()
    {
        var name = $"Regional app {Guid.NewGuid():N}";
        var (a, b, c, suspended) = (Seed.NewTrust(), Seed.NewTrust(), Seed.NewTrust(), Seed.NewTrust());
        var made = new List<Appraisal>();
        made.AddRange(await AppraisedAsync(a, name, EsfTier.B, "acute-adult", "picu"));
        // The same technology to the region: another trust's spelling, case and outer spaces aside.
        made.AddRange(await AppraisedAsync(b, $" {name.ToLowerInvariant()}  ", EsfTier.C, "acute-adult"));
        // Another product whose name only starts the same.
        await AppraisedAsync(c, name + " Pro", EsfTier.A, "acute-adult");
        // A trust the directory suspended after it appraised the technology is not read.
        await AppraisedAsync(suspended, name, EsfTier.A, "acute-adult");
        await using (var scope = hosts.Evidence.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange(suspended, "Suspended trust", Active: false), default);

        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(AppraisalsQuery, new { name = name.ToUpperInvariant() });

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        var appraisals = body!["data"]!["region"]!["appraisals"]!;
        var trustsRead = appraisals["trusts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Contains(a, trustsRead);
        Assert.Contains(c, trustsRead);
        Assert.DoesNotContain(suspended, trustsRead);
        Assert.False(appraisals["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        var node = Assert.Single(appraisals["edges"]!.AsArray())!["node"]!;
        Assert.Equal((name, 2), (node["technologyName"]!.GetValue<string>(), node["trustsAppraised"]!.GetValue<int>()));
        var settings = node["settings"]!.AsArray();
        Assert.Equal(["acute-adult", "picu"], settings.Select(s => s!["settingCode"]!.GetValue<string>()));
        Assert.Equal(2, settings[0]!["trusts"]!.GetValue<int>());
        Assert.Equal("""[{"conclusion":"INSUFFICIENT","appraisals":2}]""", settings[0]!["conclusions"]!.ToJsonString());
        Assert.Equal("""[{"tier":"B","appraisals":1},{"tier":"C","appraisals":1}]""", settings[0]!["tiers"]!.ToJsonString());
        Assert.Equal("""[{"tier":"B","appraisals":1}]""", settings[1]!["tiers"]!.ToJsonString());
        var trusts = node["trusts"]!.AsArray();
        Assert.Equal([a, b], trusts.Select(t => t!["odsCode"]!.GetValue<string>()));
        Assert.Equal([("acute-adult", "B"), ("picu", "B")], trusts[0]!["appraisals"]!.AsArray().Select(x => (x!["settingCode"]!.GetValue<string>(), x["esfTier"]!.GetValue<string>())));
        Assert.Equal(made[2].CompletedAt.ToDateTime().Date, trusts[1]!["appraisals"]![0]!["completedOn"]!.GetValue<DateTime>().ToUniversalTime());

        // Nothing personal, nothing free-text, no id: not the reviewer, the reasoning, the standards or their notes.
        var json = body.ToJsonString();
        Assert.All(made, m => Assert.DoesNotContain(m.AppraisalId, json));
        Assert.All(made, m => Assert.DoesNotContain(m.TechnologyId, json));
        Assert.DoesNotContain("test-user", json);
        Assert.DoesNotContain("Ward 9", json);
        Assert.DoesNotContain("charge nurse", json);
        Assert.DoesNotContain("B-9", json);
        Assert.DoesNotContain("C-9", json);
    }

    [Fact]
    public async Task A_trust_token_gets_FORBIDDEN_before_any_call_and_the_region_costs_one_call_per_distinct_page()
    {
        var prefix = $"Paged app {Guid.NewGuid():N}";
        var trust = Seed.NewTrust();
        await AppraisedAsync(trust, $"{prefix} a", EsfTier.B, "acute-adult");
        await AppraisedAsync(trust, $"{prefix} b", EsfTier.C, "picu");

        hosts.ResetCounts();
        // A trust's token, even one carrying region-analyst, gets nothing of the region, and evidence is not asked.
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"] })
        {
            var (_, refused) = await hosts.Gateway.Client(trust, roles).PostAsync(AppraisalsQuery, new { name = $"{prefix} a" });
            Assert.Equal(["FORBIDDEN"], refused.ErrorCodes());
            Assert.Null(refused!["data"]);
        }
        Assert.Equal(0, hosts.CallsToAllServices);

        // Three aliases of one page and one of another: two calls.
        var (_, body) = await hosts.Gateway.RegionClient().PostAsync("""
            query($a: String!, $b: String!) { region {
              x: appraisals(technologyName: $a) { edges { cursor node { technologyName } } }
              y: appraisals(technologyName: $a) { trusts }
              z: appraisals(technologyName: $a) { edges { node { settings { tiers { tier appraisals } } } } }
              w: appraisals(technologyName: $b) { edges { node { technologyName } } }
            } }
            """, new { a = $"{prefix} a", b = $"{prefix} b" });
        Assert.True(body!["errors"] is null, body.ToJsonString());
        Assert.Equal(2, hosts.EvidenceCalls["GetRegionalAppraisals"]);
        Assert.Equal(2, hosts.CallsToAllServices);

        // A technology's cursor is its name: the page after it starts with the next name of the region.
        var cursor = body["data"]!["region"]!["x"]!["edges"]![0]!["cursor"]!.GetValue<string>();
        var (_, next) = await hosts.Gateway.RegionClient().PostAsync(
            "query($after: String!) { region { appraisals(first: 1, after: $after) { edges { node { technologyName } } pageInfo { hasPreviousPage } } } }", new { after = cursor });
        Assert.True(next!["errors"] is null, next.ToJsonString());
        var page = next["data"]!["region"]!["appraisals"]!;
        Assert.Equal($"{prefix} b", Assert.Single(page["edges"]!.AsArray())!["node"]!["technologyName"]!.GetValue<string>());
        Assert.True(page["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_page_over_the_size_limit_or_a_full_page_of_every_field_is_refused_before_any_call_and_a_default_page_of_every_field_is_answered()
    {
        hosts.ResetCounts();
        var (tooLarge, refused) = await hosts.Gateway.RegionClient().PostAsync("{ region { appraisals(first: 101) { trusts } } }");
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal(["PAGE_SIZE_LIMIT"], refused.ErrorCodes());
        // 100 technologies, each with 12 trusts of 8 appraisals and 8 settings of 3 conclusions and 3 tiers, is about
        // 54,000 by GraphQL.NET's count, over the 50,000 limit: the caller asks for fewer or leaves out the trust rows.
        var (_, tooComplex) = await hosts.Gateway.RegionClient().PostAsync(AppraisalsQuery.Replace("appraisals(technologyName: $name)", "appraisals(technologyName: $name, first: 100)"),
            new { name = (string?)null });
        Assert.Equal(["COMPLEXITY"], tooComplex.ErrorCodes());
        Assert.Equal(0, hosts.CallsToAllServices);

        var (_, counts) = await hosts.Gateway.RegionClient().PostAsync("""
            { region { appraisals(first: 100) { trusts pageInfo { hasNextPage endCursor }
              edges { cursor node { technologyName trustsAppraised settings { settingCode trusts conclusions { conclusion appraisals } tiers { tier appraisals } } } } } } }
            """);
        Assert.True(counts!["errors"] is null, counts.ToJsonString());
        var (_, full) = await hosts.Gateway.RegionClient().PostAsync(AppraisalsQuery, new { name = (string?)null });
        Assert.True(full!["errors"] is null, full.ToJsonString());
        Assert.Equal(2, hosts.EvidenceCalls["GetRegionalAppraisals"]);
    }
}
