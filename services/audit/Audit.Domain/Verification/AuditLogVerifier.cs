using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Verification;

/// <summary>
/// An entry as a verifier received it, at <see cref="Position"/> (0-based) in the export or the table. It may have
/// failed to read (<see cref="Problem"/>); <see cref="InclusionProof"/> is the log's proof for the sequence the
/// entry claims, when the source carries proofs.
/// </summary>
public sealed record CandidateEntry(int Position, AuditEntry? Entry, string? Problem = null, IReadOnlyList<byte[]>? InclusionProof = null);

/// <summary>How the log was found broken.</summary>
public enum BreakKind
{
    /// <summary>The entry at this place is not the one the log signed.</summary>
    Altered,

    /// <summary>An entry the log signed is missing.</summary>
    Deleted,

    /// <summary>An entry the log signed appears, intact, at another place.</summary>
    Reordered,

    /// <summary>An entry the log never signed (or a second copy of one) was put in.</summary>
    Inserted,
}

/// <summary>The first place the log breaks: the sequence expected there and the position in the source.</summary>
public sealed record LogBreak(BreakKind Kind, long Sequence, int? Position, Guid? EntryId, string Description);

public sealed record LogVerificationReport(string Origin, long TreeSize, long FirstSequence, long LastSequence, int EntriesChecked, LogBreak? FirstBreak)
{
    public bool Intact => FirstBreak is null;
}

/// <summary>
/// Checks a run of entries against a verified checkpoint, taking nothing from the server on trust but the entries
/// and the proofs: each entry's leaf hash is recomputed from its canonical bytes and must be leaf (sequence − 1) of
/// the signed tree, and the sequences must run without gaps from the first to the last expected. It reports the
/// first place the run breaks and what kind of break it looks like.
/// </summary>
public static class AuditLogVerifier
{
    /// <summary>Each entry carries an inclusion proof against the checkpoint (the export path).</summary>
    public static LogVerificationReport VerifyWithProofs(VerifiedCheckpoint checkpoint, string tenant, long firstSequence, long lastSequence, IReadOnlyList<CandidateEntry> entries)
    {
        var head = checkpoint.Checkpoint;
        return Walk(head, tenant, firstSequence, lastSequence, entries, (sequence, leaf, candidate) =>
            candidate.InclusionProof is { } proof && MerkleProof.VerifyInclusion(sequence - 1, head.Size, leaf, proof, head.RootHash));
    }

    /// <summary>
    /// The verifier holds the log's leaf hashes, already shown to produce the checkpoint's root
    /// (<see cref="LeavesMatchCheckpoint"/>), e.g. read from the tree table (the database path).
    /// </summary>
    public static LogVerificationReport VerifyAgainstLeaves(VerifiedCheckpoint checkpoint, string tenant, long firstSequence, long lastSequence, IReadOnlyList<CandidateEntry> entries, IReadOnlyList<byte[]> authenticatedLeaves)
    {
        var head = checkpoint.Checkpoint;
        if (authenticatedLeaves.Count != head.Size) throw new ArgumentException($"Expected {head.Size} leaves, got {authenticatedLeaves.Count}.", nameof(authenticatedLeaves));
        return Walk(head, tenant, firstSequence, lastSequence, entries, (sequence, leaf, _) =>
            authenticatedLeaves[(int)(sequence - 1)].AsSpan().SequenceEqual(leaf), entry => Renumbered(entry, authenticatedLeaves));
    }

    /// <summary>
    /// When a stored row was renumbered (moved), its content with its original sequence is still one of the signed
    /// leaves: find which. Run only for the first broken entry, so its O(n) cost is paid once.
    /// </summary>
    private static long? Renumbered(AuditEntry entry, IReadOnlyList<byte[]> leaves)
    {
        var positions = new Dictionary<string, long>(leaves.Count);
        for (var i = 0; i < leaves.Count; i++) positions.TryAdd(Convert.ToHexString(leaves[i]), i + 1);
        for (long sequence = 1; sequence <= leaves.Count; sequence++)
        {
            if (sequence == entry.Sequence) continue;
            var moved = entry with { Sequence = sequence };
            if (moved.Check() is null && positions.TryGetValue(Convert.ToHexString(AuditEntryCanonicalForm.LeafHash(moved)), out var at) && at == sequence) return sequence;
        }

        return null;
    }

    /// <summary>MTH over the leaves (RFC 9162 §2.1.1) equals the checkpoint's root.</summary>
    public static bool LeavesMatchCheckpoint(Checkpoint checkpoint, IReadOnlyList<byte[]> leaves) =>
        leaves.Count == checkpoint.Size && RootOf(leaves, 0, leaves.Count).AsSpan().SequenceEqual(checkpoint.RootHash);

