using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>
/// The supplier-level part of a gate's evidence. These types hold only what the supplier provided and how it was
/// judged: they have no place for a trust's own documents (DPIA, EHIA, DCB0160 safety case, hazard log, decision).
/// </summary>
public abstract record SupplierEvidenceContent
{
    public abstract SupplierEvidenceKind Kind { get; }
    public abstract DateTime? ValidUntil { get; }
}

/// <summary>The supplier's DTAC answers for one section, and whether the sharing trust accepted them (or its D1 score).</summary>
public sealed record DtacAnswersContent(
    GateKind Section, string SupplierDtacReference, DateTime DtacRenewalDue, string? SupplierDcb0129SafetyCaseReference, bool? JudgedPassed, int? UsabilityScorePercent)
    : SupplierEvidenceContent
{
    public override SupplierEvidenceKind Kind => SupplierEvidenceKind.DtacAnswers;
    public override DateTime? ValidUntil => DtacRenewalDue;
}

public sealed record PenetrationTestContent(string Reference, DateTime TestedOn, DateTime TestValidUntil) : SupplierEvidenceContent
{
    public override SupplierEvidenceKind Kind => SupplierEvidenceKind.PenetrationTest;
    public override DateTime? ValidUntil => TestValidUntil;
}

public sealed record DsptStatusContent(DsptStatus Status, DateTime StatusValidUntil) : SupplierEvidenceContent
{
    public override SupplierEvidenceKind Kind => SupplierEvidenceKind.DsptStatus;
    public override DateTime? ValidUntil => StatusValidUntil;
}

public sealed record EsfAppraisalContent(Guid AppraisalId, EsfTier Tier, EvidenceConclusion Conclusion, string SettingCode, DateTime CompletedAt) : SupplierEvidenceContent
{
    public override SupplierEvidenceKind Kind => SupplierEvidenceKind.EsfAppraisal;
    public override DateTime? ValidUntil => null;
}

/// <summary>
/// Supplier-level evidence a trust assessed and chose to share with the region. It lives outside any one trust's
/// data (it is the region's), carries the sharing trust's ODS code as its origin, and holds a copy of the
/// supplier-level part only, taken when it was shared.
/// </summary>
public sealed class SharedSupplierEvidence
{
    public Guid Id { get; init; }
    public string OriginTenantId { get; init; } = "";
    public string Supplier { get; init; } = "";
    public string ProductName { get; init; } = "";
    public required SupplierEvidenceContent Content { get; init; }
    public DateTime AssessedAt { get; init; }
    public DateTime SharedAt { get; init; }
    public string SharedBy { get; init; } = "";
    public DateTime? WithdrawnAt { get; set; }

    public SupplierEvidenceKind Kind => Content.Kind;

    /// <summary>
    /// Shares the supplier-level part of <paramref name="gate"/> from the trust's own case. Only the trust's
    /// procurement lead can share, only a gate that passed and has not expired, and never a trust's own document.
    /// </summary>
    public static Outcome<SharedSupplierEvidence> Share(
        ProcurementCase sourceCase, Technology technology, GateKind gate, SupplierEvidenceKind kind, ProcurementActor actor, Guid id, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "share supplier evidence with the region") is { } denied) return denied;
        if (!GateCatalogue.IsGate(gate)) return Refusal.Invalid("sharing.gate-required", "Name the gate whose supplier evidence is to be shared.");
        if (GateCatalogue.Of(gate).Reusable.Count == 0)
            return Refusal.Invalid("sharing.trust-own-document",
                $"{GateCatalogue.Of(gate).Name} holds the trust's own work, which is never shared with the region; only supplier-level evidence (DTAC answers, penetration test, DSPT status, ESF appraisal) can be.");
        if (!GateCatalogue.Of(gate).Reusable.Contains(kind))
            return Refusal.Invalid("sharing.kind-not-in-gate", $"{GateCatalogue.Of(gate).Name} holds no {Words(kind)} to share.");
        if (technology.Id != sourceCase.TechnologyId) return Refusal.Invalid("sharing.other-technology", "The technology is not the one this case is about.");
        var record = sourceCase.Current(gate);
        if (record is null || record.StateAt(now) != GateState.Passed)
            return Refusal.Precondition("sharing.gate-not-passed", $"Only evidence behind a passed, unexpired gate can be shared; {GateCatalogue.Of(gate).Name} is not.");
        var content = record.Evidence.Shareable(kind);
        if (content is null)
            return Refusal.Invalid("sharing.kind-not-in-gate", $"{GateCatalogue.Of(gate).Name} holds no {Words(kind)} to share.");
        return new SharedSupplierEvidence
        {
            Id = id,
            OriginTenantId = sourceCase.TenantId,
            Supplier = technology.Supplier,
            ProductName = technology.Name,
            Content = content,
            AssessedAt = record.RecordedAt,
            SharedAt = now,
            SharedBy = actor.Subject,
        };
    }

    /// <summary>The sharing trust takes its evidence back; reuse already recorded elsewhere stays as it was reviewed.</summary>
    public Refusal? Withdraw(string withdrawingTenantId, ProcurementActor actor, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "withdraw shared supplier evidence") is { } denied) return denied;
        if (!string.Equals(withdrawingTenantId, OriginTenantId, StringComparison.Ordinal))
            return Refusal.Denied("sharing.not-origin", "Only the trust that shared this evidence can withdraw it.");
        if (WithdrawnAt is not null) return Refusal.Precondition("sharing.already-withdrawn", "This shared evidence has already been withdrawn.");
        WithdrawnAt = now;
        return null;
    }

    internal static string Words(SupplierEvidenceKind kind) => kind switch
    {
        SupplierEvidenceKind.DtacAnswers => "supplier DTAC answers",
        SupplierEvidenceKind.PenetrationTest => "penetration test",
        SupplierEvidenceKind.DsptStatus => "DSPT status",
        SupplierEvidenceKind.EsfAppraisal => "ESF appraisal",
        _ => "supplier evidence",
    };
}

/// <summary>
/// Shared supplier evidence taken into this trust's gate as a reviewed input: where it came from, who here
/// reviewed it and what they concluded. The gate is still this trust's, recorded by its own responsible role.
/// </summary>
public sealed record ReusedInput(Guid SharedEvidenceId, string OriginTenantId, SupplierEvidenceKind Kind, DateTime OriginAssessedAt, string ReviewNote);
