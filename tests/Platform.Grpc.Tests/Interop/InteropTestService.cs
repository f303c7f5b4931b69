using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Platform.Grpc.Tests.Interop;

/// <summary>grpc.testing.TestService as doc/interop-test-descriptions.md asks a server to behave, on Grpc.AspNetCore.</summary>
public sealed class InteropTestService : TestService.TestServiceBase
{
    // Written as a response header, this Grpc.AspNetCore header sets the call's response message encoding.
    private const string ResponseEncodingHeader = "grpc-internal-encoding-request";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        // ServerCallContext.RequestHeaders leaves out grpc-* headers; the request's own headers say how it was encoded.
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        if (request.ExpectCompressed?.Value == true && encoding is "" or "identity")
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
        }

        await EchoMetadataAsync(context, compressResponse: request.ResponseCompressed?.Value == true);
        if (request.ResponseStatus is { Code: not 0 } status)
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }

        return new SimpleResponse
        {
            Payload = Zeros(request.ResponseSize),
            Username = request.FillUsername ? context.GetHttpContext().User.Identity?.Name ?? "" : "",
        };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        if (request.ResponseStatus is { Code: not 0 } status)
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
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

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context, compressResponse: false);
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            if (request.ResponseStatus is { Code: not 0 } status)
            {
                throw new RpcException(new Status((StatusCode)status.Code, status.Message));
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

    public override async Task HalfDuplexCall(
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

    // UnimplementedCall is not overridden: the generated base answers UNIMPLEMENTED, as the interop case expects.

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static async Task EchoMetadataAsync(ServerCallContext context, bool compressResponse)
    {
        var headers = new Metadata();
        if (context.RequestHeaders.GetValue("x-grpc-test-echo-initial") is { } initial)
        {
            headers.Add("x-grpc-test-echo-initial", initial);
        }

        if (compressResponse)
        {
            headers.Add(ResponseEncodingHeader, "gzip");
        }

        if (headers.Count > 0)
        {
            await context.WriteResponseHeadersAsync(headers);
        }

        if (context.RequestHeaders.GetValueBytes("x-grpc-test-echo-trailing-bin") is { } trailing)
        {
            context.ResponseTrailers.Add("x-grpc-test-echo-trailing-bin", trailing);
        }
    }
}
