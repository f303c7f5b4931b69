using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc.Client;
using Platform.Grpc.Server;
using Platform.Grpc.Tests.Probe;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests;

/// <summary>What the probe service saw, for assertions made from the client side.</summary>
public sealed class ProbeRecorder
{
    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, GrpcChannel> Channels { get; } = new();
}

[GrpcService(typeof(ProbeReflection))]
public sealed class ProbeService(ProbeRecorder recorder)
{
    private static readonly Method<ProbeRequest, ProbeReply> s_unary = Method<ProbeRequest, ProbeReply>.From(ProbeReflection.Descriptor.Services[0], "Unary");

    public async Task<ProbeReply> Unary(ProbeRequest request, ServerCallContext context)
    {
        if (request.Text == "throw")
        {
            throw new InvalidOperationException("secret connection string Server=db;Password=hunter2");
        }

        switch (request.Text)
        {
            case "headers":
                context.ResponseHeaders.Add("x-probe-bin", [1, 2, 3]);
                return new ProbeReply { Text = context.Method };
            case "status":
                context.Status = new Status(StatusCode.FailedPrecondition, "the ward is closed");
                context.ResponseTrailers.Add("x-rule", "ward-open");
                return new ProbeReply();
            case "peer":
                return new ProbeReply { Text = $"{context.Peer} {context.Host}" };
        }

        if (request.Text == "reset")
        {
            // The server cancels the call: RST_STREAM with CANCEL (0x8).
            context.GetHttpContext().Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResetFeature>()!.Reset(8);
            return new ProbeReply();
        }

        if (request.Downstream.Length > 0)
        {
            var channel = recorder.Channels.GetOrAdd(request.Downstream, address => GrpcChannel.ForAddress(address));
            return await channel.UnaryCall(s_unary, new ProbeRequest { DelayMs = request.DelayMs, Text = "downstream" }, CallOptions.PropagatedFrom(context));
        }

        if (request.DelayMs > 0)
        {
            try
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                recorder.Cancelled.TrySetResult(request.Text);
                throw;
            }
        }

        return new ProbeReply
        {
            Text = request.Text,
            Blob = ByteString.CopyFrom(new byte[request.ReplySize]),
            DeadlineRemainingMs = context.Deadline == DateTime.MaxValue ? -1 : (long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds,
        };
    }

    public async IAsyncEnumerable<ProbeReply> Items(ProbeRequest request, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            yield return new ProbeReply { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            try
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                recorder.Cancelled.TrySetResult("items");
                throw;
            }
        }
    }
}

[GrpcService(typeof(ProbeReflection))]
public sealed class MisboundProbeService
{
    public ProbeReply Unary(ProbeRequest request, ServerCallContext context) => new();
}

