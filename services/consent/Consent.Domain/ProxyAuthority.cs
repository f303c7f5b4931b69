using Platform.Domain;

namespace Platform.Consent.Domain;

public enum ProxyKind
{
    Unspecified = 0,
    /// <summary>A person with parental responsibility (under 18 only).</summary>
    ParentalResponsibility = 1,
    /// <summary>The attorney under a registered health-and-welfare Lasting Power of Attorney.</summary>
    LastingPowerOfAttorney = 2,
    /// <summary>A court-appointed health-and-welfare deputy (MCA s16, s20).</summary>
    Deputy = 3,
}

/// <summary>How a person holds parental responsibility (Children Act 1989 ss2-4A, 5, 12, 14C, 33, 38, 44).</summary>
public enum ParentalResponsibilityBasis
{
    Unspecified = 0,
    /// <summary>A mother, or a father or second parent with parental responsibility (ss2, 4, 4ZA).</summary>
    Parent = 1,
    /// <summary>A guardian appointed under s5.</summary>
    Guardian = 2,
    /// <summary>A local authority while a care order is in force (s33(3)); parents keep theirs.</summary>
    LocalAuthorityUnderCareOrder = 3,
    /// <summary>A special guardian (s14C); may exercise it to the exclusion of others.</summary>
    SpecialGuardian = 4,
    /// <summary>A person named in a child arrangements order as someone the child lives with (s12(2)).</summary>
    ChildArrangementsOrder = 5,
    /// <summary>A local authority under an interim care order (s38, s33(3)); time-limited.</summary>
    InterimCareOrder = 6,
    /// <summary>The applicant under an emergency protection order (s44(4)(c)); limited to safeguarding and time-limited.</summary>
    EmergencyProtectionOrder = 7,
    /// <summary>A step-parent by agreement or order (s4A).</summary>
    StepParent = 8,
}

/// <summary>Why an authority ended (MCA ss13, 16(8), 22; Children Act 1989 orders).</summary>
public enum ProxyAuthorityEndReason
{
    None = 0,
    /// <summary>The donor revoked the LPA while they had capacity (MCA s13(2)).</summary>
    RevokedByDonor = 1,
    /// <summary>The Court of Protection revoked the LPA (s22(4)(b)).</summary>
    RevokedByCourt = 2,
    /// <summary>The attorney disclaimed, died or lost capacity, or the marriage or civil partnership ended (s13(6)).</summary>
    AttorneyCannotAct = 3,
    /// <summary>The court discharged or revoked the deputy's appointment (s16(8)).</summary>
    DeputyshipDischarged = 4,
    /// <summary>The order conferring parental responsibility ended or was discharged.</summary>
    OrderEnded = 5,
    /// <summary>The holder died.</summary>
    HolderDied = 6,
}

