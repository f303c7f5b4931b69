using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Platform.Grpc.Client;

/// <summary>A unary call in flight. <c>await call</c> gives the response or throws <see cref="RpcException"/>.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly IGrpcCall<TResponse> _call;

    internal AsyncUnaryCall(IGrpcCall<TResponse> call)
    {
        _call = call;
        ResponseAsync = call.ReadSingleResponseAsync();
    }

    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (initial metadata).</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <summary>The status; valid once the call has ended.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers; valid once the call has ended.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Cancels the call if it is still running (the server sees RST_STREAM) and frees its resources.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A server-streaming call in flight.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly IGrpcCall<TResponse> _call;

    internal AsyncServerStreamingCall(IGrpcCall<TResponse> call)
    {
        _call = call;
        ResponseStream = call.ResponseStream;
    }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

/// <summary>A client-streaming call in flight.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly IGrpcCall<TResponse> _call;

    internal AsyncClientStreamingCall(GrpcCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = call.RequestStream;
        ResponseAsync = call.ReadSingleResponseAsync();
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    public void Dispose() => _call.Dispose();
}

/// <summary>A bidirectional call in flight.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly IGrpcCall<TResponse> _call;

    internal AsyncDuplexStreamingCall(GrpcCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = call.RequestStream;
        ResponseStream = call.ResponseStream;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

/// <summary>The call machinery behind the public call types.</summary>
internal interface IGrpcCall<TResponse> : IDisposable
{
    IAsyncStreamReader<TResponse> ResponseStream { get; }

    Task<TResponse> ReadSingleResponseAsync();

    Task<Metadata> GetResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}
