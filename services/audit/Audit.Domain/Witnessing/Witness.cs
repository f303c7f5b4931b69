using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Witnessing;

/// <summary>The answers of c2sp.org/tlog-witness add-checkpoint, with the HTTP status the spec gives each.</summary>
public enum WitnessAnswer
{
    /// <summary>200: consistent with what the witness saw before; here is its cosignature.</summary>
    Cosigned = 200,

    /// <summary>400: malformed request, or an old size larger than the checkpoint (a shrinking tree).</summary>
    BadRequest = 400,

    /// <summary>403: no trusted key of the log signed the checkpoint.</summary>
    Forbidden = 403,

    /// <summary>404: the witness does not follow this log.</summary>
    UnknownLog = 404,

    /// <summary>409: the old size is not the witness's latest, or the same size arrives with another root (a split view).</summary>
    Conflict = 409,

    /// <summary>422: the consistency proof does not prove the checkpoint extends what the witness cosigned.</summary>
    InconsistentProof = 422,
}

/// <summary>A witness's answer; <see cref="LatestSize"/> is set on a size conflict so the log can retry from it.</summary>
public sealed record WitnessResponse(WitnessAnswer Answer, string Message, NoteSignature? Cosignature = null, long? LatestSize = null);

/// <summary>What a witness last cosigned for a log.</summary>
public sealed record WitnessedHead(long Size, byte[] RootHash);

/// <summary>
/// A witness's memory, one head per log origin. Checking the old head and recording the new one must be a single
/// atomic step (tlog-witness's rollback race), hence compare-and-set.
/// </summary>
public interface IWitnessStateStore
{
    ValueTask<WitnessedHead?> GetAsync(string origin, CancellationToken cancellationToken = default);

    /// <summary>Records <paramref name="next"/> only if the stored head is still <paramref name="expected"/> (null: none yet).</summary>
    ValueTask<bool> TryAdvanceAsync(string origin, WitnessedHead? expected, WitnessedHead next, CancellationToken cancellationToken = default);
}

public sealed class InMemoryWitnessStateStore : IWitnessStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WitnessedHead> _heads = new(StringComparer.Ordinal);

    public ValueTask<WitnessedHead?> GetAsync(string origin, CancellationToken cancellationToken = default)
    {
        lock (_lock) return ValueTask.FromResult(_heads.GetValueOrDefault(origin));
    }

    public ValueTask<bool> TryAdvanceAsync(string origin, WitnessedHead? expected, WitnessedHead next, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var current = _heads.GetValueOrDefault(origin);
            var same = current is null ? expected is null
                : expected is not null && current.Size == expected.Size && current.RootHash.AsSpan().SequenceEqual(expected.RootHash);
            if (!same) return ValueTask.FromResult(false);
            _heads[origin] = next;
            return ValueTask.FromResult(true);
        }
    }
}

/// <summary>
/// A witness (c2sp.org/tlog-witness): countersigns a log's checkpoint only when it is signed by the log and provably
/// extends the last checkpoint the witness cosigned for that log, so a log cannot show two histories — two roots
/// at one size, a shrunk tree, or a tree that does not contain the old one — to readers who check cosignatures.
/// Another trust's audit service or an operator runs one, with its own cosignature/v1 key (never its log key).
/// </summary>
public sealed class Witness
{
    private readonly NoteSigningKey _key;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<NoteVerifierKey>> _logs;
    private readonly IWitnessStateStore _state;
    private readonly TimeProvider _clock;

    /// <param name="key">The witness's cosignature/v1 key.</param>
    /// <param name="logs">The logs it follows: origin → the log's verifier keys.</param>
    public Witness(NoteSigningKey key, IReadOnlyDictionary<string, IReadOnlyList<NoteVerifierKey>> logs, IWitnessStateStore state, TimeProvider clock)
    {
        if (key.Type != NoteSignatureType.CosignatureV1) throw new ArgumentException("A witness signs with a cosignature/v1 key.", nameof(key));
        _key = key;
        _logs = logs;
        _state = state;
        _clock = clock;
    }

