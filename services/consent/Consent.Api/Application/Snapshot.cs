using Platform.Consent.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>
/// A patient's snapshot as it will be once a command that changes an existing record is written: the cached snapshot
/// is shared and never edited, so the changed record replaces its old copy in a new one.
/// </summary>
internal static class Snapshot
{
    public static T[] Replace<T>(T[] records, T changed, Func<T, Guid> id)
    {
        var copy = (T[])records.Clone();
        var i = Array.FindIndex(copy, r => id(r) == id(changed));
        if (i >= 0) copy[i] = changed;
        return copy;
    }

    public static PatientConsentRecords Replacing(PatientConsentRecords r, ProxyAuthority[]? proxyAuthorities = null,
        BestInterestsDecision[]? bestInterests = null, AdvanceDecision[]? advanceDecisions = null, OwnConsent[]? ownConsents = null,
        TechnologyUse[]? uses = null, PatientObjection[]? objections = null, DeprivationOfLibertyScreen[]? screens = null,
        CourtOrder[]? courtOrders = null, ZoneOfParentalControlFinding[]? parentalControl = null,
        MentalHealthActRecord[]? mentalHealthAct = null, Section63Record[]? section63 = null, Patient? age = null) => new()
    {
        PatientId = r.PatientId,
        AgeBand = r.AgeBand,
        Turns16On = age is null ? r.Turns16On : age.Turns16On,
        Turns18On = age is null ? r.Turns18On : age.Turns18On,
        CapacityAssessments = r.CapacityAssessments,
        GillickAssessments = r.GillickAssessments,
        OwnConsents = ownConsents ?? r.OwnConsents,
        ProxyAuthorities = proxyAuthorities ?? r.ProxyAuthorities,
        ProxyConsents = r.ProxyConsents,
        BestInterestsDecisions = bestInterests ?? r.BestInterestsDecisions,
        Uses = uses ?? r.Uses,
        AdvanceDecisions = advanceDecisions ?? r.AdvanceDecisions,
        CourtOrders = courtOrders ?? r.CourtOrders,
        MentalHealthActRecords = mentalHealthAct ?? r.MentalHealthActRecords,
        Section63Records = section63 ?? r.Section63Records,
        DeprivationOfLibertyScreens = screens ?? r.DeprivationOfLibertyScreens,
        Objections = objections ?? r.Objections,
        ParentalControlFindings = parentalControl ?? r.ParentalControlFindings,
    };
}
