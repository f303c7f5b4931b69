using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Checkpoints;

/// <summary>
/// Signs a log's checkpoints with its one current signing key. Rotation: a new key (same name, the origin; a new
/// key id) takes over signing, and verifiers keep the old verifier key beside the new one for as long as
/// checkpoints signed by it matter.
/// </summary>
public sealed class CheckpointSigner
{
    private readonly NoteSigningKey _key;
    private readonly TimeProvider _clock;

    public CheckpointSigner(string origin, NoteSigningKey key, TimeProvider clock)
    {
        if (key.Type != NoteSignatureType.Ed25519) throw new ArgumentException("A log signs its checkpoints with an Ed25519 note key.", nameof(key));
        if (key.Name != origin) throw new ArgumentException($"The log key's name ({key.Name}) must be the log's origin ({origin}).", nameof(key));
        Origin = origin;
        _key = key;
        _clock = clock;
    }

    public string Origin { get; }

    public NoteVerifierKey VerifierKey => _key.Verifier;

    public SignedCheckpoint Sign(TreeHead head)
    {
        if (head.RootHash.Length != MerkleHash.Size) throw new ArgumentException("A root hash is 32 bytes.", nameof(head));
        var checkpoint = new Checkpoint(Origin, head.Size, head.RootHash, DateTimeOffset.FromUnixTimeSeconds(_clock.GetUtcNow().ToUnixTimeSeconds()));
        return new SignedCheckpoint(checkpoint, SignedNote.Sign(checkpoint.ToNoteText(), _key));
    }
}
