using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc.Tests.Probe;
using Platform.Grpc.Tests.Support;
using Status = Google.Rpc.Status;

namespace Platform.Grpc.Tests;

/// <summary>A refusal leaving a handler, as the platform's call policy interceptor ends the call with it.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;
    private Probe.Probe.ProbeClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync(app => app.MapGrpcService<ProbeService>(), services: s => s.AddSingleton(new ProbeRecorder()));
        _channel = _host.CreateChannel();
        _client = new Probe.Probe.ProbeClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("ward-code.format", StatusCode.InvalidArgument)]
    [InlineData("patient.not-found", StatusCode.NotFound)]
    [InlineData("ward.already-registered", StatusCode.AlreadyExists)]
    [InlineData("use.no-approval-for-setting", StatusCode.FailedPrecondition)]
    [InlineData("audit.reader-role", StatusCode.PermissionDenied)]
    public async Task A_refusal_ends_the_call_with_its_status_its_message_and_its_rule_in_the_trailer_and_the_rich_status(string rule, StatusCode code)
    {
        var refusal = Refusals.Named(rule);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { Text = "refuse " + rule }));
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(refusal.Message, error.Status.Detail);
        Assert.Equal(rule, error.Trailers.GetValue(RefusalStatus.RuleTrailer));

        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal(((int)code, refusal.Message), (status.Code, status.Message));
        var info = status.GetDetail<ErrorInfo>();
        // The domain is the service's proto package without its version: platform.testing.v1 -> platform.testing.
        Assert.Equal((rule, "platform.testing"), (info?.Reason, info?.Domain));
        var badRequest = status.GetDetail<BadRequest>();
        if (code == StatusCode.InvalidArgument)
        {
            var violation = Assert.Single(badRequest!.FieldViolations);
            Assert.Equal(("ward_code", rule, refusal.Message), (violation.Field, violation.Reason, violation.Description));
            Assert.Equal("ward_code", info!.Metadata["field"]);
        }
        else
        {
            Assert.Null(badRequest);
        }
    }

    [Fact]
    public async Task A_refusal_in_the_middle_of_a_stream_ends_it_with_the_refusals_status()
    {
        using var call = _client.Items(new ProbeRequest { Text = "refuse patient.not-found", Count = 3 });
        Assert.True(await call.ResponseStream.MoveNext());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("patient.not-found", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
        Assert.Equal("patient.not-found", error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task Any_other_exception_stays_unknown_with_no_rich_status_and_no_rule()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.UnaryAsync(new ProbeRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Null(error.GetRpcStatus());
        Assert.Null(error.Trailers.GetValue(RefusalStatus.RuleTrailer));
    }

    [Fact]
    public void The_rich_status_decodes_as_google_rpc_status_for_any_client()
    {
        // What a client without Grpc.StatusProto reads: grpc-status-details-bin is a serialized google.rpc.Status.
        var exception = Interceptors.CallPolicyInterceptor.ToRpcException(Refusals.Named("patient.not-found").ToException(), "/platform.consent.v1.ConsentService/GetPatient");
        var bytes = exception.Trailers.GetValueBytes("grpc-status-details-bin");
        var status = Status.Parser.ParseFrom(bytes);
        Assert.Equal((int)Code.NotFound, status.Code);
        Assert.Equal("platform.consent", status.Details.Single().Unpack<ErrorInfo>().Domain);
    }
}
