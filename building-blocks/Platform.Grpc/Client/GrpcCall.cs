using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Platform.Grpc.Internal;

namespace Platform.Grpc.Client;

/// <summary>One outgoing call: the HTTP/2 request, its response stream, status and trailers, deadline and cancellation.</summary>
internal sealed class GrpcCall<TRequest, TResponse> : IGrpcCall<TResponse>, IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private const int NotAborted = 0;
    private static readonly MediaTypeHeaderValue s_contentType = new(GrpcProtocol.ContentType);
    private static readonly string s_userAgent = $"platform-grpc-dotnet/{typeof(GrpcCall<,>).Assembly.GetName().Version}";

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callCts = new();
    private readonly TimeSpan? _timeout;
    private readonly DateTime? _deadlineUtc;
    private readonly bool _compressRequests;
    private CancellationTokenRegistration _userRegistration;
    private CancellationTokenRegistration _parentRegistration;
    private CancellationTokenSource? _deadlineCts;
    private int _abortReason;
    private Task<HttpResponseMessage>? _sendTask;
    private PushStreamContent? _requestContent;
    private HttpResponseMessage? _response;
    private PipeReader? _responseReader;
    private string? _responseEncoding;
    private Status? _status;
    private Metadata? _trailers;
    private TResponse? _current;
    private bool _requestCompleted;
    private int _disposed;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        var compression = options.RequestCompression ?? channel.Options.RequestCompression;
        _compressRequests = compression is not null && string.Equals(compression, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

        var deadline = options.Deadline;
        if (options.PropagateFrom is { } parent)
        {
            if (parent.Deadline != DateTime.MaxValue && (deadline is null || parent.Deadline < deadline))
            {
                deadline = parent.Deadline;
            }

            _parentRegistration = parent.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(StatusCode.Cancelled), this);
        }

        if (options.CancellationToken.CanBeCanceled)
        {
            _userRegistration = options.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(StatusCode.Cancelled), this);
        }

        if (deadline is { } d && d != DateTime.MaxValue && d.ToUniversalTime() - DateTime.UtcNow <= GrpcProtocol.MaxTimeout)
        {
            var remaining = d.ToUniversalTime() - DateTime.UtcNow;
            _timeout = remaining;
            _deadlineUtc = d.ToUniversalTime();
            if (remaining <= TimeSpan.Zero)
            {
                Abort(StatusCode.DeadlineExceeded);
            }
            else
            {
                _deadlineCts = new CancellationTokenSource(remaining);
                _deadlineCts.Token.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(StatusCode.DeadlineExceeded), this);
            }
        }
    }

    public IAsyncStreamReader<TResponse> ResponseStream => this;

    public IClientStreamWriter<TRequest> RequestStream => this;

    public TResponse Current => _current ?? throw new InvalidOperationException("Call MoveNext first.");

    public void StartUnary(TRequest request)
    {
        try
        {
            var frame = MessageFraming.CreateFrame(request, _channel.Options.MaxSendMessageSize, _compressRequests, _channel.Options.CompressionLevel);
            var content = new ByteArrayContent(frame);
            content.Headers.ContentType = s_contentType;
            _sendTask = SendAsync(content);
        }
        catch (Exception exception)
        {
            _sendTask = Task.FromException<HttpResponseMessage>(exception);
        }
    }

    public void StartStreaming()
    {
        _requestContent = new PushStreamContent(s_contentType);
        _sendTask = SendAsync(_requestContent);
    }

    public async Task<TResponse> ReadSingleResponseAsync()
    {
        try
        {
            await EnsureResponseAsync().ConfigureAwait(false);
            if (_status is { } early)
            {
                throw early.StatusCode == StatusCode.OK
                    ? Fail(new Status(StatusCode.Internal, "Failed to deserialize response message: the call ended without one."))
                    : new RpcException(early, _trailers ?? []);
            }

            var message = await ReadNextAsync().ConfigureAwait(false);
            if (message is null)
            {
                FinishFromTrailers();
                throw _status!.Value.StatusCode == StatusCode.OK
                    ? Fail(new Status(StatusCode.Internal, "Failed to deserialize response message: the call ended without one."))
                    : new RpcException(_status!.Value, _trailers ?? []);
            }

            if (await ReadNextAsync().ConfigureAwait(false) is not null)
            {
                throw Fail(new Status(StatusCode.Internal, "More than one response message on a call that returns a single response."));
            }

            FinishFromTrailers();
            if (_status!.Value.StatusCode != StatusCode.OK)
            {
                throw new RpcException(_status.Value, _trailers ?? []);
            }

            return message;
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw MapException(exception);
        }
        finally
        {
            Cleanup();
        }
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(StatusCode.Cancelled), this)
            : default;
        try
        {
            await EnsureResponseAsync().ConfigureAwait(false);
            if (_status is { } status)
            {
                return status.StatusCode == StatusCode.OK ? false : throw new RpcException(status, _trailers ?? []);
            }

            var message = await ReadNextAsync().ConfigureAwait(false);
            if (message is not null)
            {
                _current = message;
                return true;
            }

            FinishFromTrailers();
            Cleanup();
            return _status!.Value.StatusCode == StatusCode.OK ? false : throw new RpcException(_status.Value, _trailers ?? []);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            Cleanup();
            throw MapException(exception);
        }
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestCompleted)
        {
            throw new InvalidOperationException("The request stream has already been completed.");
        }

        if (_status is { } ended)
        {
            throw new RpcException(ended.StatusCode == StatusCode.OK ? new Status(StatusCode.Internal, "The call has already ended.") : ended, _trailers ?? []);
        }

        try
        {
            var content = _requestContent!;
            var first = await Task.WhenAny(content.StreamTask, _sendTask!).ConfigureAwait(false);
            if (first != content.StreamTask)
            {
                // The server answered before reading the request (e.g. trailers-only error): surface its status.
                await EnsureResponseAsync().ConfigureAwait(false);
                throw new RpcException(_status ?? new Status(StatusCode.Internal, "The call ended before the request was sent."), _trailers ?? []);
            }

            var stream = await content.StreamTask.ConfigureAwait(false);
            var frame = MessageFraming.CreateFrame(message, _channel.Options.MaxSendMessageSize, _compressRequests, _channel.Options.CompressionLevel);
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callCts.Token) : null;
            var token = linked?.Token ?? _callCts.Token;
            await stream.WriteAsync(frame, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw MapException(exception);
        }
    }

    public Task CompleteAsync()
    {
        _requestCompleted = true;
        _requestContent?.Complete();
        return Task.CompletedTask;
    }

    public async Task<Metadata> GetResponseHeadersAsync()
    {
        try
        {
            await EnsureResponseAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw MapException(exception);
        }

        var metadata = new Metadata();
        if (_response is not null)
        {
            AddHeaders(metadata, _response.Headers);
        }

        return metadata;
    }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not ended yet.");

    public Metadata GetTrailers() => _status is null ? throw new InvalidOperationException("The call has not ended yet.") : _trailers ?? [];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_status is null)
        {
            Abort(StatusCode.Cancelled);
        }

        Cleanup();
        _requestContent?.Abort();
        _response?.Dispose();
        _callCts.Dispose();
    }

    // A stream the server refused (REFUSED_STREAM, e.g. sent before the client saw its stream limit) was never
    // processed, so gRPC allows retrying it transparently; only a buffered body can be sent again.
    private const int MaxRefusedStreamAttempts = 3;

    private async Task<HttpResponseMessage> SendAsync(HttpContent content)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(content).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.InnerException is HttpProtocolException { ErrorCode: 0x7 }
                && content is ByteArrayContent && attempt < MaxRefusedStreamAttempts && !_callCts.IsCancellationRequested)
            {
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", s_userAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_compressRequests)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        }

        if (_timeout is { } timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(timeout));
        }

        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }

        if (_channel.Options.Credentials is not null || _options.Credentials is not null)
        {
            var credentials = new Metadata();
            if (_channel.Options.Credentials is { } channelCredentials)
            {
                await channelCredentials.ApplyAsync(credentials, _callCts.Token).ConfigureAwait(false);
            }

            if (_options.Credentials is { } callCredentials)
            {
                await callCredentials.ApplyAsync(credentials, _callCts.Token).ConfigureAwait(false);
            }

            foreach (var entry in credentials)
            {
                headers.Remove(entry.Key);
                headers.TryAddWithoutValidation(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }

        _callCts.Token.ThrowIfCancellationRequested();
        return await _channel.Invoker.SendAsync(request, _callCts.Token).ConfigureAwait(false);
    }

    private async ValueTask EnsureResponseAsync()
    {
        if (_response is not null || _status is not null)
        {
            return;
        }

        var response = await _sendTask!.ConfigureAwait(false);
        _response = response;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            _status = new Status(GrpcProtocol.FromHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
            return;
        }

        if (TryGetHeader(response.Headers, GrpcProtocol.StatusTrailer) is not null)
        {
            // Trailers-only response: the status came in the only HEADERS frame.
            _status = ReadStatus(response.Headers);
            _trailers = new Metadata();
            AddHeaders(_trailers, response.Headers);
            Cleanup();
            return;
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            _status = new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}");
            return;
        }

        _responseEncoding = TryGetHeader(response.Headers, GrpcProtocol.EncodingHeader);
        var stream = await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false);
        _responseReader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096));
    }

    private async ValueTask<TResponse?> ReadNextAsync()
    {
        try
        {
            var (message, _) = await MessageFraming.ReadMessageAsync(
                _responseReader!, _responseEncoding, _channel.Options.MaxReceiveMessageSize, _method.ResponseParser, _callCts.Token).ConfigureAwait(false);
            return message;
        }
        catch (RpcException exception)
        {
            // A bad or oversized response message: this side ends the call (RST_STREAM) with that status.
            throw Fail(exception.Status);
        }
    }

    private void FinishFromTrailers()
    {
        if (_status is not null)
        {
            return;
        }

        var trailers = _response!.TrailingHeaders;
        _status = TryGetHeader(trailers, GrpcProtocol.StatusTrailer) is null
            ? new Status(StatusCode.Internal, "No grpc-status found on response.")
            : ReadStatus(trailers);
        _trailers = new Metadata();
        AddHeaders(_trailers, trailers);
    }

    private RpcException Fail(Status status)
    {
        _status ??= status;
        Abort(status.StatusCode);
        return new RpcException(status, _trailers ?? []);
    }

    private void Abort(StatusCode reason)
    {
        Interlocked.CompareExchange(ref _abortReason, (int)reason, NotAborted);
        try
        {
            _callCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        // Once the response has arrived the send token no longer reaches the stream; disposing an unfinished response
        // is what makes SocketsHttpHandler send RST_STREAM, so the server sees the cancellation.
        _requestContent?.Abort();
        _response?.Dispose();
    }

    private RpcException MapException(Exception exception)
    {
        var reason = (StatusCode)Volatile.Read(ref _abortReason);
        Status status;
        if (reason == StatusCode.DeadlineExceeded)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else if (reason == StatusCode.Cancelled)
        {
            status = new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        else if (_status is { } known)
        {
            status = known;
        }
        else if (_deadlineUtc is { } deadline && DateTime.UtcNow >= deadline)
        {
            // The deadline passed while the call failed for another visible reason (the server's reset, say, arriving
            // before our own timer fired): the caller's deadline is what ended it.
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else
        {
            // A reset before the response headers arrives as HttpRequestException wrapping the HTTP/2 error.
            if (exception is HttpRequestException { InnerException: HttpProtocolException inner })
            {
                exception = inner;
            }

            status = exception switch
            {
                HttpProtocolException { ErrorCode: 0x8 } => new Status(StatusCode.Cancelled, "The server cancelled the call (RST_STREAM CANCEL)."),
                HttpProtocolException { ErrorCode: 0x7 } => new Status(StatusCode.Unavailable, "The server refused the stream."),
                HttpProtocolException { ErrorCode: 0xb } => new Status(StatusCode.ResourceExhausted, "The server asked to slow down (ENHANCE_YOUR_CALM)."),
                HttpProtocolException p => new Status(StatusCode.Internal, $"HTTP/2 error {p.ErrorCode}: {p.Message}"),
                HttpRequestException h => new Status(StatusCode.Unavailable, $"Error connecting to {_channel.Address}: {h.Message}"),
                IOException io => new Status(StatusCode.Unavailable, $"Connection error: {io.Message}"),
                OperationCanceledException => new Status(StatusCode.Cancelled, "Call canceled."),
                _ => new Status(StatusCode.Internal, $"Error in the gRPC client: {exception.Message}"),
            };
        }

        _status ??= status;
        return new RpcException(status, _trailers ?? []);
    }

    private void Cleanup()
    {
        _userRegistration.Dispose();
        _parentRegistration.Dispose();
        _deadlineCts?.Dispose();
    }

    private static Status ReadStatus(HttpHeaders headers)
    {
        var code = GrpcProtocol.TryParseStatus(TryGetHeader(headers, GrpcProtocol.StatusTrailer), out var parsed) ? parsed : StatusCode.Unknown;
        var message = TryGetHeader(headers, GrpcProtocol.MessageTrailer);
        return new Status(code, message is null ? "" : GrpcProtocol.PercentDecode(message));
    }

    private static string? TryGetHeader(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static void AddHeaders(Metadata metadata, HttpHeaders headers)
    {
        foreach (var header in headers.NonValidated)
        {
            foreach (var value in header.Value)
            {
                GrpcProtocol.AddHeader(metadata, header.Key, value);
            }
        }
    }
}

/// <summary>Request content whose stream is handed to the call's writer; the request ends when the writer completes.</summary>
internal sealed class PushStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _streamTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completeTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PushStreamContent(MediaTypeHeaderValue contentType) => Headers.ContentType = contentType;

    public Task<Stream> StreamTask => _streamTcs.Task;

    public void Complete() => _completeTcs.TrySetResult();

    public void Abort()
    {
        _streamTcs.TrySetCanceled();
        _completeTcs.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _streamTcs.TrySetResult(stream);
        await _completeTcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
