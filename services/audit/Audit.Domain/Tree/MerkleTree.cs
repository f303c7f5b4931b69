namespace Platform.Audit.Domain.Tree;

/// <summary>A tree head: how many leaves, and the root hash over them.</summary>
public sealed record TreeHead(long Size, byte[] RootHash);

/// <summary>
/// The right edge of a tree of <see cref="Size"/> leaves: its complete subtrees, largest first, all an append needs.
/// The log is append-only, so a frontier read from (or written to) a committed tree stays true of that size forever.
/// </summary>
public sealed record TreeFrontier(long Size, IReadOnlyList<StoredNode> Nodes);

/// <summary>
/// One log's RFC 6962 / RFC 9162 Merkle tree over an <see cref="IMerkleNodeStore"/>: appends (O(log n) hashing and
/// writes at worst, one node amortised), roots at any past size, inclusion proofs (RFC 9162 §2.1.3.1) and
/// consistency proofs (§2.1.4.1), each reading O(log n) stored nodes in one batch.
/// One writer per log: concurrent appends through two instances are caught by the store's size check.
/// </summary>
public sealed class MerkleTree(IMerkleNodeStore store, TreeFrontier? knownFrontier = null)
{
    // The frontier after this instance's last append (or the one it was given); used only while the store still has
    // that size, so a rolled back transaction or another writer makes it reload from the store.
    private TreeFrontier? _frontier = knownFrontier;

    /// <summary>The frontier after this instance's last append, or the one it was given; null when it holds none.</summary>
    public TreeFrontier? Frontier => _frontier;