public sealed class ServerBehaviourTests : IAsyncLifetime
{
    private static readonly Method<ProbeRequest, ProbeReply> s_unary = Method<ProbeRequest, ProbeReply>.From(ProbeReflection.Descriptor.Services[0], "Unary");
    private static readonly Method<ProbeRequest, ProbeReply> s_items = Method<ProbeRequest, ProbeReply>.From(ProbeReflection.Descriptor.Services[0], "Items");
    private readonly ProbeRecorder _recorder = new();
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<ProbeService>(),
            services: services => services.AddSingleton(_recorder),
            options: options =>
            {
                options.MaxReceiveMessageSize = 64 * 1024;
                options.MaxSendMessageSize = 64 * 1024;
            });
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        foreach (var channel in _recorder.Channels.Values)
        {
            channel.Dispose();
        }

        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Unhandled_exception_becomes_unknown_with_a_generic_message_and_is_logged()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_unary, new ProbeRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Status.Detail);
        Assert.DoesNotContain("hunter2", error.Status.Detail + string.Join(",", error.Trailers));
        Assert.Contains(_host.Logs.Entries, e => e.Contains("/platform.testing.v1.Probe/Unary", StringComparison.Ordinal) && e.Contains("InvalidOperationException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_over_the_server_receive_limit_is_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.UnaryCall(s_unary, new ProbeRequest { Blob = ByteString.CopyFrom(new byte[65 * 1024]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_server_send_limit_is_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_unary, new ProbeRequest { ReplySize = 65 * 1024 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_client_receive_limit_is_resource_exhausted()
    {
        using var small = _host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await small.UnaryCall(s_unary, new ProbeRequest { ReplySize = 2048 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Request_over_the_client_send_limit_fails_before_it_is_sent()
    {
        using var small = _host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 1024 });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await small.UnaryCall(s_unary, new ProbeRequest { Blob = ByteString.CopyFrom(new byte[2048]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Deadline_reaches_the_server_as_grpc_timeout()
    {
        var reply = await _channel.UnaryCall(s_unary, new ProbeRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        Assert.InRange(reply.DeadlineRemainingMs, 20_000, 30_000);
    }

    [Fact]
    public async Task Deadline_beyond_what_a_timer_can_hold_is_treated_as_none()
    {
        var reply = await _channel.UnaryCall(s_unary, new ProbeRequest(), new CallOptions().WithDeadline(DateTime.UtcNow.AddYears(5)));
        Assert.Equal(-1, reply.DeadlineRemainingMs);
    }

    [Fact]
    public async Task Expired_deadline_ends_the_call_with_deadline_exceeded_and_cancels_the_server_method()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.UnaryCall(s_unary, new ProbeRequest { Text = "sleeper", DelayMs = 30_000 }, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(300))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("sleeper", await _recorder.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Deadline_propagates_from_an_incoming_call_to_the_call_it_makes()
    {
        var reply = await _channel.UnaryCall(
            s_unary, new ProbeRequest { Downstream = _host.Address.ToString() }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
        Assert.Equal("downstream", reply.Text);
        Assert.InRange(reply.DeadlineRemainingMs, 10_000, 20_000);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(
            s_unary, new ProbeRequest { Downstream = _host.Address.ToString(), DelayMs = 30_000 }, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(300))));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("downstream", await _recorder.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_server_method()
    {
        using var cts = new CancellationTokenSource();
        using var call = _channel.ServerStreamingCall(s_items, new ProbeRequest { Count = 1000, DelayMs = 50 }, new CallOptions { CancellationToken = cts.Token });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("0", call.ResponseStream.Current.Text);
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("items", await _recorder.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Server_cancelling_the_call_reaches_the_client_as_cancelled()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.UnaryCall(s_unary, new ProbeRequest { Text = "reset" }));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("ok", (await _channel.UnaryCall(s_unary, new ProbeRequest { Text = "ok" })).Text);
    }

    [Fact]
    public async Task Response_headers_set_on_the_context_reach_the_client()
    {
        using var call = _channel.UnaryCall(s_unary, new ProbeRequest { Text = "headers" });
        Assert.Equal("/platform.testing.v1.Probe/Unary", (await call).Text);
        Assert.Equal([1, 2, 3], (await call.ResponseHeadersAsync).GetValueBytes("x-probe-bin"));
    }

    [Fact]
    public async Task Status_set_on_the_context_ends_the_call_with_its_trailers_and_no_message()
    {
        using var call = _channel.UnaryCall(s_unary, new ProbeRequest { Text = "status" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("the ward is closed", error.Status.Detail);
        Assert.Equal("ward-open", error.Trailers.GetValue("x-rule"));
    }

    [Fact]
    public async Task Context_names_the_peer_and_the_host_called()
    {
        var reply = await _channel.UnaryCall(s_unary, new ProbeRequest { Text = "peer" });
        Assert.StartsWith("ipv4:127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith($" 127.0.0.1:{_host.Port}", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_streaming_method_may_return_an_async_enumerable()
    {
        using var call = _channel.ServerStreamingCall(s_items, new ProbeRequest { Count = 3 });
        var texts = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(reply.Text);
        }

        Assert.Equal(["0", "1", "2"], texts);
    }

    [Fact]
    public async Task Request_and_response_gzip_round_trip_between_our_client_and_server()
    {
        var reply = await _channel.UnaryCall(
            s_unary, new ProbeRequest { Text = "zip", Blob = ByteString.CopyFrom(new byte[10_000]), ReplySize = 10_000 }, new CallOptions { RequestCompression = "gzip" });
        Assert.Equal(10_000, reply.Blob.Length);
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await channel.UnaryCall(s_unary, new ProbeRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public void Service_whose_methods_do_not_match_the_descriptor_fails_at_startup_naming_each_method()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpcServer();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService<MisboundProbeService>());
        Assert.Contains("platform.testing.v1.Probe.Unary", error.Message);
        Assert.Contains("Task<ProbeReply> Unary(ProbeRequest, ServerCallContext)", error.Message);
        Assert.Contains("platform.testing.v1.Probe.Items", error.Message);
    }

    [Fact]
    public void Service_class_without_a_descriptor_fails_at_startup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpcServer();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGrpcService<ProbeRecorder>());
        Assert.Contains("[GrpcService(", error.Message);
    }

    [Fact]
    public async Task Tls_endpoint_serves_grpc_over_http2()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        await using var host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<ProbeService>(), services: s => s.AddSingleton(new ProbeRecorder()), certificate: certificate);
        var handler = GrpcChannel.CreateDefaultHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress($"https://localhost:{host.Port}", new GrpcChannelOptions { HttpHandler = handler });
        var reply = await channel.UnaryCall(s_unary, new ProbeRequest { Text = "over tls" });
        Assert.Equal("over tls", reply.Text);
    }
}
