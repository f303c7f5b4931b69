using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Platform.Audit.Domain.Notes;

/// <summary>The C2SP signed-note signature types this platform uses.</summary>
public enum NoteSignatureType : byte
{
    /// <summary>Ed25519 over the note text (c2sp.org/signed-note): a log signing its checkpoints.</summary>
    Ed25519 = 0x01,

    /// <summary>Timestamped Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature): a witness countersigning.</summary>
    CosignatureV1 = 0x04,
}

/// <summary>Key names and key ids as c2sp.org/signed-note defines them.</summary>
public static class NoteKeyNames
{
    /// <summary>Non-empty, valid UTF-16 (so valid UTF-8), no Unicode space, no '+', no control character.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name)) return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '+' || char.IsWhiteSpace(c) || char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return false;
        }

        return true;
    }

    /// <summary>key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian.</summary>
    public static uint KeyId(string name, NoteSignatureType type, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = (byte)type;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }
}

/// <summary>
/// A public key that verifies note signatures, written as a verifier key string
/// <c>&lt;name&gt;+&lt;key id, 8 hex digits&gt;+&lt;base64(type ‖ 32-byte Ed25519 key)&gt;</c> (the golang.org/x/mod/sumdb/note
/// form, which C2SP calls vkeys). A trust publishes its log's verifier keys; a verifier is configured with them.
/// </summary>
public sealed class NoteVerifierKey
{
    private readonly PublicKey _key;

    private NoteVerifierKey(string name, NoteSignatureType type, byte[] publicKey)
    {
        Name = name;
        Type = type;
        PublicKeyBytes = publicKey;
        KeyId = NoteKeyNames.KeyId(name, type, publicKey);
        _key = PublicKey.Import(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey);
    }

    public string Name { get; }

    public uint KeyId { get; }

    public NoteSignatureType Type { get; }

    public byte[] PublicKeyBytes { get; }

    public static NoteVerifierKey Create(string name, NoteSignatureType type, byte[] publicKey)
    {
        if (!NoteKeyNames.IsValid(name)) throw new FormatException($"'{name}' is not a valid note key name (non-empty, no spaces, no '+').");
        if (!Enum.IsDefined(type)) throw new FormatException($"Signature type 0x{(byte)type:x2} is not supported.");
        if (publicKey.Length != 32) throw new FormatException("An Ed25519 public key is 32 bytes.");
        return new NoteVerifierKey(name, type, publicKey);
    }

    /// <summary>Parses <c>name+keyid+base64(type‖key)</c>; the key id must match the key.</summary>
    public static NoteVerifierKey Parse(string verifierKey)
    {
        // The base64 key may itself hold '+'; names never do.
        var parts = verifierKey.Trim().Split('+', 3);
        if (parts.Length != 3 || parts[1].Length != 8) throw new FormatException("A verifier key is <name>+<8 hex digits>+<base64 key>.");
        if (!uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)) throw new FormatException("The verifier key's id is not 8 hex digits.");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("The verifier key's key is not base64.");
        }

        if (blob.Length != 33) throw new FormatException("The verifier key must hold a type byte and a 32-byte Ed25519 key.");
        var key = Create(parts[0], (NoteSignatureType)blob[0], blob[1..]);
        if (key.KeyId != id) throw new FormatException($"The verifier key's id {parts[1]} does not match its name and key.");
        return key;
    }

    public override string ToString() =>
        $"{Name}+{KeyId:x8}+{Convert.ToBase64String([(byte)Type, .. PublicKeyBytes])}";

    /// <summary>Checks a raw Ed25519 signature over a message.</summary>
    public bool VerifyRaw(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 && SignatureAlgorithm.Ed25519.Verify(_key, message, signature);
}

/// <summary>
/// A private key that signs notes, written as <c>PRIVATE+KEY+&lt;name&gt;+&lt;key id&gt;+&lt;base64(type ‖ 32-byte seed)&gt;</c>
/// (the sumdb/note form). Keep it secret: it belongs in a secret store, never in configuration files or logs.
/// </summary>
public sealed class NoteSigningKey : IDisposable
{
    private const string Prefix = "PRIVATE+KEY+";
    private readonly Key _key;

    private NoteSigningKey(string name, NoteSignatureType type, Key key)
    {
        _key = key;
        Name = name;
        Type = type;
        Verifier = NoteVerifierKey.Create(name, type, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public string Name { get; }

    public NoteSignatureType Type { get; }

    public uint KeyId => Verifier.KeyId;

    /// <summary>The public half, to publish.</summary>
    public NoteVerifierKey Verifier { get; }

    public static NoteSigningKey Generate(string name, NoteSignatureType type)
    {
        if (!NoteKeyNames.IsValid(name)) throw new FormatException($"'{name}' is not a valid note key name (non-empty, no spaces, no '+').");
        var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new NoteSigningKey(name, type, key);
    }

    public static NoteSigningKey Parse(string secret)
    {
        secret = secret.Trim();
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal)) throw new FormatException("A signing key starts with PRIVATE+KEY+.");
        var parts = secret[Prefix.Length..].Split('+', 3);
        if (parts.Length != 3 || parts[1].Length != 8 || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
        {
            throw new FormatException("A signing key is PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>.");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("The signing key's key is not base64.");
        }

        if (blob.Length != 33 || !Enum.IsDefined((NoteSignatureType)blob[0])) throw new FormatException("The signing key must hold a supported type byte and a 32-byte Ed25519 seed.");
        if (!NoteKeyNames.IsValid(parts[0])) throw new FormatException("The signing key's name is not a valid note key name.");
        var key = Key.Import(SignatureAlgorithm.Ed25519, blob.AsSpan(1), KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var signing = new NoteSigningKey(parts[0], (NoteSignatureType)blob[0], key);
        if (signing.KeyId != id)
        {
            signing.Dispose();
            throw new FormatException("The signing key's id does not match its name and key.");
        }

        return signing;
    }

    public string ToSecretString() =>
        $"{Prefix}{Name}+{KeyId:x8}+{Convert.ToBase64String([(byte)Type, .. _key.Export(KeyBlobFormat.RawPrivateKey)])}";

    /// <summary>A raw Ed25519 signature (64 bytes).</summary>
    public byte[] SignRaw(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}
