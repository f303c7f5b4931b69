using System.Net;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>The trust comes from the token alone; a region analyst gets no patient rows.</summary>
[Collection(Dashboard.Name)]
public sealed class IsolationTests(DashboardHosts hosts)
{
    [Fact]
    public async Task Trust_b_sees_nothing_of_trust_a_through_any_field_or_cursor()
    {
        var a = Seed.NewTrust();
        var b = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, a, 3, evidencePerTechnology: 1);
        var (_, ofA) = await hosts.Gateway.Client(a).PostAsync("{ trust { technologies(first: 1) { pageInfo { endCursor } } } }");
        var cursorOfA = ofA!["data"]!["trust"]!["technologies"]!["pageInfo"]!["endCursor"]!.GetValue<string>();

        var (_, seenByB) = await hosts.Gateway.Client(b).PostAsync(
            "query($after: String) { trust { odsCode all: technologies(first: 50) { edges { node { name evidence(first: 5) { totalCount } } } } next: technologies(first: 5, after: $after) { edges { node { name } } } } }",
            new { after = cursorOfA });

        Assert.Equal(b, seenByB!["data"]!["trust"]!["odsCode"]!.GetValue<string>());
        Assert.Empty(seenByB["data"]!["trust"]!["all"]!["edges"]!.AsArray());
        Assert.Empty(seenByB["data"]!["trust"]!["next"]!["edges"]!.AsArray());
        Assert.DoesNotContain(a, seenByB.ToJsonString());
    }

    [Fact]
    public async Task A_region_analyst_asking_for_patient_rows_is_refused_before_any_service_is_called()
    {
        hosts.ResetCounts();

        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust(), "region-analyst").PostAsync(
            "{ trust { blanketUseSignals(wardCodes: [\"W1\"]) { kind useCount useIds } } }");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["PATIENT_DATA_NOT_FOR_REGION"], body.ErrorCodes());
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task A_clinician_may_ask_for_the_same_rows_of_their_own_trust()
    {
        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust(), "clinician").PostAsync(
            "{ trust { blanketUseSignals(wardCodes: [\"W1\"]) { kind useIds } } }");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(body!["errors"]);
    }
}
