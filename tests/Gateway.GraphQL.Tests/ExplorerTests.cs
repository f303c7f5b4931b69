using System.Net;
using System.Text.RegularExpressions;
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
