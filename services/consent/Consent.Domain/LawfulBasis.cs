using Platform.Domain;

namespace Platform.Consent.Domain;

public enum LawfulBasisKind
{
    None = 0,
    OwnConsent = 1,
    ProxyConsent = 2,
    BestInterests = 3,
}

public enum LawfulBasisStatus
{
    Unspecified = 0,
    Valid = 1,
    /// <summary>Capacity (or competence) regained: the patient's own consent must be sought before <see cref="LawfulBasis.ConsentRequiredBy"/>.</summary>
    ConsentRequired = 2,
}

/// <summary>
/// The lawful basis in force: which record it rests on, whether the patient's own consent is now required, and
/// whether the patient objects (recorded in a best-interests decision), which obliges a human-rights balancing record.
/// </summary>
public readonly record struct LawfulBasis(
    LawfulBasisKind Kind,
    Guid RecordId,
    ProxyKind ProxyKind,
    LawfulBasisStatus Status,
    DateTime? ConsentRequiredBy,
    bool PatientObjects = false);

/// <summary>
/// Everything the consent rules need about one patient, already loaded. The service can keep one per patient in
/// memory and replace it when a record changes; evaluation reads it and never writes.
/// </summary>
public sealed class PatientConsentRecords
{
    public Guid PatientId { get; init; }
    public AgeBand AgeBand { get; init; }
    public CapacityAssessment[] CapacityAssessments { get; init; } = [];
    public GillickAssessment[] GillickAssessments { get; init; } = [];
    public OwnConsent[] OwnConsents { get; init; } = [];
    public ProxyAuthority[] ProxyAuthorities { get; init; } = [];
    public ProxyConsent[] ProxyConsents { get; init; } = [];
    public BestInterestsDecision[] BestInterestsDecisions { get; init; } = [];
    public TechnologyUse[] Uses { get; init; } = [];
}

