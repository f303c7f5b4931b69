using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Platform.Gateway.Proxy;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Gateway.Limits;

/// <summary>
/// <c>Idempotency-Key</c> on writes (IETF draft-ietf-httpapi-idempotency-key-header): the first request with a key is
/// forwarded and its response kept in Redis for <see cref="IdempotencyOptions.Retention"/>; a retry with the same key
/// and the same request gets that response again, marked <c>Idempotent-Replayed: true</c>, and never reaches the
/// service. Keys belong to one client of one trust (from the token), so no one else's key can collide or replay.
/// <list type="bullet">
/// <item>A key is claimed atomically before forwarding, so two retries racing each other cannot both act: the second
/// gets 409 (gRPC ABORTED) while the first is under way.</item>
/// <item>The same key on a different request (method, path or body) is refused with 422 (gRPC INVALID_ARGUMENT).</item>
/// <item>Only answers that settle the request are kept (success and the service's refusals); a failure a caller
/// should retry (5xx, 429, gRPC UNAVAILABLE, INTERNAL, ...) frees the key so the retry acts.</item>
/// <item>Fails closed: when Redis does not answer, a request carrying a key is refused with 503 (gRPC UNAVAILABLE)
/// before it reaches the service, because forwarding it without the store could act twice.</item>
/// </list>
/// </summary>
public sealed class IdempotencyKeys(RequestDelegate next, SharedStore store, IOptionsMonitor<IdempotencyOptions> options, GatewayMetrics metrics,
    ILogger<IdempotencyKeys> logger)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    // Returns the stored record when the key is taken, else claims it for this request and returns nil.
    private const string ClaimScript = """
        local existing = redis.call('GET', KEYS[1])
        if existing then return existing end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    private static readonly HashSet<string> s_notKept = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Retry-After",
        "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-Correlation-Id",
    };

    // gRPC statuses that do not settle a request: the caller should retry, and the retry must act.
    private static readonly HashSet<string> s_retryableGrpc = ["1", "2", "4", "8", "10", "13", "14"];

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = options.CurrentValue;
        var values = context.Request.Headers[Header];
        if (values.Count == 0 || !IsWrite(context.Request, settings))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (values.Count > 1 || key.Length is 0 or > 255 || !key.All(c => c is >= (char)0x21 and <= (char)0x7E))
        {
            await CallerResponses.WriteAsync(context, CallerResponses.InvalidIdempotencyKey,
                "Idempotency-Key must be a single value of 1 to 255 printable ASCII characters without spaces.");
            return;
        }

        var body = await ReadBodyAsync(context.Request, settings.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await CallerResponses.WriteAsync(context, CallerResponses.RequestTooLarge,
                $"A request with an Idempotency-Key may carry at most {settings.MaxBodyBytes} bytes.");
            return;
        }
        context.Request.Body = new MemoryStream(body, writable: false);

        var fingerprint = Fingerprint(context.Request, body);
        var storeKey = StoreKey(context.User, key);
        var claim = JsonSerializer.Serialize(new StoredResponse(fingerprint, InProgress: true));
        var (answered, existing) = await store.TryAsync(db =>
            db.ScriptEvaluateAsync(ClaimScript, [storeKey], [claim, (long)settings.InProgressLease.TotalMilliseconds]));
        if (!answered)
        {
            metrics.Idempotency("store-unavailable");
            await CallerResponses.WriteAsync(context, CallerResponses.IdempotencyStoreUnavailable,
                "The Idempotency-Key cannot be honoured now: the gateway's shared store does not answer. Nothing was sent to the service; retry later.");
            return;
        }

        if (!existing!.IsNull)
        {
            var stored = JsonSerializer.Deserialize<StoredResponse>((string)existing!)!;
            if (stored.Fingerprint != fingerprint)
            {
                metrics.Idempotency("reused");
                await CallerResponses.WriteAsync(context, CallerResponses.IdempotencyKeyReused,
                    "This Idempotency-Key was used for a different request. Use a new key for a new request.");
            }
            else if (stored.InProgress)
            {
                metrics.Idempotency("in-progress");
                await CallerResponses.WriteAsync(context, CallerResponses.IdempotentRequestInProgress,
                    "A request with this Idempotency-Key is still under way. Retry once it has completed.");
            }
            else
            {
                metrics.Idempotency("replayed");
                await ReplayAsync(context, stored);
            }
            return;
        }

        metrics.Idempotency("first");
        var capture = new CapturingStream(context.Response.Body, settings.MaxBodyBytes);
        context.Response.Body = capture;
        await next(context);
        await SettleAsync(context, storeKey, fingerprint, capture, settings);
    }

    private async Task SettleAsync(HttpContext context, string storeKey, string fingerprint, CapturingStream capture, IdempotencyOptions settings)
    {
        var failure = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        if (failure is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient)
        {
            // The caller left: whether the service acted is unknown, so the key stays claimed until its lease ends.
            return;
        }

        var response = context.Response;
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        bool kept;
        if (failure == ForwarderError.None && Settles(context.Request, response, trailers) && !capture.Overflowed)
        {
            var record = new StoredResponse(fingerprint, InProgress: false, response.StatusCode,
                Keep(response.Headers), capture.Captured(), trailers is null ? null : Keep(trailers));
            (kept, _) = await store.TryAsync(db => db.StringSetAsync(storeKey, JsonSerializer.Serialize(record), settings.Retention));
        }
        else
        {
            (kept, _) = await store.TryAsync(db => db.KeyDeleteAsync(storeKey));
        }
        if (!kept)
        {
            logger.LogError("The outcome of a request with an Idempotency-Key could not be stored; its key stays claimed until its lease ends");
        }
    }

    private static bool Settles(HttpRequest request, HttpResponse response, IHeaderDictionary? trailers)
    {
        if (CallerResponses.IsGrpc(request))
        {
            if (response.StatusCode != StatusCodes.Status200OK) return false;
            var status = trailers?["grpc-status"].ToString() is { Length: > 0 } inTrailers ? inTrailers : response.Headers["grpc-status"].ToString();
            return status.Length > 0 && !s_retryableGrpc.Contains(status);
        }
        return response.StatusCode < 500 && response.StatusCode != StatusCodes.Status429TooManyRequests && response.StatusCode != StatusCodes.Status408RequestTimeout;
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        var response = context.Response;
        response.StatusCode = stored.Status;
        foreach (var (name, value) in stored.Headers ?? []) response.Headers[name] = value;
        response.Headers[ReplayedHeader] = "true";
        if (stored.Body is { Length: > 0 } body)
        {
            if (!CallerResponses.IsGrpc(context.Request)) response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
        if (stored.Trailers is { Count: > 0 } trailers && response.SupportsTrailers())
        {
            foreach (var (name, value) in trailers) response.AppendTrailer(name, value);
        }
    }

    private static Dictionary<string, string[]> Keep(IHeaderDictionary headers) =>
        headers.Where(h => !s_notKept.Contains(h.Key)).ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase);

    private static bool IsWrite(HttpRequest request, IdempotencyOptions settings)
    {
        if (CallerResponses.IsGrpc(request))
        {
            var path = request.Path.Value ?? "";
            var method = path[(path.LastIndexOf('/') + 1)..];
            return !settings.ReadMethodPrefixes.Any(p => method.StartsWith(p, StringComparison.Ordinal));
        }
        return HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
    }

    // Scoped to the trust and the client the token names, and hashed, so keys never show in Redis as sent.
    private static string StoreKey(ClaimsPrincipal user, string key)
    {
        var trust = user.FindFirstValue("tenant") ?? "none";
        var client = CallerIdentity.Client(user);
        return $"gw:idem:{{{trust}}}:{Hash(Encoding.UTF8.GetBytes(client + "\n" + key))}";
    }

    private static string Fingerprint(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Hash(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private sealed record StoredResponse(string Fingerprint, bool InProgress, int Status = 0, Dictionary<string, string[]>? Headers = null,
        byte[]? Body = null, Dictionary<string, string[]>? Trailers = null);

    /// <summary>Passes the response body through to the caller and keeps a copy, up to a limit.</summary>
    private sealed class CapturingStream(Stream inner, int limit) : Stream
    {
        private readonly MemoryStream _copy = new();

        public bool Overflowed { get; private set; }

        public byte[] Captured() => _copy.ToArray();

        private void Keep(ReadOnlySpan<byte> data)
        {
            if (Overflowed) return;
            if (_copy.Length + data.Length > limit)
            {
                Overflowed = true;
                return;
            }
            _copy.Write(data);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
