using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Platform.Audit.Domain.Entries;
using Platform.Audit.Domain.Verification;
using Platform.Domain;

namespace Platform.Audit.Export;

/// <summary>An entry to export with its inclusion proof against the export's checkpoint.</summary>
public sealed record ProvenEntry(AuditEntry Entry, IReadOnlyList<byte[]> InclusionProof);

/// <summary>An export as read back: which trust and sequences it claims to hold, the checkpoint, and the entries.</summary>
public sealed record AuditExport(string Tenant, long FirstSequence, long LastSequence, string Checkpoint, IReadOnlyList<CandidateEntry> Entries);

/// <summary>
/// The export format (docs/audit/export-bundle.md): a FHIR R4 Bundle of type collection whose first entry is a
/// Parameters resource (tenant, first and last sequence, the signed checkpoint note) and whose other entries are
/// the AuditEvents in sequence order, each carrying its sequence and its inclusion proof against that checkpoint.
/// </summary>
public static class AuditExportBundle
{
    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions { WriteIndented = true }.ForFhir();

    // Reading is lenient about FHIR's rules (a missing required element, say) so that one broken AuditEvent is
    // reported at its place by the verifier instead of making the whole export unreadable.
    private static readonly JsonSerializerOptions Lenient = new JsonSerializerOptions().ForFhir().UsingMode(DeserializationMode.Recoverable);

    public static Bundle Build(string tenant, long firstSequence, long lastSequence, string signedCheckpoint, IEnumerable<ProvenEntry> entries, DateTimeOffset exportedAt)
    {
        var parameters = new Parameters();
        parameters.Add(AuditFhir.Parameters.Tenant, new FhirString(tenant));
        parameters.Add(AuditFhir.Parameters.FirstSequence, new FhirDecimal(firstSequence));
        parameters.Add(AuditFhir.Parameters.LastSequence, new FhirDecimal(lastSequence));
        parameters.Add(AuditFhir.Parameters.Checkpoint, new FhirString(signedCheckpoint));

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Timestamp = exportedAt,
            Identifier = new Identifier("urn:ietf:rfc:3986", $"urn:uuid:{Guid.CreateVersion7(exportedAt):D}"),
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:uuid:{Guid.NewGuid():D}", Resource = parameters });
        foreach (var proven in entries)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{proven.Entry.Id:D}",
                Resource = AuditEventMapping.ToAuditEvent(proven.Entry, proven.InclusionProof),
            });
        }

        return bundle;
    }

    public static string Serialize(Bundle bundle) => JsonSerializer.Serialize(bundle, Fhir);

    /// <summary>
    /// Reads an export. A bundle that is not FHIR, or lacks the Parameters entry, is refused; an AuditEvent that
    /// cannot be an entry is kept as a candidate with its problem, so the verifier reports it at its place.
    /// </summary>
    public static Outcome<AuditExport> Read(string json)
    {
        Resource? resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(json, Lenient);
        }
        catch (DeserializationFailedException e) when (e.PartialResult is Bundle partial)
        {
            resource = partial;
        }
        catch (Exception e) when (e is JsonException or DeserializationFailedException or NotSupportedException)
        {
            return Refusal.Invalid("export.bundle", $"The export is not a FHIR R4 Bundle: {e.Message}");
        }

        if (resource is not Bundle bundle) return Refusal.Invalid("export.bundle", $"The export is a {resource?.TypeName ?? "nothing"}, not a FHIR R4 Bundle.");

        if (bundle.Entry.FirstOrDefault()?.Resource is not Parameters parameters) return Refusal.Invalid("export.parameters", "The bundle's first entry must be the export's Parameters.");
        if (parameters.GetSingleValue<FhirString>(AuditFhir.Parameters.Tenant)?.Value is not { } tenant) return Refusal.Invalid("export.tenant", "The export names no tenant.");
        if (WholeNumber(parameters, AuditFhir.Parameters.FirstSequence) is not { } first) return Refusal.Invalid("export.first-sequence", "The export's first-sequence must be a whole number.");
        if (WholeNumber(parameters, AuditFhir.Parameters.LastSequence) is not { } last) return Refusal.Invalid("export.last-sequence", "The export's last-sequence must be a whole number.");
        if (parameters.GetSingleValue<FhirString>(AuditFhir.Parameters.Checkpoint)?.Value is not { } checkpoint) return Refusal.Invalid("export.checkpoint", "The export carries no checkpoint.");

        var candidates = new List<CandidateEntry>();
        foreach (var item in bundle.Entry.Skip(1))
        {
            if (item.Resource is not AuditEvent auditEvent)
            {
                candidates.Add(new CandidateEntry(candidates.Count, null, $"bundle entry {candidates.Count + 2} is a {item.Resource?.TypeName ?? "nothing"}, not an AuditEvent"));
                continue;
            }

            var (entry, problem) = AuditEventMapping.ToEntry(auditEvent);
            candidates.Add(new CandidateEntry(candidates.Count, entry, problem, AuditEventMapping.InclusionProof(auditEvent)));
        }

        return new AuditExport(tenant, first, last, checkpoint, candidates);
    }

    private static long? WholeNumber(Parameters parameters, string name) =>
        parameters.GetSingleValue<FhirDecimal>(name)?.Value is { } value && value == decimal.Truncate(value) && value is >= 0 and <= long.MaxValue ? (long)value : null;
}
