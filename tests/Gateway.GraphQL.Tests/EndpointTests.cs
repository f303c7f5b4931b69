using System.Net;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

[CollectionDefinition(Name)]
public sealed class Dashboard : ICollectionFixture<DashboardHosts>
{
    public const string Name = "dashboard";
}

/// <summary>GraphQL over HTTP as the specification has it, as a client sees it.</summary>
[Collection(Dashboard.Name)]
public sealed class EndpointTests(DashboardHosts hosts)
{
    private const string Technologies = "query Technologies($first: Int) { trust { odsCode technologies(first: $first) { edges { node { name } } } } }";

    [Fact]
    public async Task A_post_is_answered_in_graphql_response_json_with_the_trusts_data()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 2);

        var (response, body) = await hosts.Gateway.Client(trust).PostAsync(Technologies, new { first = 5 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GraphQLHttp.ResponseType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(trust, body!["data"]!["trust"]!["odsCode"]!.GetValue<string>());
        Assert.Equal([$"Sensor 1 of {trust}", $"Sensor 2 of {trust}"],
            body["data"]!["trust"]!["technologies"]!["edges"]!.AsArray().Select(e => e!["node"]!["name"]!.GetValue<string>()));
        Assert.Null(body["errors"]);
    }

    [Fact]
    public async Task A_get_runs_the_named_operation_with_its_variables()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 3);
        const string two = "query Other { trust { odsCode } } " + Technologies;

        var (response, body) = await hosts.Gateway.Client(trust).GetAsync(two, new { first = 1 }, operationName: "Technologies");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(body!["data"]!["trust"]!["technologies"]!["edges"]!.AsArray());
    }

    [Fact]
    public async Task A_document_that_does_not_validate_is_a_400_in_the_new_media_type_and_a_200_in_application_json()
    {
        var client = hosts.Gateway.Client(Seed.NewTrust());

        var (strict, strictBody) = await client.PostAsync("{ trust { nosuchfield } }");
        var (legacy, legacyBody) = await client.PostAsync("{ trust { nosuchfield } }", accept: "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Null(strictBody!["data"]);
        Assert.Contains("nosuchfield", strictBody["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, legacy.StatusCode);
        Assert.Equal("application/json", legacy.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(legacyBody!["errors"]);
    }

    [Fact]
    public async Task Requests_that_are_not_graphql_requests_are_refused_with_the_status_that_says_why()
    {
        var client = hosts.Gateway.Client(Seed.NewTrust());

        var (notJson, notJsonBody) = await client.SendJsonAsync("{ this is not json");
        var (noQuery, noQueryBody) = await client.SendJsonAsync("{\"variables\": {}}");
        var (wrongType, _) = await client.SendJsonAsync("{ trust { odsCode } }", contentType: "text/plain");
        var (unacceptable, _) = await client.PostAsync("{ trust { odsCode } }", accept: "text/html");
        var put = await client.PutAsync("/graphql", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(["BAD_REQUEST"], notJsonBody.ErrorCodes());
        Assert.Equal(HttpStatusCode.BadRequest, noQuery.StatusCode);
        Assert.Equal(["BAD_REQUEST"], noQueryBody.ErrorCodes());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable, unacceptable.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Fact]
    public async Task A_caller_without_a_token_is_refused()
    {
        var (response, _) = await hosts.Gateway.Client(null).PostAsync("{ trust { odsCode } }");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_services_refusal_comes_back_as_an_error_with_its_path_and_code_beside_the_data_that_was_allowed()
    {
        var trust = Seed.NewTrust();

        // A clinician may see the register but not the audit log (auditors only).
        var (response, body) = await hosts.Gateway.Client(trust, "clinician").PostAsync("{ trust { odsCode auditEntries(first: 5) { edges { node { type } } } } }");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(trust, body!["data"]!["trust"]!["odsCode"]!.GetValue<string>());
        var error = body["errors"]![0]!;
        Assert.Equal("FORBIDDEN", error["extensions"]!["code"]!.GetValue<string>());
        Assert.Equal(["trust", "auditEntries"], error["path"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Contains("auditor role", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_persisted_query_is_asked_for_by_hash_registered_once_and_then_run_by_hash_alone()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 1);
        var client = hosts.Gateway.Client(trust);
        const string query = "{ trust { technologies(first: 3) { edges { node { name } } } } }";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query)));
        var extensions = new { persistedQuery = new { version = 1, sha256Hash = hash } };

        var (_, unknown) = await client.PostAsync(null!, extensions: extensions);
        var (_, registered) = await client.PostAsync(query, extensions: extensions);
        var (_, byHash) = await client.PostAsync(null!, extensions: extensions);
        var (mismatch, mismatchBody) = await client.PostAsync("{ trust { odsCode } }", extensions: extensions);

        Assert.Equal(["PERSISTED_QUERY_NOT_FOUND"], unknown.ErrorCodes());
        Assert.Equal($"Sensor 1 of {trust}", registered!["data"]!["trust"]!["technologies"]!["edges"]![0]!["node"]!["name"]!.GetValue<string>());
        Assert.Equal(registered.ToJsonString(), byHash!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal(["PERSISTED_QUERY_HASH_MISMATCH"], mismatchBody.ErrorCodes());
    }
}
