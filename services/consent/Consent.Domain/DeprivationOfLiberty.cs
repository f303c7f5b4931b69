using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>What authorises a deprivation of liberty that a screen found.</summary>
public enum DeprivationOfLibertyAuthorisation
{
    None = 0,
    /// <summary>A standard authorisation under MCA Schedule A1 (18 and over, hospital or care home).</summary>
    DolsStandard = 1,
    /// <summary>An urgent authorisation under MCA Schedule A1 (18 and over; up to 7 days, extendable once).</summary>
    DolsUrgent = 2,
    /// <summary>Detention under the Mental Health Act 1983 (the patient's status must be a detaining section).</summary>
    MentalHealthActDetention = 3,
    /// <summary>An order of the Court of Protection (MCA ss4A(3), 16(2)(a)); from 16.</summary>
    CourtOfProtectionOrder = 4,
    /// <summary>An order under the High Court's inherent jurisdiction (for a child, Re D [2019] UKSC 42; Re T [2021] UKSC 35).</summary>
    HighCourtInherentJurisdiction = 5,
}

/// <summary>
/// A deprivation-of-liberty screen for a use that monitors continuously or restricts (Cheshire West [2014] UKSC 19):
/// is the patient under continuous supervision and control and not free to leave, without valid consent to the
/// arrangements? If so, an authorisation that is lawful for their age must be in force, or the use is refused.
/// Parental consent never authorises it for a 16-17-year-old (Re D [2019] UKSC 42), and this platform accepts it for
/// no child.
/// </summary>
public sealed class DeprivationOfLibertyScreen : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public DateTime ScreenedAt { get; set; }
    public string ScreenedBy { get; set; } = "";
    /// <summary>Null = not answered.</summary>
    public bool? ContinuousSupervisionAndControl { get; set; }
    public bool? FreeToLeave { get; set; }
    /// <summary>The patient, with capacity to decide it, consents to the arrangements (so there is no deprivation: Storck v Germany).</summary>
    public bool? ValidConsentToArrangements { get; set; }
    public DeprivationOfLibertyAuthorisation Authorisation { get; set; }
    public string? AuthorisationReference { get; set; }
    public DateTime? AuthorisationExpiresAt { get; set; }
    /// <summary>When the screen is done again; circumstances change.</summary>
    public DateTime? ReviewBy { get; set; }

    /// <summary>The acid test (Cheshire West) met: a deprivation of liberty that needs authorising.</summary>
    public bool DeprivationFound => ContinuousSupervisionAndControl == true && FreeToLeave == false && ValidConsentToArrangements != true;

    public Refusal? Validate()
    {
        if (TechnologyId == Guid.Empty) return DolRefusals.TechnologyMissing;
        if (ScreenedAt == default || string.IsNullOrWhiteSpace(ScreenedBy)) return DolRefusals.ScreenerMissing;
        if (ContinuousSupervisionAndControl is null || FreeToLeave is null) return DolRefusals.AcidTestMissing;
        if (ContinuousSupervisionAndControl == true && FreeToLeave == false && ValidConsentToArrangements is null) return DolRefusals.ConsentQuestionMissing;
        if (ReviewBy is not { } review || review <= ScreenedAt) return DolRefusals.ReviewByMissing;
        return FreeText.First(FreeText.Short("screened-by", ScreenedBy), FreeText.Short("authorisation-reference", AuthorisationReference));
    }

    /// <summary>
    /// Null when no deprivation was found, or one was found and an authorisation lawful for a patient in
    /// <paramref name="band"/> is in force at <paramref name="now"/>; else the refusal naming what is missing.
    /// </summary>
    public Refusal? AuthorisationProblem(AgeBand band, MentalHealthActRecord? mentalHealthAct, DateTime now)
    {
        if (!DeprivationFound) return null;
        if (AuthorisationExpiresAt is { } expires && expires <= now) return DolRefusals.AuthorisationExpired;
        switch (Authorisation)
        {
            case DeprivationOfLibertyAuthorisation.DolsStandard or DeprivationOfLibertyAuthorisation.DolsUrgent:
                if (!band.IsAdult()) return band == AgeBand.Aged16To17 ? DolRefusals.DolsNotUnder18SixteenSeventeen : DolRefusals.DolsNotUnder18;
                if (AuthorisationExpiresAt is null || string.IsNullOrWhiteSpace(AuthorisationReference)) return DolRefusals.AuthorisationDetailsMissing;
                return null;
            case DeprivationOfLibertyAuthorisation.MentalHealthActDetention:
                return mentalHealthAct is { IsDetained: true } && mentalHealthAct.InForce(now) ? null : DolRefusals.NotDetained;
            case DeprivationOfLibertyAuthorisation.CourtOfProtectionOrder:
                if (band == AgeBand.Under16) return DolRefusals.CourtOfProtectionNotUnder16;
                return string.IsNullOrWhiteSpace(AuthorisationReference) ? DolRefusals.AuthorisationDetailsMissing : null;
            case DeprivationOfLibertyAuthorisation.HighCourtInherentJurisdiction:
                return string.IsNullOrWhiteSpace(AuthorisationReference) ? DolRefusals.AuthorisationDetailsMissing : null;
            default:
                return band == AgeBand.Aged16To17 ? DolRefusals.AuthorisationRequiredSixteenSeventeen : DolRefusals.AuthorisationRequired;
        }
    }

    /// <summary>The earliest of the screen's review date and the authorisation's expiry: a warning falls due before it.</summary>
    public DateTime? NextDeadline => DeprivationFound && AuthorisationExpiresAt is { } expires && (ReviewBy is not { } r || expires < r) ? expires : ReviewBy;
}

