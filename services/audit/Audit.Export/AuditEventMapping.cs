using Hl7.Fhir.Model;
using Platform.Audit.Domain.Entries;

namespace Platform.Audit.Export;

/// <summary>
/// An audit entry as a FHIR R4 AuditEvent and back. The mapping is total and documented
/// (docs/audit/export-bundle.md), so the canonical entry — and its leaf hash — can be rebuilt from the AuditEvent by
/// anyone; an empty string in the entry is an absent element in FHIR.
/// </summary>
public static class AuditEventMapping
{
    public static AuditEvent ToAuditEvent(AuditEntry entry, IReadOnlyList<byte[]>? inclusionProof)
    {
        var auditEvent = new AuditEvent
        {
            Id = entry.Id.ToString("D"),
            Type = new Coding(AuditFhir.EventTypeSystem, entry.Type),
            Action = entry.Action switch
            {
                AuditAction.Create => AuditEvent.AuditEventAction.C,
                AuditAction.Read => AuditEvent.AuditEventAction.R,
                AuditAction.Update => AuditEvent.AuditEventAction.U,
                AuditAction.Delete => AuditEvent.AuditEventAction.D,
                _ => AuditEvent.AuditEventAction.E,
            },
            RecordedElement = new Instant(entry.Recorded),
            Outcome = entry.Outcome switch
            {
                AuditOutcome.Success => AuditEvent.AuditEventOutcome.N0,
                AuditOutcome.MinorFailure => AuditEvent.AuditEventOutcome.N4,
                AuditOutcome.SeriousFailure => AuditEvent.AuditEventOutcome.N8,
                _ => AuditEvent.AuditEventOutcome.N12,
            },
            Source = new AuditEvent.SourceComponent
            {
                Observer = new ResourceReference { Identifier = new Identifier(AuditFhir.OdsCodeSystem, entry.Tenant) },
            },
        };

        var agent = new AuditEvent.AgentComponent
        {
            Who = new ResourceReference { Identifier = new Identifier(AuditFhir.ActorSystem, entry.Agent.Who) },
            Role = [new CodeableConcept(AuditFhir.RoleSystem, entry.Agent.Role)],
            Requestor = true,
        };
        if (entry.Agent.PurposeOfUse.Length > 0) agent.PurposeOfUse = [new CodeableConcept(AuditFhir.PurposeOfUseSystem, entry.Agent.PurposeOfUse)];
        auditEvent.Agent.Add(agent);

        var entity = new AuditEvent.EntityComponent { What = new ResourceReference(entry.Entity.What) };
        if (entry.Entity.Type.Length > 0) entity.Type = new Coding(AuditFhir.EntityTypeSystem, entry.Entity.Type);
        auditEvent.Entity.Add(entity);
        if (entry.Patient is not null)
        {
            auditEvent.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference(entry.Patient),
                Role = new Coding(AuditFhir.ObjectRoleSystem, AuditFhir.PatientObjectRole, "Patient"),
            });
        }

        auditEvent.Extension.Add(new Extension(AuditFhir.SequenceExtension, new FhirDecimal(entry.Sequence)));
        if (entry.SourceEvent is not null)
        {
            var source = new Extension { Url = AuditFhir.SourceEventExtension };
            source.Extension.Add(new Extension("source", new FhirUri(entry.SourceEvent.Source)));
            source.Extension.Add(new Extension("id", new FhirString(entry.SourceEvent.Id)));
            auditEvent.Extension.Add(source);
        }

        foreach (var hash in inclusionProof ?? [])
        {
            auditEvent.Extension.Add(new Extension(AuditFhir.InclusionProofExtension, new Base64Binary(hash)));
        }

        return auditEvent;
    }

    /// <summary>The entry an AuditEvent carries, or why it cannot be one (naming the element).</summary>
    public static (AuditEntry? Entry, string? Problem) ToEntry(AuditEvent auditEvent)
    {
        if (!Guid.TryParse(auditEvent.Id, out var id)) return (null, "AuditEvent.id is not a UUID");
        if (auditEvent.Extension.Where(e => e.Url == AuditFhir.SequenceExtension).ToList() is not [{ Value: FhirDecimal { Value: { } sequenceValue } }]
            || sequenceValue != decimal.Truncate(sequenceValue) || sequenceValue < 1 || sequenceValue > long.MaxValue)
        {
            return (null, "the audit-log-sequence extension must appear once with a whole number");
        }

        if (auditEvent.Type is not { System: AuditFhir.EventTypeSystem, Code: { } type }) return (null, "AuditEvent.type is not an audit event type code");
        AuditAction? action = auditEvent.Action switch
        {
            AuditEvent.AuditEventAction.C => AuditAction.Create,
            AuditEvent.AuditEventAction.R => AuditAction.Read,
            AuditEvent.AuditEventAction.U => AuditAction.Update,
            AuditEvent.AuditEventAction.D => AuditAction.Delete,
            AuditEvent.AuditEventAction.E => AuditAction.Execute,
            _ => null,
        };
        if (action is null) return (null, "AuditEvent.action is missing");
        AuditOutcome? outcome = auditEvent.Outcome switch
        {
            AuditEvent.AuditEventOutcome.N0 => AuditOutcome.Success,
            AuditEvent.AuditEventOutcome.N4 => AuditOutcome.MinorFailure,
            AuditEvent.AuditEventOutcome.N8 => AuditOutcome.SeriousFailure,
            AuditEvent.AuditEventOutcome.N12 => AuditOutcome.MajorFailure,
            _ => null,
        };
        if (outcome is null) return (null, "AuditEvent.outcome is missing");
        if (auditEvent.RecordedElement?.Value is not { } recorded) return (null, "AuditEvent.recorded is missing");
        if (auditEvent.Source?.Observer?.Identifier is not { System: AuditFhir.OdsCodeSystem, Value: { } tenant }) return (null, "AuditEvent.source.observer is not an ODS code");

        if (auditEvent.Agent is not [var agent]) return (null, "AuditEvent must have exactly one agent");
        if (agent.Who?.Identifier is not { System: AuditFhir.ActorSystem, Value: { } who }) return (null, "AuditEvent.agent.who is not an actor identifier");
        if (agent.Role is not [{ Coding: [{ System: AuditFhir.RoleSystem, Code: { } role }] }]) return (null, "AuditEvent.agent.role must be one role code");
        var purposeOfUse = "";
        if (agent.PurposeOfUse.Count > 0)
        {
            if (agent.PurposeOfUse is not [{ Coding: [{ System: AuditFhir.PurposeOfUseSystem, Code: { } purpose }] }]) return (null, "AuditEvent.agent.purposeOfUse must be one purpose of use code");
            purposeOfUse = purpose;
        }

        var patients = auditEvent.Entity.Where(e => e.Role is { System: AuditFhir.ObjectRoleSystem, Code: AuditFhir.PatientObjectRole }).ToList();
        var others = auditEvent.Entity.Except(patients).ToList();
        if (others is not [{ What.Reference: { } what } entity] || entity.Role is not null) return (null, "AuditEvent must have exactly one entity that is not the patient");
        var entityType = "";
        if (entity.Type is not null)
        {
            if (entity.Type is not { System: AuditFhir.EntityTypeSystem, Code: { } code }) return (null, "AuditEvent.entity.type is not an audit entity type code");
            entityType = code;
        }

        string? patient = null;
        if (patients.Count > 1) return (null, "AuditEvent has more than one patient entity");
        if (patients is [var patientEntity])
        {
            if (patientEntity.What?.Reference is not { } reference) return (null, "the patient entity has no reference");
            patient = reference;
        }

        SourceEvent? sourceEvent = null;
        var sources = auditEvent.Extension.Where(e => e.Url == AuditFhir.SourceEventExtension).ToList();
        if (sources.Count > 1) return (null, "the audit-source-event extension appears more than once");
        if (sources is [var sourceExtension])
        {
            if (sourceExtension.GetExtension("source")?.Value is not FhirUri { Value: { } eventSource }
                || sourceExtension.GetExtension("id")?.Value is not FhirString { Value: { } eventId })
            {
                return (null, "the audit-source-event extension needs a source and an id");
            }

            sourceEvent = new SourceEvent(eventSource, eventId);
        }

        var entry = new AuditEntry(id, tenant, (long)sequenceValue, type, action.Value, outcome.Value, recorded.ToUniversalTime(),
            new AuditAgent(who, role, purposeOfUse), new AuditEntity(what, entityType), patient, sourceEvent);
        return entry.Check() is { } refusal ? (null, $"the entry is malformed: {refusal.Message}") : (entry, null);
    }

    /// <summary>The inclusion proof carried by an AuditEvent, in order.</summary>
    public static IReadOnlyList<byte[]> InclusionProof(AuditEvent auditEvent) =>
        auditEvent.Extension.Where(e => e.Url == AuditFhir.InclusionProofExtension)
            .Select(e => e.Value is Base64Binary { Value: { } bytes } ? bytes : [])
            .ToList();
}
