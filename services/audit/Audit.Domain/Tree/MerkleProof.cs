namespace Platform.Audit.Domain.Tree;

/// <summary>
/// Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) write it, so a verifier
/// needs only the hashes: nothing else from the log is taken on trust.
/// </summary>
public static class MerkleProof
{
    /// <summary>True when <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of <paramref name="size"/> leaves with <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root) =>
        RootFromInclusionProof(index, size, leafHash, proof) is { } computed && computed.AsSpan().SequenceEqual(root);

    /// <summary>The root an inclusion proof leads to, or null when the proof cannot be for this index and size.</summary>
    public static byte[]? RootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        // 1. The index must be inside the tree.
        if (index < 0 || index >= size || leafHash.Length != MerkleHash.Size) return null;
        // 2-3.
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        // 4.
        foreach (var p in proof)
        {
            if (p.Length != MerkleHash.Size) return null;
            // a. A proof longer than the path fails.
            if (sn == 0) return null;
            // b.
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }

            // c.
            fn >>= 1;
            sn >>= 1;
        }

        // 5. A proof shorter than the path leaves sn above zero.
        return sn == 0 ? r : null;
    }

    /// <summary>
    /// True when the tree of <paramref name="size2"/> leaves with <paramref name="root2"/> extends the tree of
    /// <paramref name="size1"/> leaves with <paramref name="root1"/>. Equal sizes need equal roots and an empty
    /// proof; every tree extends the empty tree, with an empty proof.
    /// </summary>
    public static bool VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        if (size1 < 0 || size2 < size1) return false;
        if (proof.Any(p => p.Length != MerkleHash.Size)) return false;
        if (size1 == size2) return proof.Count == 0 && root1.SequenceEqual(root2);
        if (size1 == 0) return proof.Count == 0;

        // 1.
        if (proof.Count == 0) return false;
        // 2. A power-of-two old tree is itself a node of the new one, and the proof leaves it out.
        var path = new List<byte[]>(proof.Count + 1);
        if ((size1 & (size1 - 1)) == 0) path.Add(root1.ToArray());
        path.AddRange(proof);
        // 3.
        var fn = size1 - 1;
        var sn = size2 - 1;
        // 4.
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // 5.
        var fr = path[0];
        var sr = path[0];
        // 6.
        foreach (var c in path.Skip(1))
        {
            // a.
            if (sn == 0) return false;
            // b.
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }

            // c.
            fn >>= 1;
            sn >>= 1;
        }

        // 7.
        return fr.AsSpan().SequenceEqual(root1) && sr.AsSpan().SequenceEqual(root2) && sn == 0;
    }
}