    /// <summary>The RFC 9162 definition, recursively: no stored node is involved.</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leaves, int begin, int end)
    {
        var n = end - begin;
        if (n == 0) return MerkleHash.EmptyRoot();
        if (n == 1) return leaves[begin];
        var k = (int)TreeMath.SplitPoint(n);
        return MerkleHash.Node(RootOf(leaves, begin, begin + k), RootOf(leaves, begin + k, end));
    }

    private static LogVerificationReport Walk(Checkpoint head, string tenant, long first, long last, IReadOnlyList<CandidateEntry> entries,
        Func<long, byte[], CandidateEntry, bool> isSigned, Func<AuditEntry, long?>? findMoved = null)
    {
        if (first < 1 || last > head.Size || last < first - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(last), $"Sequences {first}..{last} are not within the signed tree of {head.Size}.");
        }

        // Whether each candidate is an entry the log signed at the sequence it claims.
        var signed = new bool[entries.Count];
        var problems = new string?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            (signed[i], problems[i]) = Check(entries[i], head, tenant, isSigned);
        }

        var expected = first;
        for (var position = 0; position < entries.Count; position++)
        {
            var candidate = entries[position];
            var sequence = candidate.Entry?.Sequence;
            if (signed[position] && sequence == expected)
            {
                expected++;
                continue;
            }

            LogBreak found;
            if (signed[position] && sequence > expected)
            {
                var later = FindSigned(entries, signed, position + 1, expected);
                found = later >= 0
                    ? new LogBreak(BreakKind.Reordered, expected, position, entries[later].Entry!.Id,
                        $"Entry {expected} is out of order: it is at position {later + 1}, and position {position + 1} holds entry {sequence}.")
                    : new LogBreak(BreakKind.Deleted, expected, position, null,
                        $"Entry {expected} is missing: position {position + 1} holds entry {sequence}, and entry {expected} appears nowhere.");
            }
            else if (signed[position])
            {
                found = new LogBreak(BreakKind.Inserted, expected, position, candidate.Entry!.Id,
                    $"Position {position + 1} holds a second copy of entry {sequence}, where entry {expected} belongs.");
            }
            else if (position + 1 < entries.Count && signed[position + 1] && entries[position + 1].Entry!.Sequence == expected)
            {
                found = new LogBreak(BreakKind.Inserted, expected, position, candidate.Entry?.Id,
                    $"Position {position + 1} holds an entry the log never signed, put in before entry {expected}: {problems[position]}");
            }
            else if (candidate.Entry is { } entry && findMoved?.Invoke(entry) is { } original)
            {
                found = new LogBreak(BreakKind.Reordered, expected, position, entry.Id,
                    $"Position {position + 1} holds the log's entry {original}, renumbered {entry.Sequence}, where entry {expected} belongs.");
            }
            else
            {
                found = new LogBreak(BreakKind.Altered, expected, position, candidate.Entry?.Id,
                    $"Entry {expected} (position {position + 1}) is not the entry the log signed: {problems[position]}");
            }

            return new LogVerificationReport(head.Origin, head.Size, first, last, position, found);
        }

        if (expected <= last)
        {
            var missing = new LogBreak(BreakKind.Deleted, expected, null, null,
                expected == last ? $"Entry {expected}, the last expected, is missing." : $"Entries {expected} to {last} are missing from the end.");
            return new LogVerificationReport(head.Origin, head.Size, first, last, entries.Count, missing);
        }

        return new LogVerificationReport(head.Origin, head.Size, first, last, entries.Count, null);
    }

    private static (bool Signed, string? Problem) Check(CandidateEntry candidate, Checkpoint head, string tenant, Func<long, byte[], CandidateEntry, bool> isSigned)
    {
        if (candidate.Entry is not { } entry) return (false, candidate.Problem ?? "it could not be read");
        if (entry.Tenant != tenant) return (false, $"it belongs to trust {entry.Tenant}, not {tenant}");
        if (entry.Sequence < 1 || entry.Sequence > head.Size) return (false, $"its sequence {entry.Sequence} is outside the signed tree of {head.Size}");
        if (entry.Check() is { } refusal) return (false, $"it is malformed ({refusal.Message})");
        var leaf = AuditEntryCanonicalForm.LeafHash(entry);
        return isSigned(entry.Sequence, leaf, candidate)
            ? (true, null)
            : (false, $"its hash is not leaf {entry.Sequence - 1} of the tree of {head.Size} the log signed");
    }

    private static int FindSigned(IReadOnlyList<CandidateEntry> entries, bool[] signed, int from, long sequence)
    {
        for (var i = from; i < entries.Count; i++)
        {
            if (signed[i] && entries[i].Entry!.Sequence == sequence) return i;
        }

        return -1;
    }
}
