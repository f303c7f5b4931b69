using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Platform.Audit.Domain.Notes;

/// <summary>One signature line of a note: key name, key id and the signature bytes that follow the id.</summary>
public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature)
{
    /// <summary><c>— &lt;name&gt; base64(key id ‖ signature)</c>, with its newline.</summary>
    public string ToLine()
    {
        var blob = new byte[4 + Signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        Signature.CopyTo(blob, 4);
        return $"\u2014 {KeyName} {Convert.ToBase64String(blob)}\n";
    }
}

/// <summary>A signature of a note that a known key verified.</summary>
public sealed record VerifiedSignature(NoteVerifierKey Key, NoteSignature Signature, DateTimeOffset? Timestamp);

/// <summary>
/// A c2sp.org/signed-note: a text ending in a newline, a blank line, then signature lines. Parsing follows the spec
/// strictly (valid UTF-8, no control characters but newline, the text split from the signatures at the last blank
/// line); verification ignores unknown keys, rejects the note when a known key's signature fails, and needs at least
/// one known key's signature.
/// </summary>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>Verifiers must accept at least 16 signatures; far more is a malformed (or hostile) note.</summary>
    public const int MaxSignatures = 100;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Serialize()
    {
        var note = new StringBuilder(Text).Append('\n');
        foreach (var signature in Signatures) note.Append(signature.ToLine());
        return note.ToString();
    }

    /// <summary>Signs a text with Ed25519 note keys (type 0x01).</summary>
    public static SignedNote Sign(string text, params NoteSigningKey[] keys)
    {
        RequireValidText(text);
        var message = StrictUtf8.GetBytes(text);
        var signatures = keys.Select(key => key.Type == NoteSignatureType.Ed25519
            ? new NoteSignature(key.Name, key.KeyId, key.SignRaw(message))
            : throw new ArgumentException($"Key {key.Name} is a {key.Type} key; a note is signed with Ed25519 note keys.", nameof(keys))).ToList();
        return new SignedNote(text, signatures);
    }

    /// <summary>Adds signatures (e.g. witness cosignatures) to the note.</summary>
    public SignedNote With(IEnumerable<NoteSignature> more) => this with { Signatures = [.. Signatures, .. more] };

    public static SignedNote Parse(byte[] note)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(note);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("A signed note must be valid UTF-8.");
        }

        return Parse(text);
    }

    public static SignedNote Parse(string note)
    {
        foreach (var c in note)
        {
            if (c < 0x20 && c != '\n') throw new FormatException("A signed note must not hold control characters other than newline.");
        }

        if (note.Any(char.IsSurrogate) && !IsWellFormedUtf16(note)) throw new FormatException("A signed note must be valid UTF-8.");
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) throw new FormatException("A signed note needs a blank line between its text and its signatures.");
        var text = note[..(split + 1)];
        var lines = note[(split + 2)..];
        if (lines.Length == 0 || !lines.EndsWith('\n')) throw new FormatException("A signed note ends with at least one signature line and a newline.");

        var signatures = new List<NoteSignature>();
        foreach (var line in lines[..^1].Split('\n'))
        {
            if (signatures.Count == MaxSignatures) throw new FormatException($"A signed note may carry at most {MaxSignatures} signatures.");
            if (!line.StartsWith("\u2014 ", StringComparison.Ordinal)) throw new FormatException("A signature line starts with an em dash and a space.");
            var rest = line[2..];
            var space = rest.IndexOf(' ');
            if (space <= 0) throw new FormatException("A signature line is: em dash, space, key name, space, base64 signature.");
            var name = rest[..space];
            if (!NoteKeyNames.IsValid(name)) throw new FormatException($"'{name}' is not a valid key name.");
            var encoded = rest[(space + 1)..];
            // Convert.FromBase64String skips white space; a signature line has none.
            if (!encoded.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=') || !Base64.IsValid(encoded, out var length) || length < 5)
            {
                throw new FormatException($"The signature of {name} is not base64 of a key id and a signature.");
            }

            var blob = Convert.FromBase64String(encoded);
            if (blob.Length < 5) throw new FormatException($"The signature of {name} is too short to hold a key id and a signature.");
            signatures.Add(new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]));
        }

        return new SignedNote(text, signatures);
    }

    /// <summary>
    /// Verifies the note against the keys a verifier trusts. Returns the signatures those keys verified; throws
    /// <see cref="NoteVerificationException"/> when a known key's signature fails or no known key signed.
    /// </summary>
    public IReadOnlyList<VerifiedSignature> Verify(IEnumerable<NoteVerifierKey> trusted)
    {
        var keys = new Dictionary<(string, uint), NoteVerifierKey>();
        foreach (var key in trusted)
        {
            if (!keys.TryAdd((key.Name, key.KeyId), key)) throw new ArgumentException($"Ambiguous key {key.Name}+{key.KeyId:x8}: given twice.", nameof(trusted));
        }

        var message = StrictUtf8.GetBytes(Text);
        var verified = new List<VerifiedSignature>();
        foreach (var signature in Signatures)
        {
            // Unknown keys are ignored, even when they share a name or an id (but not both) with a known key.
            if (!keys.TryGetValue((signature.KeyName, signature.KeyId), out var key)) continue;
            var result = key.Type switch
            {
                NoteSignatureType.Ed25519 => key.VerifyRaw(message, signature.Signature) ? new VerifiedSignature(key, signature, null) : null,
                NoteSignatureType.CosignatureV1 => Cosignature.Verify(key, Text, signature),
                _ => null,
            };
            if (result is null) throw new NoteVerificationException($"Invalid signature for key {key.Name}+{key.KeyId:x8}.");
            verified.Add(result);
        }

        if (verified.Count == 0) throw new NoteVerificationException("The note has no signature from a trusted key.");
        return verified;
    }

    internal static void RequireValidText(string text)
    {
        if (text.Length == 0 || !text.EndsWith('\n')) throw new FormatException("A note text is non-empty and ends with a newline.");
        if (text.Any(c => c < 0x20 && c != '\n')) throw new FormatException("A note text must not hold control characters other than newline.");
        if (!IsWellFormedUtf16(text)) throw new FormatException("A note text must be valid UTF-8.");
    }

    private static bool IsWellFormedUtf16(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }

        return true;
    }
}

