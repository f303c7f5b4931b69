using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Identity.Api.Application;
using Platform.Identity.Domain;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// A trust's own identity provider (played by <see cref="LocalIdentityProvider"/>): its users' tokens become platform
/// tokens for that trust only (RFC 8693 token exchange by the trust's EPR client), with the roles their claims map to.
/// </summary>
public sealed class FederationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>, IAsyncLifetime
{
    private LocalIdentityProvider _idp = null!;

    public async Task InitializeAsync() => _idp = await LocalIdentityProvider.StartAsync();

    public async Task DisposeAsync() => await _idp.DisposeAsync();

    private NewIdentityProvider Provider(string audience) => new("Trust IdP", _idp.Issuer, audience, _idp.JwksUri,
        [new RoleMapping("roles", "Nurse", Roles.Clinician), new RoleMapping("roles", "WardLead", Roles.WardManager), new RoleMapping("groups", "ig", Roles.IgLead)]);

    private Task<TokenResponse> ExchangeAsync((string Id, string Secret) client, string subjectToken, string type = "urn:ietf:params:oauth:token-type:jwt") =>
        fixture.RequestTokenAsync([
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", type),
        ], client);

    [Fact]
    public async Task A_users_token_from_the_trusts_own_provider_becomes_a_platform_token_for_that_trust_with_mapped_roles()
    {
        var client = await fixture.OnboardAsync("FDA1", providers: [Provider("platform-fda1")], allowTokenExchange: true);
        var userToken = _idp.Issue("staff-42", "platform-fda1", [("roles", "Nurse"), ("roles", "Porter"), ("groups", "ig")]);

        var response = await ExchangeAsync(client, userToken);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", response.Body.GetProperty("issued_token_type").GetString());
        var jwt = new JsonWebToken(response.AccessToken);
        Assert.Equal(fixture.Issuer, jwt.Issuer);
        Assert.Equal(["FDA1"], jwt.Claims.Where(c => c.Type == "tenant").Select(c => c.Value));
        Assert.Equal([Roles.Clinician, Roles.IgLead], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order());
        Assert.EndsWith("/staff-42", jwt.Subject);
        Assert.Equal(HttpStatusCode.OK, (await fixture.MeAsync(response.AccessToken!)).Status);
    }

