using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// The deprivation-of-liberty rule for a use that monitors continuously or restricts: the latest screen for the
/// technology must be complete and current, and any deprivation it found must be authorised, lawfully for the
/// patient's age, now. A court order in force that authorises the deprivation counts as its authorisation.
/// </summary>
public static class DeprivationOfLibertyRule
{
    /// <summary>Null when the use may run as far as liberty goes; else the refusal naming what is missing.</summary>
    public static Refusal? Check(PatientConsentRecords records, TechnologyUse use, DateTime now)
    {
        var screen = LatestScreen(records, use.TechnologyId, now);
        if (screen is null) return DolRefusals.ScreenRequired;
        if (screen.Validate() is { } incomplete) return incomplete;
        if (screen.ReviewBy is { } review && now > review) return DolRefusals.ScreenStale;
        var band = records.AgeBandAt(now);
        var problem = screen.AuthorisationProblem(band, records.MentalHealthActAt(now), now);
        if (problem is null) return null;
        foreach (var order in records.CourtOrders)
            if (order.TechnologyId == use.TechnologyId && order.AuthorisesDeprivationOfLiberty && order.Effect == CourtOrderEffect.AuthorisesUse &&
                order.InForce(now) && order.AvailableFor(band) && order.Validate() is null)
                return null;
        return problem;
    }

    /// <summary>When the screen must be done again, or its authorisation expires, whichever is first.</summary>
    public static DateTime? NextDeadline(PatientConsentRecords records, TechnologyUse use, DateTime now) =>
        LatestScreen(records, use.TechnologyId, now)?.NextDeadline;

    private static DeprivationOfLibertyScreen? LatestScreen(PatientConsentRecords records, Guid technologyId, DateTime now)
    {
        DeprivationOfLibertyScreen? latest = null;
        foreach (var s in records.DeprivationOfLibertyScreens)
            if (s.TechnologyId == technologyId && s.ScreenedAt <= now && (latest is null || s.ScreenedAt > latest.ScreenedAt))
                latest = s;
        return latest;
    }
}
