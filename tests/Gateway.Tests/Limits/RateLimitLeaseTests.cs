using System.Net;
using Platform.Gateway.Tests.Proxy;
using Platform.Testing;
using StackExchange.Redis;
using Xunit;

namespace Platform.Gateway.Tests.Limits;

/// <summary>
/// Two gateway replicas on a Redis server of their own, each leasing a quarter of a client's limit of 40 at a time
/// (leases of 10): the replicas together admit the limit and never more, and Redis is asked once per lease, not once
/// per request (ADR 0020, amendment on leases).
/// </summary>
public class RateLimitLeaseTests
{
    private static readonly Dictionary<string, string?> Leased = new()
    {
        ["Gateway:RateLimits:PerClient:Permits"] = "40",
        ["Gateway:RateLimits:PerClient:Window"] = "00:01:00",
        ["Gateway:RateLimits:PerTrust:Permits"] = "1000",
        ["Gateway:RateLimits:PerTrust:Window"] = "00:01:00",
        ["Gateway:RateLimits:LeaseFraction"] = "0.25",
        ["Gateway:RateLimits:MaxLease"] = "10",
    };

    [Fact]
    public async Task Two_replicas_leasing_a_clients_limit_admit_exactly_the_limit_between_them_with_one_Redis_call_per_lease()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        await using var redis = await RedisServer.StartOwnAsync();
        var start = DateTimeOffset.UtcNow;
        await using var a = await GatewayHost.StartAsync(upstream, redis.Endpoint, Leased, start);
        await using var b = await GatewayHost.StartAsync(upstream, redis.Endpoint, Leased, start);
        var token = GatewayHost.Token("LS1", "device-1");
        var viaA = a.Http(token);
        var viaB = b.Http(token);

        // A leases 10 and spends 5; the remaining count it reports is the client's own.
        for (var i = 1; i <= 5; i++)
        {
            using var ok = await viaA.GetAsync("/echo/headers");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal((40 - i).ToString(), ok.Headers.GetValues("RateLimit-Remaining").Single());
        }

        // B leases the rest, 10 at a time: 30 requests, and A's unspent 5 count as used in what B reports.
        var admittedByB = 0;
        HttpResponseMessage refusedByB;
        while (true)
        {
            var response = await viaB.GetAsync("/echo/headers");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refusedByB = response;
                break;
            }
            admittedByB++;
            Assert.True(admittedByB <= 40, "B admitted more than the client's whole limit");
            response.Dispose();
        }
        Assert.Equal(30, admittedByB);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedByB.StatusCode);
        Assert.Equal("0", refusedByB.Headers.GetValues("RateLimit-Remaining").Single());
        refusedByB.Dispose();

        // A still spends the 5 it holds, then is refused too: 40 admitted in all, the limit and no more.
        for (var i = 0; i < 5; i++)
        {
            using var ok = await viaA.GetAsync("/echo/headers");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var refusedByA = await viaA.GetAsync("/echo/headers"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refusedByA.StatusCode);
            Assert.Contains("client device-1", await refusedByA.Content.ReadAsStringAsync());
        }

        // 42 requests, and Redis ran the lease script 11 times: for the client, its 4 leases of 10 and A's refused
        // renewal (B knew the budget was all leased out and did not ask); for the trust, A's 2 leases and B's 4.
        // A plain shared counter would have run a script for each of the 42.
        Assert.Equal(11, await ScriptCallsAsync(redis));

        // The next window starts afresh on both replicas.
        a.Clock.Advance(TimeSpan.FromMinutes(1));
        b.Clock.Advance(TimeSpan.FromMinutes(1));
        using (var ok = await viaB.GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var ok = await viaA.GetAsync("/echo/headers")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private static async Task<long> ScriptCallsAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        var info = await connection.GetServer(redis.Endpoint).InfoAsync("commandstats");
        return info.SelectMany(group => group)
            .Where(stat => stat.Key is "cmdstat_eval" or "cmdstat_evalsha")
            .Sum(stat => long.Parse(stat.Value.Split(',')[0]["calls=".Length..]));
    }
}
