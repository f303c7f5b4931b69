using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>A dashboard query costs each service a bounded number of calls, counted where the services answer them.</summary>
[Collection(Dashboard.Name)]
public sealed class LoadingTests(DashboardHosts hosts)
{
    [Fact]
    public async Task Evidence_for_a_page_of_technologies_is_fetched_once_per_technology_however_many_fields_ask_for_it()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 3, evidencePerTechnology: 2);
        hosts.ResetCounts();

        // Two views of the same page, each asking for every technology's evidence twice (aliases): 12 evidence fields.
        var (_, body) = await hosts.Gateway.Client(trust).PostAsync("""
            {
              trust {
                a: technologies(first: 10) { edges { node { name e1: evidence(first: 5) { totalCount } e2: evidence(first: 1) { edges { node { title } } } } } }
                b: technologies(first: 10) { edges { node { e3: evidence(first: 5) { edges { node { sampleSize } } } } } }
              }
            }
            """);

        Assert.Null(body!["errors"]);
        var a = body["data"]!["trust"]!["a"]!["edges"]!.AsArray();
        Assert.Equal(3, a.Count);
        Assert.All(a, e => Assert.Equal(2, e!["node"]!["e1"]!["totalCount"]!.GetValue<int>()));
        Assert.Equal(3, hosts.EvidenceCalls["ListEvidenceItems"]);
        Assert.Equal(2, hosts.ProcurementCalls["ListTechnologies"]);
    }

    [Fact]
    public async Task Blanket_use_of_every_ward_named_is_checked_in_one_call()
    {
        var trust = Seed.NewTrust();
        hosts.ResetCounts();

        var (_, body) = await hosts.Gateway.Client(trust, "clinician").PostAsync(
            "{ trust { x: blanketUseSignals(wardCodes: [\"W1\", \"W2\", \"W1\"]) { kind } y: blanketUseSignals(wardCodes: [\"W2\"]) { kind } } }");

        Assert.Null(body!["errors"]);
        Assert.Empty(body["data"]!["trust"]!["x"]!.AsArray());
        // W1 and W2, however many fields name them, in one DetectBlanketUseForWards (ADR 0044), not a call per ward.
        Assert.Equal(1, hosts.ConsentCalls["DetectBlanketUseForWards"]);
        Assert.Equal(1, hosts.ConsentCalls.Total);
    }
}
