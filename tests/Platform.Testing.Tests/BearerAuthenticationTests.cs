using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.ServiceDefaults;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Tenancy;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>
/// The bearer scheme every service uses, end to end over HTTP: a token already validated takes the short way
/// (<see cref="PlatformBearerHandler"/>) and must mean exactly what it meant the first time; anything else is refused.
/// </summary>
public sealed class BearerAuthenticationTests
{
    [Fact]
    public async Task A_remembered_token_keeps_its_caller_and_anything_else_is_refused()
    {
        await using var app = await StartAsync(app =>
            app.MapGet("/me", (HttpContext http) => $"{http.User.FindFirst("sub")?.Value} {http.User.FindFirst("tenant")?.Value} {string.Join(',', http.User.FindAll("roles").Select(c => c.Value))}"));

        var scheme = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(JwtBearerDefaults.AuthenticationScheme);
        Assert.Equal(typeof(PlatformBearerHandler), scheme!.HandlerType);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        async Task<(HttpStatusCode Status, string Body)> Get(string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var alice = TestTokens.Shared.Mint("RX3", roles: ["clinician"], subject: "alice");
        var bob = TestTokens.Shared.Mint("RX4", roles: ["device"], subject: "bob");
        for (var i = 0; i < 3; i++) // the first validates in full, the rest are remembered
        {
            Assert.Equal((HttpStatusCode.OK, "alice RX3 clinician"), await Get($"Bearer {alice}"));
            Assert.Equal((HttpStatusCode.OK, "bob RX4 device"), await Get($"bearer  {bob} "));
        }

        var tampered = alice[..^4] + (alice[^4] == 'A' ? "B" : "A") + alice[^3..];
        var otherAudience = TestTokens.Shared.Mint("RX3", subject: "alice", audience: "someone-else");
        var otherIssuer = TestTokens.Shared.Mint("RX3", subject: "alice", issuer: "https://elsewhere.test");
        foreach (var refused in new[] { $"Bearer {tampered}", $"Bearer {otherAudience}", $"Bearer {otherIssuer}", $"Basic {alice}", alice, "Bearer ", null })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(refused)).Status);
        }
        Assert.Equal((HttpStatusCode.OK, "alice RX3 clinician"), await Get($"Bearer {alice}"));
        await app.StopAsync();
    }

    [Fact]
    public async Task What_one_request_does_to_its_caller_never_reaches_the_next_request_with_the_same_token()
    {
        await using var app = await StartAsync(app =>
        {
            app.MapGet("/me", (HttpContext http) => $"{http.User.FindFirst("tenant")?.Value} {string.Join(',', http.User.FindAll("roles").Select(c => c.Value))}");
            app.MapPost("/escalate", (HttpContext http) =>
            {
                // A request may add an identity of its own to its principal; the bearer identity itself is shared and refuses.
                http.User.AddIdentity(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("roles", "trust-admin")]));
                string changed;
                try { ((System.Security.Claims.ClaimsIdentity)http.User.Identity!).AddClaim(new System.Security.Claims.Claim("roles", "region")); changed = "changed"; }
                catch (InvalidOperationException) { changed = "refused"; }
                return $"{changed} {http.User.HasClaim("roles", "trust-admin")}";
            });
        });

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {TestTokens.Shared.Mint("RX3", roles: ["device"])}");
        Assert.Equal("RX3 device", await http.GetStringAsync("/me")); // validated in full, then remembered
        for (var i = 0; i < 2; i++)
        {
            using var escalate = await http.PostAsync("/escalate", null);
            Assert.Equal((HttpStatusCode.OK, "refused True"), (escalate.StatusCode, await escalate.Content.ReadAsStringAsync()));
            Assert.Equal("RX3 device", await http.GetStringAsync("/me"));
        }
        await app.StopAsync();
    }

    [Fact]
    public async Task A_tenant_context_kept_past_its_request_answers_no_tenant_rather_than_a_later_callers()
    {
        TenantContext? kept = null;
        CurrentActor? keptActor = null;
        await using var app = await StartAsync(app => app.MapGet("/tenant", (HttpContext http) =>
        {
            var tenant = http.RequestServices.GetRequiredService<TenantContext>();
            var actor = http.RequestServices.GetRequiredService<CurrentActor>();
            kept ??= tenant;
            keptActor ??= actor;
            return $"{tenant.TenantId} {actor.Get().Subject} {kept.TenantId}";
        }));

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        async Task<string> Get(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/tenant");
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
            using var response = await http.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Equal("RX3 alice RX3", await Get(TestTokens.Shared.Mint("RX3", subject: "alice")));
        Assert.Null(kept!.TenantId); // its request has ended
        Assert.Equal(Actor.System, keptActor!.Get());
        // Another trust's caller, served next (on the same connection, by the same pooled request objects), is not seen
        // through the context kept from the first request.
        Assert.Equal("RX4 bob ", await Get(TestTokens.Shared.Mint("RX4", subject: "bob")));
        Assert.Null(kept.TenantId);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_request_cannot_switch_its_scope_to_another_trust_than_its_token_names()
    {
        await using var app = await StartAsync(app => app.MapGet("/switch/{to}", (HttpContext http, string to) =>
        {
            var tenant = http.RequestServices.GetRequiredService<TenantContext>();
            try { tenant.Use(to); return $"now {tenant.TenantId}"; }
            catch (InvalidOperationException) { return $"refused, still {tenant.TenantId}"; }
        }));

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {TestTokens.Shared.Mint("RX3")}");
        Assert.Equal("refused, still RX3", await http.GetStringAsync("/switch/RX4"));
        Assert.Equal("now RX3", await http.GetStringAsync("/switch/RX3"));
        await app.StopAsync();
    }

    /// <summary>A web app with the platform's service defaults (the bearer scheme among them), started on a free port.</summary>
    private static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder();
        // Port 0: Kestrel binds a free port itself (no window for another test to take it); app.Urls then holds the bound one.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(TestTokens.Shared.AuthConfiguration());
        builder.AddServiceDefaults();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }
}
