using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests;

/// <summary>
/// Known answers from the RFC 6962 reference vectors as published in transparency-dev/merkle,
/// proof/verify_test.go (commit 02194e9afb6c1d95b5381350007963aa70fff472), the same vectors as
/// certificate-transparency's merkle_tree_test: eight leaves, the root at every size, and proofs.
/// </summary>
public class MerkleTreeTests
{
    internal static readonly byte[][] Leaves =
    [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    internal static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    // (leaf index, tree size, proof) — the vectors number leaves from 1; these are 0-based.
    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 0, 1, [] },
    };

    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        { 1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
    };

    public static TheoryData<long, long, string[]> NonEmptyConsistencyVectors
    {
        get
        {
            var data = new TheoryData<long, long, string[]>();
            foreach (var row in ConsistencyVectors)
            {
                if (((string[])row[2]).Length > 0) data.Add((long)row[0], (long)row[1], (string[])row[2]);
            }

            return data;
        }
    }

    internal static async Task<MerkleTree> ReferenceTreeAsync()
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        await tree.AppendAsync(Leaves.Select(l => MerkleHash.Leaf(l)).ToList());
        return tree;
    }

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    [Fact]
    public async Task The_empty_tree_has_the_root_of_SHA256_over_nothing()
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(await tree.RootAsync(0)));
    }

    [Fact]
    public async Task Every_size_of_the_reference_tree_has_its_published_root()
    {
        var tree = await ReferenceTreeAsync();

        for (var size = 1; size <= 8; size++)
        {
            Assert.Equal(Roots[size - 1], Convert.ToHexStringLower(await tree.RootAsync(size)));
        }
    }

    [Fact]
    public async Task Appending_one_leaf_at_a_time_gives_the_published_roots_as_it_grows()
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(i + 1, await tree.AppendAsync([MerkleHash.Leaf(Leaves[i])]));
            var head = await tree.HeadAsync();
            Assert.Equal(i + 1, head.Size);
            Assert.Equal(Roots[i], Convert.ToHexStringLower(head.RootHash));
        }
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public async Task Inclusion_proofs_are_the_published_ones_and_verify(long index, long size, string[] expected)
    {
        var tree = await ReferenceTreeAsync();

        var proof = await tree.InclusionProofAsync(index, size);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleProof.VerifyInclusion(index, size, MerkleHash.Leaf(Leaves[index]), proof, H(Roots[size - 1])));
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public async Task Consistency_proofs_are_the_published_ones_and_verify(long size1, long size2, string[] expected)
    {
        var tree = await ReferenceTreeAsync();

        var proof = await tree.ConsistencyProofAsync(size1, size2);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleProof.VerifyConsistency(size1, size2, H(Roots[size1 - 1]), H(Roots[size2 - 1]), proof));
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void A_corrupted_inclusion_proof_fails(long index, long size, string[] expected)
    {
        var proof = expected.Select(H).ToList();
        var leaf = MerkleHash.Leaf(Leaves[index]);
        var root = H(Roots[size - 1]);

        Assert.False(MerkleProof.VerifyInclusion(index, size, MerkleHash.Leaf([0x99]), proof, root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, proof, MerkleHash.EmptyRoot()));
        Assert.False(MerkleProof.VerifyInclusion(index + 1, size, leaf, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(index, size * 2, leaf, proof, root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, [.. proof, root], root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, [root, .. proof], root));
        for (var i = 0; i < proof.Count; i++)
        {
            var flipped = proof.Select(p => p.ToArray()).ToList();
            flipped[i][0] ^= 8;
            Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, flipped, root));
        }

        if (proof.Count > 0) Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, proof[..^1], root));
    }

    [Theory]
    [MemberData(nameof(NonEmptyConsistencyVectors))]
    public void A_corrupted_consistency_proof_fails(long size1, long size2, string[] expected)
    {
        var proof = expected.Select(H).ToList();
        var root1 = H(Roots[size1 - 1]);
        var root2 = H(Roots[size2 - 1]);

        Assert.False(MerkleProof.VerifyConsistency(size1 - 1, size2, root1, root2, proof));
        Assert.False(MerkleProof.VerifyConsistency(size1 + 1, size2, root1, root2, proof));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2 * 2, root1, root2, proof));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, root2, root1, proof));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, root1, root2, []));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, root1, root2, proof[..^1]));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, root1, root2, [.. proof, root2]));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, root1, root2, [proof[0], .. proof]));
        for (var i = 0; i < proof.Count; i++)
        {
            var flipped = proof.Select(p => p.ToArray()).ToList();
            flipped[i][0] ^= 16;
            Assert.False(MerkleProof.VerifyConsistency(size1, size2, root1, root2, flipped));
        }
    }

    [Fact]
    public void Equal_sizes_need_equal_roots_and_an_empty_proof_and_the_empty_tree_is_extended_by_any()
    {
        var root = H(Roots[3]);

        Assert.True(MerkleProof.VerifyConsistency(4, 4, root, root, []));
        Assert.False(MerkleProof.VerifyConsistency(4, 4, root, H(Roots[4]), []));
        Assert.False(MerkleProof.VerifyConsistency(4, 4, root, root, [root]));
        Assert.True(MerkleProof.VerifyConsistency(0, 4, MerkleHash.EmptyRoot(), root, []));
        Assert.False(MerkleProof.VerifyConsistency(0, 4, MerkleHash.EmptyRoot(), root, [root]));
        Assert.False(MerkleProof.VerifyConsistency(5, 4, root, root, []));
    }

    [Fact]
    public async Task Proofs_outside_the_stored_tree_are_refused()
    {
        var tree = await ReferenceTreeAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.InclusionProofAsync(8, 8));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.InclusionProofAsync(0, 9));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.ConsistencyProofAsync(5, 4));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.RootAsync(9));
    }
}
