using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc.Tests.Probe;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests;

/// <summary>What the probe service saw, for assertions made from the client side.</summary>
public sealed class ProbeRecorder
{
    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Received { get; } = new();
}

/// <summary>platform.testing.v1.Probe on Grpc.AspNetCore. A downstream call goes through the generated client the test registered, if any.</summary>
public sealed class ProbeService(ProbeRecorder recorder, IServiceProvider services) : Probe.Probe.ProbeBase
{
    public override async Task<ProbeReply> Unary(ProbeRequest request, ServerCallContext context)
    {
        recorder.Received.Enqueue(request.Text);
        switch (request.Text)
        {
            case "throw":
                throw new InvalidOperationException("secret connection string Server=db;Password=hunter2");
            case "io":
                throw new IOException("disk full at /var/lib/secret");
            case "headers":
                await context.WriteResponseHeadersAsync(new Metadata { { "x-probe-bin", [1, 2, 3] } });
                return new ProbeReply { Text = context.Method };
            case "status":
                context.Status = new Status(StatusCode.FailedPrecondition, "the ward is closed");
                context.ResponseTrailers.Add("x-rule", "ward-open");
                return new ProbeReply();
            case "peer":
                return new ProbeReply { Text = $"{context.Peer} {context.Host}" };
            case "metadata":
                return new ProbeReply { Blob = ByteString.CopyFrom(context.RequestHeaders.Where(h => h.Key == "x-probe-bin").SelectMany(h => h.ValueBytes).ToArray()) };
            case { } refused when refused.StartsWith("refuse ", StringComparison.Ordinal):
                await Task.Yield();
                throw Refusals.Named(refused["refuse ".Length..]).ToException();
            case "reset":
                // The server cancels the call: RST_STREAM with CANCEL (0x8).
                context.GetHttpContext().Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResetFeature>()!.Reset(8);
                return new ProbeReply();
        }

        if (request.Downstream.Length > 0)
        {
            // Made while serving this call, the call carries its deadline and cancellation (Grpc.Net.ClientFactory's
            // call context propagation, as AddPlatformGrpcClient configures it).
            return await services.GetRequiredService<Probe.Probe.ProbeClient>().UnaryAsync(new ProbeRequest { DelayMs = request.DelayMs, Text = "downstream" });
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
            // No deadline reads as forever.
            DeadlineRemainingMs = context.Deadline == DateTime.MaxValue ? long.MaxValue : (long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds,
        };
    }

    public override async Task Items(ProbeRequest request, IServerStreamWriter<ProbeReply> responses, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            if (request.Text.StartsWith("refuse ", StringComparison.Ordinal) && i == 1)
            {
                throw Refusals.Named(request.Text["refuse ".Length..]).ToException();
            }

            await responses.WriteAsync(new ProbeReply { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
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

/// <summary>One refusal of each kind, as handlers raise them, by rule code.</summary>
public static class Refusals
{
    public static readonly Platform.Domain.Refusal[] All =
    [
        Platform.Domain.Refusal.Invalid("ward-code.format", "Ward code must be 1 to 32 letters, digits, '-' or '_'."),
        Platform.Domain.Refusal.NotFound("patient.not-found", "No such patient in your trust."),
        Platform.Domain.Refusal.Exists("ward.already-registered", "Ward OAK is already registered in your trust."),
        Platform.Domain.Refusal.Precondition("use.no-approval-for-setting", "The technology is not approved for this ward's setting."),
        Platform.Domain.Refusal.Denied("audit.reader-role", "Reading the audit log needs the auditor role."),
    ];

    public static Platform.Domain.Refusal Named(string rule) => All.Single(r => r.Rule == rule);
}

/// <summary>A service that overrides only one of the contract's methods.</summary>
public sealed class UnaryOnlyProbeService : Probe.Probe.ProbeBase
{
    public override Task<ProbeReply> Unary(ProbeRequest request, ServerCallContext context) => Task.FromResult(new ProbeReply { Text = "unary" });
}

public sealed class ServerBehaviourTests : IAsyncLifetime
{
    private readonly ProbeRecorder _recorder = new();
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;
    private Probe.Probe.ProbeClient _client = null!;

    public async Task InitializeAsync()
    {
        // The probe calls itself downstream through a client the platform's way, so the port is chosen first.
        var port = GrpcTestHost.FreePort();
        _host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<ProbeService>(),
            services: services =>
            {
                services.AddSingleton(_recorder);
                services.AddPlatformGrpcClient<Probe.Probe.ProbeClient>(new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromSeconds(7));
            },
            options: options =>
            {
                options.MaxReceiveMessageSize = 64 * 1024;
                options.MaxSendMessageSize = 64 * 1024;
            },
            port: port);
        _channel = _host.CreateChannel();
        _client = new Probe.Probe.ProbeClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Unhandled_exception_becomes_unknown_with_a_generic_message_and_is_logged()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("Exception was thrown by handler.", error.Status.Detail);
        Assert.DoesNotContain("hunter2", error.Status.Detail + string.Join(",", error.Trailers));
        Assert.Null(error.Trailers.Get("grpc-status-details-bin"));
        Assert.Contains(_host.Logs.Entries, e => e.Contains("'Unary'", StringComparison.Ordinal) && e.Contains("InvalidOperationException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_io_failure_of_the_method_itself_is_a_fault_logged_and_hidden_from_the_client()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { Text = "io" }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain("secret", error.Status.Detail);
        Assert.Contains(_host.Logs.Entries, e => e.StartsWith("Error", StringComparison.Ordinal) && e.Contains("'Unary'", StringComparison.Ordinal) && e.Contains("IOException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_over_the_server_receive_limit_is_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new ProbeRequest { Blob = ByteString.CopyFrom(new byte[65 * 1024]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_server_send_limit_is_resource_exhausted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { ReplySize = 65 * 1024 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Response_over_the_client_receive_limit_is_resource_exhausted()
    {
        using var small = _host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Probe.Probe.ProbeClient(small).UnaryAsync(new ProbeRequest { ReplySize = 2048 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Request_over_the_client_send_limit_fails_before_it_is_sent()
    {
        using var small = _host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 1024 });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Probe.Probe.ProbeClient(small).UnaryAsync(new ProbeRequest { Text = "too big", Blob = ByteString.CopyFrom(new byte[2048]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.DoesNotContain("too big", _recorder.Received);
    }

    [Fact]
    public async Task The_platforms_clients_send_at_most_4_MiB_and_accept_at_most_4_MiB()
    {
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<Probe.Probe.ProbeClient>(_host.Address, TimeSpan.FromSeconds(30));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Probe.Probe.ProbeClient>();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new ProbeRequest { Text = "over 4 MiB", Blob = ByteString.CopyFrom(new byte[PlatformGrpcExtensions.MaxMessageSize + 1]) }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.DoesNotContain("over 4 MiB", _recorder.Received);
    }

    [Fact]
    public async Task Deadline_reaches_the_server_as_grpc_timeout()
    {
        var reply = await _client.UnaryAsync(new ProbeRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.InRange(reply.DeadlineRemainingMs, 20_000, 30_000);
    }

    [Fact]
    public async Task A_call_without_a_deadline_has_none_at_the_server()
    {
        var reply = await _client.UnaryAsync(new ProbeRequest());
        Assert.Equal(long.MaxValue, reply.DeadlineRemainingMs);
    }

    [Fact]
    public async Task A_deadline_beyond_what_a_timer_can_hold_is_served_with_the_longest_the_wire_carries()
    {
        // Eight digits of seconds (about 3.2 years) is the most grpc-timeout carries; the server holds it without a fault.
        var reply = await _client.UnaryAsync(new ProbeRequest(), deadline: DateTime.UtcNow.AddYears(5));
        Assert.InRange(reply.DeadlineRemainingMs, (long)TimeSpan.FromDays(3 * 365).TotalMilliseconds, (long)TimeSpan.FromDays(5 * 366).TotalMilliseconds);
    }

    [Fact]
    public async Task Expired_deadline_ends_the_call_with_deadline_exceeded_and_cancels_the_server_method()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new ProbeRequest { Text = "sleeper", DelayMs = 30_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("sleeper", await _recorder.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Deadline_propagates_from_an_incoming_call_to_the_call_it_makes()
    {
        var reply = await _client.UnaryAsync(new ProbeRequest { Downstream = "self" }, deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.Equal("downstream", reply.Text);
        // The incoming call's 20 s, not the client's own default of 7 s.
        Assert.InRange(reply.DeadlineRemainingMs, 10_000, 20_000);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new ProbeRequest { Downstream = "self", DelayMs = 30_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("downstream", await _recorder.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_call_from_the_platforms_client_made_outside_any_call_gets_its_default_deadline()
    {
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<Probe.Probe.ProbeClient>(_host.Address, TimeSpan.FromSeconds(7));
        await using var provider = services.BuildServiceProvider();
        var reply = await provider.GetRequiredService<Probe.Probe.ProbeClient>().UnaryAsync(new ProbeRequest());
        Assert.InRange(reply.DeadlineRemainingMs, 1_000, 7_000);
        var own = await provider.GetRequiredService<Probe.Probe.ProbeClient>().UnaryAsync(new ProbeRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.InRange(own.DeadlineRemainingMs, 50_000, 60_000);
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_server_method()
    {
        using var cts = new CancellationTokenSource();
        using var call = _client.Items(new ProbeRequest { Count = 1000, DelayMs = 50 }, cancellationToken: cts.Token);
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
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { Text = "reset" }));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("ok", (await _client.UnaryAsync(new ProbeRequest { Text = "ok" })).Text);
    }

    [Fact]
    public async Task Response_headers_written_by_the_method_reach_the_client()
    {
        using var call = _client.UnaryAsync(new ProbeRequest { Text = "headers" });
        Assert.Equal("/platform.testing.v1.Probe/Unary", (await call).Text);
        Assert.Equal([1, 2, 3], (await call.ResponseHeadersAsync).GetValueBytes("x-probe-bin"));
    }

    [Fact]
    public async Task Status_set_on_the_context_ends_the_call_with_its_trailers()
    {
        using var call = _client.UnaryAsync(new ProbeRequest { Text = "status" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("the ward is closed", error.Status.Detail);
        Assert.Equal("ward-open", error.Trailers.GetValue("x-rule"));
    }

    [Fact]
    public async Task Context_names_the_peer_and_the_host_called()
    {
        var reply = await _client.UnaryAsync(new ProbeRequest { Text = "peer" });
        Assert.StartsWith("ipv4:127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith($" 127.0.0.1:{_host.Port}", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_streaming_method_sends_each_message_in_order()
    {
        using var call = _client.Items(new ProbeRequest { Count = 3 });
        var texts = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(reply.Text);
        }

        Assert.Equal(["0", "1", "2"], texts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_gzip_request_is_accepted_and_the_response_is_not_compressed_by_default()
    {
        using var call = _client.UnaryAsync(
            new ProbeRequest { Text = "zip", Blob = ByteString.CopyFrom(new byte[10_000]), ReplySize = 10_000 },
            new Metadata { { "grpc-internal-encoding-request", "gzip" } });
        Assert.Equal(10_000, (await call).Blob.Length);
        Assert.Null((await call.ResponseHeadersAsync).Get("grpc-encoding"));
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Probe.Probe.ProbeClient(channel).UnaryAsync(new ProbeRequest()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_method_the_service_does_not_override_answers_unimplemented()
    {
        await using var host = await GrpcTestHost.StartAsync(app => app.MapGrpcService<UnaryOnlyProbeService>());
        using var channel = host.CreateChannel();
        var client = new Probe.Probe.ProbeClient(channel);
        Assert.Equal("unary", (await client.UnaryAsync(new ProbeRequest())).Text);
        using var call = client.Items(new ProbeRequest { Count = 1 });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Tls_endpoint_serves_grpc_over_http2()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        await using var host = await GrpcTestHost.StartAsync(
            app => app.MapGrpcService<ProbeService>(), services: s => s.AddSingleton(new ProbeRecorder()), certificate: certificate);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress($"https://localhost:{host.Port}", new GrpcChannelOptions { HttpHandler = handler });
        var reply = await new Probe.Probe.ProbeClient(channel).UnaryAsync(new ProbeRequest { Text = "over tls" });
        Assert.Equal("over tls", reply.Text);
    }
}
