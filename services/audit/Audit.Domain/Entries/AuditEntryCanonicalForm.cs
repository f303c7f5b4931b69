using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Audit.Domain.Canonicalization;
using Platform.Audit.Domain.Tree;

namespace Platform.Audit.Domain.Entries;

/// <summary>
/// The bytes an entry's leaf hash is taken over: the RFC 8785 (JCS) form of the JSON object documented in
/// docs/audit/canonical-entry.md. Anyone with a JCS implementation (or a sorted-key JSON encoder for this shape) can
/// recompute a leaf hash without our code.
/// </summary>
public static class AuditEntryCanonicalForm
{
    /// <summary>Names the layout; a new layout gets a new value so old leaves keep their meaning.</summary>
    public const string Schema = "audit-entry/v1";

    public static JsonObject ToJson(AuditEntry entry)
    {
        var json = new JsonObject
        {
            ["schema"] = Schema,
            ["id"] = entry.Id.ToString("D"),
            ["tenant"] = entry.Tenant,
            ["sequence"] = entry.Sequence,
            ["type"] = entry.Type,
            ["action"] = ActionCode(entry.Action),
            ["outcome"] = OutcomeCode(entry.Outcome),
            ["recorded"] = RecordedText(entry.Recorded),
            ["agent"] = new JsonObject
            {
                ["who"] = entry.Agent.Who,
                ["role"] = entry.Agent.Role,
                ["purposeOfUse"] = entry.Agent.PurposeOfUse,
            },
            ["entity"] = new JsonObject
            {
                ["what"] = entry.Entity.What,
                ["type"] = entry.Entity.Type,
            },
        };
        if (entry.Patient is not null) json["patient"] = entry.Patient;
        if (entry.SourceEvent is not null)
        {
            json["sourceEvent"] = new JsonObject { ["source"] = entry.SourceEvent.Source, ["id"] = entry.SourceEvent.Id };
        }

        return json;
    }

    /// <summary>The canonical bytes. Throws when the entry is malformed (see <see cref="AuditEntry.Check"/>).</summary>
    public static byte[] Bytes(AuditEntry entry)
    {
        if (entry.Check() is { } refusal) throw new ArgumentException($"{refusal.Rule}: {refusal.Message}", nameof(entry));
        return JsonCanonicalizer.Canonicalize(ToJson(entry));
    }

    /// <summary>RFC 6962 leaf hash of the canonical bytes: SHA-256(0x00 ‖ bytes).</summary>
    public static byte[] LeafHash(AuditEntry entry) => MerkleHash.Leaf(Bytes(entry));

    /// <summary>FHIR's one-letter action code.</summary>
    public static string ActionCode(AuditAction action) => action switch
    {
        AuditAction.Create => "C",
        AuditAction.Read => "R",
        AuditAction.Update => "U",
        AuditAction.Delete => "D",
        AuditAction.Execute => "E",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static AuditAction? ParseActionCode(string? code) => code switch
    {
        "C" => AuditAction.Create,
        "R" => AuditAction.Read,
        "U" => AuditAction.Update,
        "D" => AuditAction.Delete,
        "E" => AuditAction.Execute,
        _ => null,
    };

    /// <summary>FHIR R4's outcome code: "0", "4", "8" or "12", a string so the entry carries no floating-point number.</summary>
    public static string OutcomeCode(AuditOutcome outcome) =>
        Enum.IsDefined(outcome) ? ((int)outcome).ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(outcome));

    public static AuditOutcome? ParseOutcomeCode(string? code) => code switch
    {
        "0" => AuditOutcome.Success,
        "4" => AuditOutcome.MinorFailure,
        "8" => AuditOutcome.SeriousFailure,
        "12" => AuditOutcome.MajorFailure,
        _ => null,
    };

    /// <summary>RFC 3339 in UTC with exactly six fractional digits and 'Z': 2026-12-02T10:15:30.123456Z.</summary>
    public static string RecordedText(DateTimeOffset recorded) =>
        recorded.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