/// <summary>
/// Someone's authority to decide for a patient, with how it was verified. One row per authority; the kind-specific
/// fields are empty for other kinds so the whole thing stores in one table.
/// </summary>
public sealed class ProxyAuthority : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public ProxyKind Kind { get; set; }
    /// <summary>The holder's relationship or role (e.g. "mother", "attorney"), never a name.</summary>
    public string Relationship { get; set; } = "";

    // Parental responsibility
    public ParentalResponsibilityBasis ParentalResponsibilityBasis { get; set; }

    // Lasting Power of Attorney (health and welfare)
    public string? LpaRegistrationReference { get; set; }
    public DateTime? LpaRegisteredAt { get; set; }
    /// <summary>Null = not recorded. A donor must have been 18 or over when making an LPA (MCA s9(2)(c)).</summary>
    public bool? DonorWas18OrOverWhenMade { get; set; }

    // Deputy
    public string? CourtOrderReference { get; set; }

    /// <summary>The LPA or court order covers health-and-welfare decisions including this kind of technology use.</summary>
    public bool CoversDecision { get; set; }

    // Verification of identity and authority
    public string? DocumentReference { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTime? VerifiedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>When the authority ended for a reason other than a revocation (or as well as one), and why.</summary>
    public DateTime? EndedAt { get; set; }
    public ProxyAuthorityEndReason EndReason { get; set; }
    /// <summary>Suspended by the court pending a decision (an interim order, MCA s48): cannot be relied on meanwhile.</summary>
    public DateTime? SuspendedFrom { get; set; }
    public DateTime? SuspensionLiftedAt { get; set; }
    /// <summary>The court order or OPG reference for a revocation, ending or suspension.</summary>
    public string? EndOrSuspensionReference { get; set; }

    private static bool IsTimeLimitedOrder(ParentalResponsibilityBasis basis) =>
        basis is ParentalResponsibilityBasis.InterimCareOrder or ParentalResponsibilityBasis.EmergencyProtectionOrder;

    /// <summary>
    /// The authority ends at <paramref name="at"/>: revoked (by the donor, s13(2), or the court, s22(4)(b)), or ended
    /// otherwise (s13(6), s16(8), an order discharged). Every use resting on a decision under it is re-evaluated at
    /// once by the caller (<see cref="ConsentSignals.Reevaluate"/>).
    /// </summary>
    public Refusal? End(ProxyAuthorityEndReason reason, DateTime at, string? reference)
    {
        if (reason == ProxyAuthorityEndReason.None || !Enum.IsDefined(reason)) return ProxyRefusals.EndReasonMissing;
        if (at == default) return ProxyRefusals.EndTimeMissing;
        if (FreeText.Short("reference", reference) is { } bad) return bad;
        if ((EndedAt is { } ended && ended <= at) || (RevokedAt is { } revoked && revoked <= at)) return ProxyRefusals.AlreadyEnded;
        if (reason is ProxyAuthorityEndReason.RevokedByDonor or ProxyAuthorityEndReason.RevokedByCourt) RevokedAt = at;
        EndedAt = at;
        EndReason = reason;
        EndOrSuspensionReference = reference?.Trim();
        return null;
    }

    /// <summary>The court suspended the authority (an interim order pending its decision).</summary>
    public Refusal? Suspend(DateTime from, string? reference)
    {
        if (from == default) return ProxyRefusals.EndTimeMissing;
        if (string.IsNullOrWhiteSpace(reference)) return ProxyRefusals.SuspensionReferenceMissing;
        if (FreeText.Short("reference", reference) is { } bad) return bad;
        if (SuspendedFrom is not null && SuspensionLiftedAt is null) return ProxyRefusals.AlreadySuspended;
        SuspendedFrom = from;
        SuspensionLiftedAt = null;
        EndOrSuspensionReference = reference.Trim();
        return null;
    }

    public Refusal? LiftSuspension(DateTime at)
    {
        if (SuspendedFrom is not { } from || SuspensionLiftedAt is not null) return ProxyRefusals.NotSuspended;
        if (at < from) return ProxyRefusals.EndTimeMissing;
        SuspensionLiftedAt = at;
        return null;
    }

    public bool IsSuspended(DateTime now) => SuspendedFrom is { } from && from <= now && (SuspensionLiftedAt is not { } lifted || lifted > now);

    public Refusal? ValidateText() => FreeText.First(
        FreeText.Short("relationship", Relationship), FreeText.Short("lpa-registration-reference", LpaRegistrationReference),
        FreeText.Short("court-order-reference", CourtOrderReference), FreeText.Short("document-reference", DocumentReference),
        FreeText.Short("verified-by", VerifiedBy));

    /// <summary>
    /// Null when this authority can be relied on now for a patient in <paramref name="ageBand"/>, else the refusal
    /// naming what is wrong. Cached refusals keep the use check allocation-free.
    /// </summary>
    public Refusal? ValidNow(AgeBand ageBand, DateTime now)
    {
        switch (Kind)
        {
            case ProxyKind.ParentalResponsibility:
                if (ParentalResponsibilityBasis == ParentalResponsibilityBasis.Unspecified) return ProxyRefusals.PrBasisMissing;
                if (ageBand.IsAdult()) return ProxyRefusals.PrEndsAt18;
                if (!Enum.IsDefined(ParentalResponsibilityBasis)) return ProxyRefusals.PrBasisMissing;
                if (IsTimeLimitedOrder(ParentalResponsibilityBasis) && ExpiresAt is null) return ProxyRefusals.OrderExpiryMissing;
                break;
            case ProxyKind.LastingPowerOfAttorney:
                if (!ageBand.IsAdult()) return ProxyRefusals.NoLpaUnder18;
                if (DonorWas18OrOverWhenMade is null) return ProxyRefusals.LpaDonorAgeMissing;
                if (DonorWas18OrOverWhenMade == false) return ProxyRefusals.NoLpaUnder18;
                if (string.IsNullOrWhiteSpace(LpaRegistrationReference) || LpaRegisteredAt is not { } registered || registered > now)
                    return ProxyRefusals.LpaUnregistered;
                if (!CoversDecision) return ProxyRefusals.LpaDoesNotCover;
                break;
            case ProxyKind.Deputy:
                if (ageBand == AgeBand.Under16) return ProxyRefusals.NoDeputyUnder16;
                if (string.IsNullOrWhiteSpace(CourtOrderReference)) return ProxyRefusals.DeputyOrderMissing;
                if (!CoversDecision) return ProxyRefusals.DeputyDoesNotCover;
                break;
            default:
                return ProxyRefusals.KindMissing;
        }
        if (string.IsNullOrWhiteSpace(DocumentReference) || string.IsNullOrWhiteSpace(VerifiedBy) || VerifiedAt is not { } verified || verified > now)
            return ProxyRefusals.Unverified;
        if (RevokedAt is { } revoked && revoked <= now) return ProxyRefusals.Revoked;
        if (EndedAt is { } ended && ended <= now) return ProxyRefusals.Ended;
        if (ExpiresAt is { } expires && expires <= now) return ProxyRefusals.Expired;
        if (IsSuspended(now)) return ProxyRefusals.Suspended;
        return null;
    }
}

