using System.Numerics;

namespace Platform.Audit.Domain.Tree;

/// <summary>Index arithmetic of RFC 9162 §2.1 trees, with no hashing.</summary>
public static class TreeMath
{
    /// <summary>The largest power of two strictly below n (n &gt; 1): RFC 9162's k.</summary>
    public static long SplitPoint(long n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), "A split needs at least two leaves.");
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }

    /// <summary>
    /// The complete subtrees that make up leaves [begin, end), left to right, largest first. The range must be the
    /// kind RFC 9162's recursion produces: begin a multiple of the smallest power of two ≥ end-begin, so every piece
    /// is a node of the whole tree. For [0, size) this is the tree's frontier ("compact range").
    /// </summary>
    public static List<NodeId> Decompose(long begin, long end)
    {
        if (begin < 0 || end <= begin) throw new ArgumentOutOfRangeException(nameof(end), $"Empty or negative range [{begin}, {end}).");
        var width = end - begin;
        var span = (long)BitOperations.RoundUpToPowerOf2((ulong)width);
        if (begin % span != 0) throw new ArgumentException($"Range [{begin}, {end}) is not aligned to a subtree of the log.");

        var pieces = new List<NodeId>(BitOperations.PopCount((ulong)width));
        var start = begin;
        for (var level = 62; level >= 0; level--)
        {
            var size = 1L << level;
            if ((width & size) == 0) continue;
            pieces.Add(new NodeId(level, start >> level));
            start += size;
        }

        return pieces;
    }

    /// <summary>The frontier of a tree of <paramref name="size"/> leaves: the complete subtrees covering [0, size).</summary>
    public static List<NodeId> Frontier(long size) => size == 0 ? [] : Decompose(0, size);
}
