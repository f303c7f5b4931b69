namespace Platform.Audit.Domain.Tree;

/// <summary>
/// Node hashes in memory, one contiguous byte array per level (32 bytes a node, about 2n nodes in all), so a
/// million-leaf log takes about 64 MB and a read is an index computation.
/// </summary>
public sealed class InMemoryMerkleNodeStore : IMerkleNodeStore
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _levels = [];
    private readonly List<long> _counts = [];
    private long _size;

    public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock) return ValueTask.FromResult(_size);
    }

    public ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<NodeId, byte[]>(ids.Count);
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (id.Level >= _levels.Count || id.Index < 0 || id.Index >= _counts[id.Level] || id.EndLeaf > _size)
                {
                    throw new MissingTreeNodeException(id);
                }

                result[id] = _levels[id.Level].AsSpan(checked((int)(id.Index * MerkleHash.Size)), MerkleHash.Size).ToArray();
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<NodeId, byte[]>>(result);
    }

    public ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_size != expectedSize) throw new TreeSizeConflictException(expectedSize, _size);
            // Nodes of a level complete strictly left to right, so each must be the next one of its level; check
            // them all before writing any, so a bad batch changes nothing.
            var next = new Dictionary<int, long>();
            foreach (var node in nodes)
            {
                var level = node.Id.Level;
                var expected = next.TryGetValue(level, out var n) ? n : level < _counts.Count ? _counts[level] : 0;
                if (node.Id.Index != expected || node.Id.EndLeaf > newSize || node.Hash.Length != MerkleHash.Size)
                {
                    throw new ArgumentException($"Node {node.Id} cannot be appended: level {level} expects index {expected} within {newSize} leaves.", nameof(nodes));
                }

                next[level] = expected + 1;
            }

            foreach (var node in nodes)
            {
                while (_levels.Count <= node.Id.Level)
                {
                    _levels.Add(new byte[MerkleHash.Size * 1024]);
                    _counts.Add(0);
                }

                var level = node.Id.Level;
                var offset = checked((int)(node.Id.Index * MerkleHash.Size));
                if (offset + MerkleHash.Size > _levels[level].Length)
                {
                    var grown = _levels[level];
                    Array.Resize(ref grown, checked(grown.Length * 2));
                    _levels[level] = grown;
                }

                node.Hash.CopyTo(_levels[level].AsSpan(offset, MerkleHash.Size));
                _counts[level]++;
            }

            _size = newSize;
        }

        return ValueTask.CompletedTask;
    }
}