    public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) => store.GetSizeAsync(cancellationToken);

    /// <summary>
    /// Appends leaf hashes (SHA-256(0x00 ‖ entry) each) in order and returns the new size. The root is not computed
    /// here (a checkpoint needs it once a second, an append thousands of times a second): ask <see cref="HeadAsync"/>.
    /// </summary>
    public async Task<long> AppendAsync(IReadOnlyList<byte[]> leafHashes, CancellationToken cancellationToken = default)
    {
        var size = await store.GetSizeAsync(cancellationToken);
        var stack = await FrontierAsync(size, cancellationToken);
        // The frontier now belongs to this append; it is cached again only once the store took the append.
        _frontier = null;
        var written = new List<StoredNode>(leafHashes.Count * 2);
        var next = size;
        foreach (var leaf in leafHashes)
        {
            if (leaf.Length != MerkleHash.Size) throw new ArgumentException($"Leaf hash {next} is {leaf.Length} bytes, not {MerkleHash.Size}.", nameof(leafHashes));
            var node = new StoredNode(new NodeId(0, next++), leaf);
            written.Add(node);
            stack.Add(node);
            // A binary counter: two complete subtrees of one size become their parent.
            while (stack.Count >= 2 && stack[^1].Id.Level == stack[^2].Id.Level)
            {
                var left = stack[^2];
                var right = stack[^1];
                var parent = new StoredNode(new NodeId(left.Id.Level + 1, left.Id.Index >> 1), MerkleHash.Node(left.Hash, right.Hash));
                stack.RemoveRange(stack.Count - 2, 2);
                stack.Add(parent);
                written.Add(parent);
            }
        }

        await store.AppendAsync(size, next, written, cancellationToken);
        _frontier = new TreeFrontier(next, stack);
        return next;
    }

    /// <summary>The current size and root; from the cached frontier when this instance wrote last, else from the store.</summary>
    public async Task<TreeHead> HeadAsync(CancellationToken cancellationToken = default)
    {
        var size = await store.GetSizeAsync(cancellationToken);
        var frontier = await FrontierAsync(size, cancellationToken);
        _frontier = new TreeFrontier(size, frontier);
        return new TreeHead(size, Fold(frontier.ConvertAll(n => n.Hash)));
    }

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken cancellationToken = default)
    {
        await RequireWithinAsync(size, cancellationToken);
        if (size == 0) return MerkleHash.EmptyRoot();
        var hashes = await HashRangesAsync([(0, size)], cancellationToken);
        return hashes[0];
    }

    /// <summary>RFC 9162 §2.1.3.1 PATH(index, D[0:size]): sibling hashes from the leaf up.</summary>
    public async Task<IReadOnlyList<byte[]>> InclusionProofAsync(long index, long size, CancellationToken cancellationToken = default)
    {
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"Leaf {index} is not in a tree of {size} leaves.");
        await RequireWithinAsync(size, cancellationToken);
        return await HashRangesAsync(InclusionRanges(index, size), cancellationToken);
    }

    /// <summary>RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]); empty when size1 is 0 or equals size2.</summary>
    public async Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        if (size1 < 0 || size1 > size2) throw new ArgumentOutOfRangeException(nameof(size1), $"No consistency proof from {size1} to {size2} leaves.");
        await RequireWithinAsync(size2, cancellationToken);
        return await HashRangesAsync(ConsistencyRanges(size1, size2), cancellationToken);
    }

    /// <summary>The leaf ranges whose hashes form an inclusion proof, in proof order.</summary>
    public static List<(long Begin, long End)> InclusionRanges(long index, long size)
    {
        var path = new List<(long, long)>();
        long begin = 0, end = size;
        while (end - begin > 1)
        {
            var k = TreeMath.SplitPoint(end - begin);
            if (index < begin + k)
            {
                path.Add((begin + k, end));
                end = begin + k;
            }
            else
            {
                path.Add((begin, begin + k));
                begin += k;
            }
        }

        // The recursion lists the deepest sibling first.
        path.Reverse();
        return path;
    }

    /// <summary>The leaf ranges whose hashes form a consistency proof, in proof order (SUBPROOF of RFC 9162).</summary>
    public static List<(long Begin, long End)> ConsistencyRanges(long size1, long size2)
    {
        var proof = new List<(long, long)>();
        if (size1 == 0 || size1 == size2) return proof;
        long begin = 0, end = size2;
        var wholeOldTree = true;
        while (true)
        {
            if (size1 == end)
            {
                // The old tree's boundary meets this subtree's end: its hash is needed unless it is the old root itself.
                if (!wholeOldTree) proof.Add((begin, end));
                break;
            }

            var k = TreeMath.SplitPoint(end - begin);
            if (size1 <= begin + k)
            {
                proof.Add((begin + k, end));
                end = begin + k;
            }
            else
            {
                proof.Add((begin, begin + k));
                begin += k;
                wholeOldTree = false;
            }
        }

        proof.Reverse();
        return proof;
    }

    /// <summary>The frontier at <paramref name="size"/> as a list the caller may change.</summary>
    private async Task<List<StoredNode>> FrontierAsync(long size, CancellationToken cancellationToken)
    {
        if (_frontier is { } cached && cached.Size == size) return [.. cached.Nodes];
        var ids = TreeMath.Frontier(size);
        var hashes = await store.ReadAsync(ids, cancellationToken);
        return ids.ConvertAll(id => new StoredNode(id, Get(hashes, id)));
    }

    private async Task<List<byte[]>> HashRangesAsync(List<(long Begin, long End)> ranges, CancellationToken cancellationToken)
    {
        // The ranges of one proof are disjoint, so their pieces are distinct nodes: one batch, no de-duplication.
        var pieces = new List<List<NodeId>>(ranges.Count);
        var wanted = new List<NodeId>();
        foreach (var (begin, end) in ranges)
        {
            var range = TreeMath.Decompose(begin, end);
            pieces.Add(range);
            wanted.AddRange(range);
        }

        var hashes = await store.ReadAsync(wanted, cancellationToken);
        var result = new List<byte[]>(pieces.Count);
        foreach (var range in pieces) result.Add(Fold(range.ConvertAll(id => Get(hashes, id))));
        return result;
    }

    /// <summary>The hash of consecutive complete subtrees, largest first: folded from the right (RFC 9162's MTH).</summary>
    private static byte[] Fold(List<byte[]> pieces)
    {
        if (pieces.Count == 0) return MerkleHash.EmptyRoot();
        var hash = pieces[^1];
        for (var i = pieces.Count - 2; i >= 0; i--) hash = MerkleHash.Node(pieces[i], hash);
        return hash;
    }

    private static byte[] Get(IReadOnlyDictionary<NodeId, byte[]> hashes, NodeId id) =>
        hashes.TryGetValue(id, out var hash) ? hash : throw new MissingTreeNodeException(id);

    private async Task RequireWithinAsync(long size, CancellationToken cancellationToken)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), "A tree size cannot be negative.");
        var stored = await store.GetSizeAsync(cancellationToken);
        if (size > stored) throw new ArgumentOutOfRangeException(nameof(size), $"The log holds {stored} leaves, fewer than {size}.");
    }
}
