using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Tests;

public class SignedNoteTests
{
    // Known answer from golang.org/x/mod/sumdb/note, note_test.go (TestSign, TestOpen): the key pair and the exact
    // signed note Go's implementation of the signed-note format produces.
    private const string PeterSigningKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private const string PeterVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string EnochVerifierKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private const string Text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string PeterSignature = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private const string EnochSignature = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    [Fact]
    public void Signing_gives_byte_for_byte_the_note_of_the_Go_reference_implementation()
    {
        using var key = NoteSigningKey.Parse(PeterSigningKey);

        Assert.Equal(PeterVerifierKey, key.Verifier.ToString());
        Assert.Equal(Text + "\n" + PeterSignature, SignedNote.Sign(Text, key).Serialize());
        Assert.Equal(PeterSigningKey, key.ToSecretString());
    }

    [Fact]
    public void A_note_verifies_with_its_key_and_ignores_signatures_of_unknown_keys()
    {
        var note = SignedNote.Parse(Text + "\n" + PeterSignature + EnochSignature);

        var verified = note.Verify([NoteVerifierKey.Parse(PeterVerifierKey)]);

        Assert.Equal("PeterNeumann", Assert.Single(verified).Key.Name);
        Assert.Equal(2, note.Verify([NoteVerifierKey.Parse(PeterVerifierKey), NoteVerifierKey.Parse(EnochVerifierKey)]).Count);
    }

    [Fact]
    public void A_note_with_no_trusted_signature_or_a_bad_one_from_a_trusted_key_is_rejected()
    {
        var peter = NoteVerifierKey.Parse(PeterVerifierKey);

        Assert.Throws<NoteVerificationException>(() => SignedNote.Parse(Text + "\n" + EnochSignature).Verify([peter]));
        var altered = SignedNote.Parse(Text.Replace("answer", "ANSWER", StringComparison.Ordinal) + "\n" + PeterSignature);
        var error = Assert.Throws<NoteVerificationException>(() => altered.Verify([peter]));
        Assert.Contains("PeterNeumann+c74f20a3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Text)]
    [InlineData(Text + "\n")]
    [InlineData("\u0001" + Text + "\n" + PeterSignature)]
    [InlineData(Text + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")]
    [InlineData(Text + "\n" + PeterSignature + "Unexpected line.\n")]
    public void Malformed_notes_are_refused(string note) =>
        Assert.Throws<FormatException>(() => SignedNote.Parse(note));

    [Theory]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10")]
    public void Verifier_keys_whose_id_type_name_or_length_is_wrong_are_refused(string vkey) =>
        Assert.Throws<FormatException>(() => NoteVerifierKey.Parse(vkey));
}

public class CheckpointTests
{
    private const string Origin = "audit.platform.example/RX3";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static TreeHead Head(long size) => new(size, MerkleHash.Leaf(BitConverter.GetBytes(size)));

    [Fact]
    public void A_checkpoint_note_is_origin_size_base64_root_and_time()
    {
        using var key = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        var signer = new CheckpointSigner(Origin, key, new FakeTimeProvider(Now.AddMilliseconds(700)));
        var root = Convert.FromHexString("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

        var signed = signer.Sign(new TreeHead(8, root));

        Assert.Equal("audit.platform.example/RX3\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 1796205600\n", signed.Note.Text);
        var lines = signed.Serialize().Split('\n');
        Assert.Equal("", lines[4]);
        Assert.StartsWith("\u2014 audit.platform.example/RX3 ", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public void After_rotation_old_and_new_checkpoints_verify_with_both_keys_and_an_unlisted_key_is_refused()
    {
        using var oldKey = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        using var newKey = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        using var rogue = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        var clock = new FakeTimeProvider(Now);
        var before = new CheckpointSigner(Origin, oldKey, clock).Sign(Head(10)).Serialize();
        var after = new CheckpointSigner(Origin, newKey, clock).Sign(Head(11)).Serialize();
        var verifier = new CheckpointVerifier(Origin, [oldKey.Verifier, newKey.Verifier]);

        Assert.NotEqual(oldKey.KeyId, newKey.KeyId);
        Assert.Equal(oldKey.KeyId, verifier.Verify(before).Value.LogKey.KeyId);
        Assert.Equal(newKey.KeyId, verifier.Verify(after).Value.LogKey.KeyId);
        var refused = verifier.Verify(new CheckpointSigner(Origin, rogue, clock).Sign(Head(12)).Serialize());
        Assert.Equal("checkpoint.signature", refused.Refusal?.Rule);
    }

    [Fact]
    public void A_checkpoint_of_another_log_or_with_a_changed_line_is_refused()
    {
        using var key = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        var note = new CheckpointSigner(Origin, key, new FakeTimeProvider(Now)).Sign(Head(10)).Serialize();
        var verifier = new CheckpointVerifier(Origin, [key.Verifier]);

        Assert.Equal("checkpoint.signature", verifier.Verify(note.Replace("\n10\n", "\n11\n", StringComparison.Ordinal)).Refusal?.Rule);
        Assert.Equal("checkpoint.signature", verifier.Verify(note.Replace("time 1796205600", "time 1796205601", StringComparison.Ordinal)).Refusal?.Rule);
        using var other = NoteSigningKey.Generate("audit.platform.example/RTQ", NoteSignatureType.Ed25519);
        var otherNote = new CheckpointSigner("audit.platform.example/RTQ", other, new FakeTimeProvider(Now)).Sign(Head(10)).Serialize();
        Assert.Equal("checkpoint.origin", verifier.Verify(otherNote).Refusal?.Rule);
    }

    [Fact]
    public void Required_witness_cosignatures_are_counted_and_a_forged_one_rejects_the_checkpoint()
    {
        using var logKey = NoteSigningKey.Generate(Origin, NoteSignatureType.Ed25519);
        using var witnessKey = NoteSigningKey.Generate("witness.rtq.example", NoteSignatureType.CosignatureV1);
        var signed = new CheckpointSigner(Origin, logKey, new FakeTimeProvider(Now)).Sign(Head(10));
        var cosignature = Cosignature.Sign(witnessKey, signed.Note.Text, Now.AddSeconds(3));
        var verifier = new CheckpointVerifier(Origin, [logKey.Verifier], [witnessKey.Verifier], requiredCosignatures: 1);

        Assert.Equal("checkpoint.cosignatures", verifier.Verify(signed.Serialize()).Refusal?.Rule);
        var cosigned = verifier.Verify(signed.Note.With([cosignature]).Serialize()).Value;
        Assert.Equal(Now.AddSeconds(3), Assert.Single(cosigned.Cosignatures).Timestamp);

        // The timestamp is signed: moving it breaks the cosignature.
        var moved = cosignature with { Signature = [.. cosignature.Signature] };
        moved.Signature[7] ^= 1;
        Assert.Equal("checkpoint.signature", verifier.Verify(signed.Note.With([moved]).Serialize()).Refusal?.Rule);
    }
}
