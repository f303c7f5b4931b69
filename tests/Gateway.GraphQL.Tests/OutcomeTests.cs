using System.Net;
using System.Text.Json.Nodes;
using Platform.Contracts.Evidence.V1;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Outcomes by protected characteristic through GraphQL: a trust's own report per technology, and the region analyst's
/// report across trusts (ADR 0034), suppressed (ADR 0019), never a patient row; each trust's token sees its own trust.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class OutcomeTests(DashboardHosts hosts)
{
    private const string RegionQuery = """
        query($name: String!, $period: String!) {
          region { outcomeReport(technologyName: $name, instrument: HONOS, period: $period) {
            technologyName trusts suppressionThreshold
            breakdowns { characteristic categories { code } rows { odsCode cells { suppressed patients mean } total { suppressed patients mean } } }
          } }
        }
        """;

    private static IEnumerable<JsonNode> Cells(JsonNode report) =>
        report["breakdowns"]!.AsArray().SelectMany(b => b!["rows"]!.AsArray()).SelectMany(r => r!["cells"]!.AsArray().Append(r["total"]))!;

    [Fact]
    public async Task A_region_analyst_reads_outcomes_across_trusts_as_rows_with_small_cells_suppressed_and_no_patient_key()
    {
        var name = $"Regional sensor {Guid.NewGuid():N}";
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var techA = (await Seed.TechnologiesAsync(hosts, a, 1, name: name))[0].TechnologyId;
        var techB = (await Seed.TechnologiesAsync(hosts, b, 1, name: name))[0].TechnologyId;
        var keys = new List<string>();
        keys.AddRange(await Seed.OutcomesAsync(hosts, a, techA, Sex.Female, 8, 10));
        keys.AddRange(await Seed.OutcomesAsync(hosts, a, techA, Sex.Male, 7, 4));
        keys.AddRange(await Seed.OutcomesAsync(hosts, b, techB, Sex.Female, 6, 6));
        keys.AddRange(await Seed.OutcomesAsync(hosts, b, techB, Sex.Male, 3, 2));

        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery, new { name, period = Seed.PreviousQuarter });

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        var report = body!["data"]!["region"]!["outcomeReport"]!;
        Assert.Equal([a, b], report["trusts"]!.AsArray().Select(t => t!.GetValue<string>()));
        var sex = report["breakdowns"]!.AsArray().Single(x => x!["characteristic"]!.GetValue<string>() == "sex")!;
        var rows = sex["rows"]!.AsArray();
        Assert.Equal([a, b, null], rows.Select(r => r!["odsCode"]?.GetValue<string>()));
        Assert.Equal(15, rows[0]!["total"]!["patients"]!.GetValue<int>());
        // Trust b's 3 men: hidden, with neither count nor mean.
        Assert.True(rows[1]!["cells"]![1]!["suppressed"]!.GetValue<bool>());
        Assert.All(Cells(report).Where(c => c["suppressed"]!.GetValue<bool>()), c => Assert.True(c["patients"] is null && c["mean"] is null));
        Assert.All(Cells(report).Where(c => c["patients"] is not null), c => Assert.True(c["patients"]!.GetValue<int>() is 0 or >= 5));
        var json = body.ToJsonString();
        Assert.All(keys, key => Assert.DoesNotContain(key, json));
    }

    [Fact]
    public async Task Trust_b_sees_only_its_own_outcomes_and_no_trust_token_reaches_the_region_nor_a_region_token_a_trust()
    {
        var name = $"Shared sensor {Guid.NewGuid():N}";
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        var techA = (await Seed.TechnologiesAsync(hosts, a, 1, name: name))[0].TechnologyId;
        var techB = (await Seed.TechnologiesAsync(hosts, b, 1, name: name))[0].TechnologyId;
        await Seed.OutcomesAsync(hosts, a, techA, Sex.Female, 9, 5);
        await Seed.OutcomesAsync(hosts, b, techB, Sex.Female, 6, 5);

        var (_, seenByB) = await hosts.Gateway.Client(b).PostAsync(
            "query($p: String!) { trust { technologies(first: 50) { edges { node { id outcomeReport(instrument: HONOS, period: $p) { technologyId settings breakdowns(characteristic: \"sex\") { rows { settingCode total { patients } } } } } } } } }",
            new { p = Seed.PreviousQuarter });

        Assert.True(seenByB!["errors"] is null, seenByB.ToJsonString());
        var edges = seenByB["data"]!["trust"]!["technologies"]!["edges"]!.AsArray();
        var only = Assert.Single(edges)!["node"]!;
        Assert.Equal(techB, only["id"]!.GetValue<string>());
        Assert.All(only["outcomeReport"]!["breakdowns"]![0]!["rows"]!.AsArray(), r => Assert.Equal(6, r!["total"]!["patients"]!.GetValue<int>()));
        Assert.DoesNotContain(techA, seenByB.ToJsonString());
        Assert.DoesNotContain(a, seenByB.ToJsonString());

        hosts.ResetCounts();
        // A trust's token, even one carrying region-analyst, gets nothing of the region, and no service is asked.
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"] })
        {
            var (_, region) = await hosts.Gateway.Client(b, roles).PostAsync(RegionQuery, new { name, period = Seed.PreviousQuarter });
            Assert.Equal(["FORBIDDEN"], region.ErrorCodes());
            Assert.Null(region!["data"]);
        }
        Assert.Equal(0, hosts.EvidenceCalls.Total);
        // A region analyst's token reaches no trust, nor any patient-row field.
        var (_, trust) = await hosts.Gateway.RegionClient().PostAsync("{ trust { odsCode } }");
        Assert.Equal(["FORBIDDEN"], trust.ErrorCodes());
        var (rowsResponse, rows) = await hosts.Gateway.RegionClient().PostAsync("{ trust { blanketUseSignals(wardCodes: [\"W1\"]) { useIds } } }");
        Assert.Equal(HttpStatusCode.BadRequest, rowsResponse.StatusCode);
        Assert.Equal(["PATIENT_DATA_NOT_FOR_REGION"], rows.ErrorCodes());
        // A region token in another role is refused at the door.
        var (operatorResponse, _) = await hosts.Gateway.RegionClient("region-operator").PostAsync("{ region { __typename } }");
        Assert.Equal(HttpStatusCode.Forbidden, operatorResponse.StatusCode);
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task Outcome_reports_and_appraisals_cost_one_call_per_distinct_technology_and_the_region_one_per_distinct_report()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 3, evidencePerTechnology: 1);
        hosts.ResetCounts();

        var (_, body) = await hosts.Gateway.Client(trust).PostAsync("""
            query($p: String!) { trust {
              a: technologies(first: 10) { edges { node { r1: outcomeReport(instrument: HONOS, period: $p) { settings } r2: outcomeReport(instrument: HONOS, period: $p) { period } appraisals(first: 5) { totalCount } } } }
              b: technologies(first: 10) { edges { node { outcomeReport(instrument: HONOS, period: $p) { suppressionThreshold } appraisals(first: 1) { edges { node { esfTier } } } } } }
            } }
            """, new { p = Seed.PreviousQuarter });

        Assert.True(body!["errors"] is null, body.ToJsonString());
        Assert.Equal(3, body["data"]!["trust"]!["a"]!["edges"]!.AsArray().Count);
        Assert.Equal(3, hosts.EvidenceCalls["GetOutcomeReport"]);
        Assert.Equal(3, hosts.EvidenceCalls["ListAppraisals"]);

        hosts.ResetCounts();
        var (_, region) = await hosts.Gateway.RegionClient().PostAsync(
            "query($p: String!) { region { x: outcomeReport(technologyName: \"A\", instrument: HONOS, period: $p) { trusts } y: outcomeReport(technologyName: \"A\", instrument: HONOS, period: $p) { period } z: outcomeReport(technologyName: \"B\", instrument: HONOS, period: $p) { trusts } } }",
            new { p = Seed.PreviousQuarter });
        Assert.Null(region!["errors"]);
        Assert.Equal(2, hosts.EvidenceCalls["GetRegionalOutcomeReport"]);
    }

    [Fact]
    public async Task The_audit_checkpoint_is_null_before_the_first_is_signed_and_for_auditors_only()
    {
        var trust = Seed.NewTrust();
        var (_, auditor) = await hosts.Gateway.Client(trust, "auditor").PostAsync("{ trust { auditCheckpoint { treeSize signedNote } } }");
        Assert.Null(auditor!["errors"]);
        Assert.Null(auditor["data"]!["trust"]!["auditCheckpoint"]);

        var (_, clinician) = await hosts.Gateway.Client(trust, "clinician").PostAsync("{ trust { auditCheckpoint { treeSize } } }");
        Assert.Equal(["FORBIDDEN"], clinician.ErrorCodes());
    }
}
