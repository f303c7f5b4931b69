using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// A trust that has consent records here, so the scheduled jobs know whom to visit. Holds the ODS code only (public
/// reference data), so it is the one table without row-level security: the jobs read it before taking a tenant.
/// </summary>
public sealed class ConsentTrust
{
    public string TenantId { get; set; } = "";
    public DateTime FirstSeenAt { get; set; }
}

/// <summary>A blanket-use signal already raised, keyed by its finding, so a scheduled run raises each finding once.</summary>
public sealed class RaisedBlanketSignal : ITenantOwned
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    /// <summary>Kind, ward, technology and the sorted use ids, hashed: the same evidence is the same finding.</summary>
    public string SignalKey { get; set; } = "";
    public BlanketSignalKind Kind { get; set; }
    public string WardCode { get; set; } = "";
    public Guid TechnologyId { get; set; }
    public int UseCount { get; set; }
    /// <summary>The uses the finding rests on (its evidence).</summary>
    public List<string> UseIds { get; set; } = [];
    public DateTime RaisedAt { get; set; }
}

/// <summary>What the signal sweep raised (<see cref="RaisedConsentSignal"/>).</summary>
public enum ConsentSignalKind
{
    Unspecified = 0,
    /// <summary><c>deadline_warning</c>: subject the use, detail the <see cref="DeadlineKind"/>, with the deadline.</summary>
    DeadlineWarning = 1,
    /// <summary>A warned deadline passed and the use was re-evaluated (a safety use that stopped raised its alert).</summary>
    DeadlinePassed = 2,
    /// <summary><c>age_threshold_crossed</c>: subject the patient, detail 16 or 18, deadline the birthday's instant.</summary>
    AgeThresholdCrossed = 3,
    /// <summary><c>refusal_question_due</c>: subject the refusal (an own consent).</summary>
    RefusalQuestionDue = 4,
}

/// <summary>
/// A signal the sweep has raised, so it is raised once however often the sweep runs, on however many replicas, and
/// across restarts: the key (kind, subject, detail, deadline) is unique per trust. The outbox cannot hold this memory
/// (its sent rows are purged). Ids, codes and times only.
/// </summary>
public sealed class RaisedConsentSignal : ITenantOwned
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    public ConsentSignalKind Kind { get; set; }
    public Guid PatientId { get; set; }
    /// <summary>The use, the patient, or the consent the signal is about.</summary>
    public Guid SubjectId { get; set; }
    /// <summary>The deadline kind, or the age (16, 18); 0 when none.</summary>
    public int Detail { get; set; }
    /// <summary>The deadline or the birthday's instant; null for a refusal question.</summary>
    public DateTime? Deadline { get; set; }
    public DateTime RaisedAt { get; set; }

    /// <summary>The same kind, subject, detail and deadline make the same signal.</summary>
    public static string KeyOf(ConsentSignalKind kind, Guid subjectId, int detail, DateTime? deadline) =>
        $"{(int)kind}/{subjectId:N}/{detail}/{deadline?.Ticks ?? 0}";

    public string SignalKey { get; set; } = "";
}