internal static class DolRefusals
{
    public static readonly Refusal ScreenRequired = Refusal.Precondition("deprivation-of-liberty.screen-required",
        "This use monitors continuously or restricts: screen it for a deprivation of liberty (continuous supervision and control, not free to leave: Cheshire West [2014] UKSC 19) before use.");
    public static readonly Refusal ScreenStale = Refusal.Precondition("deprivation-of-liberty.screen-review-overdue",
        "The deprivation-of-liberty screen is past its review date: screen the use again.");
    public static readonly Refusal TechnologyMissing = Refusal.Invalid("deprivation-of-liberty.technology-missing", "Name the technology the screen is for.");
    public static readonly Refusal ScreenerMissing = Refusal.Invalid("deprivation-of-liberty.screener-missing", "Record who screened and when.");
    public static readonly Refusal AcidTestMissing = Refusal.Invalid("deprivation-of-liberty.acid-test-missing",
        "Answer both questions of the acid test: whether the patient is under continuous supervision and control, and whether they are free to leave.");
    public static readonly Refusal ConsentQuestionMissing = Refusal.Invalid("deprivation-of-liberty.consent-question-missing",
        "Record whether the patient, with capacity to decide it, consents to the arrangements.");
    public static readonly Refusal ReviewByMissing = Refusal.Invalid("deprivation-of-liberty.review-by-missing", "Set a date, after the screen, by which it will be done again.");
    public static readonly Refusal AuthorisationRequired = Refusal.Precondition("deprivation-of-liberty.authorisation-required",
        "The screen found a deprivation of liberty and none is authorised: reference a DoLS authorisation (18 and over), Mental Health Act detention, or a court order, or do not use the technology.");
    public static readonly Refusal AuthorisationRequiredSixteenSeventeen = Refusal.Precondition("deprivation-of-liberty.authorisation-required-16-17",
        "The screen found a deprivation of liberty of a 16-17-year-old: a parent cannot consent to it (Re D [2019] UKSC 42) and DoLS does not apply under 18. Reference Mental Health Act detention or a court order, or do not use the technology.");
    public static readonly Refusal DolsNotUnder18 = Refusal.Precondition("deprivation-of-liberty.dols-not-under-18",
        "A DoLS authorisation applies only from 18 (MCA Schedule A1): for a child, reference Mental Health Act detention or a court order.");
    public static readonly Refusal DolsNotUnder18SixteenSeventeen = Refusal.Precondition("deprivation-of-liberty.dols-not-16-17",
        "A DoLS authorisation applies only from 18 (MCA Schedule A1): for a 16-17-year-old, reference Mental Health Act detention or a Court of Protection order.");
    public static readonly Refusal CourtOfProtectionNotUnder16 = Refusal.Precondition("deprivation-of-liberty.court-of-protection-not-under-16",
        "The Court of Protection cannot authorise this for a child under 16 (MCA s2(5)): reference Mental Health Act detention or an order under the High Court's inherent jurisdiction.");
    public static readonly Refusal NotDetained = Refusal.Precondition("deprivation-of-liberty.not-detained",
        "The screen relies on Mental Health Act detention, but the patient is not detained now: reference another authorisation or do not use the technology.");
    public static readonly Refusal AuthorisationExpired = Refusal.Precondition("deprivation-of-liberty.authorisation-expired",
        "The authorisation for the deprivation of liberty has expired: renew it or do not use the technology.");
    public static readonly Refusal AuthorisationDetailsMissing = Refusal.Invalid("deprivation-of-liberty.authorisation-reference-missing",
        "Record the authorisation's reference and, for DoLS, when it expires.");
}
