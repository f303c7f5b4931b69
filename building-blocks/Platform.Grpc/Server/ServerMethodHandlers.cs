using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Grpc.Internal;

namespace Platform.Grpc.Server;

/// <summary>Serves one bound method: protocol checks, call context, activation, status. Subclasses read and write messages.</summary>
internal abstract class ServerMethodHandler
{
    private readonly Func<IServiceProvider, object> _activate;
    private readonly bool _disposeService;
    private readonly bool _usesServices;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    protected ServerMethodHandler(ServiceActivation activation, MethodDescriptor descriptor, MethodInfo method, GrpcServerOptions options, ILogger logger)
    {
        _activate = activation.Activate;
        _disposeService = activation.DisposeAfterCall;
        _usesServices = activation.UsesServices;
        _options = options;
        _logger = logger;
        Descriptor = descriptor;
        Method = method;
        Path = $"/{descriptor.Service.FullName}/{descriptor.Name}";
    }

    public string Path { get; }

    public MethodDescriptor Descriptor { get; }

    public MethodInfo Method { get; }

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        if (!RequestValidation.Validate(httpContext))
        {
            return;
        }

        var context = new ServerCallContext(httpContext, Path, _options);
        try
        {
            Status status;
            try
            {
                if (!context.TryInitialize(out var initError))
                {
                    context.WriteStatus(initError);
                    return;
                }

                var service = _activate(_usesServices ? httpContext.RequestServices : null!);
                try
                {
                    await InvokeAsync(service, context).ConfigureAwait(false);
                }
                finally
                {
                    if (_disposeService)
                    {
                        if (service is IAsyncDisposable asyncDisposable)
                        {
                            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                        }
                        else if (service is IDisposable disposable)
                        {
                            disposable.Dispose();
                        }
                    }
                }

                status = context.DeadlineExceeded ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : context.Status;
            }
            catch (Exception exception)
            {
                status = context.StatusFromException(exception, _logger);
                if (httpContext.RequestAborted.IsCancellationRequested)
                {
                    // The client reset the stream; there is nobody to send a status to.
                    return;
                }
            }

            context.WriteStatus(status);
        }
        finally
        {
            context.Release();
        }
    }

    protected abstract Task InvokeAsync(object service, ServerCallContext context);

    protected static async ValueTask<TRequest> ReadSingleRequestAsync<TRequest>(ServerCallContext context, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest>
    {
        var (request, compressed) = await MessageFraming.ReadSingleMessageAsync(
            context.GetHttpContext().Request.BodyReader, context.RequestEncoding, context.MaxReceiveMessageSize, parser, context.ReadToken).ConfigureAwait(false);
        context.RequestMessageCompressed = compressed;
        return request;
    }
}

/// <summary>How the service object of a call is obtained: from DI when registered, else constructed (and disposed) per call.</summary>
internal sealed record ServiceActivation(Func<IServiceProvider, object> Activate, bool DisposeAfterCall, bool UsesServices = true);

internal sealed class UnaryHandler<TService, TRequest, TResponse> : ServerMethodHandler
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _invoker;
    private readonly MessageParser<TRequest> _parser;

    public UnaryHandler(ServiceActivation activation, MethodDescriptor descriptor, MethodInfo method, GrpcServerOptions options, ILogger logger)
        : base(activation, descriptor, method, options, logger)
    {
        _invoker = method.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>();
        _parser = (MessageParser<TRequest>)descriptor.InputType.Parser;
    }

    protected override Task InvokeAsync(object service, ServerCallContext context)
    {
        // Fast path: the whole request is already buffered and the method completes synchronously, so no state machine
        // is allocated; this is most unary calls with small messages.
        if (!MessageFraming.TryReadSingleMessage(
                context.GetHttpContext().Request.BodyReader, context.RequestEncoding, context.MaxReceiveMessageSize, _parser, out var request, out var compressed))
        {
            return InvokeSlowAsync(service, context);
        }

        context.RequestMessageCompressed = compressed;
        var responseTask = _invoker((TService)service, request, context);
        if (!responseTask.IsCompletedSuccessfully)
        {
            return AwaitResponseAsync(responseTask, context);
        }

        WriteResponse(responseTask.Result, context);
        return Task.CompletedTask;
    }

    private async Task InvokeSlowAsync(object service, ServerCallContext context)
    {
        var request = await ReadSingleRequestAsync(context, _parser).ConfigureAwait(false);
        WriteResponse(await _invoker((TService)service, request, context).ConfigureAwait(false), context);
    }

    private async Task AwaitResponseAsync(Task<TResponse> responseTask, ServerCallContext context) =>
        WriteResponse(await responseTask.ConfigureAwait(false), context);

    private void WriteResponse(TResponse? response, ServerCallContext context)
    {
        if (response is null)
        {
            throw new InvalidOperationException($"{Path} returned a null response.");
        }

        if (context.Status.StatusCode == StatusCode.OK)
        {
            // Not flushed: Kestrel sends the DATA frame together with the trailers when the request completes.
            context.WriteMessage(response);
        }
    }
}