internal static class ProxyRefusals
{
    public static readonly Refusal KindMissing = Refusal.Invalid("proxy.kind-missing",
        "Record what kind of authority this is: parental responsibility, Lasting Power of Attorney or court-appointed deputy.");
    public static readonly Refusal PrBasisMissing = Refusal.Invalid("proxy.parental-responsibility-basis-missing",
        "Record how parental responsibility is held: parent, guardian, special guardian, step-parent, a child arrangements order, or a local authority or applicant under a care, interim care or emergency protection order.");
    public static readonly Refusal OrderExpiryMissing = Refusal.Invalid("proxy.order-expiry-missing",
        "An interim care order or emergency protection order is time-limited (Children Act 1989 ss38, 45): record when it ends.");
    public static readonly Refusal EndReasonMissing = Refusal.Invalid("proxy.end-reason-missing",
        "Record why the authority ended: revoked by the donor or the court, the attorney cannot act, the deputyship discharged, the order ended, or the holder died.");
    public static readonly Refusal EndTimeMissing = Refusal.Invalid("proxy.end-time-missing", "Record when the authority ended or was suspended.");
    public static readonly Refusal SuspensionReferenceMissing = Refusal.Invalid("proxy.suspension-reference-missing",
        "Record the court order that suspended the authority.");
    public static readonly Refusal AlreadyEnded = Refusal.Precondition("proxy.already-ended", "This authority has already ended.");
    public static readonly Refusal AlreadySuspended = Refusal.Precondition("proxy.already-suspended", "This authority is already suspended.");
    public static readonly Refusal NotSuspended = Refusal.Precondition("proxy.not-suspended", "This authority is not suspended.");
    public static readonly Refusal Ended = Refusal.Precondition("proxy.ended",
        "The proxy's authority has ended (MCA s13(6), s16(8), or the order ended); they can no longer decide for the patient.");
    public static readonly Refusal Suspended = Refusal.Precondition("proxy.suspended",
        "The court has suspended the proxy's authority; it cannot be relied on until the suspension is lifted.");
    public static readonly Refusal PrEndsAt18 = Refusal.Precondition("lawful-basis.parental-responsibility-ends-at-18",
        "Parental responsibility ends at 18: a parent cannot consent for an adult. Seek the patient's consent, or follow the adult route (LPA, deputy, best interests).");
    public static readonly Refusal NoLpaUnder18 = Refusal.Precondition("lawful-basis.no-lpa-under-18",
        "A Lasting Power of Attorney cannot exist for this patient: the donor must be 18 or over when making it. Use a deputy, a person with parental responsibility or a best-interests decision.");
    public static readonly Refusal LpaDonorAgeMissing = Refusal.Invalid("proxy.lpa-donor-age-missing",
        "Record whether the donor was 18 or over when the Lasting Power of Attorney was made.");
    public static readonly Refusal LpaUnregistered = Refusal.Precondition("lawful-basis.lpa-unregistered",
        "The Lasting Power of Attorney is not registered with the Office of the Public Guardian, so the attorney cannot decide yet. Record the registration reference once it is registered.");
    public static readonly Refusal LpaDoesNotCover = Refusal.Precondition("lawful-basis.lpa-does-not-cover-decision",
        "The Lasting Power of Attorney does not cover health-and-welfare decisions of this kind, so the attorney cannot decide this.");
    public static readonly Refusal NoDeputyUnder16 = Refusal.Precondition("lawful-basis.no-deputy-under-16",
        "Under 16 the only proxy route is a verified person with parental responsibility; a deputy's consent is not a basis here.");
    public static readonly Refusal DeputyOrderMissing = Refusal.Invalid("proxy.court-order-missing",
        "Record the Court of Protection order reference appointing the deputy.");
    public static readonly Refusal DeputyDoesNotCover = Refusal.Precondition("lawful-basis.deputy-does-not-cover-decision",
        "The deputy's court order does not cover health-and-welfare decisions of this kind.");
    public static readonly Refusal Unverified = Refusal.Precondition("proxy.unverified",
        "Verify the proxy's identity and authority: record the document reference, who verified it and when.");
    public static readonly Refusal Revoked = Refusal.Precondition("proxy.revoked",
        "The proxy's authority has been revoked; they can no longer decide for the patient.");
    public static readonly Refusal Expired = Refusal.Precondition("proxy.expired",
        "The proxy's authority has expired; verify current authority before relying on it.");
}

public static class AgeBandExtensions
{
    public static bool IsAdult(this AgeBand band) => band >= AgeBand.Aged18To25;
}