public sealed class NoteVerificationException(string message) : Exception(message);

/// <summary>
/// c2sp.org/tlog-cosignature, Ed25519 (type 0x04): the signature is timestamp (u64, big-endian POSIX seconds) ‖
/// Ed25519 signature over "cosignature/v1\ntime &lt;timestamp&gt;\n" followed by the checkpoint's note text.
/// </summary>
public static class Cosignature
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static NoteSignature Sign(NoteSigningKey key, string checkpointText, DateTimeOffset time)
    {
        if (key.Type != NoteSignatureType.CosignatureV1) throw new ArgumentException("A cosignature needs a cosignature/v1 (type 0x04) key.", nameof(key));
        SignedNote.RequireValidText(checkpointText);
        var timestamp = time.ToUnixTimeSeconds();
        if (timestamp < 0) throw new ArgumentOutOfRangeException(nameof(time), "A cosignature's time is after 1970.");
        var signature = new byte[8 + 64];
        BinaryPrimitives.WriteUInt64BigEndian(signature, (ulong)timestamp);
        key.SignRaw(Message(checkpointText, (ulong)timestamp)).CopyTo(signature, 8);
        return new NoteSignature(key.Name, key.KeyId, signature);
    }

    /// <summary>The verified cosignature with its time, or null when it does not verify.</summary>
    public static VerifiedSignature? Verify(NoteVerifierKey key, string checkpointText, NoteSignature signature)
    {
        if (key.Type != NoteSignatureType.CosignatureV1 || signature.Signature.Length != 72) return null;
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(signature.Signature);
        if (timestamp > long.MaxValue) return null;
        return key.VerifyRaw(Message(checkpointText, timestamp), signature.Signature.AsSpan(8))
            ? new VerifiedSignature(key, signature, DateTimeOffset.FromUnixTimeSeconds((long)timestamp))
            : null;
    }

    private static byte[] Message(string checkpointText, ulong timestamp) =>
        Utf8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{checkpointText}");
}