    [Fact]
    public async Task A_token_from_trust_As_provider_presented_by_trust_Bs_client_is_refused()
    {
        await fixture.OnboardAsync("FDB1", providers: [Provider("platform-fdb1")], allowTokenExchange: true);
        var clientOfB = await fixture.OnboardAsync("FDB2", providers: [Provider("platform-fdb2")], allowTokenExchange: true);
        var tokenForA = _idp.Issue("staff-7", "platform-fdb1", [("roles", "Nurse")]);

        var response = await ExchangeAsync(clientOfB, tokenForA);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (response.Status, response.Error));
        Assert.Contains("another trust", response.Body.GetProperty("error_description").GetString());
        Assert.Null(response.AccessToken);
    }

    [Fact]
    public async Task One_issuer_and_audience_can_be_trusted_for_one_trust_only()
    {
        await fixture.OnboardAsync("FDC1", providers: [Provider("platform-fdc1")]);
        await fixture.OnboardAsync("FDC2");
        var again = await fixture.AsRegion(d => d.RegisterIdentityProviderAsync("FDC2", Provider("platform-fdc1"), default));
        Assert.Equal("identity-provider.other-trust", again.Refusal?.Rule);
        // The same issuer with an audience of the second trust's own is fine (CIS2 serves every trust).
        Assert.False((await fixture.AsRegion(d => d.RegisterIdentityProviderAsync("FDC2", Provider("platform-fdc2"), default))).IsRefused);
    }

    [Fact]
    public async Task Expired_not_yet_valid_wrong_audience_unsigned_and_foreign_signed_user_tokens_are_invalid_grant()
    {
        var client = await fixture.OnboardAsync("FDD1", providers: [Provider("platform-fdd1")], allowTokenExchange: true);
        var now = DateTime.UtcNow;
        var expired = _idp.Issue("u1", "platform-fdd1", [("roles", "Nurse")], notBefore: now.AddHours(-2), expires: now.AddHours(-1));
        var notYet = _idp.Issue("u1", "platform-fdd1", [("roles", "Nurse")], notBefore: now.AddHours(1), expires: now.AddHours(2));
        var otherAudience = _idp.Issue("u1", "someone-else", [("roles", "Nurse")]);
        var foreignKey = _idp.Issue("u1", "platform-fdd1", [("roles", "Nurse")], signWith: LocalIdentityProvider.NewKey());
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _idp.Issuer, Audience = "platform-fdd1", Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "u1", ["roles"] = "Nurse" },
        });
        Assert.Equal("none", new JsonWebToken(unsigned).Alg);

        foreach (var (name, token) in new[] { ("expired", expired), ("not yet valid", notYet), ("wrong audience", otherAudience), ("foreign key", foreignKey), ("alg none", unsigned) })
        {
            var response = await ExchangeAsync(client, token);
            Assert.True(response.Error == "invalid_grant" && response.AccessToken is null, $"{name}: {response.Body}");
        }
        // The same provider's well-formed token still works: the refusals above were for what was wrong with each.
        Assert.Equal(HttpStatusCode.OK, (await ExchangeAsync(client, _idp.Issue("u1", "platform-fdd1", [("roles", "Nurse")]))).Status);
    }

    [Fact]
    public async Task A_user_whose_claims_map_to_no_role_gets_nothing()
    {
        var client = await fixture.OnboardAsync("FDE1", providers: [Provider("platform-fde1")], allowTokenExchange: true);
        var response = await ExchangeAsync(client, _idp.Issue("visitor", "platform-fde1", [("roles", "Visitor")]));
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task When_the_provider_rotates_its_keys_the_new_key_is_fetched_at_once()
    {
        var client = await fixture.OnboardAsync("FDF1", providers: [Provider("platform-fdf1")], allowTokenExchange: true);
        Assert.Equal(HttpStatusCode.OK, (await ExchangeAsync(client, _idp.Issue("u1", "platform-fdf1", [("roles", "Nurse")]))).Status);
        _idp.Rotate();
        Assert.Equal(HttpStatusCode.OK, (await ExchangeAsync(client, _idp.Issue("u1", "platform-fdf1", [("roles", "Nurse")]))).Status);
    }

    [Fact]
    public async Task A_client_of_a_trust_without_providers_cannot_exchange_anything()
    {
        await fixture.OnboardAsync("FDG1", providers: [Provider("platform-fdg1")]);
        var client = await fixture.OnboardAsync("FDG2", allowTokenExchange: true);
        var response = await ExchangeAsync(client, _idp.Issue("u1", "platform-fdg1", [("roles", "Nurse")]));
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task The_follow_up_roles_map_from_a_providers_claims_and_region_analyst_cannot_come_from_a_trusts_provider()
    {
        var provider = new NewIdentityProvider("Trust IdP", _idp.Issuer, "platform-fdh1", _idp.JwksUri,
        [
            new RoleMapping("roles", "IG", Roles.IgLead), new RoleMapping("roles", "CSO", Roles.ClinicalSafetyOfficer),
            new RoleMapping("groups", "evidence", Roles.EvidenceReviewer), new RoleMapping("roles", "WardLead", Roles.WardManager),
        ]);
        var client = await fixture.OnboardAsync("FDH1", providers: [provider], allowTokenExchange: true);
        var response = await ExchangeAsync(client, _idp.Issue("staff-9", "platform-fdh1", [("roles", "IG"), ("roles", "CSO"), ("groups", "evidence"), ("roles", "WardLead")]));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(new[] { Roles.ClinicalSafetyOfficer, Roles.EvidenceReviewer, Roles.IgLead, Roles.WardManager },
            new JsonWebToken(response.AccessToken).Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order(StringComparer.Ordinal));

        // A trust's provider speaks for that trust's staff only; the region's analysts get region clients' tokens.
        var analyst = await fixture.AsRegion(d => d.RegisterIdentityProviderAsync("FDH1",
            new NewIdentityProvider("Trust IdP", _idp.Issuer, "platform-fdh1-analysts", _idp.JwksUri, [new RoleMapping("roles", "Analyst", Roles.RegionAnalyst)]), default));
        Assert.Equal("role-mappings.role", analyst.Refusal?.Rule);
    }
}