internal sealed class ServerStreamingHandler<TService, TRequest, TResponse> : ServerMethodHandler
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>? _invoker;
    private readonly Func<TService, TRequest, ServerCallContext, IAsyncEnumerable<TResponse>>? _enumerableInvoker;
    private readonly MessageParser<TRequest> _parser;

    public ServerStreamingHandler(ServiceActivation activation, MethodDescriptor descriptor, MethodInfo method, GrpcServerOptions options, ILogger logger)
        : base(activation, descriptor, method, options, logger)
    {
        if (method.ReturnType == typeof(Task))
        {
            _invoker = method.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>();
        }
        else
        {
            _enumerableInvoker = method.CreateDelegate<Func<TService, TRequest, ServerCallContext, IAsyncEnumerable<TResponse>>>();
        }

        _parser = (MessageParser<TRequest>)descriptor.InputType.Parser;
    }

    protected override async Task InvokeAsync(object service, ServerCallContext context)
    {
        var request = await ReadSingleRequestAsync(context, _parser).ConfigureAwait(false);
        var writer = new ServerStreamWriter<TResponse>(context);
        if (_invoker is not null)
        {
            await _invoker((TService)service, request, writer, context).ConfigureAwait(false);
            return;
        }

        await foreach (var response in _enumerableInvoker!((TService)service, request, context).WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            await writer.WriteAsync(response).ConfigureAwait(false);
        }
    }
}

internal sealed class ClientStreamingHandler<TService, TRequest, TResponse> : ServerMethodHandler
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> _invoker;
    private readonly MessageParser<TRequest> _parser;

    public ClientStreamingHandler(ServiceActivation activation, MethodDescriptor descriptor, MethodInfo method, GrpcServerOptions options, ILogger logger)
        : base(activation, descriptor, method, options, logger)
    {
        _invoker = method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>();
        _parser = (MessageParser<TRequest>)descriptor.InputType.Parser;
    }

    protected override async Task InvokeAsync(object service, ServerCallContext context)
    {
        var reader = new ServerStreamReader<TRequest>(context, _parser);
        var response = await _invoker((TService)service, reader, context).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{Path} returned a null response.");
        if (context.Status.StatusCode == StatusCode.OK)
        {
            context.WriteMessage(response);
        }
    }
}

internal sealed class DuplexStreamingHandler<TService, TRequest, TResponse> : ServerMethodHandler
    where TService : class
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _invoker;
    private readonly MessageParser<TRequest> _parser;

    public DuplexStreamingHandler(ServiceActivation activation, MethodDescriptor descriptor, MethodInfo method, GrpcServerOptions options, ILogger logger)
        : base(activation, descriptor, method, options, logger)
    {
        _invoker = method.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>();
        _parser = (MessageParser<TRequest>)descriptor.InputType.Parser;
    }

    protected override Task InvokeAsync(object service, ServerCallContext context) =>
        _invoker((TService)service, new ServerStreamReader<TRequest>(context, _parser), new ServerStreamWriter<TResponse>(context), context);
}

internal sealed class ServerStreamReader<T>(ServerCallContext context, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("Call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken)
            : null;
        var (message, compressed) = await MessageFraming.ReadMessageAsync(
            context.GetHttpContext().Request.BodyReader, context.RequestEncoding, context.MaxReceiveMessageSize, parser,
            linked?.Token ?? context.CancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return false;
        }

        context.RequestMessageCompressed = compressed;
        _current = message;
        return true;
    }
}

internal sealed class ServerStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
        token.ThrowIfCancellationRequested();
        context.CancellationToken.ThrowIfCancellationRequested();
        context.WriteMessage(message);
        var result = await context.GetHttpContext().Response.BodyWriter.FlushAsync(token).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The response stream is closed.");
        }
    }
}

/// <summary>The checks every gRPC request passes before a method runs (PROTOCOL-HTTP2.md: HTTP/2, content-type, te).</summary>
internal static class RequestValidation
{
    public static bool Validate(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Connection = "Upgrade";
            response.Headers.Upgrade = "HTTP/2";
            WriteError(response, StatusCode.Internal, $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2.");
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            WriteError(response, StatusCode.Internal, $"Content-Type '{request.ContentType}' is not supported.");
            return false;
        }

        if (!string.Equals(request.Headers.TE.ToString(), "trailers", StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status200OK;
            WriteError(response, StatusCode.Internal, "Missing 'te: trailers' header.");
            return false;
        }

        return true;
    }

    public static void WriteError(HttpResponse response, StatusCode code, string detail)
    {
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers.GrpcStatus = ServerCallContext.StatusValue(code);
        response.Headers.GrpcMessage = GrpcProtocol.PercentEncode(detail);
    }
}
