using Google.Protobuf.WellKnownTypes;
using Platform.Domain;
using Platform.Grpc.Interceptors;

namespace Platform.Grpc;

/// <summary>How a handler hands a refusal to <see cref="CallPolicyInterceptor"/>, which ends the call with it.</summary>
public static class RefusalStatus
{
    /// <summary>Trailer that carries the refusal's stable rule code, for clients that act on it.</summary>
    public const string RuleTrailer = CallPolicyInterceptor.RuleTrailer;

    /// <summary>The refusal as the exception a handler throws.</summary>
    public static RefusalException ToException(this Refusal refusal) => new(refusal);

    /// <summary>The value, or the refusal thrown for <see cref="CallPolicyInterceptor"/> to turn into the call's status.</summary>
    public static T OrThrow<T>(this Outcome<T> outcome) => outcome.IsRefused ? throw outcome.Refusal!.ToException() : outcome.Value;

    public static Timestamp ToTimestamp(this DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
