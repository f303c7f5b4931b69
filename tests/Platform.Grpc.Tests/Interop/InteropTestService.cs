using Google.Protobuf;
using Grpc.Testing;
using Platform.Grpc.Server;

namespace Platform.Grpc.Tests.Interop;

/// <summary>grpc.testing.TestService as doc/interop-test-descriptions.md asks a server to behave.</summary>
[GrpcService(typeof(TestReflection), "TestService")]
public sealed class InteropTestService
{
    public Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        if (request.ExpectCompressed?.Value == true && !context.RequestMessageCompressed)
        {
            throw new RpcException(StatusCode.InvalidArgument, "Expected a compressed request message.");
        }

        if (request.ResponseCompressed is not null)
        {
            context.ResponseCompression = request.ResponseCompressed.Value ? "gzip" : "identity";
        }

        await EchoMetadataAsync(context);
        if (request.ResponseStatus is { Code: not 0 } status)
        {
            throw new RpcException((StatusCode)status.Code, status.Message);
        }

        return new SimpleResponse
        {
            Payload = Zeros(request.ResponseSize),
            Username = request.FillUsername ? context.GetHttpContext().User.Identity?.Name ?? "" : "",
        };
    }

    public async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        if (request.ResponseStatus is { Code: not 0 } status)
        {
            throw new RpcException((StatusCode)status.Code, status.Message);
        }

        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            }

            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) });
        }
    }

    public async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public async Task FullDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            if (request.ResponseStatus is { Code: not 0 } status)
            {
                throw new RpcException((StatusCode)status.Code, status.Message);
            }

            foreach (var parameters in request.ResponseParameters)
            {
                if (parameters.IntervalUs > 0)
                {
                    await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
                }

                await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) });
            }
        }
    }

    public async Task HalfDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        var buffered = new List<StreamingOutputCallRequest>();
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            buffered.Add(request);
        }

        foreach (var parameters in buffered.SelectMany(r => r.ResponseParameters))
        {
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) });
        }
    }

    public Task<Empty> UnimplementedCall(Empty request, ServerCallContext context) =>
        throw new RpcException(StatusCode.Unimplemented, "The test server does not implement UnimplementedCall.");

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.GetValue("x-grpc-test-echo-initial");
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-grpc-test-echo-initial", initial } });
        }

        var trailing = context.RequestHeaders.GetValueBytes("x-grpc-test-echo-trailing-bin");
        if (trailing is not null)
        {
            context.ResponseTrailers.Add("x-grpc-test-echo-trailing-bin", trailing);
        }
    }
}
