using Platform.Domain;

namespace Platform.Audit.Domain.Entries;

/// <summary>FHIR AuditEvent.action; the numbers are the audit contract's.</summary>
public enum AuditAction
{
    Create = 1,
    Read = 2,
    Update = 3,
    Delete = 4,
    Execute = 5,
}

/// <summary>FHIR R4 AuditEvent.outcome; the numbers are FHIR's codes.</summary>
public enum AuditOutcome
{
    Success = 0,
    MinorFailure = 4,
    SeriousFailure = 8,
    MajorFailure = 12,
}

/// <summary>Who acted (AuditEvent.agent): a user or client id from the originating token, never a patient name.</summary>
public sealed record AuditAgent(string Who, string Role, string PurposeOfUse);

/// <summary>What was acted on (AuditEvent.entity), as a reference such as <c>TechnologyUse/&lt;id&gt;</c>.</summary>
public sealed record AuditEntity(string What, string Type);

/// <summary>The CloudEvent an entry was written from: its source and id, the inbox's key.</summary>
public sealed record SourceEvent(string Source, string Id);

/// <summary>
/// One entry of a trust's log in the FHIR AuditEvent shape. <see cref="Sequence"/> is 1, 2, 3... per trust and is
/// the entry's leaf index + 1 in the trust's Merkle tree. <see cref="Patient"/> is the internal patient reference
/// (<c>Patient/&lt;key&gt;</c>) when the entry concerns one patient, so "who accessed my record" can be answered.
/// </summary>
public sealed record AuditEntry(
    Guid Id,
    string Tenant,
    long Sequence,
    string Type,
    AuditAction Action,
    AuditOutcome Outcome,
    DateTimeOffset Recorded,
    AuditAgent Agent,
    AuditEntity Entity,
    string? Patient = null,
    SourceEvent? SourceEvent = null)
{
    /// <summary>The instant as every store keeps it: UTC, whole microseconds.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>
    /// Why this entry cannot be canonicalized or would not survive a round trip through a store, naming the field;
    /// null when it is well formed.
    /// </summary>
    public Refusal? Check()
    {
        if (Id == Guid.Empty) return Refusal.Invalid("id.required", "Entry id is required.");
        if (!OdsCode.IsValid(Tenant)) return Refusal.Invalid("tenant.format", "Tenant must be an ODS code (3 to 6 upper-case letters or digits).");
        if (Sequence < 1) return Refusal.Invalid("sequence.range", "Sequence starts at 1.");
        if (Validation.Code("type", Type) is { } badType) return badType;
        if (Type != Type.Trim()) return Refusal.Invalid("type.format", "Type must not start or end with spaces.");
        if (!Enum.IsDefined(Action)) return Refusal.Invalid("action.required", "Action must be one of: Create, Read, Update, Delete, Execute.");
        if (!Enum.IsDefined(Outcome)) return Refusal.Invalid("outcome.range", "Outcome must be Success, MinorFailure, SeriousFailure or MajorFailure.");
        if (Recorded.Offset != TimeSpan.Zero || Recorded.Ticks % 10 != 0) return Refusal.Invalid("recorded.precision", "Recorded must be UTC in whole microseconds.");
        if (Agent is null) return Refusal.Invalid("agent.required", "Agent is required.");
        if (Text("agent-who", Agent.Who, 128, required: true) is { } badWho) return badWho;
        if (Text("agent-role", Agent.Role, 64, required: true) is { } badRole) return badRole;
        if (Text("agent-purpose-of-use", Agent.PurposeOfUse, 32, required: false) is { } badPurpose) return badPurpose;
        if (Entity is null) return Refusal.Invalid("entity.required", "Entity is required.");
        if (Text("entity-what", Entity.What, 256, required: true) is { } badWhat) return badWhat;
        if (Text("entity-type", Entity.Type, 64, required: false) is { } badEntityType) return badEntityType;
        if (Patient is not null && Text("patient", Patient, 128, required: true) is { } badPatient) return badPatient;
        if (SourceEvent is not null)
        {
            if (Text("source-event-source", SourceEvent.Source, 256, required: true) is { } badSource) return badSource;
            if (Text("source-event-id", SourceEvent.Id, 128, required: true) is { } badEventId) return badEventId;
        }

        return null;
    }

    private static Refusal? Text(string field, string? value, int maxLength, bool required)
    {
        if (value is null) return Refusal.Invalid($"{field}.required", $"{Label(field)} is required (use an empty string for none).");
        if (required && string.IsNullOrWhiteSpace(value)) return Refusal.Invalid($"{field}.required", $"{Label(field)} is required.");
        if (value.Length > maxLength) return Refusal.Invalid($"{field}.too-long", $"{Label(field)} must be at most {maxLength} characters.");
        if (value != value.Trim()) return Refusal.Invalid($"{field}.format", $"{Label(field)} must not start or end with spaces.");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) return Refusal.Invalid($"{field}.format", $"{Label(field)} must not contain control characters.");
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return Refusal.Invalid($"{field}.format", $"{Label(field)} holds a broken UTF-16 surrogate pair.");
        }

        return null;
    }

    private static string Label(string field) => char.ToUpperInvariant(field[0]) + field[1..].Replace('-', ' ');
}
