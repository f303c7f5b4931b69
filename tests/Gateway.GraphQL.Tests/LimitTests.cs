using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The default limits admit the full trust dashboard (tools/bench/GraphQLBench/dashboard.graphql, the query the bench
/// times) and still refuse abusive documents before any resolver runs.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class LimitTests(DashboardHosts hosts)
{
    public static string DashboardQuery => File.ReadAllText(Path.Combine(InteropNode.RepositoryRoot(), "tools", "bench", "GraphQLBench", "dashboard.graphql"));

    private static readonly string[] HundredWards = [.. Enumerable.Range(1, 100).Select(i => $"W{i}")];

    [Fact]
    public async Task The_full_dashboard_with_50_technologies_of_20_evidence_items_and_100_wards_runs_under_the_default_limits()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 2, evidencePerTechnology: 1);

        var (response, body) = await hosts.Gateway.Client(trust, "procurement-lead", "ward-manager", "auditor").PostAsync(DashboardQuery,
            new { wards = HundredWards.Take(2), ward = "W1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(body!["errors"]);
        var technologies = body["data"]!["trust"]!["technologies"]!["edges"]!.AsArray();
        Assert.Equal(2, technologies.Count);
        Assert.All(technologies, t => Assert.Equal(1, t!["node"]!["evidence"]!["totalCount"]!.GetValue<int>()));
        Assert.Empty(body["data"]!["trust"]!["activeUses"]!["edges"]!.AsArray());

        // With all 100 wards named (the bench's) the document is the largest the dashboard sends: still within the limits.
        var (_, hundred) = await hosts.Gateway.Client(trust, "procurement-lead", "ward-manager", "auditor").PostAsync(DashboardQuery,
            new { wards = HundredWards, ward = "W1" });
        Assert.DoesNotContain("COMPLEXITY", hundred.ErrorCodes());
        Assert.NotNull(hundred!["data"]);
    }

    [Theory]
    [InlineData("every field of 100 technologies' 100 evidence items",
        "{ trust { technologies(first: 100) { edges { node { id name evidence(first: 100) { edges { node { id technologyId title studyDesign sampleSize independentOfSupplier settingRelevance quality recordedAt } } } } } } } }")]
    [InlineData("the register with its evidence and open gates three times over, by aliases",
        "{ trust { a: technologies(first: 50) { edges { node { evidence(first: 20) { edges { node { id title quality } } } settings(first: 8) { edges { node { status openGates { code name state } } } } } } } b: technologies(first: 50) { edges { node { evidence(first: 20) { edges { node { id title quality } } } settings(first: 8) { edges { node { status openGates { code name state } } } } } } } c: technologies(first: 50) { edges { node { evidence(first: 20) { edges { node { id title quality } } } settings(first: 8) { edges { node { status openGates { code name state } } } } } } } } }")]
    public async Task An_abusive_document_is_refused_for_its_complexity_before_any_service_is_called(string what, string query)
    {
        hosts.ResetCounts();

        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync(query);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, what);
        Assert.Equal(["COMPLEXITY"], body.ErrorCodes());
        var complexity = double.Parse(Regex.Match(body!["errors"]![0]!["message"]!.GetValue<string>(), @"Complexity is (\d+)").Groups[1].Value);
        Assert.True(complexity > 50_000, $"{what}: {complexity}");
        Assert.Equal(0, hosts.CallsToAllServices);
    }
}
