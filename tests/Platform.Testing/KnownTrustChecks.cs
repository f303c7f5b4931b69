using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Platform.Messaging.CloudEvents;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// "Only known trusts, one at a time", as a caller of any service meets it over HTTP: a token of a trust the directory
/// never onboarded, or naming two trusts, or none, is refused with 403 problem details that say why; a token from
/// another issuer is 401; and a trust the directory onboards (its trust_onboarded event delivered as Dapr would) is
/// accepted from then on, and refused again once suspended (trust_changed).
/// </summary>
public static class KnownTrustChecks
{
    public static async Task UnknownDoubleAndForeignTokensAreRefusedAsync<TProgram>(ServiceFactory<TProgram> app) where TProgram : class
    {
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(app, app.Tokens.Mint("RX3"))).Status);

        var unknown = await MeAsync(app, app.Tokens.Mint("ZZZ"));
        Assert.Equal(HttpStatusCode.Forbidden, unknown.Status);
        Assert.Contains("ZZZ is not a trust of this region", unknown.Detail);

        var two = await MeAsync(app, app.Tokens.MintForTrusts(["RX3", "RTQ"]));
        Assert.Equal(HttpStatusCode.Forbidden, two.Status);
        Assert.Contains("names 2 trusts", two.Detail);

        var none = await MeAsync(app, app.Tokens.MintForTrusts([]));
        Assert.Equal(HttpStatusCode.Forbidden, none.Status);
        Assert.Contains("names no trust", none.Detail);

        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(app, app.Tokens.Mint("RX3", issuer: "https://someone-else.example/"))).Status);
    }

    public static async Task ATrustIsKnownFromItsOnboardingEventUntilSuspendedAsync<TProgram>(ServiceFactory<TProgram> app, string odsCode) where TProgram : class
    {
        var token = app.Tokens.Mint(odsCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(app, token)).Status);

        using var http = app.CreateHttpClient();
        var onboarded = await SidecarDelivery.RouteForAsync(http, "identity.trust_onboarded.v1");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, onboarded,
            Event("platform.identity.trust_onboarded.v1", odsCode, $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust"}""").ToJson()));
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(app, token)).Status);

        var changed = await SidecarDelivery.RouteForAsync(http, "identity.trust_changed.v1");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, changed,
            Event("platform.identity.trust_changed.v1", odsCode, $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust","status":"TRUST_STATUS_SUSPENDED"}""").ToJson()));
        var suspended = await MeAsync(app, token);
        Assert.Equal(HttpStatusCode.Forbidden, suspended.Status);
        Assert.Contains("suspended", suspended.Detail);

        // An event about one trust written for another is not the directory's: dropped, and nothing changes.
        Assert.Equal((HttpStatusCode.OK, "DROP"), await SidecarDelivery.DeliverAsync(http, onboarded,
            Event("platform.identity.trust_onboarded.v1", "RX3", $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust"}""").ToJson()));
        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(app, token)).Status);
    }

    private static CloudEvent Event(string type, string tenant, string data) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Source = "/identity",
        Type = type,
        Subject = tenant,
        Time = DateTimeOffset.UtcNow,
        Tenant = tenant,
        DataJson = data,
    };

    private static async Task<(HttpStatusCode Status, string Detail)> MeAsync<TProgram>(ServiceFactory<TProgram> app, string token) where TProgram : class
    {
        using var http = app.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/me");
        var body = await response.Content.ReadAsStringAsync();
        var detail = response.IsSuccessStatusCode || body.Length == 0 ? "" : JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString() ?? "";
        return (response.StatusCode, detail);
    }
}
