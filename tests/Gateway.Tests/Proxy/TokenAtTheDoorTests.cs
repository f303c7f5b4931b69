using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Gateway.Tests.Echo;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

/// <summary>
/// The door's rules hold on a token's every use, not only its first: after its first use a token's identity is
/// remembered (CachingTokenHandler) and whether it acts for exactly one trust is judged once for it
/// (RememberedIdentityPolicyEvaluator), so each refusal is asked for twice.
/// </summary>
public class TokenAtTheDoorTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    [Fact]
    public async Task A_token_naming_two_trusts_is_refused_on_every_use_with_the_reason()
    {
        var token = TestTokens.Shared.MintForTrusts(["RDA", "RDB"]);
        for (var use = 1; use <= 2; use++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Gateway.Echo(token).SayAsync(new EchoRequest { Text = "x" }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.Contains("names 2 trusts (RDA, RDB)", refused.Status.Detail);
        }
    }

    [Fact]
    public async Task A_token_whose_tenant_is_not_an_ODS_code_is_refused_on_every_use()
    {
        var token = GatewayHost.Token("not a trust");
        for (var use = 1; use <= 2; use++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Gateway.Echo(token).SayAsync(new EchoRequest { Text = "x" }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.Contains("is not an ODS code", refused.Status.Detail);
        }
    }

    [Fact]
    public async Task An_expired_token_or_one_for_another_audience_is_refused_and_a_good_one_passes_on_every_use()
    {
        var expired = TestTokens.Shared.Mint("RDC", lifetime: TimeSpan.FromMinutes(5), notBefore: DateTime.UtcNow.AddMinutes(-10));
        var otherAudience = TestTokens.Shared.Mint("RDC", audience: "another-platform");
        foreach (var token in new[] { expired, otherAudience, expired })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Gateway.Echo(token).SayAsync(new EchoRequest { Text = "x" }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        var good = GatewayHost.Token("RDC");
        for (var use = 1; use <= 2; use++) Assert.Equal("ok", (await fixture.Gateway.Echo(good).SayAsync(new EchoRequest { Text = "ok" })).Text);
    }

    [Fact]
    public async Task The_short_way_is_taken_only_for_a_remembered_identity_alone_under_the_tenant_user_policy()
    {
        var services = fixture.Gateway.App.Services;
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        Assert.IsType<RememberedIdentityPolicyEvaluator>(evaluator);
        var tenantUser = (await services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync())!;
        using var scope = services.CreateScope();

        async Task<PolicyAuthorizationResult> Authorize(AuthorizationPolicy policy, params ClaimsIdentity[] identities)
        {
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = new ClaimsPrincipal(identities) };
            return await evaluator.AuthorizeAsync(policy, AuthenticateResult.Success(new AuthenticationTicket(context.User, "test")), context, null);
        }

        static RememberedIdentity Remembered(params string[] tenants) =>
            new(new ClaimsIdentity(tenants.Select(t => new Claim("tenant", t)).Append(new Claim("sub", "someone")), "Bearer"));

        Assert.True((await Authorize(tenantUser, Remembered("RDD"))).Succeeded);
        Assert.True((await Authorize(tenantUser, Remembered("RDD", "RDE"))).Forbidden);
        Assert.True((await Authorize(tenantUser, Remembered())).Forbidden);
        // A second identity naming another trust makes two trusts: the rule reads the whole principal.
        Assert.True((await Authorize(tenantUser, Remembered("RDD"), new ClaimsIdentity([new Claim("tenant", "RDE")], "other"))).Forbidden);
        // Another policy is the default evaluator's, whatever the identity.
        var stricter = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new SingleTrustRequirement()).RequireRole("auditor").Build();
        Assert.True((await Authorize(stricter, Remembered("RDD"))).Forbidden);
    }
}
