using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>A supplier's published Data Security and Protection Toolkit status.</summary>
public enum DsptStatus
{
    Unspecified = 0,
    StandardsExceeded = 1,
    StandardsMet = 2,
    ApproachingStandards = 3,
    StandardsNotMet = 4,
    NotPublished = 5,
}

/// <summary>
/// One DTAC section: "completed by the supplier and reviewed by the provider". Every section carries the supplier's
/// answers and the date the DTAC assessment must be renewed; past that date the gate reopens.
/// </summary>
public abstract record DtacSectionEvidence : GateEvidence
{
    /// <summary>The supplier's completed DTAC answers (document and version).</summary>
    public string SupplierDtacReference { get; init; } = "";
    public DateTime DtacRenewalDue { get; init; }

    private protected string Code => GateCatalogue.Of(Gate).Code;

    public override IReadOnlyList<ExpiringEvidence> Expiring => [new(ExpiringEvidenceKind.DtacRenewal, DtacRenewalDue), .. MoreExpiring];

    private protected virtual IEnumerable<ExpiringEvidence> MoreExpiring => [];

    internal override Refusal? Validate(GateContext context) =>
        Text(Code, "supplier-dtac-reference", SupplierDtacReference, "Reference the supplier's completed DTAC answers: the supplier completes DTAC and the trust reviews it.", 300)
        ?? Future(Code, "dtac-renewal-due", DtacRenewalDue == default ? null : DtacRenewalDue, context.Now, "DTAC assessment")
        ?? ValidateSection(context);

    private protected abstract Refusal? ValidateSection(GateContext context);

    internal override SupplierEvidenceContent? Shareable(SupplierEvidenceKind kind) =>
        kind == SupplierEvidenceKind.DtacAnswers ? new DtacAnswersContent(Gate, SupplierDtacReference.Trim(), DtacRenewalDue, SupplierSafetyCase, JudgedPassed, UsabilityScore) : null;

    internal override GateEvidence? TakeIn(SupplierEvidenceContent content) =>
        content is DtacAnswersContent answers && answers.Section == Gate
            ? WithAnswers(answers)
            : TakeInMore(content);

    private protected virtual GateEvidence WithAnswers(DtacAnswersContent answers) =>
        this with { SupplierDtacReference = answers.SupplierDtacReference, DtacRenewalDue = answers.DtacRenewalDue };

    private protected virtual GateEvidence? TakeInMore(SupplierEvidenceContent content) => null;
    private protected virtual string? SupplierSafetyCase => null;
    private protected virtual bool? JudgedPassed => null;
    private protected virtual int? UsabilityScore => null;
}

/// <summary>C1: the supplier's DCB0129 clinical safety case, and the trust's own DCB0160 safety case and hazard log.</summary>
public sealed record DtacClinicalSafetyEvidence : DtacSectionEvidence
{
    public override GateKind Gate => GateKind.DtacClinicalSafety;
    /// <summary>The manufacturer's clinical safety case under DCB0129 (supplier-level).</summary>
    public string SupplierDcb0129SafetyCaseReference { get; init; } = "";
    /// <summary>The trust's own clinical safety case for deploying the product under DCB0160: never shared.</summary>
    public string TrustDcb0160SafetyCaseReference { get; init; } = "";
    /// <summary>The trust's hazard log for the deployment: never shared.</summary>
    public string HazardLogReference { get; init; } = "";
    public bool Passed { get; init; }

    private protected override Refusal? ValidateSection(GateContext context) =>
        Text(Code, "dcb0129-reference", SupplierDcb0129SafetyCaseReference, "Reference the supplier's DCB0129 clinical safety case.", 300)
        ?? Text(Code, "dcb0160-reference", TrustDcb0160SafetyCaseReference, "Reference the trust's own DCB0160 clinical safety case for this deployment.", 300)
        ?? Text(Code, "hazard-log-reference", HazardLogReference, "Reference the trust's hazard log for this deployment.", 300);

    internal override GateVerdict Judge(GateContext context) =>
        Passed ? GateVerdict.Pass : GateVerdict.Fail("the clinical safety officer did not accept the clinical safety evidence");

    private protected override GateEvidence WithAnswers(DtacAnswersContent answers) =>
        this with
        {
            SupplierDtacReference = answers.SupplierDtacReference,
            DtacRenewalDue = answers.DtacRenewalDue,
            SupplierDcb0129SafetyCaseReference = answers.SupplierDcb0129SafetyCaseReference ?? SupplierDcb0129SafetyCaseReference,
        };

    private protected override string? SupplierSafetyCase => SupplierDcb0129SafetyCaseReference.Trim();
    private protected override bool? JudgedPassed => Passed;
}

/// <summary>C2: data protection, including the supplier's DSPT status, which lapses.</summary>
public sealed record DtacDataProtectionEvidence : DtacSectionEvidence
{
    public override GateKind Gate => GateKind.DtacDataProtection;
    public bool Passed { get; init; }
    public DsptStatus SupplierDsptStatus { get; init; }
    public DateTime DsptValidUntil { get; init; }

