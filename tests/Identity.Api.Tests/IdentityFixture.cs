using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Identity.Api.Application;
using Platform.Identity.Domain;
using Platform.Testing;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// The identity service on its own PostgreSQL database, its issuer at its own address (services trust that issuer and
/// fetch its JWKS), over plain HTTP as in the local runner, with a bootstrap region operator client.
/// </summary>
public class IdentityFixture : IAsyncLifetime
{
    public const string OperatorClientId = "region-ops";
    public const string OperatorSecret = "region-ops-test-secret-0123456789";

    private readonly string _protectionKeys = Directory.CreateTempSubdirectory("identity-dp-").FullName;

    public ServiceFactory<Program> App { get; private set; } = null!;

    /// <summary>The issuer, exactly as tokens carry it.</summary>
    public string Issuer => App.HttpAddress.AbsoluteUri;

    public async Task InitializeAsync()
    {
        App = await ServiceFactory<Program>.StartOnPostgresAsync("identity", new Dictionary<string, string?>
        {
            ["Identity:AllowHttp"] = "true",
            ["Identity:Federation:AllowHttpJwks"] = "true",
            ["Identity:SigningKeys:ProtectionKeysDirectory"] = _protectionKeys,
            ["Identity:Bootstrap:RegionOperatorClientId"] = OperatorClientId,
            ["Identity:Bootstrap:RegionOperatorClientSecret"] = OperatorSecret,
            ["Auth:Jwks"] = "",
        }, addressed: http => new Dictionary<string, string?>
        {
            ["Identity:Issuer"] = http.AbsoluteUri,
            ["Auth:Issuer"] = http.AbsoluteUri,
            ["Auth:JwksUri"] = new Uri(http, ".well-known/jwks").AbsoluteUri,
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(_protectionKeys, recursive: true);
    }

    /// <summary>Runs <paramref name="work"/> on the directory as a region-level caller (no tenant).</summary>
    public async Task<T> AsRegion<T>(Func<TrustDirectory, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TrustDirectory>());
    }

    /// <summary>Onboards a trust with one client of <paramref name="kind"/> in <paramref name="roles"/>; returns the client's id and secret.</summary>
    public async Task<(string ClientId, string Secret)> OnboardAsync(string ods, ClientKind kind = ClientKind.Epr, string[]? roles = null, string[]? scopes = null,
        IReadOnlyList<NewIdentityProvider>? providers = null, bool allowTokenExchange = false)
    {
        var onboarded = await AsRegion(d => d.OnboardTrustAsync(ods, $"Trust {ods}", providers ?? [],
            [new NewClient(null, kind, null, roles ?? [Roles.Clinician], scopes ?? [], null, allowTokenExchange)], default));
        Assert.False(onboarded.IsRefused, onboarded.Refusal?.Message);
        var client = Assert.Single(onboarded.Value.Clients);
        return (client.Client.ClientId, client.Secret!);
    }

    /// <summary>Posts a form to the token endpoint, with HTTP Basic client authentication when <paramref name="basic"/> is given.</summary>
    public async Task<TokenResponse> RequestTokenAsync(IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? basic = null)
    {
        using var http = App.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is { } b)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(b.Id)}:{Uri.EscapeDataString(b.Secret)}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new TokenResponse(response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), response.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>A client_credentials token for the client; fails the test if none is issued.</summary>
    public async Task<string> ClientTokenAsync(string clientId, string secret, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scope is not null) form.Add(new("scope", scope));
        var response = await RequestTokenAsync(form, (clientId, secret));
        Assert.True(response.Status == HttpStatusCode.OK, response.Body.ToString());
        return response.AccessToken!;
    }

    /// <summary>GET /me on the identity service itself (a resource server like every other) with <paramref name="token"/>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> MeAsync(string token)
    {
        using var http = App.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/me");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

public sealed record TokenResponse(HttpStatusCode Status, JsonElement Body, string WwwAuthenticate)
{
    public string? Error => Body.TryGetProperty("error", out var e) ? e.GetString() : null;

    public string? AccessToken => Body.TryGetProperty("access_token", out var t) ? t.GetString() : null;
}
