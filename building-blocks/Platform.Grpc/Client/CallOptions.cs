namespace Platform.Grpc.Client;

/// <summary>Per-call settings: metadata, deadline, cancellation, credentials, compression, propagation.</summary>
public readonly record struct CallOptions
{
    /// <summary>Request metadata sent as headers.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>The call fails with DEADLINE_EXCEEDED at this UTC time; the server learns it through grpc-timeout.</summary>
    public DateTime? Deadline { get; init; }

    public CancellationToken CancellationToken { get; init; }

    /// <summary>Per-call credentials (e.g. a bearer token), added to the channel's own.</summary>
    public CallCredentials? Credentials { get; init; }

    /// <summary>"gzip" to compress this call's request messages.</summary>
    public string? RequestCompression { get; init; }

    /// <summary>An incoming call whose deadline and cancellation this outgoing call inherits.</summary>
    public ServerCallContext? PropagateFrom { get; init; }

    public CallOptions WithTimeout(TimeSpan timeout) => this with { Deadline = DateTime.UtcNow + timeout };

    public CallOptions WithDeadline(DateTime deadline) => this with { Deadline = deadline };

    public CallOptions WithHeaders(Metadata headers) => this with { Headers = headers };

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };

    public CallOptions WithCredentials(CallCredentials credentials) => this with { Credentials = credentials };

    /// <summary>Carries the incoming call's deadline and cancellation over to this call (a service calling another service).</summary>
    public static CallOptions PropagatedFrom(ServerCallContext context) => new() { PropagateFrom = context };
}

/// <summary>Credentials attached to each call as metadata.</summary>
public abstract class CallCredentials
{
    /// <summary>Adds the credentials to a call's request metadata.</summary>
    public abstract ValueTask ApplyAsync(Metadata metadata, CancellationToken cancellationToken);

    /// <summary>A fixed bearer token: <c>authorization: Bearer &lt;token&gt;</c>.</summary>
    public static CallCredentials BearerToken(string token) => new BearerTokenCredentials(_ => ValueTask.FromResult(token));

    /// <summary>A bearer token fetched (and typically cached/refreshed) by the caller for each call.</summary>
    public static CallCredentials BearerToken(Func<CancellationToken, ValueTask<string>> tokenProvider) => new BearerTokenCredentials(tokenProvider);

    private sealed class BearerTokenCredentials(Func<CancellationToken, ValueTask<string>> tokenProvider) : CallCredentials
    {
        public override async ValueTask ApplyAsync(Metadata metadata, CancellationToken cancellationToken) =>
            metadata.Add("authorization", "Bearer " + await tokenProvider(cancellationToken).ConfigureAwait(false));
    }
}
