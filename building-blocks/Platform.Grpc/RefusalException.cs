using Platform.Domain;

namespace Platform.Grpc;

/// <summary>
/// A refusal leaving a gRPC handler. <see cref="Interceptors.CallPolicyInterceptor"/> turns it into the call's status
/// (google.rpc.Status with ErrorInfo, and BadRequest for invalid input); handlers throw it through <c>OrThrow</c>.
/// </summary>
public sealed class RefusalException(Refusal refusal, IReadOnlyDictionary<string, string>? metadata = null)
    : Exception($"{refusal.Rule}: {refusal.Message}")
{
    /// <summary>The refusal: its kind (the status code), rule code and message.</summary>
    public Refusal Refusal { get; } = refusal;

    /// <summary>Extra facts for the caller, sent as ErrorInfo metadata (never patient data).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; } = metadata;
}
