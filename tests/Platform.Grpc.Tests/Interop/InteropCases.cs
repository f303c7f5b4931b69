using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;

namespace Platform.Grpc.Tests.Interop;

/// <summary>The grpc interop client cases (doc/interop-test-descriptions.md), written with Grpc.Net.Client's generated client.</summary>
public sealed class InteropCases(GrpcChannel channel, bool serverChecksCompression)
{
    public static readonly string[] Names =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream", "custom_metadata",
        "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "concurrent_large_unary",
        "client_compressed_unary", "server_compressed_unary",
    ];

    // Grpc.Net.Client compresses a call's request messages with the encoding this header names.
    private static readonly Metadata s_gzipRequest = new() { { "grpc-internal-encoding-request", "gzip" } };

    private readonly TestService.TestServiceClient _client = new(channel);

    public Task RunAsync(string name) => name switch
    {
        "empty_unary" => EmptyUnary(),
        "large_unary" => LargeUnary(),
        "client_streaming" => ClientStreaming(),
        "server_streaming" => ServerStreaming(),
        "ping_pong" => PingPong(),
        "empty_stream" => EmptyStream(),
        "custom_metadata" => CustomMetadata(),
        "status_code_and_message" => StatusCodeAndMessage(),
        "special_status_message" => SpecialStatusMessage(),
        "unimplemented_method" => UnimplementedMethod(),
        "unimplemented_service" => UnimplementedService(),
        "cancel_after_begin" => CancelAfterBegin(),
        "cancel_after_first_response" => CancelAfterFirstResponse(),
        "timeout_on_sleeping_server" => TimeoutOnSleepingServer(),
        "concurrent_large_unary" => ConcurrentLargeUnary(),
        "client_compressed_unary" => ClientCompressedUnary(),
        "server_compressed_unary" => ServerCompressedUnary(),
        _ => throw new ArgumentException($"Unknown case {name}"),
    };

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static SimpleRequest LargeUnaryRequest() => new() { ResponseSize = 314159, Payload = Zeros(271828) };

    private static void AssertLargeUnary(SimpleResponse response)
    {
        Assert.Equal(314159, response.Payload.Body.Length);
        Assert.True(response.Payload.Body.Span.IndexOfAnyExcept((byte)0) < 0, "The payload is not all zeros.");
    }

    private async Task EmptyUnary()
    {
        var response = await _client.EmptyCallAsync(new Empty());
        Assert.Equal(new Empty(), response);
    }

    private async Task LargeUnary() => AssertLargeUnary(await _client.UnaryCallAsync(LargeUnaryRequest()));

    private async Task ClientStreaming()
    {
        using var call = _client.StreamingInputCall();
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
        }

        await call.RequestStream.CompleteAsync();
        Assert.Equal(74922, (await call).AggregatedPayloadSize);
    }

    private async Task ServerStreaming()
    {
        int[] sizes = [31415, 9, 2653, 58979];
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(sizes.Select(size => new ResponseParameters { Size = size }));
        using var call = _client.StreamingOutputCall(request);
        var received = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            received.Add(response.Payload.Body.Length);
        }

        Assert.Equal(sizes, received);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private async Task PingPong()
    {
        (int Response, int Request)[] steps = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)];
        using var call = _client.FullDuplexCall();
        foreach (var (responseSize, requestSize) in steps)
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest
            {
                ResponseParameters = { new ResponseParameters { Size = responseSize } },
                Payload = Zeros(requestSize),
            });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(responseSize, call.ResponseStream.Current.Payload.Body.Length);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    private async Task EmptyStream()
    {
        using var call = _client.FullDuplexCall();
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private async Task CustomMetadata()
    {
        const string initialValue = "test_initial_metadata_value";
        byte[] trailingValue = [0xab, 0xab, 0xab];
        var headers = new Metadata
        {
            { "x-grpc-test-echo-initial", initialValue },
            { "x-grpc-test-echo-trailing-bin", trailingValue },
        };

        using (var call = _client.UnaryCallAsync(LargeUnaryRequest(), headers))
        {
            AssertLargeUnary(await call);
            Assert.Equal(initialValue, (await call.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"));
            Assert.Equal(trailingValue, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
        }

        using (var call = _client.FullDuplexCall(headers))
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest
            {
                ResponseParameters = { new ResponseParameters { Size = 314159 } },
                Payload = Zeros(271828),
            });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(314159, call.ResponseStream.Current.Payload.Body.Length);
            Assert.False(await call.ResponseStream.MoveNext());
            Assert.Equal(initialValue, (await call.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"));
            Assert.Equal(trailingValue, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
        }
    }

    private async Task StatusCodeAndMessage()
    {
        const string message = "test status message";
        var unary = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryCallAsync(new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }));
        Assert.Equal(StatusCode.Unknown, unary.StatusCode);
        Assert.Equal(message, unary.Status.Detail);

        using var call = _client.FullDuplexCall();
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } });
        await call.RequestStream.CompleteAsync();
        var duplex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unknown, duplex.StatusCode);
        Assert.Equal(message, duplex.Status.Detail);
    }

    private async Task SpecialStatusMessage()
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryCallAsync(new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    private async Task UnimplementedMethod()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnimplementedCallAsync(new Empty()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private async Task UnimplementedService()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new UnimplementedService.UnimplementedServiceClient(channel).UnimplementedCallAsync(new Empty()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private async Task CancelAfterBegin()
    {
        using var cts = new CancellationTokenSource();
        using var call = _client.StreamingInputCall(cancellationToken: cts.Token);
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    private async Task CancelAfterFirstResponse()
    {
        using var cts = new CancellationTokenSource();
        using var call = _client.FullDuplexCall(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest
        {
            ResponseParameters = { new ResponseParameters { Size = 31415 } },
            Payload = Zeros(27182),
        });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(31415, call.ResponseStream.Current.Payload.Body.Length);
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    private async Task TimeoutOnSleepingServer()
    {
        using var call = _client.FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(1));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The deadline may expire before the write: also a pass.
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    private async Task ConcurrentLargeUnary()
    {
        // 1000 calls on one channel, 100 in flight at a time (the server's stream limit), so memory stays bounded.
        var next = 0;
        var completed = 0;
        async Task Worker()
        {
            while (Interlocked.Increment(ref next) <= 1000)
            {
                AssertLargeUnary(await _client.UnaryCallAsync(LargeUnaryRequest()));
                Interlocked.Increment(ref completed);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(Worker)));
        Assert.Equal(1000, completed);
    }

    private async Task ClientCompressedUnary()
    {
        if (serverChecksCompression)
        {
            // Probe: an uncompressed request that claims to be compressed is refused.
            var probe = LargeUnaryRequest();
            probe.ExpectCompressed = new BoolValue { Value = true };
            var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryCallAsync(probe));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }

        var compressed = LargeUnaryRequest();
        compressed.ExpectCompressed = new BoolValue { Value = true };
        AssertLargeUnary(await _client.UnaryCallAsync(compressed, s_gzipRequest));

        var uncompressed = LargeUnaryRequest();
        uncompressed.ExpectCompressed = new BoolValue { Value = false };
        AssertLargeUnary(await _client.UnaryCallAsync(uncompressed));
    }

    private async Task ServerCompressedUnary()
    {
        foreach (var value in new[] { true, false })
        {
            var request = LargeUnaryRequest();
            request.ResponseCompressed = new BoolValue { Value = value };
            AssertLargeUnary(await _client.UnaryCallAsync(request));
        }
    }

    public override string ToString() => new StringBuilder("InteropCases(").Append(channel.Target).Append(')').ToString();
}
