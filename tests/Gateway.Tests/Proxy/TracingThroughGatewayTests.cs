using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Platform.Gateway.Tests.Echo;
using Platform.ServiceDefaults.Telemetry;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests.Proxy;

/// <summary>
/// Tracing at the gateway is switched by its one setting, the OTLP endpoint: on, a call's trace continues through the
/// gateway (its own server span, and its call to the service under it, whose context the service receives); off, the
/// gateway adds nothing to a call (no trace context of its own; a caller's is forwarded as it came).
/// </summary>
public class TracingThroughGatewayTests(ProxyFixture untraced) : IClassFixture<ProxyFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _token = GatewayHost.Token("RGR");

    [Fact]
    public async Task With_tracing_on_the_gateway_continues_the_callers_trace_and_hands_the_service_its_own_span()
    {
        var spans = new ExportedSpans();
        await using var upstream = await EchoUpstream.StartAsync();
        var redis = await RedisServer.SharedAsync();
        // Nothing listens at the collector's address: the spans are read from an in-memory exporter beside it.
        await using var gateway = await GatewayHost.StartAsync(upstream, redis.Endpoint,
            new Dictionary<string, string?> { [TelemetryExtensions.OtlpEndpointSetting] = $"http://127.0.0.1:{FreePort.Next()}" },
            services: services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
        // The caller's own span, sampled: its call carries the context (W3C traceparent).
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;

        var reply = await gateway.Echo(_token).SayAsync(new EchoRequest { Text = "traced" });
        caller.Stop();

        var received = Traceparent.Parse(reply.Headers["traceparent"]);
        Assert.Equal(caller.TraceId, received.TraceId);
        // The route's template, not the service's method: the gateway's own server span.
        var gatewaySpan = await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server
            && s.DisplayName == "POST /platform.gatewaytest.v1.Echo/{**method}").WaitAsync(Bound);
        var handedOn = await spans.WaitForAsync(s => s.SpanId == received.ParentId).WaitAsync(Bound);
        Assert.Equal(ActivityKind.Client, handedOn.Kind);
        Assert.Equal(gatewaySpan.SpanId, handedOn.ParentSpanId);
    }

    [Fact]
    public async Task With_tracing_off_the_gateway_adds_no_trace_context_and_forwards_the_callers_as_it_came()
    {
        var alone = await Call(untraced.Gateway, []);
        Assert.False(alone.Headers.ContainsKey("traceparent"), $"the service got a traceparent from the gateway: {alone.Headers.GetValueOrDefault("traceparent")}");

        var caller = Caller();
        var forwarded = await Call(untraced.Gateway, caller.Headers);
        Assert.Equal(caller.Header, forwarded.Headers["traceparent"]);
    }

    // A channel of the test's own that adds no trace context (a tracer provider in this process would hear its
    // HttpClient too): what reaches the gateway is the caller's header or nothing.
    private async Task<EchoReply> Call(GatewayHost gateway, Metadata headers)
    {
        using var channel = GrpcChannel.ForAddress(gateway.App.GrpcAddress, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = null } });
        headers.Add("authorization", "Bearer " + _token);
        return await new Echo.Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "traced?" }, headers, DateTime.UtcNow.Add(Bound));
    }

    private sealed record CallerTrace(ActivityTraceId TraceId, ActivitySpanId SpanId, string Header)
    {
        public Metadata Headers => new() { { "traceparent", Header } };
    }

    private static CallerTrace Caller()
    {
        var trace = ActivityTraceId.CreateRandom();
        var span = ActivitySpanId.CreateRandom();
        return new CallerTrace(trace, span, $"00-{trace.ToHexString()}-{span.ToHexString()}-01");
    }

    private readonly record struct Traceparent(ActivityTraceId TraceId, ActivitySpanId ParentId)
    {
        public static Traceparent Parse(string header)
        {
            var parts = header.Split('-');
            Assert.True(parts.Length == 4, $"not one W3C traceparent: {header}");
            return new Traceparent(ActivityTraceId.CreateFromString(parts[1]), ActivitySpanId.CreateFromString(parts[2]));
        }
    }
}
