using Platform.Domain;

namespace Platform.Procurement.Domain;

public enum ResidualRisk
{
    Unspecified = 0,
    Low = 1,
    Medium = 2,
    High = 3,
}

/// <summary>
/// The trust's data protection impact assessment. Never shared with the region. A high residual risk needs the
/// Information Commissioner's prior consultation (UK GDPR Article 36) before processing starts.
/// </summary>
public sealed record DpiaEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.DataProtectionImpactAssessment;
    public DateTime CompletedOn { get; init; }
    public ResidualRisk ResidualRisk { get; init; }
    public string? IcoPriorConsultationReference { get; init; }
    /// <summary>When the trust will review the DPIA; null when it sets no date.</summary>
    public DateTime? ReviewBy { get; init; }

    public override IReadOnlyList<ExpiringEvidence> Expiring => ReviewBy is { } review ? [new(ExpiringEvidenceKind.DpiaReview, review)] : [];

    internal override Refusal? Validate(GateContext context)
    {
        if (NotFuture("dpia", "completed-on", CompletedOn, context.Now, "DPIA") is { } badDate) return badDate;
        if (ResidualRisk == ResidualRisk.Unspecified || !Enum.IsDefined(ResidualRisk))
            return Refusal.Invalid("dpia.residual-risk-missing", "Record the residual data protection risk after mitigation: low, medium or high.");
        if (ResidualRisk == ResidualRisk.High && string.IsNullOrWhiteSpace(IcoPriorConsultationReference))
            return Refusal.Invalid("dpia.ico-consultation-missing",
                "A high residual risk needs prior consultation with the Information Commissioner (UK GDPR Article 36): record its reference.");
        if (ReviewBy is { } review && review <= context.Now)
            return Refusal.Invalid("dpia.review-by-past", "The DPIA review date has already passed: review the DPIA before recording it.");
        return null;
    }

    internal override GateVerdict Judge(GateContext context) => GateVerdict.Pass;
}

public sealed record DataSharingAgreement(string Party, string Reference, DateTime? ValidUntil);

/// <summary>
/// "Where necessary ... data sharing agreement(s)": the agreements the use needs, or why none is needed.
/// </summary>
public sealed record DataSharingEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.DataSharingAgreements;
    public IReadOnlyList<DataSharingAgreement> Agreements { get; init; } = [];
    public string? NoneNeededRationale { get; init; }

    public override IReadOnlyList<ExpiringEvidence> Expiring =>
        Agreements.Where(a => a.ValidUntil is not null).Select(a => new ExpiringEvidence(ExpiringEvidenceKind.DataSharingAgreement, a.ValidUntil!.Value)).ToList();

    internal override Refusal? Validate(GateContext context)
    {
        if (Agreements.Count == 0)
            return Text("data-sharing-agreements", "none-needed-rationale", NoneNeededRationale,
                "List the data sharing agreements, or record why none is needed.");
        foreach (var agreement in Agreements)
        {
            if (string.IsNullOrWhiteSpace(agreement.Party) || string.IsNullOrWhiteSpace(agreement.Reference))
                return Refusal.Invalid("data-sharing-agreements.agreement-incomplete", "Each data sharing agreement needs the other party and its reference.");
            if (agreement.ValidUntil is { } until && until <= context.Now)
                return Refusal.Invalid("data-sharing-agreements.agreement-expired", $"The data sharing agreement with {agreement.Party.Trim()} has already ended: renew it first.");
        }
        return null;
    }

    internal override GateVerdict Judge(GateContext context) => GateVerdict.Pass;
}

/// <summary>
/// "The development of, or revisions, to privacy notices and patient information documents", covering the use and
/// storage of the data and the patient's rights over it.
/// </summary>
public sealed record PrivacyNoticeEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.PrivacyNotice;
    public string PrivacyNoticeReference { get; init; } = "";
    public string PatientInformationReference { get; init; } = "";
    public DateTime UpdatedOn { get; init; }
    public bool CoversUseAndStorageOfData { get; init; }
    public bool CoversPatientRights { get; init; }

    internal override Refusal? Validate(GateContext context) =>
        Text("privacy-notice", "reference", PrivacyNoticeReference, "Reference the privacy notice that covers this technology.", 300)
        ?? Text("privacy-notice", "patient-information-reference", PatientInformationReference, "Reference the patient information document about this technology.", 300)
        ?? NotFuture("privacy-notice", "updated-on", UpdatedOn, context.Now, "privacy notice update");

    internal override GateVerdict Judge(GateContext context)
    {
        if (!CoversUseAndStorageOfData) return GateVerdict.Fail("the privacy notice does not explain how the technology's data are used and stored");
        if (!CoversPatientRights) return GateVerdict.Fail("the patient information does not explain the patient's rights over the data");
        return GateVerdict.Pass;
    }
}

/// <summary>
/// The information governance team's sign-off. It comes after the data protection work it signs off, and confirms
/// the trust's own DSPT submission reflects the implementation.
/// </summary>
public sealed record InformationGovernanceSignOffEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.InformationGovernanceSignOff;
    public bool TrustDsptReflectsImplementation { get; init; }
    public string? Conditions { get; init; }

    /// <summary>The gates that must pass before the sign-off can be recorded.</summary>
    public static IReadOnlyList<GateKind> Prerequisites { get; } =
        [GateKind.DtacDataProtection, GateKind.DataProtectionImpactAssessment, GateKind.DataSharingAgreements, GateKind.PrivacyNotice];

    internal override Refusal? Validate(GateContext context)
    {
        var open = context.Case.OpenGatesAmong(Prerequisites, context.Now);
        return open.Count == 0
            ? null
            : Refusal.Precondition("ig-sign-off.prerequisites-open",
                $"Information governance can sign off only once the data protection work is done. Still open: {string.Join("; ", open)}.");
    }

    internal override GateVerdict Judge(GateContext context) =>
        TrustDsptReflectsImplementation
            ? GateVerdict.Pass
            : GateVerdict.Fail("the trust's Data Security and Protection Toolkit submission does not yet reflect this implementation");
}
