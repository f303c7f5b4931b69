using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

public class RestThroughGatewayTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private HttpClient Http => fixture.Gateway.Http(GatewayHost.Token("RRS"));

    [Fact]
    public async Task Hop_by_hop_headers_stop_at_the_gateway_and_forwarding_headers_are_the_gateways_own()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo/headers");
        request.Headers.Connection.Add("X-Hop-Secret");
        request.Headers.Add("X-Hop-Secret", "for the gateway only");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
        request.Headers.Add("X-Forwarded-For", "203.0.113.66");
        request.Headers.Add("X-End-To-End", "kept");
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.NotNull(seen);
        Assert.Equal("kept", seen["x-end-to-end"]);
        Assert.StartsWith("Bearer ", seen["authorization"]);
        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
        Assert.Equal("http", seen["x-forwarded-proto"]);
        Assert.False(seen.ContainsKey("x-hop-secret"), "a header named by Connection was forwarded");
        Assert.False(seen.ContainsKey("keep-alive"));
        Assert.False(seen.ContainsKey("proxy-authorization"));
    }

    [Fact]
    public async Task A_response_body_streams_to_the_caller_while_the_service_is_still_writing()
    {
        fixture.Upstream.ResetSignals();
        using var response = await Http.GetAsync("/echo/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("first", await reader.ReadLineAsync().WaitAsync(Bound));
        fixture.Upstream.ReleaseStream.TrySetResult();
        Assert.Equal("second", await reader.ReadLineAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_request_body_streams_to_the_service_before_the_caller_has_sent_all_of_it()
    {
        fixture.Upstream.ResetSignals();
        var pipe = new Pipe();
        var content = new StreamContent(pipe.Reader.AsStream());
        var sending = Http.PostAsync("/echo/upload", content);
        // More than the client's and the gateway's write buffers, so the first part is sent without waiting for the end.
        await pipe.Writer.WriteAsync(new byte[256 * 1024]);
        await fixture.Upstream.FirstChunkRead.Task.WaitAsync(Bound);
        await pipe.Writer.WriteAsync(new byte[500]);
        await pipe.Writer.CompleteAsync();
        using var response = await sending.WaitAsync(Bound);
        Assert.Equal(256 * 1024 + 500, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_services_event_dapr_and_probe_routes_are_not_served_through_the_gateway()
    {
        foreach (var path in new[] { "/echo/events/x", "/echo/dapr/subscribe", "/echo/health/ready" })
        {
            using var response = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_rest_call_without_a_token_is_refused_401()
    {
        using var response = await fixture.Gateway.Http(null).GetAsync("/echo/headers");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
