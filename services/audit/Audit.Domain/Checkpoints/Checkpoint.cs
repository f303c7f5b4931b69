using System.Globalization;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.Domain;

namespace Platform.Audit.Domain.Checkpoints;

/// <summary>
/// A signed tree head in the c2sp.org/tlog-checkpoint note text: origin, tree size, base64 root hash, then one
/// extension line <c>time &lt;POSIX seconds&gt;</c> saying when the log signed it. The log's Ed25519 note
/// signature covers every line, the time included.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash, DateTimeOffset Time)
{
    public const string TimeLinePrefix = "time ";

    public string ToNoteText() =>
        $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(RootHash)}\n{TimeLinePrefix}{Time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}\n";

    /// <summary>Reads a checkpoint's note text, refusing anything but the exact layout above, naming the line.</summary>
    public static Outcome<Checkpoint> Parse(string text)
    {
        if (!text.EndsWith('\n')) return Refusal.Invalid("checkpoint.format", "A checkpoint's text ends with a newline.");
        var lines = text[..^1].Split('\n');
        if (lines.Length < 4) return Refusal.Invalid("checkpoint.format", "A checkpoint has an origin, a size, a root hash and a time line.");
        if (!NoteKeyNames.IsValid(lines[0])) return Refusal.Invalid("checkpoint.origin", "The checkpoint's origin must be non-empty, with no spaces or '+'.");
        if (!IsCanonicalDecimal(lines[1], out var size)) return Refusal.Invalid("checkpoint.size", "The checkpoint's size must be a decimal number with no leading zeros.");
        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            return Refusal.Invalid("checkpoint.root-hash", "The checkpoint's root hash is not base64.");
        }

        if (root.Length != MerkleHash.Size || Convert.ToBase64String(root) != lines[2]) return Refusal.Invalid("checkpoint.root-hash", "The checkpoint's root hash must be 32 bytes in standard base64.");
        if (lines.Length != 4 || !lines[3].StartsWith(TimeLinePrefix, StringComparison.Ordinal)
            || !IsCanonicalDecimal(lines[3][TimeLinePrefix.Length..], out var seconds) || seconds > 253402300799)
        {
            return Refusal.Invalid("checkpoint.time", "The checkpoint's fourth and last line must be 'time <POSIX seconds>'.");
        }

        return new Checkpoint(lines[0], size, root, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    private static bool IsCanonicalDecimal(string s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 19 || (s.Length > 1 && s[0] == '0') || !s.All(char.IsAsciiDigit)) return false;
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>A checkpoint and the signed note it travels in.</summary>
public sealed record SignedCheckpoint(Checkpoint Checkpoint, SignedNote Note)
{
    public string Serialize() => Note.Serialize();
}

/// <summary>A checkpoint whose log signature verified, with the witnesses whose cosignatures verified.</summary>
public sealed record VerifiedCheckpoint(Checkpoint Checkpoint, SignedNote Note, NoteVerifierKey LogKey, IReadOnlyList<VerifiedSignature> Cosignatures);

/// <summary>A log's origin line (and its key name): the deployment's audit name, then the trust's ODS code.</summary>
public static class LogOrigin
{
    public static string For(string deployment, string tenant)
    {
        if (!OdsCode.IsValid(tenant)) throw new ArgumentException("Tenant must be an ODS code.", nameof(tenant));
        var origin = $"{deployment.TrimEnd('/')}/{tenant}";
        return NoteKeyNames.IsValid(origin) ? origin : throw new ArgumentException($"'{origin}' is not a valid origin (no spaces or '+').", nameof(deployment));
    }
}
