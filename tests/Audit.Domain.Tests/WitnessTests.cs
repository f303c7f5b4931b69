using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.Audit.Domain.Witnessing;

namespace Platform.Audit.Domain.Tests;

/// <summary>c2sp.org/tlog-witness add-checkpoint, played against a real tree and real signatures.</summary>
public sealed class WitnessTests : IDisposable
{
    private const string Origin = "audit.platform.example/RX3";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly NoteSigningKey _logKey = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
    private readonly NoteSigningKey _witnessKey = NoteSigningKey.Generate("witness.rtq.example", NoteSignatureType.CosignatureV1);
    private readonly MerkleTree _tree = new(new InMemoryMerkleNodeStore());
    private readonly Witness _witness;

    public WitnessTests()
    {
        _witness = new Witness(_witnessKey, new Dictionary<string, IReadOnlyList<NoteVerifierKey>> { [Origin] = [_logKey.Verifier] },
            new InMemoryWitnessStateStore(), _clock);
    }

    public void Dispose()
    {
        _logKey.Dispose();
        _witnessKey.Dispose();
    }

    private async Task<SignedCheckpoint> GrowToAsync(long size)
    {
        var current = await _tree.GetSizeAsync();
        var leaves = Enumerable.Range((int)current, (int)(size - current)).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
        if (leaves.Count > 0) await _tree.AppendAsync(leaves);
        var head = new TreeHead(size, await _tree.RootAsync(size));
        return new CheckpointSigner(Origin, _logKey, _clock).Sign(head);
    }

    private Task<WitnessResponse> Submit(long oldSize, IReadOnlyList<byte[]> proof, SignedCheckpoint checkpoint) =>
        _witness.AddCheckpointAsync(oldSize, proof, checkpoint.Serialize());

    [Fact]
    public async Task A_log_growing_consistently_is_cosigned_each_time_and_the_cosignature_verifies()
    {
        var first = await GrowToAsync(5);
        var answer1 = await Submit(0, [], first);
        var second = await GrowToAsync(12);
        var answer2 = await Submit(5, await _tree.ConsistencyProofAsync(5, 12), second);

        Assert.Equal(WitnessAnswer.Cosigned, answer1.Answer);
        Assert.Equal(WitnessAnswer.Cosigned, answer2.Answer);
        var verifier = new CheckpointVerifier(Origin, [_logKey.Verifier], [_witness.VerifierKey], requiredCosignatures: 1);
        Assert.True(verifier.Verify(second.Note.With([answer2.Cosignature!]).Serialize()).Value.Cosignatures.Count == 1);
    }

    [Fact]
    public async Task A_second_root_at_a_size_already_cosigned_is_refused_as_a_split_view()
    {
        var honest = await GrowToAsync(8);
        Assert.Equal(WitnessAnswer.Cosigned, (await Submit(0, [], honest)).Answer);
        var forked = new CheckpointSigner(Origin, _logKey, _clock).Sign(new TreeHead(8, MerkleHash.Leaf([0xff])));

        var answer = await Submit(8, [], forked);

        Assert.Equal(WitnessAnswer.Conflict, answer.Answer);
        Assert.Contains("Split view", answer.Message, StringComparison.Ordinal);
        Assert.Null(answer.Cosignature);
    }

    [Fact]
    public async Task A_tree_that_does_not_contain_the_cosigned_one_is_refused()
    {
        Assert.Equal(WitnessAnswer.Cosigned, (await Submit(0, [], await GrowToAsync(8))).Answer);
        // Another history: the same size-8 prefix rewritten, grown to 12, with a proof that is valid for it.
        var fork = new MerkleTree(new InMemoryMerkleNodeStore());
        await fork.AppendAsync(Enumerable.Range(100, 12).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList());
        var forkHead = await fork.HeadAsync();
        var forkCheckpoint = new CheckpointSigner(Origin, _logKey, _clock).Sign(forkHead);

        var answer = await Submit(8, await fork.ConsistencyProofAsync(8, 12), forkCheckpoint);

        Assert.Equal(WitnessAnswer.InconsistentProof, answer.Answer);
    }

    [Fact]
    public async Task A_smaller_tree_than_the_one_cosigned_is_refused()
    {
        var at5 = await GrowToAsync(5);
        Assert.Equal(WitnessAnswer.Cosigned, (await Submit(0, [], await GrowToAsync(9))).Answer);

        Assert.Equal(WitnessAnswer.BadRequest, (await Submit(9, [], at5)).Answer);
        var stale = await Submit(5, [], at5);
        Assert.Equal(WitnessAnswer.Conflict, stale.Answer);
        Assert.Equal(9, stale.LatestSize);
    }

    [Fact]
    public async Task The_wrong_old_size_gets_the_latest_size_back()
    {
        Assert.Equal(WitnessAnswer.Cosigned, (await Submit(0, [], await GrowToAsync(4))).Answer);

        var answer = await Submit(0, [], await GrowToAsync(6));

        Assert.Equal(WitnessAnswer.Conflict, answer.Answer);
        Assert.Equal(4, answer.LatestSize);
    }

    [Fact]
    public async Task An_unknown_log_or_a_checkpoint_not_signed_by_the_log_is_refused()
    {
        using var stranger = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        var forged = new CheckpointSigner(Origin, stranger, _clock).Sign(new TreeHead(3, MerkleHash.Leaf([1])));
        using var otherLog = NoteSigningKey.Generate("audit.platform.example/RTQ", NoteSignatureType.Ed25519);
        var unknown = new CheckpointSigner("audit.platform.example/RTQ", otherLog, _clock).Sign(new TreeHead(3, MerkleHash.Leaf([1])));

        Assert.Equal(WitnessAnswer.Forbidden, (await Submit(0, [], forged)).Answer);
        Assert.Equal(WitnessAnswer.UnknownLog, (await Submit(0, [], unknown)).Answer);
    }

    [Fact]
    public async Task A_first_checkpoint_with_a_non_empty_proof_is_refused()
    {
        var checkpoint = await GrowToAsync(4);

        var answer = await Submit(0, [MerkleHash.EmptyRoot()], checkpoint);

        Assert.Equal(WitnessAnswer.InconsistentProof, answer.Answer);
    }
}
