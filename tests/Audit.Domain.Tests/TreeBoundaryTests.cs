using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests;

/// <summary>
/// The edges of the tree's arithmetic, store and proof checks: what is refused, with what, and that a refused append
/// changes nothing. The RFC vectors and the property tests cover the paths that succeed.
/// </summary>
public class TreeBoundaryTests
{
    private static byte[] Leaf(long i) => MerkleHash.Leaf(BitConverter.GetBytes(i));

    [Theory]
    [InlineData(2L, 1L)]
    [InlineData(3L, 2L)]
    [InlineData(4L, 2L)]
    [InlineData(5L, 4L)]
    [InlineData(8L, 4L)]
    [InlineData(9L, 8L)]
    [InlineData(1L << 40, 1L << 39)]
    [InlineData((1L << 40) + 1, 1L << 40)]
    public void The_split_point_is_the_largest_power_of_two_below_n(long n, long k) => Assert.Equal(k, TreeMath.SplitPoint(n));

    [Theory]
    [InlineData(1L)]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void Fewer_than_two_leaves_have_no_split_point(long n) =>
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.SplitPoint(n)).ParamName);

    [Fact]
    public void A_range_decomposes_into_its_complete_subtrees_largest_first()
    {
        Assert.Equal([new NodeId(2, 0), new NodeId(1, 2), new NodeId(0, 6)], TreeMath.Decompose(0, 7));
        Assert.Equal([new NodeId(2, 2)], TreeMath.Decompose(8, 12));
        Assert.Equal([new NodeId(0, 5)], TreeMath.Decompose(5, 6));
        Assert.Equal([new NodeId(3, 2), new NodeId(1, 12)], TreeMath.Decompose(16, 26));
        Assert.Empty(TreeMath.Frontier(0));
        Assert.Equal([new NodeId(0, 0)], TreeMath.Frontier(1));
        Assert.Equal([new NodeId(10, 0), new NodeId(0, 1024)], TreeMath.Frontier(1025));
    }

    [Fact]
    public void An_empty_negative_or_unaligned_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Decompose(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Decompose(4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeMath.Decompose(4, 3));
        var unaligned = Assert.Throws<ArgumentException>(() => TreeMath.Decompose(1, 3));
        Assert.Equal("Range [1, 3) is not aligned to a subtree of the log.", unaligned.Message);
        Assert.Throws<ArgumentException>(() => TreeMath.Decompose(4, 9));
    }

    [Fact]
    public void A_node_knows_its_leaves_and_prints_as_level_and_index()
    {
        var node = new NodeId(3, 5);

        Assert.Equal(40, node.FirstLeaf);
        Assert.Equal(48, node.EndLeaf);
        Assert.Equal("(3,5)", node.ToString());
    }

    [Fact]
    public async Task The_store_reads_back_what_was_appended_and_refuses_a_node_it_does_not_hold()
    {
        var store = new InMemoryMerkleNodeStore();
        await store.AppendAsync(0, 3, [new StoredNode(new NodeId(0, 0), Leaf(0)), new StoredNode(new NodeId(0, 1), Leaf(1)),
            new StoredNode(new NodeId(1, 0), MerkleHash.Node(Leaf(0), Leaf(1))), new StoredNode(new NodeId(0, 2), Leaf(2))]);

        var read = await store.ReadAsync([new NodeId(0, 2), new NodeId(1, 0)]);
        Assert.Equal(Leaf(2), read[new NodeId(0, 2)]);
        Assert.Equal(MerkleHash.Node(Leaf(0), Leaf(1)), read[new NodeId(1, 0)]);
        Assert.Equal(3, await store.GetSizeAsync());

        foreach (var absent in new[] { new NodeId(0, 3), new NodeId(0, -1), new NodeId(1, 1), new NodeId(2, 0) })
        {
            var missing = await Assert.ThrowsAsync<MissingTreeNodeException>(() => store.ReadAsync([absent]).AsTask());
            Assert.Equal(absent, missing.Id);
            Assert.Equal($"The tree store has no node {absent}.", missing.Message);
        }
    }

    public static TheoryData<string, long, StoredNode[]> BadBatches => new()
    {
        { "skips index 1", 3, [new StoredNode(new NodeId(0, 0), Leaf(0)), new StoredNode(new NodeId(0, 2), Leaf(2))] },
        { "starts at index 1", 2, [new StoredNode(new NodeId(0, 1), Leaf(1))] },
        { "beyond the new size", 1, [new StoredNode(new NodeId(0, 0), Leaf(0)), new StoredNode(new NodeId(0, 1), Leaf(1))] },
        { "parent beyond the new size", 1, [new StoredNode(new NodeId(0, 0), Leaf(0)), new StoredNode(new NodeId(1, 0), Leaf(9))] },
        { "short hash", 1, [new StoredNode(new NodeId(0, 0), new byte[31])] },
        { "long hash", 1, [new StoredNode(new NodeId(0, 0), new byte[33])] },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_is_refused_whole_and_the_store_is_unchanged(string why, long newSize, StoredNode[] nodes)
    {
        var store = new InMemoryMerkleNodeStore();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(0, newSize, nodes).AsTask());

        Assert.Equal("nodes", refused.ParamName);
        Assert.StartsWith("Node (", refused.Message);
        Assert.True(await store.GetSizeAsync() == 0, why);
        await Assert.ThrowsAsync<MissingTreeNodeException>(() => store.ReadAsync([new NodeId(0, 0)]).AsTask());
        // A good batch still goes in at index 0 afterwards: nothing of the bad one was kept.
        await store.AppendAsync(0, 1, [new StoredNode(new NodeId(0, 0), Leaf(0))]);
        Assert.Equal(Leaf(0), (await store.ReadAsync([new NodeId(0, 0)]))[new NodeId(0, 0)]);
    }

    [Fact]
    public async Task An_append_from_a_stale_size_names_both_sizes()
    {
        var store = new InMemoryMerkleNodeStore();
        await store.AppendAsync(0, 1, [new StoredNode(new NodeId(0, 0), Leaf(0))]);

        var conflict = await Assert.ThrowsAsync<TreeSizeConflictException>(() => store.AppendAsync(0, 1, [new StoredNode(new NodeId(0, 0), Leaf(1))]).AsTask());

        Assert.Equal((0L, 1L), (conflict.Expected, conflict.Actual));
        Assert.Equal("The log grew to 1 leaves while an append expected 0.", conflict.Message);
        Assert.Equal(Leaf(0), (await store.ReadAsync([new NodeId(0, 0)]))[new NodeId(0, 0)]);
    }

    [Fact]
    public async Task A_level_grows_past_its_first_block_and_keeps_every_hash()
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        var leaves = Enumerable.Range(0, 2100).Select(i => Leaf(i)).ToList();
        await tree.AppendAsync(leaves);

        var head = await tree.HeadAsync();
        foreach (var (index, size) in new[] { (2099L, 2100L), (1023L, 2100L), (2048L, 2049L) })
        {
            var proof = await tree.InclusionProofAsync(index, size);
            var root = size == head.Size ? head.RootHash : await tree.RootAsync(size);
            Assert.True(MerkleProof.VerifyInclusion(index, size, leaves[(int)index], proof, root));
        }
    }

    [Fact]
    public async Task The_tree_refuses_a_leaf_hash_of_the_wrong_size_and_sizes_outside_the_log()
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        await tree.AppendAsync([Leaf(0), Leaf(1)]);

        var wrongSize = await Assert.ThrowsAsync<ArgumentException>(() => tree.AppendAsync([Leaf(2), new byte[20]]));
        Assert.Equal("leafHashes", wrongSize.ParamName);
        Assert.StartsWith("Leaf hash 3 is 20 bytes, not 32.", wrongSize.Message);
        Assert.Equal(2, await tree.GetSizeAsync());

        Assert.Equal("size", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.RootAsync(-1))).ParamName);
        Assert.Equal("size", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.RootAsync(3))).ParamName);
        Assert.Equal("index", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.InclusionProofAsync(-1, 2))).ParamName);
        Assert.Equal("size1", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.ConsistencyProofAsync(-1, 2))).ParamName);
        Assert.Equal("size", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.ConsistencyProofAsync(1, 3))).ParamName);
        Assert.Empty(await tree.ConsistencyProofAsync(0, 2));
        Assert.Empty(await tree.ConsistencyProofAsync(2, 2));
    }

    [Fact]
    public async Task Proofs_with_a_hash_of_the_wrong_size_or_a_negative_size_do_not_verify()
    {
        var tree = await MerkleTreeTests.ReferenceTreeAsync();
        var leaf = MerkleHash.Leaf(MerkleTreeTests.Leaves[5]);
        var root = await tree.RootAsync(8);
        var proof = (await tree.InclusionProofAsync(5, 8)).ToList();

        Assert.True(MerkleProof.VerifyInclusion(5, 8, leaf, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(5, 8, leaf[..31], proof, root));
        Assert.Null(MerkleProof.RootFromInclusionProof(-1, 8, leaf, proof));
        Assert.Null(MerkleProof.RootFromInclusionProof(5, 8, leaf, [proof[0], proof[1], proof[2][..31]]));
        // A hash too long to hash as a node is a failed proof, not an exception.
        Assert.False(MerkleProof.VerifyInclusion(5, 8, leaf, [new byte[100], proof[1], proof[2]], root));

        var root6 = await tree.RootAsync(6);
        var consistency = (await tree.ConsistencyProofAsync(6, 8)).ToList();
        Assert.True(MerkleProof.VerifyConsistency(6, 8, root6, root, consistency));
        Assert.False(MerkleProof.VerifyConsistency(6, 8, root6, root, [consistency[0], consistency[1], [.. consistency[2], 0]]));
        Assert.False(MerkleProof.VerifyConsistency(6, 8, root6, root, [new byte[100], consistency[1], consistency[2]]));
        Assert.False(MerkleProof.VerifyConsistency(-1, 8, root6, root, consistency));
        Assert.False(MerkleProof.VerifyConsistency(0, 0, MerkleHash.EmptyRoot(), MerkleHash.EmptyRoot(), [root]));
        Assert.True(MerkleProof.VerifyConsistency(0, 0, MerkleHash.EmptyRoot(), MerkleHash.EmptyRoot(), []));
    }
}
