using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// What an EPR integrating over REST/JSON sees: the same methods through JSON transcoding (the google.api.http routes in
/// consent.proto), the same token, roles and tenancy, and refusals as RFC 9457 problem details carrying the rule code.
/// </summary>
public sealed class ConsentRestTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private const string TrustA = "RX3";
    private const string TrustB = "RTQ";
    private const string ProblemJson = "application/problem+json";

    private HttpClient Clinician(string tenant) => fixture.App.ClientFor(tenant, "clinician");

    private static object Check(string patientId, string technologyId) => new
    {
        patientId,
        technologyId,
        wardCode = "OAK",
        purpose = "USE_PURPOSE_DIRECT_CARE_OR_TREATMENT",
    };

    private static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected, string mediaType = "application/json")
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode expected, string? rule)
    {
        var problem = await Json(response, expected, ProblemJson);
        Assert.Equal((int)expected, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"] ?? (string?)problem["title"]));
        if (rule is not null)
        {
            Assert.Equal(rule, (string?)problem["code"]);
            Assert.Equal("urn:platform:rule:" + rule, (string?)problem["type"]);
        }
        return problem;
    }

    [Fact]
    public async Task A_permitted_use_checks_as_permit_over_rest_with_the_same_answer_as_grpc()
    {
        var a = new ConsentClient(fixture.App, TrustA);
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);

        var check = await Json(await Clinician(TrustA).PostAsJsonAsync("/consent/v1/uses:check", Check(patient, technology)), HttpStatusCode.OK);

        Assert.Equal("USE_CHECK_DECISION_PERMIT", (string?)check["decision"]);
        Assert.Equal(use.UseId, (string?)check["useId"]);
        Assert.Equal("LAWFUL_BASIS_KIND_OWN_CONSENT", (string?)check["lawfulBasis"]);
    }

    [Fact]
    public async Task A_use_never_proposed_is_denied_over_rest_with_the_rule_code_of_each_reason_as_over_grpc()
    {
        var a = new ConsentClient(fixture.App, TrustA);
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);

        var check = await Json(await Clinician(TrustA).PostAsJsonAsync("/consent/v1/uses:check", Check(patient, technology)), HttpStatusCode.OK);

        Assert.Equal("USE_CHECK_DECISION_DENY", (string?)check["decision"]);
        var restRules = check["reasons"]!.AsArray().Select(r => (string?)r!["rule"]).ToList();
        Assert.NotEmpty(restRules);
        Assert.All(check["reasons"]!.AsArray(), r => Assert.False(string.IsNullOrWhiteSpace((string?)r!["message"])));
        var grpc = await a.CheckAsync(patient, technology);
        Assert.Equal(grpc.Reasons.Select(r => r.Rule), restRules);
    }

    [Fact]
    public async Task A_refused_record_comes_back_as_problem_details_with_the_rule_code_and_the_use_stays_proposed()
    {
        var a = new ConsentClient(fixture.App, TrustA);
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand.Under16);
        await a.GillickAsync(patient, technology, competent: false);
        await a.ConsentAsync(patient, technology);
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));

        var problem = await Problem(await Clinician(TrustA).PostAsync($"/consent/v1/uses/{proposed.UseId}:activate", null),
            HttpStatusCode.BadRequest, "lawful-basis.under-16-no-verified-parental-responsibility");

        Assert.Equal("platform.consent", (string?)problem["domain"]);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "use-check.not-started");
    }

    [Fact]
    public async Task Bad_input_is_a_400_problem_naming_the_field_as_the_caller_sent_it()
    {
        var problem = await Problem(await Clinician(TrustA).PostAsJsonAsync("/consent/v1/uses:check", Check("not-an-id", Guid.NewGuid().ToString())),
            HttpStatusCode.BadRequest, rule: null);

        Assert.StartsWith("patient-id.", (string?)problem["code"]);
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal("patientId", (string?)error!["field"]);
        Assert.Equal((string?)problem["code"], (string?)error["reason"]);
    }

    [Fact]
    public async Task A_caller_without_the_role_gets_403_with_rule_role_required_and_no_token_gets_401()
    {
        var procurement = fixture.App.ClientFor(TrustA, "procurement-lead");
        var check = Check(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

        var problem = await Problem(await procurement.PostAsJsonAsync("/consent/v1/uses:check", check), HttpStatusCode.Forbidden, "role.required");
        Assert.Equal("clinician,device", (string?)problem["metadata"]!["roles"]);

        var anonymous = await fixture.App.CreateHttpClient().PostAsJsonAsync("/consent/v1/uses:check", check);
        await Problem(anonymous, HttpStatusCode.Unauthorized, rule: null);
    }

    [Fact]
    public async Task Another_trust_gets_404_for_a_patient_over_rest_and_the_owning_trust_reads_it()
    {
        var a = new ConsentClient(fixture.App, TrustA);
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);

        var read = await Json(await Clinician(TrustA).GetAsync($"/consent/v1/patients/{patient}"), HttpStatusCode.OK);
        Assert.Equal(patient, (string?)read["patientId"]);
        Assert.Equal("OAK", (string?)read["wardCode"]);

        await Problem(await Clinician(TrustB).GetAsync($"/consent/v1/patients/{patient}"), HttpStatusCode.NotFound, rule: null);
        await Problem(await Clinician(TrustB).PostAsJsonAsync("/consent/v1/uses:check", Check(patient, technology)), HttpStatusCode.NotFound, rule: null);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_rest_routes_and_needs_a_token()
    {
        var document = await Json(await Clinician(TrustA).GetAsync("/openapi/v1.json"), HttpStatusCode.OK);

        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/consent/v1/uses:check"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.NotNull(paths["/consent/v1/uses:check"]!["post"]);
        Assert.NotNull(paths["/consent/v1/patients/{patient_id}"]?["get"] ?? paths["/consent/v1/patients/{patientId}"]?["get"]);
        Assert.NotNull(paths["/consent/v1/consents"]?["post"]);
        // Methods without a route (the trust's own settings, approvals) are gRPC only.
        Assert.DoesNotContain(paths, p => p.Key.Contains("approval", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.App.CreateHttpClient().GetAsync("/openapi/v1.json")).StatusCode);
    }
}
