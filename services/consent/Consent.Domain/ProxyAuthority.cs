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

public enum ParentalResponsibilityBasis
{
    Unspecified = 0,
    Parent = 1,
    Guardian = 2,
    LocalAuthorityUnderCareOrder = 3,
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
        if (ExpiresAt is { } expires && expires <= now) return ProxyRefusals.Expired;
        return null;
    }
}

internal static class ProxyRefusals
{
    public static readonly Refusal KindMissing = Refusal.Invalid("proxy.kind-missing",
        "Record what kind of authority this is: parental responsibility, Lasting Power of Attorney or court-appointed deputy.");
    public static readonly Refusal PrBasisMissing = Refusal.Invalid("proxy.parental-responsibility-basis-missing",
        "Record how parental responsibility is held: parent, guardian or local authority under a care order.");
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
