using Platform.Audit.Domain.Notes;
using Platform.Domain;

namespace Platform.Audit.Domain.Checkpoints;

/// <summary>
/// Verifies a log's checkpoints: the note must be signed by one of the log's verifier keys (several may be trusted
/// across a rotation), name the expected origin, and carry at least <see cref="RequiredCosignatures"/> valid
/// cosignatures from the trusted witnesses. Unknown signatures are ignored, as c2sp.org/signed-note requires.
/// </summary>
public sealed class CheckpointVerifier
{
    private readonly IReadOnlyList<NoteVerifierKey> _logKeys;
    private readonly IReadOnlyList<NoteVerifierKey> _witnessKeys;

    public CheckpointVerifier(string origin, IEnumerable<NoteVerifierKey> logKeys, IEnumerable<NoteVerifierKey>? witnessKeys = null, int requiredCosignatures = 0)
    {
        Origin = origin;
        _logKeys = logKeys.ToList();
        _witnessKeys = (witnessKeys ?? []).ToList();
        if (_logKeys.Count == 0) throw new ArgumentException("At least one log verifier key is needed.", nameof(logKeys));
        if (_logKeys.Any(k => k.Type != NoteSignatureType.Ed25519 || k.Name != origin)) throw new ArgumentException($"Log keys are Ed25519 note keys named {origin}.", nameof(logKeys));
        if (_witnessKeys.Any(k => k.Type != NoteSignatureType.CosignatureV1)) throw new ArgumentException("Witness keys are cosignature/v1 keys.", nameof(witnessKeys));
        if (requiredCosignatures < 0 || requiredCosignatures > _witnessKeys.Count) throw new ArgumentOutOfRangeException(nameof(requiredCosignatures), "Cannot require more cosignatures than there are trusted witnesses.");
        RequiredCosignatures = requiredCosignatures;
    }

    public string Origin { get; }

    public int RequiredCosignatures { get; }

    public Outcome<VerifiedCheckpoint> Verify(string signedNote)
    {
        SignedNote note;
        try
        {
            note = SignedNote.Parse(signedNote);
        }
        catch (FormatException e)
        {
            return Refusal.Invalid("checkpoint.note", $"The checkpoint is not a signed note: {e.Message}");
        }

        return Verify(note);
    }

    public Outcome<VerifiedCheckpoint> Verify(SignedNote note)
    {
        var parsed = Checkpoint.Parse(note.Text);
        if (parsed.IsRefused) return parsed.Refusal!;
        var checkpoint = parsed.Value;
        if (checkpoint.Origin != Origin) return Refusal.Invalid("checkpoint.origin", $"The checkpoint is for log {checkpoint.Origin}, not {Origin}.");

        IReadOnlyList<VerifiedSignature> verified;
        try
        {
            verified = note.Verify([.. _logKeys, .. _witnessKeys]);
        }
        catch (NoteVerificationException e)
        {
            return Refusal.Denied("checkpoint.signature", e.Message);
        }

        var logSignature = verified.FirstOrDefault(v => v.Key.Type == NoteSignatureType.Ed25519);
        if (logSignature is null) return Refusal.Denied("checkpoint.signature", $"No trusted key of log {Origin} signed the checkpoint.");
        var cosignatures = verified.Where(v => v.Key.Type == NoteSignatureType.CosignatureV1).ToList();
        if (cosignatures.Count < RequiredCosignatures)
        {
            return Refusal.Denied("checkpoint.cosignatures", $"The checkpoint has {cosignatures.Count} valid witness cosignature(s); {RequiredCosignatures} are required.");
        }

        return new VerifiedCheckpoint(checkpoint, note, logSignature.Key, cosignatures);
    }
}
