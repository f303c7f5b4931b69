namespace Platform.Procurement.Domain;

public enum GateOutcome
{
    Unspecified = 0,
    Passed = 1,
    Failed = 2,
}

/// <summary>Where a gate stands at a moment. Anything but <see cref="Passed"/> keeps the gate open.</summary>
public enum GateState
{
    NotRecorded = 0,
    Passed = 1,
    Failed = 2,
    /// <summary>Evidence behind the gate ran out (a DTAC renewal, penetration test, DSPT status, review date).</summary>
    Expired = 3,
    /// <summary>Set aside by a later finding, e.g. the appraisal behind an approval withdrawn for lack of benefit.</summary>
    Invalidated = 4,
}

/// <summary>Kinds of evidence that run out.</summary>
public enum ExpiringEvidenceKind
{
    Unspecified = 0,
    DtacRenewal = 1,
    PenetrationTest = 2,
    DsptStatus = 3,
    EhiaReview = 4,
    DpiaReview = 5,
    DataSharingAgreement = 6,
    PolicyReview = 7,
}

public sealed record ExpiringEvidence(ExpiringEvidenceKind Kind, DateTime ValidUntil)
{
    public string Describe() => Kind switch
    {
        ExpiringEvidenceKind.DtacRenewal => "DTAC renewal",
        ExpiringEvidenceKind.PenetrationTest => "penetration test",
        ExpiringEvidenceKind.DsptStatus => "DSPT status",
        ExpiringEvidenceKind.EhiaReview => "EHIA review",
        ExpiringEvidenceKind.DpiaReview => "DPIA review",
        ExpiringEvidenceKind.DataSharingAgreement => "data sharing agreement",
        ExpiringEvidenceKind.PolicyReview => "policy review",
        _ => "evidence",
    };
}

/// <summary>
/// One recorded completion of a gate: who, when, the evidence reference, the outcome, and when it expires. A gate
/// recorded again keeps the earlier records as history; the latest is the gate's current record.
/// </summary>
public sealed class GateRecord
{
    public Guid Id { get; init; }
    public GateKind Gate { get; init; }
    public required GateEvidence Evidence { get; init; }
    public string EvidenceReference { get; init; } = "";
    public string RecordedBy { get; init; } = "";
    public ProcurementRole RecordedAs { get; init; }
    public DateTime RecordedAt { get; init; }
    public GateOutcome Outcome { get; init; }
    /// <summary>Why the gate failed, in words staff can act on; null when it passed.</summary>
    public string? FailureReason { get; init; }
    /// <summary>The earliest expiry of the evidence behind the gate; null when nothing behind it expires.</summary>
    public DateTime? ExpiresAt { get; init; }
    /// <summary>Supplier evidence another trust shared, reviewed and taken in here; null when all was assessed here.</summary>
    public ReusedInput? Reuse { get; init; }
    /// <summary>When the expiry review noticed the evidence had run out (so it reports each expiry once).</summary>
    public DateTime? ExpiryNoticedAt { get; set; }
    public DateTime? InvalidatedAt { get; set; }
    public string? InvalidationReason { get; set; }

    public GateState StateAt(DateTime now)
    {
        if (Outcome != GateOutcome.Passed) return GateState.Failed;
        if (InvalidatedAt is { } invalidated && invalidated <= now) return GateState.Invalidated;
        if (ExpiresAt is { } expires && expires <= now) return GateState.Expired;
        return GateState.Passed;
    }

    /// <summary>The evidence that has run out by <paramref name="now"/>, earliest first.</summary>
    public IReadOnlyList<ExpiringEvidence> ExpiredAt(DateTime now) =>
        Evidence.Expiring.Where(e => e.ValidUntil <= now).OrderBy(e => e.ValidUntil).ToList();
}

/// <summary>A gate that stops approval, with what is wrong with it in words.</summary>
public sealed record OpenGate(GateKind Gate, GateState State, string Name, string Detail)
{
    public override string ToString() => $"{Name} ({Detail})";
}
