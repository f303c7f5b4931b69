using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests;

/// <summary>The storage stays fast as the log grows: appends write few nodes, proofs read O(log n) of them.</summary>
public class TreeStorageTests
{
    private sealed class CountingStore : IMerkleNodeStore
    {
        private readonly InMemoryMerkleNodeStore _inner = new();

        public int NodesRead { get; set; }

        public int ReadCalls { get; set; }

        public int NodesWritten { get; set; }

        public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) => _inner.GetSizeAsync(cancellationToken);

        public ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default)
        {
            NodesRead += ids.Count;
            ReadCalls++;
            return _inner.ReadAsync(ids, cancellationToken);
        }

        public ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
        {
            NodesWritten += nodes.Count;
            return _inner.AppendAsync(expectedSize, newSize, nodes, cancellationToken);
        }
    }

    private static byte[] Leaf(long i) => MerkleHash.Leaf(BitConverter.GetBytes(i));

    [Fact]
    public async Task A_tree_of_n_leaves_stores_fewer_than_2n_nodes_and_reads_nothing_to_append_after_its_own_append()
    {
        var store = new CountingStore();
        var tree = new MerkleTree(store);

        for (long i = 0; i < 5000; i++) await tree.AppendAsync([Leaf(i)]);

        Assert.True(store.NodesWritten < 2 * 5000, $"{store.NodesWritten} nodes written");
        // The frontier is kept between appends, so no append had to read the store.
        Assert.Equal(0, store.NodesRead);
    }

    [Fact]
    public async Task A_second_writer_reloads_the_frontier_from_the_store_and_the_root_stays_right()
    {
        var store = new CountingStore();
        var first = new MerkleTree(store);
        var second = new MerkleTree(store);
        var all = new List<byte[]>();

        for (long i = 0; i < 100; i++)
        {
            all.Add(Leaf(i));
            await (i % 3 == 0 ? second : first).AppendAsync([Leaf(i)]);
        }

        var reference = new MerkleTree(new InMemoryMerkleNodeStore());
        await reference.AppendAsync(all);
        Assert.Equal(await reference.RootAsync(100), await first.RootAsync(100));
        Assert.Equal(await reference.RootAsync(100), (await second.HeadAsync()).RootHash);
        Assert.True(store.NodesRead > 0);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public async Task A_proof_reads_O_log_n_nodes_in_one_batch(int size)
    {
        var store = new CountingStore();
        var tree = new MerkleTree(store);
        await tree.AppendAsync(Enumerable.Range(0, size).Select(i => Leaf(i)).ToList());
        var log2 = 64 - long.LeadingZeroCount(size);
        var random = new Random(size);

        for (var round = 0; round < 50; round++)
        {
            var size2 = random.Next(2, size + 1);
            var size1 = random.Next(1, size2);
            store.NodesRead = 0;
            store.ReadCalls = 0;
            await tree.InclusionProofAsync(random.Next(0, size2), size2);
            Assert.Equal(1, store.ReadCalls);
            Assert.True(store.NodesRead <= 2 * log2, $"inclusion at {size2} read {store.NodesRead} nodes");

            store.NodesRead = 0;
            store.ReadCalls = 0;
            await tree.ConsistencyProofAsync(size1, size2);
            Assert.Equal(1, store.ReadCalls);
            Assert.True(store.NodesRead <= 2 * log2, $"consistency {size1}->{size2} read {store.NodesRead} nodes");
        }
    }

    [Fact]
    public async Task An_append_that_lost_a_race_changes_nothing()
    {
        var store = new InMemoryMerkleNodeStore();
        await store.AppendAsync(0, 1, [new StoredNode(new NodeId(0, 0), Leaf(0))]);

        await Assert.ThrowsAsync<TreeSizeConflictException>(() => store.AppendAsync(0, 1, [new StoredNode(new NodeId(0, 0), Leaf(9))]).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(1, 2, [new StoredNode(new NodeId(0, 5), Leaf(9))]).AsTask());

        Assert.Equal(1, await store.GetSizeAsync());
        Assert.Equal(Leaf(0), (await store.ReadAsync([new NodeId(0, 0)]))[new NodeId(0, 0)]);
    }
}
