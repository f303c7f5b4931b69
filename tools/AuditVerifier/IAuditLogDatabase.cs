using Platform.Audit.Domain.Verification;

namespace Platform.Tools.AuditVerifier;

/// <summary>
/// What the verifier reads from an audit database: raw rows, stored leaf hashes and stored checkpoints. Nothing read
/// here is believed until it is checked against a signed checkpoint.
/// </summary>
public interface IAuditLogDatabase : IAsyncDisposable
{
    /// <summary>The newest signed checkpoint note stored for the trust, or null.</summary>
    Task<string?> ReadLatestCheckpointAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>The trust's entries with sequence in [first, last], in sequence order, as stored (a bad row is a candidate with its problem).</summary>
    Task<IReadOnlyList<CandidateEntry>> ReadEntriesAsync(string tenant, long first, long last, CancellationToken cancellationToken);

    /// <summary>The stored leaf hashes (level 0 tree nodes) 0 .. size-1, in order; fewer if some are missing.</summary>
    Task<IReadOnlyList<byte[]>> ReadLeafHashesAsync(string tenant, long size, CancellationToken cancellationToken);
}
