using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Grpc.Tests.Interop;
using Platform.Grpc.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Platform.Grpc.Tests;

/// <summary>A readiness check the test can flip.</summary>
public sealed class SwitchableReadiness : IHealthCheck
{
    public volatile bool Ready = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database unreachable"));
}

/// <summary>grpc.health.v1 (Grpc.AspNetCore.HealthChecks) and server reflection (Grpc.AspNetCore.Server.Reflection) as the platform maps them.</summary>
public sealed class HealthAndReflectionTests : IAsyncLifetime
{
    private readonly SwitchableReadiness _readiness = new();
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;
    private Health.HealthClient _health = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(
            app =>
            {
                app.MapGrpcService<InteropTestService>();
                app.MapGrpcService<ProbeService>();
                app.MapPlatformGrpcEndpoints();
            },
            services: services =>
            {
                services.AddHealthChecks().AddCheck("database", _readiness);
                services.AddSingleton(new ProbeRecorder());
                // Watch learns of changes from the health check publisher; publish at once and every second here.
                services.Configure<HealthCheckPublisherOptions>(o => (o.Delay, o.Period) = (TimeSpan.Zero, TimeSpan.FromSeconds(1)));
            });
        _channel = _host.CreateChannel();
        _health = new Health.HealthClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Health_check_follows_readiness_for_the_server_and_each_service()
    {
        Assert.Equal(ServingStatus.Serving, (await _health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.Serving, (await _health.CheckAsync(new HealthCheckRequest { Service = "grpc.testing.TestService" })).Status);

        _readiness.Ready = false;
        Assert.Equal(ServingStatus.NotServing, (await _health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.NotServing, (await _health.CheckAsync(new HealthCheckRequest { Service = "grpc.testing.TestService" })).Status);
        _readiness.Ready = true;
    }

    [Fact]
    public async Task Health_check_of_an_unknown_service_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Health_watch_sends_the_current_status_then_each_change()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = _health.Watch(new HealthCheckRequest { Service = "grpc.health.v1.Health" }, cancellationToken: timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        _readiness.Ready = false;
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);

        _readiness.Ready = true;
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Health_watch_reports_not_serving_and_ends_when_the_app_stops()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = _health.Watch(new HealthCheckRequest(), cancellationToken: timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        var stopping = _host.DisposeAsync().AsTask();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        Assert.False(await call.ResponseStream.MoveNext());
        await stopping;
    }

    [Fact]
    public async Task Health_watch_of_an_unknown_service_reports_service_unknown()
    {
        using var call = _health.Watch(new HealthCheckRequest { Service = "no.such.Service" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Reflection_v1_lists_every_mapped_service()
    {
        var response = await ReflectAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService", "platform.testing.v1.Probe"],
            response.ListServicesResponse.Service.Select(s => s.Name).Order());
    }

    [Theory]
    [InlineData("grpc.testing.TestService")]
    [InlineData("grpc.testing.TestService.UnaryCall")]
    [InlineData("grpc.testing.SimpleRequest")]
    public async Task Reflection_v1_returns_the_file_declaring_a_symbol_with_its_dependencies(string symbol)
    {
        var response = await ReflectAsync(new ServerReflectionRequest { FileContainingSymbol = symbol });
        var files = response.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToList();
        var declaring = symbol.Contains("SimpleRequest", StringComparison.Ordinal) ? "grpc/testing/messages.proto" : "grpc/testing/test.proto";
        Assert.Equal(declaring, files[0].Name);
        foreach (var dependency in files[0].Dependency)
        {
            Assert.Contains(files, f => f.Name == dependency);
        }

        // The descriptors are complete enough to rebuild the file and its imports, as a reflection client (grpcurl) does.
        var built = FileDescriptor.BuildFromByteStrings(response.FileDescriptorResponse.FileDescriptorProto.Reverse());
        Assert.Contains(built, f => f.Name == declaring && (f.Services.Any(s => s.FullName == symbol || symbol.StartsWith(s.FullName + ".", StringComparison.Ordinal)) || f.MessageTypes.Any(m => m.FullName == symbol)));
    }

    [Fact]
    public async Task Reflection_v1_serves_well_known_type_imports_with_the_file_that_uses_them()
    {
        var response = await ReflectAsync(new ServerReflectionRequest { FileContainingSymbol = "platform.testing.v1.Probe" });
        var names = response.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToList();
        Assert.Equal(["platform/testing/v1/probe.proto", "google/protobuf/timestamp.proto"], names);
        var built = FileDescriptor.BuildFromByteStrings(response.FileDescriptorResponse.FileDescriptorProto.Reverse());
        Assert.Equal("google.protobuf.Timestamp", built.Single(f => f.Name == "platform/testing/v1/probe.proto").FindTypeByName<MessageDescriptor>("ProbeReply").FindFieldByName("at").MessageType.FullName);
    }

    [Fact]
    public async Task Reflection_v1_returns_a_file_by_name()
    {
        var response = await ReflectAsync(new ServerReflectionRequest { FileByFilename = "grpc/testing/empty.proto" });
        var file = FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("grpc.testing", file.Package);
        Assert.Equal("Empty", file.MessageType.Single().Name);
    }

    [Fact]
    public async Task Reflection_v1_answers_an_unknown_symbol_with_a_not_found_error_response()
    {
        var response = await ReflectAsync(new ServerReflectionRequest { FileContainingSymbol = "no.such.Thing" });
        Assert.Equal((int)StatusCode.NotFound, response.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Reflection_v1alpha_answers_the_same_queries()
    {
        using var call = new V1Alpha.ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health" });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "grpc.testing.TestService");
        Assert.True(await call.ResponseStream.MoveNext());
        var file = FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("grpc.health.v1", file.Package);
        Assert.Contains(file.Service, s => s.Name == "Health");
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task Grpc_js_reflection_client_lists_services_and_calls_a_method_built_from_the_served_descriptors(string version)
    {
        var result = await NodePeer.RunScriptAsync(
            "reflection-client.js", TimeSpan.FromSeconds(30), "--port", _host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--version", version);
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        Assert.Contains("grpc.testing.TestService", result.GetProperty("services").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, result.GetProperty("files").GetInt32());
        Assert.True(result.GetProperty("called").GetBoolean());
    }

    [Fact]
    public async Task Grpc_js_reflection_client_builds_a_service_that_imports_a_well_known_type()
    {
        var result = await NodePeer.RunScriptAsync(
            "reflection-client.js", TimeSpan.FromSeconds(30), "--port", _host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--service", "platform.testing.v1.Probe", "--method", "Unary");
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(2, result.GetProperty("files").GetInt32());
        Assert.True(result.GetProperty("called").GetBoolean());
    }

    private async Task<ServerReflectionResponse> ReflectAsync(ServerReflectionRequest request)
    {
        using var call = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var response = call.ResponseStream.Current;
        Assert.False(await call.ResponseStream.MoveNext());
        return response;
    }
}
