using CsCheck;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests;

/// <summary>Random tree sizes: every proof our tree produces verifies, and no proof verifies what it should not.</summary>
public class MerkleTreePropertyTests
{
    private const int MaxSize = 1500;
    private static readonly Lazy<(MerkleTree Tree, List<byte[]> Leaves)> Big = new(() => Build(MaxSize, seed: 7));

    private static (MerkleTree, List<byte[]>) Build(int size, int seed)
    {
        var random = new Random(seed);
        // Distinct leaves (the index leads each), so no proof can be for two leaves by accident.
        var leaves = Enumerable.Range(0, size).Select(i =>
        {
            var data = new byte[4 + random.Next(0, 40)];
            random.NextBytes(data);
            BitConverter.TryWriteBytes(data, i);
            return MerkleHash.Leaf(data);
        }).ToList();
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        // Uneven batches, so appends start at every kind of frontier.
        for (var at = 0; at < leaves.Count;)
        {
            var take = Math.Min(leaves.Count - at, random.Next(1, 70));
            tree.AppendAsync(leaves.GetRange(at, take)).GetAwaiter().GetResult();
            at += take;
        }

        return (tree, leaves);
    }

    /// <summary>MTH straight from RFC 9162 §2.1.1, written here so the stored tree is checked against the definition.</summary>
    private static byte[] Definition(List<byte[]> leaves, int begin, int end)
    {
        if (end - begin == 1) return leaves[begin];
        var k = 1;
        while (k * 2 < end - begin) k *= 2;
        return MerkleHash.Node(Definition(leaves, begin, begin + k), Definition(leaves, begin + k, end));
    }

    [Fact]
    public void The_root_at_every_size_is_the_RFC_definition_over_its_leaves()
    {
        var (tree, leaves) = Big.Value;

        Gen.Int[1, MaxSize].Sample(size =>
            tree.RootAsync(size).GetAwaiter().GetResult().AsSpan().SequenceEqual(Definition(leaves, 0, size)), iter: 300, threads: 1);
    }

    [Fact]
    public void Inclusion_proofs_verify_for_any_leaf_of_any_size()
    {
        var (tree, leaves) = Big.Value;

        Gen.Int[1, MaxSize].SelectMany(size => Gen.Int[0, size - 1].Select(index => (size, index))).Sample(c =>
        {
            var root = tree.RootAsync(c.size).GetAwaiter().GetResult();
            var proof = tree.InclusionProofAsync(c.index, c.size).GetAwaiter().GetResult();
            Assert.True(MerkleProof.VerifyInclusion(c.index, c.size, leaves[c.index], proof, root));
            // The same proof does not place another leaf there, nor this leaf elsewhere.
            Assert.False(MerkleProof.VerifyInclusion(c.index, c.size, leaves[(c.index + 1) % MaxSize], proof, root));
            if (c.size > 1) Assert.False(MerkleProof.VerifyInclusion((c.index + 1) % c.size, c.size, leaves[c.index], proof, root));
            Assert.True(proof.Count <= 64 - long.LeadingZeroCount(c.size - 1));
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void Consistency_proofs_verify_between_any_two_sizes()
    {
        var (tree, _) = Big.Value;

        Gen.Int[1, MaxSize].SelectMany(size2 => Gen.Int[1, size2].Select(size1 => (size1, size2))).Sample(c =>
        {
            var root1 = tree.RootAsync(c.size1).GetAwaiter().GetResult();
            var root2 = tree.RootAsync(c.size2).GetAwaiter().GetResult();
            var proof = tree.ConsistencyProofAsync(c.size1, c.size2).GetAwaiter().GetResult();
            Assert.True(MerkleProof.VerifyConsistency(c.size1, c.size2, root1, root2, proof));
            if (c.size1 < c.size2)
            {
                // A different old tree (the old root one leaf larger or smaller) is not proved consistent.
                var other = tree.RootAsync(c.size1 == 1 ? 2 : c.size1 - 1).GetAwaiter().GetResult();
                Assert.False(MerkleProof.VerifyConsistency(c.size1, c.size2, other, root2, proof));
                Assert.False(MerkleProof.VerifyConsistency(c.size1, c.size2, root1, MerkleHash.Leaf([1]), proof));
            }
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void Trees_of_random_sizes_built_in_random_batches_agree_with_the_definition()
    {
        Gen.Int[1, 400].Select(Gen.Int).Sample(c =>
        {
            var (tree, leaves) = Build(c.Item1, c.Item2);
            var head = tree.GetSizeAsync().AsTask().GetAwaiter().GetResult();
            Assert.Equal(c.Item1, head);
            Assert.Equal(Definition(leaves, 0, c.Item1), tree.RootAsync(c.Item1).GetAwaiter().GetResult());
        }, iter: 60, threads: 1);
    }
}
