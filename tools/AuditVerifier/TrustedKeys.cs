using Platform.Audit.Domain.Notes;
using Platform.Domain;

namespace Platform.Tools.AuditVerifier;

/// <summary>
/// The public keys the verifier is given: the log's (Ed25519 note keys, named by the log's origin, several across a
/// rotation) and the witnesses' (cosignature/v1 keys). The origin names the trust: its last segment is the ODS code.
/// </summary>
internal sealed record TrustedKeys(string Origin, string Tenant, IReadOnlyList<NoteVerifierKey> LogKeys, IReadOnlyList<NoteVerifierKey> WitnessKeys)
{
    public static Outcome<TrustedKeys> From(IEnumerable<string> keys, IEnumerable<string> keyFiles)
    {
        var texts = keys.ToList();
        foreach (var file in keyFiles)
        {
            if (!File.Exists(file)) return Refusal.Invalid("keys-file", $"Keys file {file} does not exist.");
            texts.AddRange(File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        var parsed = new List<NoteVerifierKey>();
        foreach (var text in texts)
        {
            try
            {
                parsed.Add(NoteVerifierKey.Parse(text));
            }
            catch (FormatException e)
            {
                return Refusal.Invalid("key", $"'{text}' is not a verifier key: {e.Message}");
            }
        }

        var logKeys = parsed.Where(k => k.Type == NoteSignatureType.Ed25519).ToList();
        var witnessKeys = parsed.Where(k => k.Type == NoteSignatureType.CosignatureV1).ToList();
        if (logKeys.Count == 0) return Refusal.Invalid("key", "Give at least one of the log's verifier keys (--key).");
        var origins = logKeys.Select(k => k.Name).Distinct().ToList();
        if (origins.Count > 1) return Refusal.Invalid("key", $"The log keys name different logs: {string.Join(", ", origins)}. Verify one log at a time.");
        var origin = origins[0];
        var tenant = origin[(origin.LastIndexOf('/') + 1)..];
        if (!OdsCode.IsValid(tenant)) return Refusal.Invalid("key", $"The log key's name {origin} does not end with a trust's ODS code.");
        return new TrustedKeys(origin, tenant, logKeys, witnessKeys);
    }
}
