using System.Net;
using Grpc.Core;
using Platform.Gateway.Tests.Echo;
using Platform.Gateway.Tests.Proxy;
using Platform.Testing;
using StackExchange.Redis;
using Xunit;

namespace Platform.Gateway.Tests.Limits;

public class IdempotencyTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static Metadata Key(string key) => new() { { "Idempotency-Key", key } };

    [Fact]
    public async Task A_retried_grpc_write_with_the_same_key_acts_once_and_the_retry_gets_the_first_answer()
    {
        var echo = fixture.Gateway.Echo(GatewayHost.Token("RID"));
        var before = fixture.Upstream.Writes;
        var first = echo.RecordThingAsync(new EchoRequest { Text = "a" }, Key("grpc-key-1"));
        var firstReply = await first.ResponseAsync;
        var retry = echo.RecordThingAsync(new EchoRequest { Text = "a" }, Key("grpc-key-1"));
        var retryReply = await retry.ResponseAsync;

        Assert.Equal(before + 1, fixture.Upstream.Writes);
        Assert.Equal(firstReply, retryReply);
        Assert.Null((await first.ResponseHeadersAsync).GetValue("idempotent-replayed"));
        Assert.Equal("true", (await retry.ResponseHeadersAsync).GetValue("idempotent-replayed"));
        Assert.Equal(StatusCode.OK, retry.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_retried_rest_write_with_the_same_key_acts_once_and_the_key_is_kept_for_24_hours()
    {
        var http = fixture.Gateway.Http(GatewayHost.Token("RIE"));
        var before = fixture.Upstream.RestWrites;
        async Task<HttpResponseMessage> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/echo/records") { Content = new StringContent("{\"thing\":1}") };
            request.Headers.Add("Idempotency-Key", "rest-key-1");
            return await http.SendAsync(request);
        }

        using var first = await Post();
        using var retry = await Post();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(before + 1, fixture.Upstream.RestWrites);

        var redis = await ConnectionMultiplexer.ConnectAsync((await RedisServer.SharedAsync()).Endpoint);
        var server = redis.GetServers().Single();
        var key = Assert.Single(server.Keys(pattern: "gw:idem:{RIE}:*"));
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task The_same_key_on_a_different_request_is_refused_and_changes_nothing()
    {
        var echo = fixture.Gateway.Echo(GatewayHost.Token("RIF"));
        await echo.RecordThingAsync(new EchoRequest { Text = "a" }, Key("grpc-key-2"));
        var writes = fixture.Upstream.Writes;
        var reused = await Assert.ThrowsAsync<RpcException>(() => echo.RecordThingAsync(new EchoRequest { Text = "b" }, Key("grpc-key-2")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, reused.StatusCode);
        Assert.Contains("Idempotency-Key was used for a different request", reused.Status.Detail);
        Assert.Equal(writes, fixture.Upstream.Writes);
    }

    [Fact]
    public async Task A_key_belongs_to_one_client_of_one_trust()
    {
        var before = fixture.Upstream.Writes;
        await fixture.Gateway.Echo(GatewayHost.Token("RIG", "epr-1")).RecordThingAsync(new EchoRequest { Text = "a" }, Key("shared-looking-key"));
        await fixture.Gateway.Echo(GatewayHost.Token("RIG", "epr-2")).RecordThingAsync(new EchoRequest { Text = "a" }, Key("shared-looking-key"));
        await fixture.Gateway.Echo(GatewayHost.Token("RIH", "epr-1")).RecordThingAsync(new EchoRequest { Text = "a" }, Key("shared-looking-key"));
        Assert.Equal(before + 3, fixture.Upstream.Writes);
    }

    [Fact]
    public async Task A_failure_the_caller_should_retry_frees_the_key_so_the_retry_acts()
    {
        var echo = fixture.Gateway.Echo(GatewayHost.Token("RII"));
        var before = fixture.Upstream.Writes;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var failed = await Assert.ThrowsAsync<RpcException>(() => echo.RecordThingAsync(new EchoRequest { Mode = "fail" }, Key("grpc-key-3")).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        }
        Assert.Equal(before + 2, fixture.Upstream.Writes);
    }

    [Fact]
    public async Task A_read_ignores_the_key()
    {
        var echo = fixture.Gateway.Echo(GatewayHost.Token("RIJ"));
        var before = fixture.Upstream.Writes;
        await echo.GetThingAsync(new EchoRequest(), Key("read-key"));
        var second = echo.GetThingAsync(new EchoRequest(), Key("read-key"));
        await second;
        Assert.Equal(before + 2, fixture.Upstream.Writes);
        Assert.Null((await second.ResponseHeadersAsync).GetValue("idempotent-replayed"));
    }

    [Fact]
    public async Task A_retry_while_the_first_request_is_under_way_is_refused_and_then_replayed()
    {
        fixture.Upstream.ResetSignals();
        var http = fixture.Gateway.Http(GatewayHost.Token("RIK"));
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/echo/slow-records") { Content = new StringContent("{}") };
            request.Headers.Add("Idempotency-Key", "slow-key");
            return request;
        }

        var before = fixture.Upstream.RestWrites;
        var first = http.SendAsync(Post());
        await fixture.Upstream.Reached.Task.WaitAsync(Bound);
        using (var during = await http.SendAsync(Post()))
        {
            Assert.Equal(HttpStatusCode.Conflict, during.StatusCode);
            Assert.Contains("still under way", await during.Content.ReadAsStringAsync());
        }
        fixture.Upstream.ReleaseStream.TrySetResult();
        using var firstResponse = await first.WaitAsync(Bound);
        using var after = await http.SendAsync(Post());
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.Equal(await firstResponse.Content.ReadAsStringAsync(), await after.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, fixture.Upstream.RestWrites);
    }

    [Fact]
    public async Task A_malformed_key_is_refused_naming_the_header()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Gateway.Echo(GatewayHost.Token("RIL")).RecordThingAsync(new EchoRequest(), Key(new string('k', 300))).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("Idempotency-Key must be", refused.Status.Detail);
    }
}