/// <summary>
/// The decision table of lawful-basis.md as one pure function. Each refusal names the table row (its rule) and says
/// what a clinician can do. Allocation-free: refusals are cached and records are walked with plain loops.
/// </summary>
public static class LawfulBasisRules
{
    public static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime now)
    {
        var facts = new Facts(records, technologyId, now);
        return records.AgeBand switch
        {
            AgeBand.Unspecified => Rows.AgeUnknown,
            AgeBand.Under16 => Under16(facts, policy),
            _ => SixteenAndOver(facts, policy),
        };
    }

    private static Outcome<LawfulBasis> Under16(in Facts f, TrustPolicy policy)
    {
        var gillick = f.LatestGillick();
        if (gillick is null) return Rows.Under16NotAssessed;
        if (gillick.Validate() is { } incomplete) return incomplete;

        if (gillick.Competent == true)
        {
            // A Gillick-competent child decides for themselves; a parent cannot override a refusal here.
            var own = f.LatestOwnConsent();
            if (own is not null)
            {
                if (own.Validate() is { } bad) return bad;
                if (own.Decision == ConsentDecision.Refused) return Rows.CompetentChildRefuses;
                if (own.IsWithdrawn(f.Now)) return Rows.ConsentWithdrawn;
                if (!f.NotCompetentAfter(own.RecordedAt)) return Own(own);
            }
            if (f.NotCompetentBefore(gillick.AssessedAt) && f.PriorBasis(gillick.AssessedAt, includeBestInterests: false) is { } prior)
                return Regained(prior, gillick.AssessedAt, policy, f.Now);
            if (f.AnyLiveProxyConsent()) return Rows.CompetentChildMustDecide;
            if (f.AnyLiveBestInterests()) return Rows.Under16NoBestInterests;
            return Rows.NoConsent;
        }

        var pr = f.Route(ProxyKind.ParentalResponsibility);
        if (f.OfferedWithInvalidAuthority(ProxyKind.LastingPowerOfAttorney) is { } lpaBad) return lpaBad;
        if (f.OfferedWithInvalidAuthority(ProxyKind.Deputy) is { } deputyBad) return deputyBad;
        if (pr.OfferedWithInvalidAuthority is { } prBad) return prBad;
        if (pr.Outcome is { } prOutcome) return prOutcome;
        if (f.AnyLiveBestInterests()) return Rows.Under16NoBestInterests;
        if (f.AnyValidAuthority(ProxyKind.ParentalResponsibility)) return Rows.ProxyDecisionRequired;
        return Rows.NoVerifiedPrHolder;
    }

    private static Outcome<LawfulBasis> SixteenAndOver(in Facts f, TrustPolicy policy)
    {
        var latest = f.LatestCapacity();
        // Conservative: own consent rests on a recorded presumption or assessment, never on silence.
        if (latest is null) return Rows.CapacityNotRecorded;
        var result = latest.Result();
        if (result.IsRefused) return result.Refusal!;

        if (result.Value == CapacityResult.HasCapacity)
        {
            if (latest.Determination == CapacityDetermination.StatutoryPresumption && f.LackingBefore(latest.AssessedAt))
                return Rows.PresumptionDisplaced;

            var own = f.LatestOwnConsent();
            Refusal? ownProblem = null;
            if (own is not null)
            {
                ownProblem = own.Validate();
                if (ownProblem is null)
                {
                    if (own.Decision == ConsentDecision.Refused) return Rows.PatientRefuses;
                    if (own.IsWithdrawn(f.Now)) return Rows.ConsentWithdrawn;
                    if (!f.LackingAfter(own.RecordedAt)) return Own(own);
                }
            }

            // Capacity regained: a basis that rested on incapacity continues only for the grace period.
            if (f.LackingBefore(latest.AssessedAt) && f.PriorBasis(latest.AssessedAt, includeBestInterests: true) is { } prior)
                return Regained(prior, latest.AssessedAt, policy, f.Now);

            // Nobody may decide for a person who can decide for themselves.
            if (f.LiveGivenProxyConsent(ProxyKind.LastingPowerOfAttorney)) return Rows.LpaDonorHasCapacity;
            if (f.LiveGivenProxyConsent(ProxyKind.Deputy)) return Rows.DeputyPatientHasCapacity;
            if (f.LiveGivenProxyConsent(ProxyKind.ParentalResponsibility))
                return f.AgeBand.IsAdult() ? ProxyRefusals.PrEndsAt18 : Rows.ParentPatientHasCapacity;
            if (f.AnyLiveBestInterests()) return Rows.BestInterestsPatientHasCapacity;
            return ownProblem ?? Rows.NoConsent;
        }

        // Lacks capacity. Stale findings of incapacity cannot carry any basis.
        if (latest.IsStale(policy, f.Now)) return Rows.ReassessmentRequired;

        // An offered proxy decision whose authority cannot be relied on is refused by name, so the record is fixed
        // rather than quietly routed around.
        var lpa = f.Route(ProxyKind.LastingPowerOfAttorney);
        var deputy = f.Route(ProxyKind.Deputy);
        var pr = f.Route(ProxyKind.ParentalResponsibility);
        if (lpa.OfferedWithInvalidAuthority is { } lpaBad) return lpaBad;
        if (deputy.OfferedWithInvalidAuthority is { } deputyBad) return deputyBad;
        if (pr.OfferedWithInvalidAuthority is { } prBad) return prBad;

        if (f.AgeBand.IsAdult())
        {
            if (f.AnyValidAuthority(ProxyKind.LastingPowerOfAttorney))
            {
                // A deputy cannot decide inconsistently with a valid attorney's decision (MCA s20(4)).
                if (deputy.HasLiveDecision && (!lpa.HasLiveDecision || deputy.Decision != lpa.Decision))
                    return Rows.DeputyConflictsWithLpa;
                return lpa.Outcome ?? ProxyRequired(f);
            }
            if (f.AnyValidAuthority(ProxyKind.Deputy)) return deputy.Outcome ?? ProxyRequired(f);
            return BestInterests(f);
        }

        // 16-17: deputy, else parental responsibility, else best interests.
        if (f.AnyValidAuthority(ProxyKind.Deputy)) return deputy.Outcome ?? ProxyRequired(f);
        if (f.AnyValidAuthority(ProxyKind.ParentalResponsibility)) return pr.Outcome ?? ProxyRequired(f);
        return BestInterests(f);
    }

    private static Refusal ProxyRequired(in Facts f) =>
        f.AnyLiveBestInterests() ? Rows.BestInterestsProxyAvailable : Rows.ProxyDecisionRequired;

    private static Outcome<LawfulBasis> BestInterests(in Facts f)
    {
        var decision = f.LatestBestInterests();
        if (decision is null) return Rows.NoLawfulBasis;
        if (decision.Validate() is { } incomplete) return incomplete;
        if (!decision.UseIsInBestInterests) return Rows.BestInterestsAgainstUse;
        return new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null, decision.PatientObjects);
    }

    private static Outcome<LawfulBasis> Own(OwnConsent consent) =>
        new LawfulBasis(LawfulBasisKind.OwnConsent, consent.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    private static Outcome<LawfulBasis> Regained(LawfulBasis prior, DateTime regainedAt, TrustPolicy policy, DateTime now)
    {
        var deadline = regainedAt + policy.CapacityRegainedGracePeriod;
        if (now >= deadline) return Rows.ConsentRequiredAfterCapacityRegained;
        return prior with { Status = LawfulBasisStatus.ConsentRequired, ConsentRequiredBy = deadline };
    }

    /// <summary>The latest proxy decision of one kind, and what it means now.</summary>
    private readonly struct ProxyRoute(ProxyConsent? consent, ProxyAuthority? authority, Refusal? authorityProblem, DateTime now)
    {
        public bool HasLiveDecision => consent is not null && !consent.IsWithdrawn(now) && consent.Decision != ConsentDecision.Unspecified;
        public ConsentDecision Decision => consent?.Decision ?? ConsentDecision.Unspecified;

        public Refusal? OfferedWithInvalidAuthority =>
            consent is not null && consent.Decision == ConsentDecision.Given && !consent.IsWithdrawn(now) ? authorityProblem : null;

        public Outcome<LawfulBasis>? Outcome
        {
            get
            {
                if (consent is null || authority is null) return null;
                if (consent.Validate() is { } bad) return bad;
                if (authorityProblem is not null) return authorityProblem;
                if (consent.IsWithdrawn(now)) return Rows.ConsentWithdrawn;
                if (consent.Decision == ConsentDecision.Refused) return Rows.ProxyRefused;
                return new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, authority.Kind, LawfulBasisStatus.Valid, null);
            }
        }
    }

    private readonly struct Facts(PatientConsentRecords records, Guid technologyId, DateTime now)
    {
        public DateTime Now => now;
        public AgeBand AgeBand => records.AgeBand;

        public CapacityAssessment? LatestCapacity()
        {
            CapacityAssessment? latest = null;
            foreach (var a in records.CapacityAssessments)
                if (a.TechnologyId == technologyId && a.AssessedAt <= now && (latest is null || a.AssessedAt > latest.AssessedAt))
                    latest = a;
            return latest;
        }

        public bool LackingAfter(DateTime t) => Lacking(t, now, excludeStart: true);
        public bool LackingBefore(DateTime t) => Lacking(DateTime.MinValue, t, excludeStart: false, excludeEnd: true);

        private bool Lacking(DateTime from, DateTime to, bool excludeStart, bool excludeEnd = false)
        {
            foreach (var a in records.CapacityAssessments)
            {
                if (a.TechnologyId != technologyId) continue;
                if (a.AssessedAt < from || (excludeStart && a.AssessedAt == from)) continue;
                if (a.AssessedAt > to || (excludeEnd && a.AssessedAt == to)) continue;
                var r = a.Result();
                if (!r.IsRefused && r.Value == CapacityResult.LacksCapacity) return true;
            }
            return false;
        }

        public GillickAssessment? LatestGillick()
        {
            GillickAssessment? latest = null;
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.AssessedAt <= now && (latest is null || g.AssessedAt > latest.AssessedAt))
                    latest = g;
            return latest;
        }

        public bool NotCompetentAfter(DateTime t)
        {
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.AssessedAt > t && g.AssessedAt <= now && g.Competent == false) return true;
            return false;
        }

        public bool NotCompetentBefore(DateTime t)
        {
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.AssessedAt < t && g.Competent == false) return true;
            return false;
        }

        public OwnConsent? LatestOwnConsent()
        {
            OwnConsent? latest = null;
            foreach (var c in records.OwnConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt <= now && (latest is null || c.RecordedAt > latest.RecordedAt))
                    latest = c;
            return latest;
        }

        public BestInterestsDecision? LatestBestInterests()
        {
            BestInterestsDecision? latest = null;
            foreach (var b in records.BestInterestsDecisions)
                if (b.TechnologyId == technologyId && b.DecidedAt <= now && !b.IsEnded(now) && (latest is null || b.DecidedAt > latest.DecidedAt))
                    latest = b;
            return latest;
        }

        public bool AnyLiveBestInterests() => LatestBestInterests() is not null;

        public ProxyAuthority? Authority(Guid id)
        {
            foreach (var a in records.ProxyAuthorities)
                if (a.Id == id) return a;
            return null;
        }

        public bool AnyValidAuthority(ProxyKind kind)
        {
            foreach (var a in records.ProxyAuthorities)
                if (a.Kind == kind && a.ValidNow(records.AgeBand, now) is null) return true;
            return false;
        }

        public ProxyRoute Route(ProxyKind kind)
        {
            ProxyConsent? latest = null;
            ProxyAuthority? latestAuthority = null;
            foreach (var c in records.ProxyConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt > now) continue;
                if (latest is not null && c.RecordedAt <= latest.RecordedAt) continue;
                var authority = Authority(c.ProxyAuthorityId);
                if (authority is null || authority.Kind != kind) continue;
                latest = c;
                latestAuthority = authority;
            }
            return new ProxyRoute(latest, latestAuthority, latestAuthority?.ValidNow(records.AgeBand, now), now);
        }

        public Refusal? OfferedWithInvalidAuthority(ProxyKind kind) => Route(kind).OfferedWithInvalidAuthority;

        public bool LiveGivenProxyConsent(ProxyKind kind)
        {
            var route = Route(kind);
            return route.HasLiveDecision && route.Decision == ConsentDecision.Given;
        }

        public bool AnyLiveProxyConsent()
        {
            foreach (var c in records.ProxyConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt <= now && !c.IsWithdrawn(now) && c.Decision == ConsentDecision.Given) return true;
            return false;
        }

        /// <summary>The proxy or best-interests basis that was in place before <paramref name="regainedAt"/>, if any.</summary>
        public LawfulBasis? PriorBasis(DateTime regainedAt, bool includeBestInterests)
        {
            ProxyConsent? proxy = null;
            ProxyAuthority? proxyAuthority = null;
            foreach (var c in records.ProxyConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt >= regainedAt || c.Decision != ConsentDecision.Given || c.IsWithdrawn(now)) continue;
                if (proxy is not null && c.RecordedAt <= proxy.RecordedAt) continue;
                proxy = c;
                proxyAuthority = Authority(c.ProxyAuthorityId);
            }
            BestInterestsDecision? bestInterests = null;
            foreach (var b in records.BestInterestsDecisions)
            {
                if (!includeBestInterests) break;
                if (b.TechnologyId != technologyId || b.DecidedAt >= regainedAt || !b.UseIsInBestInterests || b.IsEnded(now)) continue;
                if (bestInterests is null || b.DecidedAt > bestInterests.DecidedAt) bestInterests = b;
            }
            if (proxy is not null && proxyAuthority is not null && (bestInterests is null || proxy.RecordedAt >= bestInterests.DecidedAt))
                return new LawfulBasis(LawfulBasisKind.ProxyConsent, proxy.Id, proxyAuthority.Kind, LawfulBasisStatus.Valid, null);
            if (bestInterests is not null)
                return new LawfulBasis(LawfulBasisKind.BestInterests, bestInterests.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null, bestInterests.PatientObjects);
            return null;
        }
    }

    /// <summary>The table's rows that refuse, each with a stable rule code.</summary>
    internal static class Rows
    {
        public static readonly Refusal AgeUnknown = Refusal.Invalid("lawful-basis.age-band-missing",
            "Record the patient's age band: the consent route differs under 16, at 16-17 and from 18.");
        public static readonly Refusal Under16NotAssessed = Refusal.Precondition("lawful-basis.under-16-competence-not-assessed",
            "Assess Gillick competence for this decision: the Mental Capacity Act presumption does not apply under 16.");
        public static readonly Refusal CompetentChildRefuses = Refusal.Precondition("lawful-basis.under-16-competent-child-refuses",
            "The child is Gillick competent for this decision and has refused; a parent cannot override that refusal here. Do not use the technology.");
        public static readonly Refusal CompetentChildMustDecide = Refusal.Precondition("lawful-basis.under-16-competent-child-must-decide",
            "The child is Gillick competent for this decision, so their own consent is needed; a parent's consent is not a basis.");
        public static readonly Refusal Under16NoBestInterests = Refusal.Precondition("lawful-basis.under-16-no-best-interests",
            "A best-interests decision under the Mental Capacity Act is not available under 16: seek the consent of a verified person with parental responsibility.");
        public static readonly Refusal NoVerifiedPrHolder = Refusal.Precondition("lawful-basis.under-16-no-verified-parental-responsibility",
            "The child is not Gillick competent for this decision and no verified person with parental responsibility has consented. Verify a parent, guardian or local authority under a care order and seek their consent.");
        public static readonly Refusal CapacityNotRecorded = Refusal.Precondition("lawful-basis.capacity-not-recorded",
            "Record the statutory presumption of capacity (MCA s1(2)) or a capacity assessment for this decision before relying on consent.");
        public static readonly Refusal PresumptionDisplaced = Refusal.Precondition("lawful-basis.presumption-displaced",
            "An assessment found the patient lacked capacity for this decision, so the presumption cannot simply be recorded again: reassess capacity.");
        public static readonly Refusal PatientRefuses = Refusal.Precondition("lawful-basis.patient-with-capacity-refuses",
            "The patient has capacity for this decision and has refused. Do not use the technology.");
        public static readonly Refusal ConsentWithdrawn = Refusal.Precondition("lawful-basis.consent-withdrawn",
            "Consent has been withdrawn. Stop using the technology; a new decision is needed to use it again.");
        public static readonly Refusal NoConsent = Refusal.Precondition("lawful-basis.no-consent",
            "No consent is recorded for this technology. Seek the patient's own consent, giving the information in a format suited to them.");
        public static readonly Refusal LpaDonorHasCapacity = Refusal.Precondition("lawful-basis.lpa-donor-has-capacity",
            "The patient has capacity for this decision, so their attorney cannot decide for them (the LPA is not operative). Seek the patient's own consent.");
        public static readonly Refusal DeputyPatientHasCapacity = Refusal.Precondition("lawful-basis.deputy-patient-has-capacity",
            "The patient has capacity for this decision, so a deputy cannot decide for them (MCA s20(1)). Seek the patient's own consent.");
        public static readonly Refusal ParentPatientHasCapacity = Refusal.Precondition("lawful-basis.parent-patient-has-capacity",
            "The 16-17-year-old has capacity for this decision, so their own consent is needed, not a parent's.");
        public static readonly Refusal BestInterestsPatientHasCapacity = Refusal.Precondition("lawful-basis.best-interests-patient-has-capacity",
            "The patient has capacity for this decision, so a best-interests decision cannot be used. Seek the patient's own consent.");
        public static readonly Refusal ConsentRequiredAfterCapacityRegained = Refusal.Precondition("lawful-basis.consent-required-after-capacity-regained",
            "A newer assessment shows the patient has capacity for this decision and the grace period has passed: seek the patient's own consent before continuing.");
        public static readonly Refusal ReassessmentRequired = Refusal.Precondition("lawful-basis.reassessment-required",
            "The finding that the patient lacks capacity is past its reassess-by date or, for fluctuating capacity, too old: reassess capacity at the material time.");
        public static readonly Refusal DeputyConflictsWithLpa = Refusal.Precondition("lawful-basis.deputy-conflicts-with-lpa",
            "The deputy's decision conflicts with (or pre-empts) the decision of the attorney under a valid LPA; a deputy cannot act inconsistently with a valid LPA (MCA s20(4)). The attorney decides.");
        public static readonly Refusal ProxyRefused = Refusal.Precondition("lawful-basis.proxy-refused",
            "The person lawfully acting for the patient has refused. Do not use the technology.");
        public static readonly Refusal ProxyDecisionRequired = Refusal.Precondition("lawful-basis.proxy-decision-required",
            "A verified proxy (attorney, deputy or person with parental responsibility) can decide for the patient: seek their decision.");
        public static readonly Refusal BestInterestsProxyAvailable = Refusal.Precondition("lawful-basis.best-interests-proxy-available",
            "A best-interests decision is only available when no proxy can decide, and a verified proxy exists: seek the proxy's decision.");
        public static readonly Refusal NoLawfulBasis = Refusal.Precondition("lawful-basis.none",
            "The patient lacks capacity for this decision and there is no proxy decision or best-interests decision. Follow the MCA s4 best-interests process.");
        public static readonly Refusal BestInterestsAgainstUse = Refusal.Precondition("lawful-basis.best-interests-against-use",
            "The best-interests decision is that the technology should not be used.");
    }
}
