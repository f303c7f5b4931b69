using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc.Tests.Interop;
using Platform.Grpc.Tests.Probe;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests;

/// <summary>
/// Grpc.AspNetCore as the services configure it, with the probe and interop services, a raw endpoint that answers
/// with whatever grpc-message it is told to, and a record of each call's grpc-timeout header by the call's x-case.
/// </summary>
public sealed class WireFixture : IAsyncLifetime
{
    private GrpcTestHost? _host;

    public Uri Address => _host!.Address;

    public ConcurrentDictionary<string, string> Timeouts { get; } = new();

    public HttpClient Raw { get; } = new(new SocketsHttpHandler());

    public async Task InitializeAsync() =>
        _host = await GrpcTestHost.StartAsync(
            app =>
            {
                app.MapGrpcService<ProbeService>();
                app.MapGrpcService<InteropTestService>();
                // A peer that sends a status message exactly as given (Grpc.AspNetCore would encode it properly).
                app.MapPost("/raw.Status/Send", context =>
                {
                    context.Response.ContentType = "application/grpc";
                    context.Response.Headers["grpc-status"] = "2";
                    context.Response.Headers["grpc-message"] = context.Request.Headers["x-send-message"].ToString();
                    return Task.CompletedTask;
                });
            },
            services: s => s.AddSingleton(new ProbeRecorder()),
            middleware: app => app.Use((context, next) =>
            {
                if (context.Request.Headers.TryGetValue("x-case", out var name))
                {
                    Timeouts[name.ToString()] = context.Request.Headers["grpc-timeout"].ToString();
                }

                return next(context);
            }));

    public async Task DisposeAsync()
    {
        Raw.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class ProtocolEncodingTests(WireFixture wire) : IClassFixture<WireFixture>
{
    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3_000)]
    [InlineData("99999999m", 99_999_999)]
    public async Task Grpc_timeout_values_in_each_unit_become_the_calls_deadline(string value, long expectedMilliseconds)
    {
        var (status, reply) = await RawProbeAsync(value);
        Assert.Equal("0", status);
        Assert.InRange(reply!.DeadlineRemainingMs, expectedMilliseconds - 2_000, expectedMilliseconds);
    }