    private protected override IEnumerable<ExpiringEvidence> MoreExpiring => [new(ExpiringEvidenceKind.DsptStatus, DsptValidUntil)];

    private protected override Refusal? ValidateSection(GateContext context) =>
        (SupplierDsptStatus == DsptStatus.Unspecified || !Enum.IsDefined(SupplierDsptStatus)
            ? Refusal.Invalid($"{Code}.dspt-status-missing", "Record the supplier's published DSPT status.")
            : null)
        ?? Future(Code, "dspt-valid-until", DsptValidUntil == default ? null : DsptValidUntil, context.Now, "supplier's DSPT status");

    internal override GateVerdict Judge(GateContext context)
    {
        if (SupplierDsptStatus is not (DsptStatus.StandardsMet or DsptStatus.StandardsExceeded))
            return GateVerdict.Fail("the supplier's DSPT status does not meet the standards");
        return Passed ? GateVerdict.Pass : GateVerdict.Fail("the information governance lead did not accept the data protection answers");
    }

    internal override SupplierEvidenceContent? Shareable(SupplierEvidenceKind kind) =>
        kind == SupplierEvidenceKind.DsptStatus ? new DsptStatusContent(SupplierDsptStatus, DsptValidUntil) : base.Shareable(kind);

    private protected override GateEvidence? TakeInMore(SupplierEvidenceContent content) =>
        content is DsptStatusContent dspt ? this with { SupplierDsptStatus = dspt.Status, DsptValidUntil = dspt.StatusValidUntil } : null;

    private protected override bool? JudgedPassed => Passed;
}

/// <summary>C3: technical security, including a penetration test, which lapses.</summary>
public sealed record DtacTechnicalSecurityEvidence : DtacSectionEvidence
{
    public override GateKind Gate => GateKind.DtacTechnicalSecurity;
    public bool Passed { get; init; }
    public string PenetrationTestReference { get; init; } = "";
    public DateTime PenetrationTestedOn { get; init; }
    public DateTime PenetrationTestValidUntil { get; init; }

    private protected override IEnumerable<ExpiringEvidence> MoreExpiring => [new(ExpiringEvidenceKind.PenetrationTest, PenetrationTestValidUntil)];

    private protected override Refusal? ValidateSection(GateContext context) =>
        Text(Code, "penetration-test-reference", PenetrationTestReference, "Reference the penetration test report.", 300)
        ?? NotFuture(Code, "penetration-tested-on", PenetrationTestedOn, context.Now, "penetration test")
        ?? Future(Code, "penetration-test-valid-until", PenetrationTestValidUntil == default ? null : PenetrationTestValidUntil, context.Now, "penetration test");

    internal override GateVerdict Judge(GateContext context) =>
        Passed ? GateVerdict.Pass : GateVerdict.Fail("the technical security answers or the penetration test were not accepted");

    internal override SupplierEvidenceContent? Shareable(SupplierEvidenceKind kind) =>
        kind == SupplierEvidenceKind.PenetrationTest
            ? new PenetrationTestContent(PenetrationTestReference.Trim(), PenetrationTestedOn, PenetrationTestValidUntil)
            : base.Shareable(kind);

    private protected override GateEvidence? TakeInMore(SupplierEvidenceContent content) =>
        content is PenetrationTestContent test
            ? this with { PenetrationTestReference = test.Reference, PenetrationTestedOn = test.TestedOn, PenetrationTestValidUntil = test.TestValidUntil }
            : null;

    private protected override bool? JudgedPassed => Passed;
}

/// <summary>C4: interoperability, pass or fail.</summary>
public sealed record DtacInteroperabilityEvidence : DtacSectionEvidence
{
    public override GateKind Gate => GateKind.DtacInteroperability;
    public bool Passed { get; init; }

    private protected override Refusal? ValidateSection(GateContext context) => null;

    internal override GateVerdict Judge(GateContext context) =>
        Passed ? GateVerdict.Pass : GateVerdict.Fail("the interoperability answers were not accepted");

    private protected override bool? JudgedPassed => Passed;
}

/// <summary>D1: usability and accessibility, which DTAC scores rather than passes or fails.</summary>
public sealed record DtacUsabilityEvidence : DtacSectionEvidence
{
    public override GateKind Gate => GateKind.DtacUsabilityAndAccessibility;
    /// <summary>The D1 score as a percentage of the points available.</summary>
    public int ScorePercent { get; init; } = -1;

    private protected override Refusal? ValidateSection(GateContext context) =>
        ScorePercent is < 0 or > 100 ? Refusal.Invalid($"{Code}.score-range", "Record the D1 usability and accessibility score as a percentage from 0 to 100.") : null;

    internal override GateVerdict Judge(GateContext context) =>
        ScorePercent >= context.Policy.MinimumUsabilityScorePercent
            ? GateVerdict.Pass
            : GateVerdict.Fail($"the usability and accessibility score {ScorePercent}% is below the trust's minimum of {context.Policy.MinimumUsabilityScorePercent}%");

    private protected override int? UsabilityScore => ScorePercent;
}
