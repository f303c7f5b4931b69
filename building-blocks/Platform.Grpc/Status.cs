namespace Platform.Grpc;

/// <summary>The gRPC status codes (grpc/grpc doc/statuscodes.md). Values are the wire values of <c>grpc-status</c>.</summary>
public enum StatusCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>The outcome of a call: a code and a human-readable detail (sent percent-encoded as <c>grpc-message</c>).</summary>
public readonly record struct Status(StatusCode StatusCode, string Detail)
{
    /// <summary>OK with no detail.</summary>
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");

    public override string ToString() => $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")";
}

/// <summary>
/// Thrown by a service method to end the call with a given status (and optional trailers), and thrown by the client
/// when a call ends with a status other than OK.
/// </summary>
public class RpcException : Exception
{
    public RpcException(StatusCode statusCode, string detail) : this(new Status(statusCode, detail))
    {
    }

    public RpcException(Status status) : this(status, new Metadata())
    {
    }

    public RpcException(Status status, Metadata trailers) : base(status.ToString())
    {
        Status = status;
        Trailers = trailers;
    }

    /// <summary>The status the call ended with.</summary>
    public Status Status { get; }

    /// <summary>Shortcut for <c>Status.StatusCode</c>.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailing metadata: sent by the server when a service throws; received by the client.</summary>
    public Metadata Trailers { get; }
}
