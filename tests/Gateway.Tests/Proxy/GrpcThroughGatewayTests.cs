using Grpc.Core;
using Platform.Gateway.Tests.Echo;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

public class GrpcThroughGatewayTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _token = GatewayHost.Token("RGR");

    private Echo.Echo.EchoClient Echo => fixture.Gateway.Echo(_token);

    [Fact]
    public async Task All_four_call_types_pass_through_the_gateway_with_their_trailers()
    {
        var unary = Echo.SayAsync(new EchoRequest { Text = "hello" });
        Assert.Equal("hello", (await unary.ResponseAsync).Text);
        Assert.Equal("kept", unary.GetTrailers().GetValue("echo-trailer"));

        using var repeat = Echo.Repeat(new EchoRequest { Text = "item", Count = 3 });
        var items = new List<string>();
        await foreach (var reply in repeat.ResponseStream.ReadAllAsync()) items.Add(reply.Text);
        Assert.Equal(["item 0", "item 1", "item 2"], items);

        using var gather = Echo.Gather();
        foreach (var text in new[] { "a", "b", "c" }) await gather.RequestStream.WriteAsync(new EchoRequest { Text = text });
        await gather.RequestStream.CompleteAsync();
        Assert.Equal("a,b,c", (await gather.ResponseAsync).Text);

        // Each reply arrives before the next request is sent: both directions stream through the gateway, unbuffered.
        using var chat = Echo.Chat();
        foreach (var text in new[] { "one", "two" })
        {
            await chat.RequestStream.WriteAsync(new EchoRequest { Text = text });
            Assert.True(await chat.ResponseStream.MoveNext());
            Assert.Equal("re: " + text, chat.ResponseStream.Current.Text);
        }
        await chat.RequestStream.CompleteAsync();
        Assert.False(await chat.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, chat.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_services_refusal_reaches_the_caller_with_its_status_message_and_trailers()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => Echo.SayAsync(new EchoRequest { Mode = "fail" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("The thing is not ready: approve it first.", refused.Status.Detail);
        Assert.Equal("thing.not_ready", refused.Trailers.GetValue("platform-rule"));
    }

    [Fact]
    public async Task The_service_gets_the_callers_token_and_forwarding_headers_the_gateway_set_not_forged_ones()
    {
        var reply = await Echo.SayAsync(new EchoRequest { Text = "x" }, new Metadata { { "x-forwarded-for", "203.0.113.66" }, { "x-forwarded-host", "evil.example" } });
        Assert.Equal("Bearer " + _token, reply.Headers["authorization"]);
        Assert.Equal("127.0.0.1", reply.Headers["x-forwarded-for"]);
        Assert.Equal("http", reply.Headers["x-forwarded-proto"]);
        Assert.StartsWith("127.0.0.1:", reply.Headers["x-forwarded-host"]);
    }

    [Fact]
    public async Task A_call_without_a_valid_token_is_refused_at_the_door_and_never_reaches_the_service()
    {
        var before = fixture.Upstream.Writes;
        foreach (var token in new string?[]
        {
            null,
            "not-a-jwt",
            TestTokens.Shared.Mint("RGR", issuer: "https://someone-else.example"),
            TestTokens.Shared.Mint("RGR", lifetime: TimeSpan.FromMinutes(-10)),
            new TestTokens().Mint("RGR"),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Gateway.Echo(token).RecordThingAsync(new EchoRequest { Text = "x" }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }
        Assert.Equal(before, fixture.Upstream.Writes);
    }

    [Fact]
    public async Task A_caller_that_cancels_cancels_the_call_at_the_service()
    {
        fixture.Upstream.ResetSignals();
        using var cancel = new CancellationTokenSource();
        using var chat = Echo.Chat(cancellationToken: cancel.Token);
        await chat.RequestStream.WriteAsync(new EchoRequest { Text = "one" });
        Assert.True(await chat.ResponseStream.MoveNext());
        cancel.Cancel();
        await fixture.Upstream.Cancelled.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_service_that_refuses_connections_is_unavailable_with_a_message_naming_the_route()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Gateway.Absent(_token).PingAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("'absent-grpc' is not accepting connections", refused.Status.Detail);

        using var rest = await fixture.Gateway.Http(_token).GetAsync("/absent/anything");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, rest.StatusCode);
        Assert.Contains("not accepting connections", await rest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_service_that_does_not_answer_within_the_route_timeout_is_a_deadline_and_the_service_is_cancelled()
    {
        // Connections to the service are open before the clock of the route's short timeout starts.
        await Echo.SayAsync(new EchoRequest());
        using (await fixture.Gateway.Http(_token).GetAsync("/echo/headers")) { }

        fixture.Upstream.ResetSignals();
        var late = await Assert.ThrowsAsync<RpcException>(() => Echo.HangAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
        Assert.Contains("'echo-hang' did not answer in time", late.Status.Detail);
        await fixture.Upstream.Reached.Task.WaitAsync(Bound);
        await fixture.Upstream.Cancelled.Task.WaitAsync(Bound);

        fixture.Upstream.ResetSignals();
        using var rest = await fixture.Gateway.Http(_token).GetAsync("/echo/slow");
        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, rest.StatusCode);
        await fixture.Upstream.Reached.Task.WaitAsync(Bound);
        await fixture.Upstream.Cancelled.Task.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_stream_the_service_resets_mid_way_fails_the_caller_at_once_instead_of_hanging()
    {
        fixture.Upstream.ResetSignals();
        using var repeat = Echo.Repeat(new EchoRequest { Text = "item", Count = 5, Mode = "reset" }, deadline: DateTime.UtcNow + Bound);
        Assert.True(await repeat.ResponseStream.MoveNext());
        Assert.Equal("item 0", repeat.ResponseStream.Current.Text);
        fixture.Upstream.ReleaseStream.TrySetResult();
        var broken = await Assert.ThrowsAsync<RpcException>(() => repeat.ResponseStream.MoveNext());
        Assert.NotEqual(StatusCode.OK, broken.StatusCode);
        Assert.NotEqual(StatusCode.DeadlineExceeded, broken.StatusCode);
    }
}
