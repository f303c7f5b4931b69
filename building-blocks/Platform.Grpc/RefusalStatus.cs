using Google.Protobuf.WellKnownTypes;
using Platform.Domain;

namespace Platform.Grpc;

/// <summary>How a refused command leaves a service over gRPC: a status code and the refusal's message, with the rule in a trailer.</summary>
public static class RefusalStatus
{
    /// <summary>Trailer that carries the refusal's stable rule code, for clients that act on it.</summary>
    public const string RuleTrailer = "platform-refusal-rule";

    public static StatusCode ToStatusCode(this RefusalKind kind) => kind switch
    {
        RefusalKind.InvalidArgument => StatusCode.InvalidArgument,
        RefusalKind.NotFound => StatusCode.NotFound,
        RefusalKind.AlreadyExists => StatusCode.AlreadyExists,
        RefusalKind.FailedPrecondition => StatusCode.FailedPrecondition,
        RefusalKind.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpcException(this Refusal refusal) =>
        new(new Status(refusal.Kind.ToStatusCode(), refusal.Message), new Metadata { { RuleTrailer, refusal.Rule } });

    /// <summary>The value, or the refusal thrown as the matching gRPC status.</summary>
    public static T OrThrow<T>(this Outcome<T> outcome) => outcome.IsRefused ? throw outcome.Refusal!.ToRpcException() : outcome.Value;

    public static Timestamp ToTimestamp(this DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
