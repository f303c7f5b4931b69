using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Consent's ward lists through GraphQL: Relay pages of patients' uses, each patient shown recorded as read once, by
/// consent (the gateway records nothing of its own: ADR 0037), nothing of another trust, and nothing for the region.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class WardListTests(DashboardHosts hosts)
{
    private const string ActiveUses = """
        query($after: String) { trust { activeUses(wardCode: "W1", first: 2, after: $after) {
          edges { node { use { id patientId wardCode status lawfulBasis } lawfulBasisStatus check reviewOverdue } }
          pageInfo { hasNextPage endCursor } } } }
        """;

    [Fact]
    public async Task Following_end_cursors_shows_each_active_use_once_and_consent_records_exactly_the_patients_each_page_shows()
    {
        var trust = Seed.NewTrust();
        var technology = await WardSeed.ApprovedTechnologyAsync(hosts, trust);
        var seeded = new List<(string Patient, string Use)>();
        for (var i = 0; i < 3; i++) seeded.Add(await WardSeed.ConsentedUseAsync(hosts, trust, technology));
        var before = (await WardSeed.AccessRecordsAsync(hosts, trust)).Count;
        var client = hosts.Gateway.Client(trust, "ward-manager");

        var (_, first) = await client.PostAsync(ActiveUses, new { after = (string?)null });
        var afterFirst = (await WardSeed.AccessRecordsAsync(hosts, trust)).Skip(before).ToList();
        var page1 = first!["data"]!["trust"]!["activeUses"]!;
        var (_, second) = await client.PostAsync(ActiveUses, new { after = page1["pageInfo"]!["endCursor"]!.GetValue<string>() });
        var afterSecond = (await WardSeed.AccessRecordsAsync(hosts, trust)).Skip(before).ToList();
        var page2 = second!["data"]!["trust"]!["activeUses"]!;

        static List<JsonNode> Nodes(JsonNode page) => page["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
        Assert.Null(first["errors"]);
        // One record per patient a page showed, by the caller, made by consent; none for a patient not yet shown, none twice.
        Assert.Equal(seeded.Take(2).Select(s => $"Patient/{s.Patient}"), afterFirst.Select(r => r.Patient));
        Assert.Equal(seeded.Select(s => $"Patient/{s.Patient}"), afterSecond.Select(r => r.Patient));
        Assert.All(afterSecond, r => Assert.Equal(("ward-manager", "patient-record-read", $"{r.Patient}/uses"), (r.ActorRole, r.Kind, r.What)));
        Assert.True(page1["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.False(page2["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        var shown = Nodes(page1).Concat(Nodes(page2)).ToList();
        Assert.Equal(seeded.Select(s => s.Use), shown.Select(n => n["use"]!["id"]!.GetValue<string>()));
        Assert.All(shown, n => Assert.Equal(("ACTIVE", "OWN_CONSENT", "VALID", "PERMIT"),
            (n["use"]!["status"]!.GetValue<string>(), n["use"]!["lawfulBasis"]!.GetValue<string>(), n["lawfulBasisStatus"]!.GetValue<string>(), n["check"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Overdue_reviews_are_listed_and_recorded_per_patient_and_consent_required_is_empty_while_no_capacity_was_regained()
    {
        var trust = Seed.NewTrust();
        var technology = await WardSeed.ApprovedTechnologyAsync(hosts, trust);
        var (_, steady) = await WardSeed.ConsentedUseAsync(hosts, trust, technology);
        var (overduePatient, overdue) = await WardSeed.ConsentedUseAsync(hosts, trust, technology, ward: "W2");
        await WardSeed.MakeReviewOverdueAsync(hosts, trust, overdue);
        var before = (await WardSeed.AccessRecordsAsync(hosts, trust)).Count;
        hosts.ResetCounts();

        var (_, body) = await hosts.Gateway.Client(trust, "clinician").PostAsync("""
            { trust {
                overdueReviews(first: 10) { edges { node { use { id wardCode } reviewOverdue denyRules } } }
                onWard: overdueReviews(wardCode: "W1") { edges { node { use { id } } } }
                consentRequired { edges { node { use { id } consentRequiredBy pastDue } } }
                raisedBlanketUseSignals(first: 5) { edges { node { id useIds } } }
            } }
            """);

        Assert.Null(body!["errors"]);
        var listed = Assert.Single(body["data"]!["trust"]!["overdueReviews"]!["edges"]!.AsArray())!["node"]!;
        Assert.Equal((overdue, "W2", true), (listed["use"]!["id"]!.GetValue<string>(), listed["use"]!["wardCode"]!.GetValue<string>(), listed["reviewOverdue"]!.GetValue<bool>()));
        Assert.Contains("use-check.review-overdue", listed["denyRules"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty(body["data"]!["trust"]!["onWard"]!["edges"]!.AsArray());
        Assert.Empty(body["data"]!["trust"]!["consentRequired"]!["edges"]!.AsArray());
        Assert.Empty(body["data"]!["trust"]!["raisedBlanketUseSignals"]!["edges"]!.AsArray());
        Assert.DoesNotContain(steady, body.ToJsonString());
        Assert.Equal([$"Patient/{overduePatient}"], (await WardSeed.AccessRecordsAsync(hosts, trust)).Skip(before).Select(r => r.Patient));
        Assert.Equal(2, hosts.ConsentCalls["ListOverdueReviews"]);
    }

    [Fact]
    public async Task Trust_b_sees_nothing_of_trust_a_on_any_ward_list_even_with_trust_as_cursor()
    {
        var a = Seed.NewTrust();
        var technology = await WardSeed.ApprovedTechnologyAsync(hosts, a);
        for (var i = 0; i < 2; i++)
        {
            var (_, use) = await WardSeed.ConsentedUseAsync(hosts, a, technology);
            await WardSeed.MakeReviewOverdueAsync(hosts, a, use);
        }
        var (_, ofA) = await hosts.Gateway.Client(a, "ward-manager").PostAsync(
            "{ trust { activeUses(wardCode: \"W1\", first: 1) { pageInfo { endCursor } } overdueReviews(first: 1) { pageInfo { endCursor } } } }");
        var cursors = new
        {
            uses = ofA!["data"]!["trust"]!["activeUses"]!["pageInfo"]!["endCursor"]!.GetValue<string>(),
            overdue = ofA["data"]!["trust"]!["overdueReviews"]!["pageInfo"]!["endCursor"]!.GetValue<string>(),
        };
        var b = Seed.NewTrust();
        var before = (await WardSeed.AccessRecordsAsync(hosts, a)).Count;

        var (_, seenByB) = await hosts.Gateway.Client(b, "ward-manager").PostAsync("""
            query($uses: String, $overdue: String) { trust {
                w1: activeUses(wardCode: "W1", first: 50) { edges { node { use { id patientId } } } }
                next: activeUses(wardCode: "W1", first: 50, after: $uses) { edges { node { use { id patientId } } } }
                overdueReviews(first: 50) { edges { node { use { id } } } }
                nextOverdue: overdueReviews(first: 50, after: $overdue) { edges { node { use { id } } } }
                consentRequired(first: 50) { edges { node { use { id } } } }
                raisedBlanketUseSignals(first: 50) { edges { node { id useIds } } }
            } }
            """, cursors);

        Assert.Null(seenByB!["errors"]);
        foreach (var list in new[] { "w1", "next", "overdueReviews", "nextOverdue", "consentRequired", "raisedBlanketUseSignals" })
            Assert.Empty(seenByB["data"]!["trust"]![list]!["edges"]!.AsArray());
        Assert.Equal(before, (await WardSeed.AccessRecordsAsync(hosts, a)).Count);
    }

    [Fact]
    public async Task A_region_analyst_asking_for_any_ward_list_is_refused_before_any_service_is_called()
    {
        foreach (var field in new[] { "activeUses(wardCode: \"W1\") { totalCount }", "overdueReviews { totalCount }", "consentRequired { totalCount }", "raisedBlanketUseSignals { totalCount }" })
        {
            hosts.ResetCounts();
            var (asTrustAnalyst, body) = await hosts.Gateway.Client(Seed.NewTrust(), "region-analyst").PostAsync($"{{ trust {{ {field} }} }}");
            var (asRegion, regionBody) = await hosts.Gateway.RegionClient().PostAsync($"{{ trust {{ {field} }} }}");

            Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (asTrustAnalyst.StatusCode, asRegion.StatusCode));
            Assert.Equal(["PATIENT_DATA_NOT_FOR_REGION"], body.ErrorCodes());
            Assert.Equal(["PATIENT_DATA_NOT_FOR_REGION"], regionBody.ErrorCodes());
            Assert.Equal(0, hosts.CallsToAllServices);
        }
    }
}
