using System.Net;
using Grpc.Core;
using Platform.Gateway.Tests.Echo;
using Platform.Gateway.Tests.Proxy;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Limits;

/// <summary>Two gateway replicas on one Redis, with small limits: 3 calls per client and 4 per trust in each minute.</summary>
public sealed class TwoReplicasFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> SmallLimits = new()
    {
        ["Gateway:RateLimits:PerClient:Permits"] = "3",
        ["Gateway:RateLimits:PerClient:Window"] = "00:01:00",
        ["Gateway:RateLimits:PerTrust:Permits"] = "4",
        ["Gateway:RateLimits:PerTrust:Window"] = "00:01:00",
    };

    public EchoUpstream Upstream { get; private set; } = null!;
    public GatewayHost A { get; private set; } = null!;
    public GatewayHost B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await EchoUpstream.StartAsync();
        var redis = await RedisServer.SharedAsync();
        // Both replicas' clocks read the same time, as synchronised servers' clocks do.
        var start = DateTimeOffset.UtcNow;
        A = await GatewayHost.StartAsync(Upstream, redis.Endpoint, SmallLimits, start);
        B = await GatewayHost.StartAsync(Upstream, redis.Endpoint, SmallLimits, start);
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

public class RateLimitTests(TwoReplicasFixture fixture) : IClassFixture<TwoReplicasFixture>
{
    [Fact]
    public async Task A_client_over_its_limit_is_refused_until_its_window_passes()
    {
        var token = GatewayHost.Token("RL1", "device-7");
        var http = fixture.A.Http(token);
        for (var remaining = 2; remaining >= 0; remaining--)
        {
            using var ok = await http.GetAsync("/echo/headers");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("3", ok.Headers.GetValues("RateLimit-Limit").Single());
            Assert.Equal(remaining.ToString(), ok.Headers.GetValues("RateLimit-Remaining").Single());
        }

        using var refused = await http.GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("client device-7", await refused.Content.ReadAsStringAsync());

        var grpc = await Assert.ThrowsAsync<RpcException>(() => fixture.A.Echo(token).SayAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Contains("rate limit for client device-7", grpc.Status.Detail);

        fixture.A.Clock.Advance(TimeSpan.FromMinutes(1));
        fixture.B.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("", (await fixture.A.Echo(token).SayAsync(new EchoRequest())).Text);
    }

    [Fact]
    public async Task A_trusts_limit_is_shared_by_its_clients_and_by_every_replica_and_spares_other_trusts()
    {
        using (var r = await fixture.A.Http(GatewayHost.Token("RL2", "epr-1")).GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await fixture.A.Http(GatewayHost.Token("RL2", "epr-1")).GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await fixture.B.Http(GatewayHost.Token("RL2", "epr-2")).GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await fixture.B.Http(GatewayHost.Token("RL2", "epr-2")).GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        // A third client of the same trust, on either replica: the trust's 4 are used up.
        using var refused = await fixture.A.Http(GatewayHost.Token("RL2", "epr-3")).GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("trust RL2", await refused.Content.ReadAsStringAsync());

        using var otherTrust = await fixture.B.Http(GatewayHost.Token("RL3", "epr-1")).GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.OK, otherTrust.StatusCode);
    }

    [Fact]
    public async Task A_forged_tenant_header_neither_spends_nor_escapes_another_trusts_limit()
    {
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/echo/headers");
            request.Headers.Add("X-Tenant", "RL5");
            using var r = await fixture.A.Http(GatewayHost.Token("RL4", $"epr-{i}")).SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        using var victim = await fixture.A.Http(GatewayHost.Token("RL5", "epr-1")).GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.OK, victim.StatusCode);
        using var attacker = await fixture.A.Http(GatewayHost.Token("RL4", "epr-9")).GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.TooManyRequests, attacker.StatusCode);
    }
}
