using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// graphql-js (npm), the reference implementation, checks our endpoint (tests/interop/graphql/conformance.mjs): the
/// schema our introspection describes is a valid schema there, and every document of a corpus gets the same verdict
/// from both.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class GraphQLJsConformanceTests(DashboardHosts hosts)
{
    [Fact]
    public async Task Our_introspection_builds_a_valid_schema_in_graphql_js()
    {
        var file = await IntrospectionFileAsync();

        var (exit, sdl, error) = await NodeAsync("schema", file);

        Assert.True(exit == 0, error);
        Assert.Contains("type Technology", sdl);
        Assert.Contains("scalar DateTime", sdl);
        Assert.Contains("The caller's own trust, taken from the token", sdl);
    }

    [Fact]
    public async Task Every_document_of_the_corpus_gets_the_same_verdict_from_graphql_js_and_from_us()
    {
        var file = await IntrospectionFileAsync();
        var corpusFile = Path.Combine(Interop(), "graphql", "corpus.json");

        var (exit, output, error) = await NodeAsync("verdicts", file, corpusFile);
        Assert.True(exit == 0, error);
        var theirs = JsonSerializer.Deserialize<Dictionary<string, string>>(output)!;

        var client = hosts.Gateway.Client(Seed.NewTrust(), "clinician");
        var ours = new Dictionary<string, string>();
        foreach (var entry in JsonNode.Parse(await File.ReadAllTextAsync(corpusFile))!.AsArray())
        {
            // A document of several operations is run naming one, as a request must (validation judges the whole document).
            var (response, body) = await client.PostAsync(entry!["document"]!.GetValue<string>(), variables: new { n = 1, s = false },
                operationName: entry["operationName"]?.GetValue<string>());
            var refused = response.StatusCode == HttpStatusCode.BadRequest && body?["data"] is null;
            ours[entry["name"]!.GetValue<string>()] = refused ? "invalid" : "valid";
        }

        Assert.Contains("valid", theirs.Values);
        Assert.Contains("invalid", theirs.Values);
        var differ = theirs.Where(t => ours[t.Key] != t.Value).Select(t => $"{t.Key}: graphql-js {t.Value}, ours {ours[t.Key]}").ToList();
        Assert.True(differ.Count == 0, string.Join(Environment.NewLine, differ));
    }

    private async Task<string> IntrospectionFileAsync()
    {
        var (exit, query, error) = await NodeAsync("introspection-query");
        Assert.True(exit == 0, error);
        var (response, body) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync(query);
        Assert.True(response.StatusCode == HttpStatusCode.OK && body?["errors"] is null, body?.ToJsonString());
        var file = Path.Combine(Path.GetTempPath(), $"introspection-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, body!.ToJsonString());
        return file;
    }

    private static Task<(int Exit, string Output, string Error)> NodeAsync(params string[] arguments) =>
        InteropNode.RunAsync("graphql", "graphql/conformance.mjs", arguments);

    private static string Interop() => InteropNode.Directory();
}
