using Platform.Domain;
using Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Data;

/// <summary>A procurement case's header (procurement_cases); its gate records and approvals are rows of their own.</summary>
public sealed class CaseRow : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public string SettingDescription { get; init; } = "";
    public StatedPurpose Purpose { get; init; }
    public DateTime OpenedAt { get; init; }
    public string OpenedBy { get; init; } = "";
}

/// <summary>One recorded completion of a gate (gate_records); the evidence is JSON whose discriminator is the gate.</summary>
public sealed class GateRecordRow : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid CaseId { get; init; }
    public GateKind Gate { get; init; }
    public string Evidence { get; init; } = "";
    public string EvidenceReference { get; init; } = "";
    public string RecordedBy { get; init; } = "";
    public ProcurementRole RecordedAs { get; init; }
    public DateTime RecordedAt { get; init; }
    public GateOutcome Outcome { get; init; }
    public string? FailureReason { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public Guid? ReuseSharedEvidenceId { get; init; }
    public string? ReuseOriginTenant { get; init; }
    public SupplierEvidenceKind? ReuseKind { get; init; }
    public DateTime? ReuseOriginAssessedAt { get; init; }
    public string? ReuseReviewNote { get; init; }
    public DateTime? ExpiryNoticedAt { get; set; }
    public DateTime? InvalidatedAt { get; set; }
    public string? InvalidationReason { get; set; }
}

/// <summary>An approval decision (approvals), with its withdrawal when there is one.</summary>
public sealed class ApprovalRow : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid CaseId { get; init; }
    public Guid TechnologyId { get; init; }
    public string TechnologyName { get; init; } = "";
    public string SettingCode { get; init; } = "";
    public ApprovalKind Kind { get; init; }
    public string Rationale { get; init; } = "";
    public Guid EvidenceAppraisalId { get; init; }
    public EvidenceConclusion EvidenceConclusion { get; init; }
    public DateTime? TrialEndsOn { get; init; }
    public string? Evaluation { get; init; }
    public bool IsSurveillance { get; init; }
    public bool ManagesSafetyRisk { get; init; }
    public DateTime ApprovedAt { get; init; }
    public string ApprovedBy { get; init; } = "";
    public DateTime? SupersededAt { get; set; }
    public WithdrawalCause? WithdrawalCause { get; set; }
    public string? WithdrawalReason { get; set; }
    /// <summary>Gate codes, comma-separated.</summary>
    public string? WithdrawalExpiredGates { get; set; }
    public Guid? WithdrawalFlagId { get; set; }
    public DateTime? WithdrawnAt { get; set; }
    public string? WithdrawnBy { get; set; }
}

/// <summary>The evidence service's completed appraisal as this trust received it (appraisals_received).</summary>
public sealed class AppraisalReceived : ITenantOwned
{
    public Guid AppraisalId { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public EsfTier Tier { get; init; }
    public EvidenceConclusion Conclusion { get; init; }
    public DateTime CompletedAt { get; init; }
    public string ReviewerSubject { get; init; } = "";
}

/// <summary>A no-benefit flag from the evidence service (outcome_flags_received), shown to the procurement lead.</summary>
public sealed class OutcomeFlagReceived : ITenantOwned
{
    public Guid FlagId { get; init; }
    public string TenantId { get; set; } = "";
    public string Kind { get; init; } = "";
    public Guid TechnologyId { get; init; }
    /// <summary>Null: all settings.</summary>
    public string? SettingCode { get; init; }
    public string Instrument { get; init; } = "";
    public DateTime RaisedAt { get; init; }
}

/// <summary>The trust's procurement settings (procurement_policies), one row per trust.</summary>
public sealed class ProcurementPolicyRow : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public int ExpiryGraceDays { get; set; }
    public int MaxTrialDays { get; set; }
    public int MaxEhiaReviewDays { get; set; }
    public int MaxRefresherMonths { get; set; }
    public int MinUsabilityScorePercent { get; set; }
}

/// <summary>A trust with procurement cases here (procurement_trusts): the expiry sweep visits each. Holds no trust data.</summary>
public sealed class ProcurementTrust
{
    public string TenantId { get; init; } = "";
    public DateTime FirstSeenAt { get; init; }
}

/// <summary>
/// Supplier-level evidence a trust shared with the region (shared_supplier_evidence). Region-scoped, not tenant-owned:
/// every trust may read it, only the origin trust may write it (PostgreSQL row-level security; the domain on SQLite).
/// It has no column for a trust's own documents: content is the supplier-level part only, as JSON.
/// </summary>
public sealed class SharedSupplierEvidenceRow
{
    public Guid Id { get; init; }
    public string OriginTenantId { get; init; } = "";
    public string Supplier { get; init; } = "";
    public string ProductName { get; init; } = "";
    public SupplierEvidenceKind Kind { get; init; }
    public string Content { get; init; } = "";
    public DateTime AssessedAt { get; init; }
    public DateTime? ValidUntil { get; init; }
    public DateTime SharedAt { get; init; }
    public string SharedBy { get; init; } = "";
    public DateTime? WithdrawnAt { get; set; }
}

/// <summary>
/// A ward of the trust as the identity service's directory publishes it (procurement_wards): only its setting type
/// matters here, since a procurement case is opened for a setting type the trust's directory holds.
/// </summary>
public sealed class ProcurementWard : ITenantOwned
{
    public string TenantId { get; set; } = "";
    /// <summary>Normalised: trimmed and upper-case, as the directory keeps it.</summary>
    public string WardCode { get; set; } = "";
    public string SettingCode { get; set; } = "";
    public bool Closed { get; set; }
    public DateTime UpdatedAt { get; set; }
}
