using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Logging;
using Platform.Grpc.Internal;
using Platform.Grpc.Server;

namespace Platform.Grpc;

/// <summary>
/// Everything about one incoming call that is not the message: method, deadline, cancellation, metadata, status,
/// peer and the underlying <see cref="HttpContext"/> (for <c>User</c>, authentication and features).
/// </summary>
public sealed class ServerCallContext
{
    private static readonly StringValues s_supportedEncodings = GrpcProtocol.SupportedEncodings;
    private static readonly StringValues s_gzip = GrpcProtocol.Gzip;
    private static readonly StringValues[] s_statusValues = [.. Enumerable.Range(0, 17).Select(i => new StringValues(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    private readonly HttpContext _httpContext;
    private readonly GrpcServerOptions _options;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Metadata? _responseHeaders;
    private CancellationTokenSource? _deadlineCts;
    private bool _compressResponses;

    internal ServerCallContext(HttpContext httpContext, string method, GrpcServerOptions options)
    {
        _httpContext = httpContext;
        _options = options;
        Method = method;
    }

    /// <summary>The method path, e.g. <c>/grpc.testing.TestService/UnaryCall</c>.</summary>
    public string Method { get; }

    /// <summary>The host (authority) the client called.</summary>
    public string Host => _httpContext.Request.Host.Value ?? "";

    /// <summary>The client address in gRPC's form, e.g. <c>ipv4:127.0.0.1:50712</c>.</summary>
    public string Peer
    {
        get
        {
            var connection = _httpContext.Connection;
            return connection.RemoteIpAddress switch
            {
                null => "unknown",
                { AddressFamily: AddressFamily.InterNetworkV6 } address => $"ipv6:[{address}]:{connection.RemotePort}",
                IPAddress address => $"ipv4:{address}:{connection.RemotePort}",
            };
        }
    }

    /// <summary>When the client's deadline (<c>grpc-timeout</c>) expires, in UTC; <see cref="DateTime.MaxValue"/> if none.</summary>
    public DateTime Deadline { get; private set; } = DateTime.MaxValue;

    /// <summary>Cancelled when the client cancels or disconnects, or the deadline expires.</summary>
    // Read lazily: Kestrel allocates the request-aborted token source on first access, and most unary calls never need it.
    public CancellationToken CancellationToken => _deadlineCts?.Token ?? _httpContext.RequestAborted;

    /// <summary>The token for reading the request body: the deadline's if any; a client reset fails the read by itself.</summary>
    internal CancellationToken ReadToken => _deadlineCts?.Token ?? default;

    /// <summary>The request metadata (custom headers; <c>-bin</c> values decoded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Response headers (initial metadata), sent with the first message or the status, whichever comes first.</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= [];

    /// <summary>Trailing metadata sent with the status.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= [];

    /// <summary>The status to end the call with when the method returns normally (default OK).</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>
    /// "gzip" or "identity" to choose for this call whether response messages are compressed (gzip is used only when the
    /// client accepts it). Null follows <see cref="GrpcServerOptions.ResponseCompressionAlgorithm"/>. Set it before the first write.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Whether the last request message read arrived compressed.</summary>
    public bool RequestMessageCompressed { get; internal set; }

    /// <summary>The ASP.NET Core context of the call: <c>User</c>, connection, features.</summary>
    public HttpContext GetHttpContext() => _httpContext;

    internal bool ResponseStarted { get; private set; }

    internal string? RequestEncoding { get; private set; }

    internal int MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    internal bool DeadlineExceeded => _deadlineCts?.IsCancellationRequested == true && !_httpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Sends the response headers now, with the given metadata, before any message.</summary>
    public async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        if (ResponseStarted)
        {
            throw new InvalidOperationException("Response headers have already been sent.");
        }

        foreach (var entry in responseHeaders)
        {
            ResponseHeaders.Add(entry);
        }

        StartResponse();
        await _httpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads grpc-timeout and grpc-encoding; a bad value gives the status to end the call with.</summary>
    internal bool TryInitialize(out Status error)
    {
        error = Status.DefaultSuccess;
        var request = _httpContext.Request;
        var timeout = request.Headers.GrpcTimeout;
        if (timeout.Count > 0)
        {
            if (timeout.Count > 1 || !GrpcProtocol.TryParseTimeout(timeout[0]!, out var span))
            {
                error = new Status(StatusCode.Internal, $"Malformed grpc-timeout header '{timeout}'.");
                return false;
            }

            // Timers stop at ~49 days and DateTime at year 9999; a longer timeout (up to 8 digits of hours) is no deadline.
            if (span <= GrpcProtocol.MaxTimeout)
            {
                Deadline = DateTime.UtcNow + span;
                _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_httpContext.RequestAborted);
                _deadlineCts.CancelAfter(span);
            }
        }

        var encoding = request.Headers.GrpcEncoding;
        if (encoding.Count > 0)
        {
            var value = encoding[0]!;
            if (!GrpcProtocol.IsSupportedEncoding(value))
            {
                _httpContext.Response.Headers.GrpcAcceptEncoding = s_supportedEncodings;
                error = new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{value}'; supported: {GrpcProtocol.SupportedEncodings}.");
                return false;
            }

            RequestEncoding = value;
        }

        return true;
    }

    /// <summary>Adds the gRPC response headers (once) before the first message or explicit header write.</summary>
    internal void StartResponse()
    {
        if (ResponseStarted)
        {
            return;
        }

        ResponseStarted = true;
        var response = _httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        var headers = response.Headers;
        AppendResponseHeaders(headers);
        headers.GrpcAcceptEncoding = s_supportedEncodings;
        var algorithm = ResponseCompression ?? _options.ResponseCompressionAlgorithm;
        if (algorithm is not null && string.Equals(algorithm, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase) &&
            GrpcProtocol.AcceptsEncoding(_httpContext.Request.Headers.GrpcAcceptEncoding.ToString(), GrpcProtocol.Gzip))
        {
            _compressResponses = true;
            headers.GrpcEncoding = s_gzip;
        }
    }

    internal void WriteMessage(Google.Protobuf.IMessage message)
    {
        StartResponse();
        MessageFraming.WriteMessage(_httpContext.Response.BodyWriter, message, _options.MaxSendMessageSize, _compressResponses, _options.ResponseCompressionLevel);
    }

    /// <summary>Ends the call: grpc-status and grpc-message in trailers, or in the only HEADERS frame if nothing was sent yet.</summary>
    internal void WriteStatus(Status status)
    {
        var response = _httpContext.Response;
        if (!ResponseStarted && !response.HasStarted)
        {
            // Trailers-only: one HEADERS frame with END_STREAM carrying the status.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = GrpcProtocol.ContentType;
            var headers = response.Headers;
            AppendResponseHeaders(headers);
            headers.GrpcStatus = StatusValue(status.StatusCode);
            if (!string.IsNullOrEmpty(status.Detail))
            {
                headers.GrpcMessage = GrpcProtocol.PercentEncode(status.Detail);
            }

            if (_responseTrailers is not null)
            {
                foreach (var entry in _responseTrailers)
                {
                    headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
                }
            }

            return;
        }

        var trailers = _httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
            ?? throw new InvalidOperationException("The server does not support HTTP trailers, which gRPC needs.");
        trailers.GrpcStatus = StatusValue(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            trailers.GrpcMessage = GrpcProtocol.PercentEncode(status.Detail);
        }

        if (_responseTrailers is not null)
        {
            foreach (var entry in _responseTrailers)
            {
                trailers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
            }
        }
    }

    private void AppendResponseHeaders(IHeaderDictionary headers)
    {
        if (_responseHeaders is null)
        {
            return;
        }

        foreach (var entry in _responseHeaders)
        {
            headers.Append(entry.Key, GrpcProtocol.HeaderValue(entry));
        }
    }

    internal static StringValues StatusValue(StatusCode code) => (uint)code < (uint)s_statusValues.Length ? s_statusValues[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The status a thrown exception ends the call with; unexpected ones are logged and hidden.</summary>
    internal Status StatusFromException(Exception exception, ILogger logger)
    {
        switch (exception)
        {
            case RpcException rpc:
                foreach (var entry in rpc.Trailers)
                {
                    ResponseTrailers.Add(entry);
                }

                return rpc.Status;
            case OperationCanceledException or IOException when DeadlineExceeded:
                return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            case OperationCanceledException or IOException when _httpContext.RequestAborted.IsCancellationRequested:
            // The client reset the stream while the method read its request: Kestrel fails the body with this before it
            // cancels RequestAborted (which it does on the thread pool), so the token may not show it yet. Not a fault.
            case IOException { InnerException: Microsoft.AspNetCore.Connections.ConnectionAbortedException }:
                return new Status(StatusCode.Cancelled, "Call cancelled by the client.");
            default:
                logger.LogError(exception, "gRPC method {GrpcMethod} threw an unhandled exception", Method);
                return new Status(StatusCode.Unknown, _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
                    : "Exception was thrown by handler.");
        }
    }

    /// <summary>Frees the deadline timer once the call has ended (the layer's job, not the method's).</summary>
    internal void Release() => _deadlineCts?.Dispose();

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in _httpContext.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                if (value is not null)
                {
                    GrpcProtocol.AddHeader(metadata, header.Key, value);
                }
            }
        }

        return metadata;
    }
}