    public NoteVerifierKey VerifierKey => _key.Verifier;

    /// <summary>
    /// tlog-witness add-checkpoint: <paramref name="oldSize"/> is the size the log believes the witness last
    /// cosigned, <paramref name="consistencyProof"/> proves the new checkpoint extends it.
    /// </summary>
    public async Task<WitnessResponse> AddCheckpointAsync(long oldSize, IReadOnlyList<byte[]> consistencyProof, string signedCheckpoint, CancellationToken cancellationToken = default)
    {
        SignedNote note;
        try
        {
            note = SignedNote.Parse(signedCheckpoint);
        }
        catch (FormatException e)
        {
            return new WitnessResponse(WitnessAnswer.BadRequest, $"Not a signed note: {e.Message}");
        }

        var origin = note.Text.Split('\n', 2)[0];
        if (!_logs.TryGetValue(origin, out var logKeys)) return new WitnessResponse(WitnessAnswer.UnknownLog, $"This witness does not follow log {origin}.");

        var verified = new CheckpointVerifier(origin, logKeys).Verify(note);
        if (verified.IsRefused)
        {
            return verified.Refusal!.Rule == "checkpoint.signature"
                ? new WitnessResponse(WitnessAnswer.Forbidden, verified.Refusal.Message)
                : new WitnessResponse(WitnessAnswer.BadRequest, verified.Refusal.Message);
        }

        var checkpoint = verified.Value.Checkpoint;
        if (oldSize < 0 || oldSize > checkpoint.Size)
        {
            return new WitnessResponse(WitnessAnswer.BadRequest, $"The old size {oldSize} is larger than the checkpoint's {checkpoint.Size}: a log never shrinks.");
        }

        if (consistencyProof.Count > 63) return new WitnessResponse(WitnessAnswer.BadRequest, "A consistency proof has at most 63 hashes.");

        var latest = await _state.GetAsync(origin, cancellationToken);
        var latestSize = latest?.Size ?? 0;
        if (oldSize != latestSize)
        {
            return new WitnessResponse(WitnessAnswer.Conflict, $"This witness last cosigned {origin} at size {latestSize}, not {oldSize}.", LatestSize: latestSize);
        }

        if (latest is not null && checkpoint.Size == latest.Size)
        {
            if (!checkpoint.RootHash.AsSpan().SequenceEqual(latest.RootHash))
            {
                return new WitnessResponse(WitnessAnswer.Conflict,
                    $"Split view: {origin} at size {checkpoint.Size} was cosigned with another root hash.", LatestSize: latestSize);
            }
        }
        // Before its first cosignature the witness holds the empty tree, whose root is SHA-256 of nothing.
        else if (!MerkleProof.VerifyConsistency(latestSize, checkpoint.Size, latest?.RootHash ?? MerkleHash.EmptyRoot(), checkpoint.RootHash, consistencyProof))
        {
            return new WitnessResponse(WitnessAnswer.InconsistentProof,
                $"The proof does not show the tree of {checkpoint.Size} extends the tree of {latestSize} this witness cosigned.");
        }

        // Persist before answering; a concurrent request that moved the head first wins, and this one conflicts.
        if (!await _state.TryAdvanceAsync(origin, latest, new WitnessedHead(checkpoint.Size, checkpoint.RootHash), cancellationToken))
        {
            var now = await _state.GetAsync(origin, cancellationToken);
            return new WitnessResponse(WitnessAnswer.Conflict, $"Another checkpoint of {origin} was cosigned meanwhile.", LatestSize: now?.Size ?? 0);
        }

        var cosignature = Cosignature.Sign(_key, note.Text, _clock.GetUtcNow());
        return new WitnessResponse(WitnessAnswer.Cosigned, $"Cosigned {origin} at size {checkpoint.Size}.", cosignature);
    }
}
