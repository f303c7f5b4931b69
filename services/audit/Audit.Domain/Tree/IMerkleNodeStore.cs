namespace Platform.Audit.Domain.Tree;

/// <summary>
/// Where one log's complete-subtree hashes live (one per trust). A node is written once, when the last leaf under
/// it arrives, and never changes; an append writes the new leaf and the parents it completes (one node amortised,
/// at most log2(n)+1), and a proof or root reads O(log n) nodes in one batch. The API implements it on its database
/// (docs/audit-api-followup.md proposes the table); <see cref="InMemoryMerkleNodeStore"/> serves tests and benches.
/// </summary>
public interface IMerkleNodeStore
{
    /// <summary>How many leaves the log holds.</summary>
    ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The hashes of the given nodes, each of which must be complete within the stored size. A missing node is a
    /// corrupt store and throws <see cref="MissingTreeNodeException"/>.
    /// </summary>
    ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds nodes and moves the size from <paramref name="expectedSize"/> to <paramref name="newSize"/>, all or
    /// nothing. Throws <see cref="TreeSizeConflictException"/> when another writer moved the size first.
    /// </summary>
    ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default);
}

public sealed class MissingTreeNodeException(NodeId id) : Exception($"The tree store has no node {id}.")
{
    public NodeId Id { get; } = id;
}

public sealed class TreeSizeConflictException(long expected, long actual)
    : Exception($"The log grew to {actual} leaves while an append expected {expected}.")
{
    public long Expected { get; } = expected;

    public long Actual { get; } = actual;
}