    [Theory]
    [InlineData("250m", 250)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2)]
    public async Task Short_grpc_timeouts_in_each_unit_bound_the_call(string value, double expectedMilliseconds)
    {
        // So short that the deadline may pass before the method runs: then DEADLINE_EXCEEDED, else at most that long left.
        var (status, reply) = await RawProbeAsync(value);
        Assert.True(status is "0" or "4", $"grpc-status {status}");
        if (status == "0")
        {
            // At most that long left; below zero when the method ran after it had passed (no deadline would read as forever).
            Assert.True(reply!.DeadlineRemainingMs <= (long)Math.Ceiling(expectedMilliseconds), $"{reply.DeadlineRemainingMs} ms left");
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(250)]
    [InlineData(99_999)]
    [InlineData(86_400_000)]
    [InlineData(30L * 86_400_000)]
    public async Task Grpc_net_client_sends_a_timeout_of_at_most_eight_digits_that_never_shortens_the_deadline(double milliseconds)
    {
        using var channel = GrpcChannel.ForAddress(wire.Address);
        var name = milliseconds.ToString(CultureInfo.InvariantCulture);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = DateTime.UtcNow;
        try
        {
            await new Probe.Probe.ProbeClient(channel).UnaryAsync(new ProbeRequest(), new Metadata { { "x-case", name } }, sent.AddMilliseconds(milliseconds));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && milliseconds < 100)
        {
            // A deadline this short may pass before the call is sent; the client then sends nothing.
            if (!wire.Timeouts.ContainsKey(name)) return;
        }

        var header = wire.Timeouts[name];
        var match = Regex.Match(header, "^([0-9]{1,8})([HMSmun])$");
        Assert.True(match.Success, $"grpc-timeout {header}");
        var value = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var sentMs = match.Groups[2].Value switch
        {
            "H" => value * 3_600_000.0, "M" => value * 60_000.0, "S" => value * 1_000.0, "m" => value, "u" => value / 1_000.0, _ => value / 1_000_000.0,
        };
        // What was left when the header was written is between the deadline asked for and that less the call's duration.
        Assert.True(sentMs >= milliseconds - clock.Elapsed.TotalMilliseconds, $"grpc-timeout {header} is shorter than the {milliseconds} ms asked for");
        Assert.True(sentMs <= (milliseconds * 1.01) + 1_000, $"grpc-timeout {header} is far longer than the {milliseconds} ms asked for");
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\tnewline\n", "tab%09newline%0A")]
    [InlineData("\u263A", "%E2%98%BA")]
    public async Task Status_messages_are_percent_encoded_on_the_wire_and_decoded_back_by_the_client(string message, string wire_)
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } };
        using var raw = RawRequest("/grpc.testing.TestService/UnaryCall", request);
        using var response = await wire.Raw.SendAsync(raw);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(wire_, Header(response, "grpc-message"));

        using var channel = GrpcChannel.ForAddress(wire.Address);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).UnaryCallAsync(request));
        Assert.Equal(message, error.Status.Detail);
    }

    [Theory]
    [InlineData("%", "%")]
    [InlineData("%G1 left as is", "%G1 left as is")]
    [InlineData("ends with %4", "ends with %4")]
    public async Task Malformed_percent_escapes_from_a_peer_reach_the_caller_as_they_are(string sent, string expected)
    {
        // PROTOCOL-HTTP2: a client must not fail or drop an invalid status message; at worst it gives it undecoded.
        using var channel = GrpcChannel.ForAddress(wire.Address);
        var empty = Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom);
        var method = new Method<Empty, Empty>(MethodType.Unary, "raw.Status", "Send", empty, empty);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(new Metadata { { "x-send-message", sent } }), new Empty()));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal(expected, error.Status.Detail);
    }

    [Theory]
    [InlineData("AQID", new byte[] { 1, 2, 3 })]
    [InlineData("AQIDBA==", new byte[] { 1, 2, 3, 4 })]
    [InlineData("AQIDBA", new byte[] { 1, 2, 3, 4 })]
    public async Task Binary_metadata_is_read_padded_or_unpadded(string value, byte[] expected)
    {
        using var raw = RawRequest("/platform.testing.v1.Probe/Unary", new ProbeRequest { Text = "metadata" });
        raw.Headers.TryAddWithoutValidation("x-probe-bin", value);
        using var response = await wire.Raw.SendAsync(raw);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("0", Header(response, "grpc-status"));
        Assert.Equal(expected, ProbeReply.Parser.ParseFrom(body.AsSpan(5)).Blob.ToByteArray());
    }

    [Fact]
    public void Metadata_keys_are_lower_cased_and_invalid_keys_are_refused()
    {
        var metadata = new Metadata { { "X-Ward-Code", "OAK" } };
        Assert.Equal("x-ward-code", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => new Metadata { { "ward code", "OAK" } });
        Assert.Throws<ArgumentException>(() => new Metadata { { "x-ward-bin", "OAK" } }); // a -bin key takes bytes
    }

    private async Task<(string? Status, ProbeReply? Reply)> RawProbeAsync(string timeout)
    {
        using var raw = RawRequest("/platform.testing.v1.Probe/Unary", new ProbeRequest());
        raw.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        using var response = await wire.Raw.SendAsync(raw);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = Header(response, "grpc-status");
        return (status, status == "0" ? ProbeReply.Parser.ParseFrom(body.AsSpan(5)) : null);
    }

    private HttpRequestMessage RawRequest(string path, IMessage message)
    {
        var payload = message.ToByteArray();
        var body = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(wire.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First()
        : response.TrailingHeaders.TryGetValues(name, out var trailing) ? trailing.First()
        : null;
}
