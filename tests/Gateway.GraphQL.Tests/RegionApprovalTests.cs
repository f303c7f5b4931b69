using System.Net;
using System.Text.Json.Nodes;
using Platform.Contracts.Procurement.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The region's approval counts through GraphQL (issue 19, ADR 0039): procurement cases across trusts by setting type
/// and status, per technology name and per trust, for a region analyst's token only, in one call per distinct page.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class RegionApprovalTests(DashboardHosts hosts)
{
    private const string CountsQuery = """
        query($name: String) {
          region { approvalCounts(technologyName: $name) {
            trusts
            edges { cursor node { technologyName counts { settingCode status cases } trusts { odsCode counts { settingCode status cases } } } }
            pageInfo { hasNextPage hasPreviousPage }
          } }
        }
        """;

    /// <summary>A technology registered in <paramref name="trust"/> under <paramref name="name"/>, with an open case in each setting.</summary>
    private async Task RegisteredWithCasesAsync(string trust, string name, params string[] settings)
    {
        var technology = (await Seed.TechnologiesAsync(hosts, trust, 1, name: name))[0];
        var procurement = hosts.Procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(trust, "procurement-lead");
        using var http = hosts.Procurement.CreateHttpClient();
        foreach (var setting in settings)
        {
            // Procurement takes a setting only from the directory's open wards: identity's ward_registered, as Dapr delivers it.
            var (code, status) = await SidecarDelivery.PublishAsync(http, new Platform.Contracts.Identity.V1.WardRegistered
            {
                WardCode = $"{setting}-1".ToUpperInvariant(), Name = $"Ward of {setting}", SettingCode = setting, Beds = 20,
                Actor = new Platform.Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" },
            }, trust, Guid.NewGuid().ToString());
            Assert.True(status == "SUCCESS", $"Procurement did not take ward_registered: {code} {status}");
            await procurement.OpenCaseAsync(new OpenCaseRequest { TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = $"{setting} wards", Purpose = StatedPurpose.PatientSafety });
        }
    }

    private static (string, string, int)[] Counts(JsonNode counts) =>
        [.. counts.AsArray().Select(c => (c!["settingCode"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["cases"]!.GetValue<int>()))];

    [Fact]
    public async Task A_region_analyst_reads_the_cases_of_a_technology_across_trusts_by_setting_and_status_and_per_trust()
    {
        var name = $"Regional monitor {Guid.NewGuid():N}";
        var (a, b, c) = (Seed.NewTrust(), Seed.NewTrust(), Seed.NewTrust());
        await RegisteredWithCasesAsync(a, name, "acute-adult", "picu");
        // The same technology to the region: another trust's spelling, case and outer spaces aside.
        await RegisteredWithCasesAsync(b, $" {name.ToLowerInvariant()}  ", "acute-adult");
        // Another product whose name only starts the same.
        await RegisteredWithCasesAsync(c, name + " Pro", "acute-adult");

        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(CountsQuery, new { name = name.ToUpperInvariant() });

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        var counts = body!["data"]!["region"]!["approvalCounts"]!;
        Assert.Contains(a, counts["trusts"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Contains(c, counts["trusts"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.False(counts["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        var node = Assert.Single(counts["edges"]!.AsArray())!["node"]!;
        Assert.Equal(name, node["technologyName"]!.GetValue<string>());
        Assert.Equal([("acute-adult", "OPEN", 2), ("picu", "OPEN", 1)], Counts(node["counts"]!));
        var trusts = node["trusts"]!.AsArray();
        Assert.Equal([a, b], trusts.Select(t => t!["odsCode"]!.GetValue<string>()));
        Assert.Equal([("acute-adult", "OPEN", 1), ("picu", "OPEN", 1)], Counts(trusts[0]!["counts"]!));
        Assert.Equal([("acute-adult", "OPEN", 1)], Counts(trusts[1]!["counts"]!));
    }

    [Fact]
    public async Task A_trust_token_gets_FORBIDDEN_before_any_call_and_the_region_costs_one_call_per_distinct_page()
    {
        var prefix = $"Paged monitor {Guid.NewGuid():N}";
        var trust = Seed.NewTrust();
        await RegisteredWithCasesAsync(trust, $"{prefix} a", "acute-adult");
        await RegisteredWithCasesAsync(trust, $"{prefix} b", "picu");

        hosts.ResetCounts();
        // A trust's token, even one carrying region-analyst, gets nothing of the region, and procurement is not asked.
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"] })
        {
            var (_, refused) = await hosts.Gateway.Client(trust, roles).PostAsync(CountsQuery, new { name = $"{prefix} a" });
            Assert.Equal(["FORBIDDEN"], refused.ErrorCodes());
            Assert.Null(refused!["data"]);
        }
        Assert.Equal(0, hosts.CallsToAllServices);

        // Three aliases of one page and one of another: two calls.
        var (_, body) = await hosts.Gateway.RegionClient().PostAsync("""
            query($a: String!, $b: String!) { region {
              x: approvalCounts(technologyName: $a) { edges { cursor node { technologyName } } }
              y: approvalCounts(technologyName: $a) { trusts }
              z: approvalCounts(technologyName: $a) { edges { node { counts { cases } } } }
              w: approvalCounts(technologyName: $b) { edges { node { technologyName } } }
            } }
            """, new { a = $"{prefix} a", b = $"{prefix} b" });
        Assert.True(body!["errors"] is null, body.ToJsonString());
        Assert.Equal(2, hosts.ProcurementCalls["GetRegionalApprovalCounts"]);
        Assert.Equal(2, hosts.ProcurementCalls.Total);

        // A technology's cursor is its name: the page after it starts with the next name of the region.
        var cursor = body["data"]!["region"]!["x"]!["edges"]![0]!["cursor"]!.GetValue<string>();
        var (_, next) = await hosts.Gateway.RegionClient().PostAsync(
            "query($after: String!) { region { approvalCounts(first: 1, after: $after) { edges { node { technologyName } } pageInfo { hasPreviousPage } } } }", new { after = cursor });
        Assert.True(next!["errors"] is null, next.ToJsonString());
        var page = next["data"]!["region"]!["approvalCounts"]!;
        Assert.Equal($"{prefix} b", Assert.Single(page["edges"]!.AsArray())!["node"]!["technologyName"]!.GetValue<string>());
        Assert.True(page["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_full_page_of_every_field_is_within_the_complexity_limit_and_a_page_over_the_size_limit_is_refused_before_any_call()
    {
        hosts.ResetCounts();
        var (tooLarge, refused) = await hosts.Gateway.RegionClient().PostAsync("{ region { approvalCounts(first: 101) { trusts } } }");
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal(["PAGE_SIZE_LIMIT"], refused.ErrorCodes());
        Assert.Equal(0, hosts.CallsToAllServices);

        var (_, full) = await hosts.Gateway.RegionClient().PostAsync("""
            { region { approvalCounts(first: 100) { trusts pageInfo { hasNextPage endCursor }
              edges { cursor node { technologyName counts { settingCode status cases } trusts { odsCode counts { settingCode status cases } } } } } } }
            """);
        Assert.True(full!["errors"] is null, full.ToJsonString());
        Assert.Equal(1, hosts.ProcurementCalls["GetRegionalApprovalCounts"]);
    }
}
