using System.Text;
using Grpc.Core;

namespace Platform.Gateway.Proxy;

/// <summary>A refusal or failure of the gateway's own, as an HTTP status for REST callers and a gRPC status for gRPC callers.</summary>
public sealed record CallerError(int HttpStatus, StatusCode GrpcStatus, string Title);

/// <summary>
/// Writes the gateway's own answers in the caller's protocol. A gRPC caller gets a trailers-only response (HTTP 200,
/// <c>grpc-status</c> and <c>grpc-message</c> in the headers), because gRPC clients map any other HTTP status to
/// UNAVAILABLE or UNKNOWN and drop the message; a REST caller gets the HTTP status with a problem details body.
/// </summary>
public static class CallerResponses
{
    public static readonly CallerError NotFound = new(StatusCodes.Status404NotFound, StatusCode.Unimplemented, "Not found");
    public static readonly CallerError UpstreamUnavailable = new(StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable, "Service unavailable");
    public static readonly CallerError UpstreamTimedOut = new(StatusCodes.Status504GatewayTimeout, StatusCode.DeadlineExceeded, "Gateway timeout");
    public static readonly CallerError UpstreamFailed = new(StatusCodes.Status502BadGateway, StatusCode.Unavailable, "Bad gateway");
    public static readonly CallerError TooManyRequests = new(StatusCodes.Status429TooManyRequests, StatusCode.ResourceExhausted, "Too many requests");
    public static readonly CallerError InvalidIdempotencyKey = new(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, "Invalid Idempotency-Key");
    public static readonly CallerError IdempotencyKeyReused = new(StatusCodes.Status422UnprocessableEntity, StatusCode.InvalidArgument, "Idempotency-Key reused");
    public static readonly CallerError IdempotentRequestInProgress = new(StatusCodes.Status409Conflict, StatusCode.Aborted, "Request in progress");
    public static readonly CallerError IdempotencyStoreUnavailable = new(StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable, "Idempotency store unavailable");
    public static readonly CallerError RequestTooLarge = new(StatusCodes.Status413PayloadTooLarge, StatusCode.ResourceExhausted, "Request too large");

    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    public static Task WriteAsync(HttpContext context, CallerError error, string detail, Action<IHeaderDictionary>? headers = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Too late for a status: the caller must still learn the call failed rather than wait or take a half answer.
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        headers?.Invoke(response.Headers);
        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = ((int)error.GrpcStatus).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = PercentEncode(detail);
            return Task.CompletedTask;
        }

        response.StatusCode = error.HttpStatus;
        return Results.Problem(detail: detail, statusCode: error.HttpStatus, title: error.Title).ExecuteAsync(context);
    }

    // grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself (gRPC over HTTP/2, "Responses").
    private static string PercentEncode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') text.Append((char)b);
            else text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
