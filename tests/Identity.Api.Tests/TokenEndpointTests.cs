using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Platform.Identity.Domain;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// The token endpoint as an integrator meets it: client credentials for a trust's client, the token's claims, and the
/// RFC 6749 section 5.2 errors for what is wrong with a request.
/// </summary>
public sealed class TokenEndpointTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private static KeyValuePair<string, string> Field(string name, string value) => new(name, value);

    [Fact]
    public async Task A_trusts_client_gets_a_short_lived_signed_token_for_exactly_its_trust_with_its_roles_and_scopes()
    {
        var (id, secret) = await fixture.OnboardAsync("TKA1", ClientKind.Epr, [Roles.Clinician, Roles.WardManager], ["consent", "audit"]);

        var response = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials")], (id, secret));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("Bearer", response.Body.GetProperty("token_type").GetString());
        Assert.InRange(response.Body.GetProperty("expires_in").GetInt32(), 1, 600);
        var jwt = new JsonWebToken(response.AccessToken);
        Assert.Equal(fixture.Issuer, jwt.Issuer);
        Assert.Equal(["platform"], jwt.Audiences);
        Assert.Equal(id, jwt.Subject);
        Assert.Equal(["TKA1"], jwt.Claims.Where(c => c.Type == "tenant").Select(c => c.Value));
        Assert.Equal([Roles.Clinician, Roles.WardManager], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order());
        Assert.Equal("audit consent", string.Join(' ', jwt.GetClaim("scope").Value.Split(' ').Order()));
        Assert.Equal("RS256", jwt.Alg);
        Assert.True(jwt.ValidTo - jwt.IssuedAt <= TimeSpan.FromMinutes(10));

        // The platform's services (here the identity service's own /me) accept it.
        var me = await fixture.MeAsync(response.AccessToken!);
        Assert.Equal(HttpStatusCode.OK, me.Status);
        Assert.Contains("\"tenant\":\"TKA1\"", me.Body);
    }

    [Fact]
    public async Task Secrets_may_also_come_in_the_body_and_a_narrower_scope_gives_a_narrower_token()
    {
        var (id, secret) = await fixture.OnboardAsync("TKA2", scopes: ["consent", "evidence"]);
        var response = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials"), Field("client_id", id), Field("client_secret", secret), Field("scope", "evidence")]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("evidence", new JsonWebToken(response.AccessToken).GetClaim("scope").Value);
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_client_with_401_and_a_challenge()
    {
        var (id, _) = await fixture.OnboardAsync("TKB1");
        var response = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials")], (id, "not-the-secret"));
        Assert.Equal("invalid_client", response.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Null(response.AccessToken);
    }

    [Fact]
    public async Task An_unknown_client_is_invalid_client()
    {
        var response = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials"), Field("client_id", "nobody"), Field("client_secret", "whatever")]);
        Assert.Equal("invalid_client", response.Error);
        Assert.Null(response.AccessToken);
    }

    [Fact]
    public async Task A_scope_the_client_was_not_registered_for_is_invalid_scope_and_so_is_an_unknown_scope()
    {
        var (id, secret) = await fixture.OnboardAsync("TKC1", scopes: ["consent"]);
        var notGranted = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials"), Field("scope", "consent audit")], (id, secret));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_scope"), (notGranted.Status, notGranted.Error));
        Assert.Contains("audit", notGranted.Body.GetProperty("error_description").GetString());

        var unknown = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials"), Field("scope", "everything")], (id, secret));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_scope"), (unknown.Status, unknown.Error));
    }

    [Fact]
    public async Task A_grant_type_the_service_does_not_offer_is_unsupported_grant_type()
    {
        var (id, secret) = await fixture.OnboardAsync("TKD1");
        var password = await fixture.RequestTokenAsync([Field("grant_type", "password"), Field("username", "u"), Field("password", "p")], (id, secret));
        Assert.Equal((HttpStatusCode.BadRequest, "unsupported_grant_type"), (password.Status, password.Error));
        var code = await fixture.RequestTokenAsync([Field("grant_type", "authorization_code"), Field("code", "x")], (id, secret));
        Assert.Equal("unsupported_grant_type", code.Error);
    }

    [Fact]
    public async Task A_request_without_a_grant_type_is_invalid_request()
    {
        var (id, secret) = await fixture.OnboardAsync("TKE1");
        var response = await fixture.RequestTokenAsync([Field("scope", "consent")], (id, secret));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.Status, response.Error));
    }

    [Fact]
    public async Task A_token_exchange_with_a_subject_token_no_trust_provider_issued_is_invalid_grant()
    {
        var (id, secret) = await fixture.OnboardAsync("TKF1", allowTokenExchange: true);
        var response = await fixture.RequestTokenAsync([
            Field("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            Field("subject_token", "not-a-jwt"),
            Field("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        ], (id, secret));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (response.Status, response.Error));
    }

    [Fact]
    public async Task A_client_not_registered_for_token_exchange_may_not_use_it()
    {
        var (id, secret) = await fixture.OnboardAsync("TKF2", allowTokenExchange: false);
        var response = await fixture.RequestTokenAsync([
            Field("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            Field("subject_token", "a.b.c"),
            Field("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        ], (id, secret));
        Assert.Equal("unauthorized_client", response.Error);
    }

    [Fact]
    public async Task A_suspended_trusts_clients_get_no_tokens_until_it_is_reinstated()
    {
        var (id, secret) = await fixture.OnboardAsync("TKG1");
        Assert.False((await fixture.AsRegion(d => d.ChangeTrustAsync("TKG1", null, TrustStatus.Suspended, default))).IsRefused);
        var refused = await fixture.RequestTokenAsync([Field("grant_type", "client_credentials")], (id, secret));
        Assert.Equal("unauthorized_client", refused.Error);
        Assert.Contains("suspended", refused.Body.GetProperty("error_description").GetString());

        Assert.False((await fixture.AsRegion(d => d.ChangeTrustAsync("tkg1", null, TrustStatus.Active, default))).IsRefused);
        Assert.Equal(HttpStatusCode.OK, (await fixture.RequestTokenAsync([Field("grant_type", "client_credentials")], (id, secret))).Status);
    }

    [Fact]
    public async Task The_region_operators_bootstrap_client_gets_a_token_with_no_trust()
    {
        var token = await fixture.ClientTokenAsync(IdentityFixture.OperatorClientId, IdentityFixture.OperatorSecret);
        var jwt = new JsonWebToken(token);
        Assert.DoesNotContain(jwt.Claims, c => c.Type == "tenant");
        Assert.Equal([Roles.RegionOperator], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
    }

    [Fact]
    public async Task Discovery_names_the_token_endpoint_the_keys_the_grants_and_the_client_authentication_methods()
    {
        using var http = fixture.App.CreateHttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration"));
        var root = doc.RootElement;
        Assert.Equal(fixture.Issuer, root.GetProperty("issuer").GetString());
        Assert.Equal(new Uri(fixture.App.HttpAddress, "connect/token").AbsoluteUri, root.GetProperty("token_endpoint").GetString());
        var jwksUri = root.GetProperty("jwks_uri").GetString()!;
        Assert.Contains("client_credentials", root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("urn:ietf:params:oauth:grant-type:token-exchange", root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("password", root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        var methods = root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("private_key_jwt", methods);
        Assert.Contains("client_secret_basic", methods);

        using var jwks = JsonDocument.Parse(await http.GetStringAsync(jwksUri));
        var key = jwks.RootElement.GetProperty("keys").EnumerateArray().First();
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _), "The JWKS must publish public keys only.");
    }
}
