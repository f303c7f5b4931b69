using Microsoft.AspNetCore.Builder;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Testing;
using Platform.Grpc.Tests.Support;

namespace Platform.Grpc.Tests.Interop;

/// <summary>A grpc-js TestService server, started once for the class.</summary>
public sealed class GrpcJsServer : IAsyncLifetime
{
    private NodeServer? _server;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await NodePeer.StartServerAsync();
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.Port}");
    }

    public Task DisposeAsync()
    {
        Channel?.Dispose();
        _server?.Dispose();
        return Task.CompletedTask;
    }
}

[Collection(InteropCollection.Name)]
public sealed class GrpcNetClientAgainstGrpcJsTests(GrpcJsServer server) : IClassFixture<GrpcJsServer>
{
    public static TheoryData<string> Cases => new(InteropCases.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Grpc_net_client_passes_the_interop_case_against_a_grpc_js_server(string name)
    {
        // grpc-js does not tell a handler whether a request arrived compressed, so its server cannot refuse the probe.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(name == "concurrent_large_unary" ? 120 : 60));
        await new InteropCases(server.Channel, serverChecksCompression: false).RunAsync(name).WaitAsync(timeout.Token);
    }
}

/// <summary>Grpc.AspNetCore as the services configure it, with the interop TestService, started once for the class.</summary>
public sealed class PlatformConfiguredServer : IAsyncLifetime
{
    private GrpcTestHost? _host;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(app => app.MapGrpcService<InteropTestService>());
        Channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class GrpcNetClientAgainstPlatformConfiguredServerTests(PlatformConfiguredServer server) : IClassFixture<PlatformConfiguredServer>
{
    public static TheoryData<string> Cases => new(InteropCases.Names.Where(n => n != "concurrent_large_unary"));

    [Fact]
    public async Task Server_error_reaches_a_client_that_is_still_sending()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = new TestService.TestServiceClient(server.Channel).FullDuplexCall(cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = 9, Message = "stop" } });
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"status took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Messages_near_the_4_MiB_limit_pass_both_ways_beyond_the_http2_flow_control_window()
    {
        var size = PlatformGrpcExtensions.MaxMessageSize - 64;
        var request = new SimpleRequest
        {
            ResponseSize = size,
            Payload = new Payload { Body = Google.Protobuf.ByteString.CopyFrom(new byte[size]) },
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await new TestService.TestServiceClient(server.Channel).UnaryCallAsync(request, cancellationToken: timeout.Token);
        Assert.Equal(size, response.Payload.Body.Length);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Grpc_net_client_passes_the_interop_case_against_grpc_aspnetcore_as_configured(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await new InteropCases(server.Channel, serverChecksCompression: true).RunAsync(name).WaitAsync(timeout.Token);
    }
}
