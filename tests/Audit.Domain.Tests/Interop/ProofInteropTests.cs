using System.Text.Json;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests.Interop;

/// <summary>
/// Proofs our tree produces, and corrupted ones, checked by the independent JavaScript verifier in
/// tests/interop/audit/verify.mjs (written from RFC 9162, Node's crypto for SHA-256).
/// </summary>
public class ProofInteropTests
{
    private sealed record Case(object Json, bool Expected);

    private static string B(byte[] hash) => Convert.ToBase64String(hash);

    [Fact]
    public async Task The_JavaScript_verifier_accepts_our_proofs_and_rejects_corrupted_ones()
    {
        var random = new Random(9162);
        var leaves = Enumerable.Range(0, 700).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i * 7919))).ToList();
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        await tree.AppendAsync(leaves);
        var cases = new List<Case>();

        for (var i = 0; i < 150; i++)
        {
            var size = random.Next(1, 701);
            var index = random.Next(0, size);
            var root = await tree.RootAsync(size);
            var proof = (await tree.InclusionProofAsync(index, size)).Select(B).ToList();
            cases.Add(new Case(new { kind = "inclusion", index, size, leaf = B(leaves[index]), proof, root = B(root) }, true));
            cases.Add(new Case(new { kind = "inclusion", index, size, leaf = B(leaves[(index + 1) % 700]), proof, root = B(root) }, false));
            if (proof.Count > 0) cases.Add(new Case(new { kind = "inclusion", index, size, leaf = B(leaves[index]), proof = proof.Skip(1).ToList(), root = B(root) }, false));

            var size2 = random.Next(1, 701);
            var size1 = random.Next(0, size2 + 1);
            var root1 = size1 == 0 ? MerkleHash.EmptyRoot() : await tree.RootAsync(size1);
            var root2 = await tree.RootAsync(size2);
            var consistency = (await tree.ConsistencyProofAsync(size1, size2)).Select(B).ToList();
            cases.Add(new Case(new { kind = "consistency", size1, size2, root1 = B(root1), root2 = B(root2), proof = consistency }, true));
            if (size1 > 0 && size1 < size2)
            {
                cases.Add(new Case(new { kind = "consistency", size1, size2, root1 = B(MerkleHash.Leaf([9])), root2 = B(root2), proof = consistency }, false));
                cases.Add(new Case(new { kind = "consistency", size1 = size1 + 1, size2, root1 = B(root1), root2 = B(root2), proof = consistency }, false));
            }
        }

        foreach (var size in new[] { 1, 2, 3, 7, 8, 9, 255, 256, 257, 700 })
        {
            cases.Add(new Case(new { kind = "tree", leaves = leaves.Take(size).Select(B).ToList(), root = B(await tree.RootAsync(size)) }, true));
        }

        var file = Path.Combine(Path.GetTempPath(), $"audit-proofs-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { cases = cases.Select(c => c.Json) }));
        try
        {
            var peer = await NodePeer.RunAsync("verify.mjs", null, "proofs", file);
            var results = peer.GetProperty("results").EnumerateArray().Select(r => r.GetBoolean()).ToList();

            Assert.Equal(cases.Select(c => c.Expected), results);
            Assert.Contains(false, results);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
