using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>The explorer page is served by the gateway with every asset its own: nothing from a CDN.</summary>
[Collection(Dashboard.Name)]
public sealed partial class ExplorerTests(DashboardHosts hosts)
{
    [Fact]
    public async Task The_page_and_every_script_and_style_it_names_come_from_the_gateway()
    {
        var client = hosts.Gateway.Client(null);

        var page = await client.GetAsync("/graphql/explorer");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var assets = Assets().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Equal(6, assets.Count);
        Assert.All(assets, url => Assert.StartsWith("/graphql/explorer/", url));
        foreach (var url in assets)
        {
            var asset = await client.GetAsync(url);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, url);
            Assert.True((await asset.Content.ReadAsByteArrayAsync()).Length > 100, url);
        }

        Assert.DoesNotMatch("https?://", html);
    }

    /// <summary>
    /// In a real browser (Debian's Chromium, driven by playwright-core: tests/interop/graphql/explorer-browser.mjs) the
    /// page loads, takes a developer's token and runs its query against the gateway; the screenshot is kept in the
    /// run's results (artifacts/graphql-explorer.png). No browser is a failure, not a skip: tools/test.sh installs it.
    /// </summary>
    [Fact]
    public async Task In_a_real_browser_the_explorer_runs_its_query_with_the_pasted_token_and_shows_the_trusts_data()
    {
        var trust = Seed.NewTrust();
        await Seed.TechnologiesAsync(hosts, trust, 2, evidencePerTechnology: 1);
        var screenshot = Path.Combine(InteropNode.ArtifactsDirectory(), "graphql-explorer.png");
        File.Delete(screenshot);
        var explorer = new Uri(hosts.Gateway.Address, "/graphql/explorer").ToString();

        var (exit, output, error) = await InteropNode.RunAsync("playwright-core", "graphql/explorer-browser.mjs", [explorer, screenshot, $"Sensor 2 of {trust}"],
            new Dictionary<string, string>
            {
                ["GRAPHQL_TOKEN"] = TestTokens.Shared.Mint(trust, GatewayHost.DashboardRoles),
                ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1",
            });

        Assert.True(exit == 0, $"the browser run failed (exit {exit}): {error}");
        var seen = JsonNode.Parse(output)!;
        var response = seen["response"]!.GetValue<string>();
        Assert.Contains($"\"odsCode\": \"{trust}\"", response);
        Assert.Contains($"Sensor 1 of {trust}", response);
        Assert.Contains("\"totalCount\": 1", response);
        Assert.DoesNotContain("\"errors\"", response);
        Assert.All(seen["requests"]!.AsArray().Select(r => r!.GetValue<string>()),
            url => Assert.StartsWith(hosts.Gateway.Address.GetLeftPart(UriPartial.Authority) + "/graphql", url));
        Assert.Empty(seen["pageErrors"]!.AsArray());
        // GraphiQL asks for the schema as the page loads, before a token is pasted: those requests are refused (401),
        // and nothing else may fail.
        Assert.All(seen["consoleErrors"]!.AsArray().Select(e => e!.GetValue<string>()), e => Assert.Contains("status of 401", e));
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was not kept");
    }

    [Fact]
    public async Task There_is_no_explorer_in_production()
    {
        var production = await hosts.StartGatewayAsync(environment: "Production");

        var page = await production.Client(null).GetAsync("/graphql/explorer");

        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Assets();
}
