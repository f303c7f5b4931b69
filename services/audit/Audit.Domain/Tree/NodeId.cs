namespace Platform.Audit.Domain.Tree;

/// <summary>
/// A complete subtree of the log: the node at <see cref="Level"/> (0 = a leaf) and <see cref="Index"/> covers leaves
/// [Index·2^Level, (Index+1)·2^Level). Once the log holds all of those leaves its hash never changes, so it is
/// stored once and read by every later proof.
/// </summary>
public readonly record struct NodeId(int Level, long Index)
{
    public long FirstLeaf => Index << Level;

    public long EndLeaf => (Index + 1) << Level;

    public override string ToString() => $"({Level},{Index})";
}

/// <summary>A stored node: a complete subtree and its hash.</summary>
public readonly record struct StoredNode(NodeId Id, byte[] Hash);
