using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The GraphQL-over-HTTP specification's own audit suite (npm graphql-http 1.23.1, tests/interop/graphql/http-audit.mjs)
/// against our endpoint on a running gateway: every MUST passes; a SHOULD that does not is one the README names with
/// its reason, and any other is a failure.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class GraphQLHttpAuditTests(DashboardHosts hosts, ITestOutputHelper output)
{
    /// <summary>The SHOULD audits we answer otherwise, on purpose (gateway/Gateway.GraphQL/README.md says why).</summary>
    private static readonly HashSet<string> s_shouldsWeAnswerOtherwise = [];

    [Fact]
    public async Task Every_MUST_of_the_graphql_http_audit_suite_passes_against_our_endpoint()
    {
        var token = TestTokens.Shared.Mint(Seed.NewTrust(), GatewayHost.DashboardRoles);

        var (exit, stdout, error) = await InteropNode.RunAsync("graphql-http", "graphql/http-audit.mjs",
            [new Uri(hosts.Gateway.Address, "/graphql").ToString()], new Dictionary<string, string> { ["GRAPHQL_TOKEN"] = token });

        Assert.True(exit == 0, error);
        var audits = JsonNode.Parse(stdout)!.AsArray().Select(a => (
            Id: a!["id"]!.GetValue<string>(), Name: a["name"]!.GetValue<string>(), Status: a["status"]!.GetValue<string>(),
            Detail: a.ToJsonString())).ToList();
        await File.WriteAllTextAsync(Path.Combine(InteropNode.ArtifactsDirectory(), "graphql-http-audit.json"),
            JsonSerializer.Serialize(JsonNode.Parse(stdout), new JsonSerializerOptions { WriteIndented = true }));
        foreach (var audit in audits) output.WriteLine($"{audit.Status,-5} {audit.Id} {audit.Name}");

        // graphql-http 1.23.1 has 13 MUST audits (and 23 SHOULD, 25 MAY).
        Assert.True(audits.Count(a => a.Name.StartsWith("MUST ", StringComparison.Ordinal)) >= 13, "the suite ran fewer MUST audits than it has");
        var failedMusts = audits.Where(a => a.Name.StartsWith("MUST ", StringComparison.Ordinal) && a.Status != "ok").Select(a => a.Detail).ToList();
        Assert.True(failedMusts.Count == 0, string.Join(Environment.NewLine, failedMusts));
        var unexplainedShoulds = audits
            .Where(a => a.Name.StartsWith("SHOULD ", StringComparison.Ordinal) && a.Status != "ok" && !s_shouldsWeAnswerOtherwise.Contains(a.Id))
            .Select(a => a.Detail).ToList();
        Assert.True(unexplainedShoulds.Count == 0, string.Join(Environment.NewLine, unexplainedShoulds));
    }
}
