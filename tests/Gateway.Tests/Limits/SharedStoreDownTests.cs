using System.Net;
using System.Text.Json;
using Grpc.Core;
using Platform.Gateway.Tests.Echo;
using Platform.Gateway.Tests.Proxy;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Limits;

public class SharedStoreDownTests
{
    [Fact]
    public async Task When_Redis_stops_keys_are_refused_before_the_service_and_limits_go_on_per_replica_and_health_says_so()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        var redis = await RedisServer.StartOwnAsync();
        await using var gateway = await GatewayHost.StartAsync(upstream, redis.Endpoint, TwoReplicasFixture.SmallLimits);
        var echo = gateway.Echo(GatewayHost.Token("RDN", "epr-1"));
        var keyed = new Metadata { { "Idempotency-Key", "before-the-outage" } };
        await echo.RecordThingAsync(new EchoRequest { Text = "a" }, keyed);
        Assert.Equal("Healthy", await SharedStoreHealth(gateway));

        await redis.DisposeAsync();

        var writes = upstream.Writes;
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            echo.RecordThingAsync(new EchoRequest { Text = "b" }, new Metadata { { "Idempotency-Key", "during-the-outage" } }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("shared store does not answer. Nothing was sent to the service", refused.Status.Detail);
        Assert.Equal(writes, upstream.Writes);

        // Without a key the call goes through, counted by this replica alone: its client's 3 per minute still hold.
        var client = gateway.Echo(GatewayHost.Token("RDN", "epr-2"));
        for (var i = 0; i < 3; i++) await client.SayAsync(new EchoRequest());
        var limited = await Assert.ThrowsAsync<RpcException>(() => client.SayAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);

        Assert.Equal("Degraded", await SharedStoreHealth(gateway));
    }

    private static async Task<string> SharedStoreHealth(GatewayHost gateway)
    {
        using var response = await gateway.Http(null).GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("checks").GetProperty("shared-store").GetProperty("status").GetString()!;
    }
}
