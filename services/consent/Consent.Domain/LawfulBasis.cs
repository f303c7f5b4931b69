using Platform.Domain;

namespace Platform.Consent.Domain;

public enum LawfulBasisKind
{
    None = 0,
    OwnConsent = 1,
    ProxyConsent = 2,
    BestInterests = 3,
    /// <summary>A court's order authorising the use, checked before every other route.</summary>
    CourtOrder = 4,
    /// <summary>The responsible clinician's s63 record, for treatment for mental disorder where Part 4 applies.</summary>
    MentalHealthActSection63 = 5,
}

public enum LawfulBasisStatus
{
    Unspecified = 0,
    Valid = 1,
    /// <summary>Capacity (or competence) regained: the patient's own consent must be sought before <see cref="LawfulBasis.ConsentRequiredBy"/>.</summary>
    ConsentRequired = 2,
    /// <summary>
    /// The patient consented to a safety use and has since lost capacity: the use continues, briefly, while a
    /// best-interests decision is made before <see cref="LawfulBasis.DecisionRequiredBy"/>.
    /// </summary>
    BestInterestsDecisionRequired = 3,
}

/// <summary>Things about a basis that staff must act on without it being refused.</summary>
[Flags]
public enum LawfulBasisNotes
{
    None = 0,
    /// <summary>The attorney's decision prevails (MCA s20(4)); the deputy disagrees, and that is for the Court of Protection.</summary>
    DeputyDisagreesWithAttorney = 1 << 0,
}

/// <summary>
/// The lawful basis in force: which record it rests on, whether the patient's own consent (or a best-interests
/// decision) is now required and by when, and whether the patient objects (recorded in a best-interests decision),
/// which obliges a human-rights balancing record.
/// </summary>
public readonly record struct LawfulBasis(
    LawfulBasisKind Kind,
    Guid RecordId,
    ProxyKind ProxyKind,
    LawfulBasisStatus Status,
    DateTime? ConsentRequiredBy,
    bool PatientObjects = false,
    LawfulBasisNotes Notes = LawfulBasisNotes.None,
    DateTime? DecisionRequiredBy = null);

/// <summary>
/// The outcome of the decision table with the kind of denial it is, carried as a type: a use check reads the kind
/// from here, never from the refusal's rule code.
/// </summary>
public readonly struct BasisDecision
{
    private readonly LawfulBasis _basis;

    private BasisDecision(LawfulBasis basis, Refusal? refusal, UseDenyReasons kind)
    {
        _basis = basis;
        Refusal = refusal;
        DenyKind = kind;
    }

    public Refusal? Refusal { get; }
    /// <summary>The kind of denial; <see cref="UseDenyReasons.None"/> when a basis was found.</summary>
    public UseDenyReasons DenyKind { get; }
    public bool IsRefused => Refusal is not null;
    public LawfulBasis Basis => Refusal is null ? _basis : throw new InvalidOperationException($"Refused: {Refusal.Rule}");

    public static BasisDecision Deny(Refusal refusal, UseDenyReasons kind) => new(default, refusal, kind);

    public static implicit operator BasisDecision(LawfulBasis basis) => new(basis, null, UseDenyReasons.None);

    /// <summary>A refusal of the table that is simply "no lawful basis".</summary>
    public static implicit operator BasisDecision(Refusal refusal) => new(default, refusal, UseDenyReasons.NoLawfulBasis);

    public Outcome<LawfulBasis> ToOutcome() => Refusal is null ? _basis : Refusal;
}

/// <summary>
/// Everything the consent rules need about one patient, already loaded. The service can keep one per patient in
/// memory and replace it when a record changes; evaluation reads it and never writes.
/// </summary>
public sealed class PatientConsentRecords
{
    private readonly DateOnly? _turns16On;
    private readonly DateOnly? _turns18On;

    public Guid PatientId { get; init; }
    /// <summary>The band recorded at registration; <see cref="AgeBandAt"/> is the band the rules use.</summary>
    public AgeBand AgeBand { get; init; }

    /// <summary>The UK day the patient turns 16 (from which the MCA applies).</summary>
    public DateOnly? Turns16On
    {
        get => _turns16On;
        init
        {
            _turns16On = value;
            Turns16At = value is { } d ? PatientAge.StartOfUkDay(d) : null;
            if (_turns18On is null && value is { } sixteen) Turns18At = PatientAge.StartOfUkDay(PatientAge.EighteenFromSixteen(sixteen));
        }
    }

    /// <summary>The UK day the patient turns 18 (parental responsibility ends; the adult routes apply).</summary>
    public DateOnly? Turns18On
    {
        get => _turns18On;
        init
        {
            _turns18On = value;
            Turns18At = value is { } d ? PatientAge.StartOfUkDay(d) : (_turns16On is { } sixteen ? PatientAge.StartOfUkDay(PatientAge.EighteenFromSixteen(sixteen)) : null);
        }
    }

    /// <summary>The instant the patient turns 16, worked out once.</summary>
    public DateTime? Turns16At { get; private init; }
    /// <summary>The instant the patient turns 18, worked out once.</summary>
    public DateTime? Turns18At { get; private init; }

    public CapacityAssessment[] CapacityAssessments { get; init; } = [];
    public GillickAssessment[] GillickAssessments { get; init; } = [];
    public OwnConsent[] OwnConsents { get; init; } = [];
    public ProxyAuthority[] ProxyAuthorities { get; init; } = [];
    public ProxyConsent[] ProxyConsents { get; init; } = [];
    public BestInterestsDecision[] BestInterestsDecisions { get; init; } = [];
    public TechnologyUse[] Uses { get; init; } = [];
    public AdvanceDecision[] AdvanceDecisions { get; init; } = [];
    public CourtOrder[] CourtOrders { get; init; } = [];
    public MentalHealthActRecord[] MentalHealthActRecords { get; init; } = [];
    public Section63Record[] Section63Records { get; init; } = [];
    public DeprivationOfLibertyScreen[] DeprivationOfLibertyScreens { get; init; } = [];
    public PatientObjection[] Objections { get; init; } = [];
    public ZoneOfParentalControlFinding[] ParentalControlFindings { get; init; } = [];

    /// <summary>The age band the rules apply at <paramref name="now"/>: ages move, and the rules re-apply at 16 and 18.</summary>
    public AgeBand AgeBandAt(DateTime now) => PatientAge.BandAt(AgeBand, Turns16At, Turns18At, now);

    /// <summary>The Mental Health Act status in force at <paramref name="now"/> (the latest to begin), or null: informal or never recorded.</summary>
    public MentalHealthActRecord? MentalHealthActAt(DateTime now)
    {
        MentalHealthActRecord? latest = null;
        foreach (var r in MentalHealthActRecords)
            if (r.InForce(now) && (latest is null || r.From > latest.From)) latest = r;
        return latest;
    }

    /// <summary>A copy with other records in place of some (the records as they would be once a command is written).</summary>
    public PatientConsentRecords With(
        CapacityAssessment? capacity = null, GillickAssessment? gillick = null, OwnConsent? ownConsent = null, ProxyConsent? proxyConsent = null,
        BestInterestsDecision? bestInterests = null, AdvanceDecision? advanceDecision = null, PatientObjection? objection = null,
        TechnologyUse[]? uses = null) => new()
    {
        PatientId = PatientId,
        AgeBand = AgeBand,
        Turns16On = Turns16On,
        Turns18On = Turns18On,
        CapacityAssessments = capacity is null ? CapacityAssessments : [.. CapacityAssessments, capacity],
        GillickAssessments = gillick is null ? GillickAssessments : [.. GillickAssessments, gillick],
        OwnConsents = ownConsent is null ? OwnConsents : [.. OwnConsents, ownConsent],
        ProxyAuthorities = ProxyAuthorities,
        ProxyConsents = proxyConsent is null ? ProxyConsents : [.. ProxyConsents, proxyConsent],
        BestInterestsDecisions = bestInterests is null ? BestInterestsDecisions : [.. BestInterestsDecisions, bestInterests],
        Uses = uses ?? Uses,
        AdvanceDecisions = advanceDecision is null ? AdvanceDecisions : [.. AdvanceDecisions, advanceDecision],
        CourtOrders = CourtOrders,
        MentalHealthActRecords = MentalHealthActRecords,
        Section63Records = Section63Records,
        DeprivationOfLibertyScreens = DeprivationOfLibertyScreens,
        Objections = objection is null ? Objections : [.. Objections, objection],
        ParentalControlFindings = ParentalControlFindings,
    };
}

/// <summary>
/// The decision table of lawful-basis.md, with the amendments after the legal review, as one pure function. Each
/// refusal names the table row (its rule) and says what a clinician can do. Allocation-free: refusals are cached and
/// records are walked with plain loops.
/// </summary>
public static class LawfulBasisRules
{
    public static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime now) =>
        Decide(records, technologyId, policy, now).ToOutcome();

    /// <summary>The basis for a use of <paramref name="technologyId"/>, knowing its approval (and the use, if there is one).</summary>
    public static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime now, TechnologyApproval? approval, TechnologyUse? use) =>
        Decide(records, technologyId, policy, now, approval, use).ToOutcome();

    /// <summary>
    /// The decision table: the basis in force at <paramref name="now"/>, or the row that refuses with the kind of
    /// denial it is. The approval says whether the technology monitors, restricts, may be life-sustaining or is
    /// treatment for mental disorder; the use says whether it manages a safety risk.
    /// </summary>
    public static BasisDecision Decide(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime now,
        TechnologyApproval? approval = null, TechnologyUse? use = null)
    {
        var band = records.AgeBandAt(now);
        if (band == AgeBand.Unspecified) return Rows.AgeUnknown;
        var f = new Facts(records, technologyId, now, band, approval, use);

        // A court's order is a basis of its own and is checked first: what a court decides, it decides.
        if (f.CourtOrderInForce() is { } order)
        {
            if (order.Validate() is { } incomplete) return incomplete;
            if (order.Effect == CourtOrderEffect.ForbidsUse) return Rows.CourtForbids;
            // The Court of Protection decides only for a person who lacks capacity (MCA s16(1)).
            if (order.Court != CourtKind.CourtOfProtection || f.FindingAt(Track.Capacity, now) == Ability.Unable)
                return new LawfulBasis(LawfulBasisKind.CourtOrder, order.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);
        }

        // Treatment for mental disorder where Part 4 applies: nothing in the MCA authorises it (MCA s28), so only the
        // patient's own consent or, where the trust's approval chose it, the responsible clinician's s63 record. A
        // technology that watches or restricts is never such treatment: detention is no basis for monitoring.
        if (approval is { MentalDisorderTreatmentRoute: not MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, IsMonitoring: false } &&
            records.MentalHealthActAt(now) is { } mha && (mha.Part4Applies || mha.Status == MentalHealthActStatus.CommunityTreatmentOrder))
            return MentalHealthActTreatment(f, policy, approval.MentalDisorderTreatmentRoute, mha);

        return band == AgeBand.Under16 ? Under16(f, policy, otherRoutesRemoved: false) : SixteenAndOver(f, policy, mcaRoutesRemoved: false);
    }

    private static BasisDecision MentalHealthActTreatment(in Facts f, TrustPolicy policy, MentalDisorderTreatmentRoute route, MentalHealthActRecord mha)
    {
        var own = f.Band == AgeBand.Under16 ? Under16(f, policy, otherRoutesRemoved: true) : SixteenAndOver(f, policy, mcaRoutesRemoved: true);
        if (!own.IsRefused) return own;
        if (route == MentalDisorderTreatmentRoute.Section63Record && mha.Part4Applies)
        {
            if (f.Section63InForce() is { } s63)
            {
                if (s63.Validate() is { } incomplete) return incomplete;
                return new LawfulBasis(LawfulBasisKind.MentalHealthActSection63, s63.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);
            }
            return ReferenceEquals(own.Refusal, Rows.McaRoutesRemoved) ? Rows.Section63RecordRequired : own;
        }
        if (!ReferenceEquals(own.Refusal, Rows.McaRoutesRemoved)) return own;
        return mha.Part4Applies ? Rows.ConsentFirstMcaRoutesRemoved : Rows.CommunityTreatmentOrderNeedsConsent;
    }

    private static BasisDecision Under16(in Facts f, TrustPolicy policy, bool otherRoutesRemoved)
    {
        var gillick = f.LatestGillick();
        if (gillick is null) return Rows.Under16NotAssessed;
        if (gillick.Validate() is { } incomplete) return incomplete;
        // Competence grows and changes: a finding past its reassess-by date (or, without one, too old) carries nothing.
        if (gillick.IsStale(policy, f.Now)) return BasisDecision.Deny(Rows.GillickReassessmentRequired, UseDenyReasons.ReassessmentRequired);

        if (gillick.Competent == true)
        {
            // A Gillick-competent child decides for themselves; a parent cannot override a refusal here. A decision
            // the child gave while found not competent is kept as their wishes, not taken as consent.
            var own = f.LatestOwnConsent();
            OwnConsent? withoutCompetence = null;
            if (own is not null)
            {
                if (own.Validate() is { } bad) return bad;
                if (f.FindingAt(Track.Gillick, own.RecordedAt) == Ability.Unable) withoutCompetence = own;
                else
                {
                    if (own.Decision == ConsentDecision.Refused) return Rows.CompetentChildRefuses;
                    if (own.IsWithdrawn(f.Now)) return BasisDecision.Deny(Rows.ConsentWithdrawn, UseDenyReasons.ConsentWithdrawn);
                    if (!f.UnableAfter(Track.Gillick, own.RecordedAt)) return Own(own);
                }
            }
            if (!otherRoutesRemoved && f.RegainedAt(Track.Gillick) is { } regainedAt &&
                f.PriorEpisodeBasis(Track.Gillick, regainedAt, includeBestInterests: false) is { } prior)
                return Regained(prior, regainedAt, policy, f.Now);
            if (f.AnyLiveProxyConsent()) return Rows.CompetentChildMustDecide;
            if (f.AnyLiveBestInterests()) return Rows.Under16NoBestInterests;
            return withoutCompetence is not null ? Rows.ConsentGivenWithoutCapacity : Rows.NoConsent;
        }

        if (otherRoutesRemoved) return Rows.McaRoutesRemoved;
        // A finding of no competence that follows the child's refusal is a second opinion's to confirm.
        if (f.SecondOpinionMissing(gillick)) return Rows.GillickSecondOpinionRequired;

        var pr = f.Route(ProxyKind.ParentalResponsibility, Track.Gillick);
        if (f.Route(ProxyKind.LastingPowerOfAttorney, Track.Gillick).OfferedWithInvalidAuthority is { } lpaBad) return lpaBad;
        if (f.Route(ProxyKind.Deputy, Track.Gillick).OfferedWithInvalidAuthority is { } deputyBad) return deputyBad;
        if (pr.OfferedWithInvalidAuthority is { } prBad) return prBad;
        // One holder's refusal is not overridden by another's consent: agreement, or a court.
        if (pr.Outcome is { } prOutcome) return NotOverridingARefusal(f, prOutcome, Track.Gillick);
        if (f.AnyLiveBestInterests()) return Rows.Under16NoBestInterests;
        if (f.AnyValidAuthority(ProxyKind.ParentalResponsibility)) return Rows.ProxyDecisionRequired;
        return Rows.NoVerifiedPrHolder;
    }

    private static BasisDecision SixteenAndOver(in Facts f, TrustPolicy policy, bool mcaRoutesRemoved)
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

            // Consent counts only if given with capacity (MCA s2(1)): one given while a finding of incapacity was in
            // force is the patient's wishes and feelings (s4(6)(a)), for a best-interests decision to weigh.
            var own = f.LatestOwnConsent();
            Refusal? ownProblem = null;
            OwnConsent? withoutCapacity = null;
            if (own is not null)
            {
                ownProblem = own.Validate();
                if (ownProblem is null)
                {
                    if (f.FindingAt(Track.Capacity, own.RecordedAt) == Ability.Unable) withoutCapacity = own;
                    else
                    {
                        if (own.Decision == ConsentDecision.Refused) return Rows.PatientRefuses;
                        if (own.IsWithdrawn(f.Now)) return BasisDecision.Deny(Rows.ConsentWithdrawn, UseDenyReasons.ConsentWithdrawn);
                        if (!f.UnableAfter(Track.Capacity, own.RecordedAt)) return Own(own);
                    }
                }
            }

            // Capacity regained: a basis made in the episode that just ended continues only for the grace period.
            if (!mcaRoutesRemoved && f.RegainedAt(Track.Capacity) is { } regainedAt &&
                f.PriorEpisodeBasis(Track.Capacity, regainedAt, includeBestInterests: true) is { } prior)
                return Regained(prior, regainedAt, policy, f.Now);

            // Nobody may decide for a person who can decide for themselves.
            if (f.LiveGivenProxyConsent(ProxyKind.LastingPowerOfAttorney)) return Rows.LpaDonorHasCapacity;
            if (f.LiveGivenProxyConsent(ProxyKind.Deputy)) return Rows.DeputyPatientHasCapacity;
            if (f.LiveGivenProxyConsent(ProxyKind.ParentalResponsibility))
                return f.Band.IsAdult() ? ProxyRefusals.PrEndsAt18 : Rows.ParentPatientHasCapacity;
            if (f.AnyLiveBestInterests()) return Rows.BestInterestsPatientHasCapacity;
            if (withoutCapacity is not null) return Rows.ConsentGivenWithoutCapacity;
            return ownProblem ?? Rows.NoConsent;
        }

        // Lacks capacity. Stale findings of incapacity cannot carry any basis.
        if (latest.IsStale(policy, f.Now)) return BasisDecision.Deny(Rows.ReassessmentRequired, UseDenyReasons.ReassessmentRequired);
        if (mcaRoutesRemoved) return Rows.McaRoutesRemoved;

        // A valid, applicable advance decision refuses as the patient would with capacity (MCA s26(1)).
        if (f.Band.IsAdult() && f.AdvanceDecisionApplies()) return BasisDecision.Deny(Rows.AdvanceDecisionRefuses, UseDenyReasons.AdvanceDecisionToRefuse);

        // A consented safety use does not stop the moment capacity is lost, unless the patient objects: it continues
        // for the trust's short transition while a best-interests decision is made.
        if (f.SafetyTransition(policy) is { } transition) return transition;

        // An offered proxy decision whose authority cannot be relied on is refused by name, so the record is fixed
        // rather than quietly routed around. Only decisions made in this episode of incapacity count.
        var lpa = f.Route(ProxyKind.LastingPowerOfAttorney, Track.Capacity);
        var deputy = f.Route(ProxyKind.Deputy, Track.Capacity);
        var pr = f.Route(ProxyKind.ParentalResponsibility, Track.Capacity);
        if (lpa.OfferedWithInvalidAuthority is { } lpaBad) return lpaBad;
        if (deputy.OfferedWithInvalidAuthority is { } deputyBad) return deputyBad;
        if (pr.OfferedWithInvalidAuthority is { } prBad) return prBad;

        if (f.Band.IsAdult())
        {
            if (f.AnyValidAuthority(ProxyKind.LastingPowerOfAttorney))
            {
                if (deputy.HasLiveDecision)
                {
                    // The attorney's decision prevails (MCA s20(4)); the deputy's disagreement goes to the Court of Protection.
                    if (lpa.HasLiveDecision && lpa.Decision == ConsentDecision.Given && deputy.Decision == ConsentDecision.Refused && lpa.Outcome is { } attorney && !attorney.IsRefused)
                        return attorney.Basis with { Notes = attorney.Basis.Notes | LawfulBasisNotes.DeputyDisagreesWithAttorney };
                    // A deputy cannot decide inconsistently with (or pre-empt) a valid attorney.
                    if (!lpa.HasLiveDecision || deputy.Decision != lpa.Decision) return Rows.DeputyConflictsWithLpa;
                }
                return lpa.Outcome ?? ProxyRequired(f);
            }
            if (f.AnyValidAuthority(ProxyKind.Deputy)) return deputy.Outcome ?? ProxyRequired(f);
            return BestInterests(f);
        }

        // 16-17: a deputy; else a person with parental responsibility, within the zone of parental control and never
        // for surveillance or confinement; else best interests, consulting the parents. A parent's live refusal blocks.
        if (f.AnyValidAuthority(ProxyKind.Deputy)) return deputy.Outcome ?? ProxyRequired(f);
        if (f.AnyValidAuthority(ProxyKind.ParentalResponsibility))
        {
            var zone = f.LatestParentalControlFinding();
            if (zone?.Validate() is { } incompleteZone) return incompleteZone;
            if (!f.IsSurveillanceOrConfinement && zone is { WithinZone: true })
                return pr.Outcome is { } prOutcome ? NotOverridingARefusal(f, prOutcome, Track.Capacity) : ProxyRequired(f);
            // Outside the zone, for surveillance or confinement, or while the zone is not recorded: a parent's consent is
            // not a basis, and a best-interests decision that consulted the parents is.
            if (f.ParentalRefusalInForce(Track.Capacity)) return Rows.ParentalRefusalBlocks;
            if (f.LatestBestInterests() is null && pr.HasLiveDecision && pr.Decision == ConsentDecision.Given)
                return f.IsSurveillanceOrConfinement ? Rows.ParentCannotAuthoriseSurveillance
                    : zone is null ? Rows.ParentalControlNotRecorded : Rows.OutsideZoneOfParentalControl;
            return BestInterests(f, parentsToConsult: true);
        }
        return BestInterests(f);
    }

    /// <summary>A parent's consent that would be the basis gives way to another holder's live refusal (Children Act 1989 s2(7)).</summary>
    private static BasisDecision NotOverridingARefusal(in Facts f, BasisDecision parental, Track track) =>
        !parental.IsRefused && f.ParentalRefusalInForce(track) ? Rows.ParentalRefusalBlocks : parental;

    private static Refusal ProxyRequired(in Facts f) =>
        f.LatestBestInterests() is not null ? Rows.BestInterestsProxyAvailable : Rows.ProxyDecisionRequired;

    private static BasisDecision BestInterests(in Facts f, bool parentsToConsult = false)
    {
        var decision = f.LatestBestInterests();
        if (decision is null) return Rows.NoLawfulBasis;
        if (decision.Validate() is { } incomplete) return incomplete;
        if (parentsToConsult && !decision.Consulted(ConsultedRole.Family)) return Rows.ParentsNotConsulted;
        // A refusal made with capacity is weighed by every later decision, never silently overridden (s4(6)(a)).
        if (f.CapacitousRefusalBefore(decision.DecidedAt) && string.IsNullOrWhiteSpace(decision.CapacitousRefusalWeighed))
            return BestInterestsRefusals.CapacitousRefusalNotWeighed;
        if (!decision.UseIsInBestInterests) return Rows.BestInterestsAgainstUse;
        return new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null, decision.PatientObjects);
    }

    private static LawfulBasis Own(OwnConsent consent) =>
        new(LawfulBasisKind.OwnConsent, consent.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    private static BasisDecision Regained(LawfulBasis prior, DateTime regainedAt, TrustPolicy policy, DateTime now)
    {
        var deadline = regainedAt + policy.CapacityRegainedGracePeriod;
        if (now >= deadline) return BasisDecision.Deny(Rows.ConsentRequiredAfterCapacityRegained, UseDenyReasons.ConsentRequiredAfterCapacityRegained);
        return prior with { Status = LawfulBasisStatus.ConsentRequired, ConsentRequiredBy = deadline };
    }

    /// <summary>
    /// Whether the patient decides this for themselves at <paramref name="at"/>: capacity (or its recorded
    /// presumption, or nothing recorded: MCA s1(2)) from 16, Gillick competence under 16.
    /// </summary>
    public static bool DecidesForThemselves(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime at)
    {
        var f = new Facts(records, technologyId, at, records.AgeBandAt(at), null, null);
        return f.Band == AgeBand.Under16 ? f.FindingAt(Track.Gillick, at) == Ability.Able : f.FindingAt(Track.Capacity, at) != Ability.Unable;
    }

    /// <summary>
    /// The patient's own decisions about <paramref name="technologyId"/> given while a finding that they lacked
    /// capacity (or Gillick competence) was in force: not consent, but their wishes and feelings for a best-interests
    /// decision to weigh (MCA s4(6)(a)).
    /// </summary>
    public static IReadOnlyList<OwnConsent> WishesRecordedWithoutCapacity(PatientConsentRecords records, Guid technologyId, DateTime now)
    {
        var wishes = new List<OwnConsent>();
        foreach (var consent in records.OwnConsents)
        {
            if (consent.TechnologyId != technologyId || consent.RecordedAt > now) continue;
            var f = new Facts(records, technologyId, now, records.AgeBandAt(consent.RecordedAt), null, null);
            if (f.FindingAt(f.Band == AgeBand.Under16 ? Track.Gillick : Track.Capacity, consent.RecordedAt) == Ability.Unable) wishes.Add(consent);
        }
        return wishes;
    }

    /// <summary>
    /// Refuses, when it is written, a proxy consent or a best-interests decision for use that the table would not
    /// rest a use on now: not only one it refuses outright, but also one made for a patient who can decide for
    /// themselves (while an older basis runs out its grace period, say). <paramref name="candidate"/> holds the new record.
    /// </summary>
    public static Refusal? RefusalForNewDecision(PatientConsentRecords candidate, Guid technologyId, LawfulBasisKind kind, ProxyKind proxyKind,
        TrustPolicy policy, DateTime now, TechnologyApproval? approval = null)
    {
        var decision = Decide(candidate, technologyId, policy, now, approval);
        if (decision.IsRefused) return decision.Refusal;
        if (!DecidesForThemselves(candidate, technologyId, policy, now)) return null;
        var band = candidate.AgeBandAt(now);
        return kind switch
        {
            LawfulBasisKind.BestInterests => band == AgeBand.Under16 ? Rows.Under16NoBestInterests : Rows.BestInterestsPatientHasCapacity,
            LawfulBasisKind.ProxyConsent => proxyKind switch
            {
                ProxyKind.LastingPowerOfAttorney => Rows.LpaDonorHasCapacity,
                ProxyKind.Deputy => Rows.DeputyPatientHasCapacity,
                _ => band == AgeBand.Under16 ? Rows.CompetentChildMustDecide : band.IsAdult() ? ProxyRefusals.PrEndsAt18 : Rows.ParentPatientHasCapacity,
            },
            _ => null,
        };
    }

    internal enum Track : byte
    {
        Capacity,
        Gillick,
    }

    internal enum Ability : byte
    {
        None,
        Able,
        Unable,
    }

    /// <summary>The latest proxy decision of one kind in the current episode, and what it means now.</summary>
    private readonly struct ProxyRoute(ProxyConsent? consent, ProxyAuthority? authority, Refusal? authorityProblem, DateTime now)
    {
        public bool HasLiveDecision => consent is not null && !consent.IsWithdrawn(now) && consent.Decision != ConsentDecision.Unspecified;
        public ConsentDecision Decision => consent?.Decision ?? ConsentDecision.Unspecified;

        public Refusal? OfferedWithInvalidAuthority =>
            consent is not null && consent.Decision == ConsentDecision.Given && !consent.IsWithdrawn(now) ? authorityProblem : null;

        public BasisDecision? Outcome
        {
            get
            {
                if (consent is null || authority is null) return null;
                if (consent.Validate() is { } bad) return bad;
                if (authorityProblem is not null) return authorityProblem;
                if (consent.IsWithdrawn(now)) return BasisDecision.Deny(Rows.ConsentWithdrawn, UseDenyReasons.ConsentWithdrawn);
                if (consent.Decision == ConsentDecision.Refused) return Rows.ProxyRefused;
                return new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, authority.Kind, LawfulBasisStatus.Valid, null);
            }
        }
    }

    private readonly struct Facts(PatientConsentRecords records, Guid technologyId, DateTime now, AgeBand band, TechnologyApproval? approval, TechnologyUse? use)
    {
        public DateTime Now => now;
        public AgeBand Band => band;

        public bool IsSurveillanceOrConfinement =>
            approval is { IsMonitoring: true } || use is { IsSurveillance: true } || use is { ContinuousMonitoringOrRestrictive: true };

        // ---- Findings of capacity (16+) and Gillick competence (under 16), in time ----

        private static Ability Of(CapacityAssessment a)
        {
            var r = a.Result();
            if (r.IsRefused) return Ability.None;
            return r.Value == CapacityResult.HasCapacity ? Ability.Able : Ability.Unable;
        }

        private static Ability Of(GillickAssessment g) =>
            g.Validate() is not null ? Ability.None : g.Competent == true ? Ability.Able : Ability.Unable;

        /// <summary>The ability the latest complete finding at or before <paramref name="t"/> shows (None when there is none).</summary>
        public Ability FindingAt(Track track, DateTime t)
        {
            var ability = Ability.None;
            var at = DateTime.MinValue;
            if (track == Track.Capacity)
            {
                foreach (var a in records.CapacityAssessments)
                {
                    if (a.TechnologyId != technologyId || a.AssessedAt > t || a.AssessedAt < at) continue;
                    var found = Of(a);
                    if (found == Ability.None) continue;
                    (ability, at) = (found, a.AssessedAt);
                }
            }
            else
            {
                foreach (var g in records.GillickAssessments)
                {
                    if (g.TechnologyId != technologyId || g.AssessedAt > t || g.AssessedAt < at) continue;
                    var found = Of(g);
                    if (found == Ability.None) continue;
                    (ability, at) = (found, g.AssessedAt);
                }
            }
            return ability;
        }

        /// <summary>Whether a complete finding of <paramref name="ability"/> was made in [from, to] (or [from, to) when <paramref name="toExclusive"/>).</summary>
        private bool FindingIn(Track track, Ability ability, DateTime from, DateTime to, bool fromExclusive = false, bool toExclusive = false)
        {
            if (track == Track.Capacity)
            {
                foreach (var a in records.CapacityAssessments)
                    if (a.TechnologyId == technologyId && In(a.AssessedAt, from, to, fromExclusive, toExclusive) && Of(a) == ability) return true;
            }
            else
            {
                foreach (var g in records.GillickAssessments)
                    if (g.TechnologyId == technologyId && In(g.AssessedAt, from, to, fromExclusive, toExclusive) && Of(g) == ability) return true;
            }
            return false;
        }

        private static bool In(DateTime t, DateTime from, DateTime to, bool fromExclusive, bool toExclusive) =>
            (fromExclusive ? t > from : t >= from) && (toExclusive ? t < to : t <= to);

        /// <summary>A finding of inability after <paramref name="t"/>, up to now.</summary>
        public bool UnableAfter(Track track, DateTime t) => FindingIn(track, Ability.Unable, t, now, fromExclusive: true);

        public bool LackingBefore(DateTime t) => FindingIn(Track.Capacity, Ability.Unable, DateTime.MinValue, t, toExclusive: true);

        /// <summary>
        /// A decision made at <paramref name="t"/> belongs to the current episode of inability: it was not made while the
        /// patient was found able, and there has been no finding of ability since.
        /// </summary>
        public bool InCurrentEpisode(Track track, DateTime t) => t <= now && FindingAt(track, t) != Ability.Able && !FindingIn(track, Ability.Able, t, now);

        /// <summary>When the current episode of inability began: the first finding of it after the last finding of ability.</summary>
        public DateTime? EpisodeStart(Track track)
        {
            DateTime? lastAble = null;
            foreach (var t in Times(track, Ability.Able))
                if (t <= now && (lastAble is null || t > lastAble)) lastAble = t;
            DateTime? start = null;
            foreach (var t in Times(track, Ability.Unable))
                if (t <= now && (lastAble is null || t > lastAble) && (start is null || t < start)) start = t;
            return start;
        }

        /// <summary>
        /// When capacity (or competence) was regained, if the current finding of ability follows an episode of
        /// inability: the first finding of ability after the last finding of inability.
        /// </summary>
        public DateTime? RegainedAt(Track track)
        {
            DateTime? lastUnable = null;
            foreach (var t in Times(track, Ability.Unable))
                if (t <= now && (lastUnable is null || t > lastUnable)) lastUnable = t;
            if (lastUnable is null) return null;
            DateTime? regained = null;
            foreach (var t in Times(track, Ability.Able))
                if (t <= now && t > lastUnable && (regained is null || t < regained)) regained = t;
            return regained;
        }

        // Walks the times of complete findings of one ability, without allocating.
        private TimesEnumerable Times(Track track, Ability ability) => new(records, technologyId, track, ability);

        public CapacityAssessment? LatestCapacity()
        {
            CapacityAssessment? latest = null;
            foreach (var a in records.CapacityAssessments)
                if (a.TechnologyId == technologyId && a.AssessedAt <= now && (latest is null || a.AssessedAt > latest.AssessedAt))
                    latest = a;
            return latest;
        }

        public GillickAssessment? LatestGillick()
        {
            GillickAssessment? latest = null;
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.AssessedAt <= now && (latest is null || g.AssessedAt > latest.AssessedAt))
                    latest = g;
            return latest;
        }

        /// <summary>
        /// The latest finding of no competence follows the child's refusal, and no second assessor (since the refusal)
        /// has confirmed it.
        /// </summary>
        public bool SecondOpinionMissing(GillickAssessment notCompetent)
        {
            OwnConsent? before = null;
            foreach (var c in records.OwnConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt <= notCompetent.AssessedAt && (before is null || c.RecordedAt > before.RecordedAt))
                    before = c;
            if (before is null || before.Decision != ConsentDecision.Refused) return false;
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.Id != notCompetent.Id && g.AssessedAt >= before.RecordedAt && g.AssessedAt <= now && g.Competent == false &&
                    g.Validate() is null && !string.Equals(g.AssessedBy.Trim(), notCompetent.AssessedBy.Trim(), StringComparison.OrdinalIgnoreCase))
                    return false;
            return true;
        }

        public OwnConsent? LatestOwnConsent()
        {
            OwnConsent? latest = null;
            foreach (var c in records.OwnConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt <= now && (latest is null || c.RecordedAt > latest.RecordedAt))
                    latest = c;
            return latest;
        }

        /// <summary>
        /// A refusal the patient made with capacity before <paramref name="t"/>, still standing (not withdrawn, nor
        /// followed by their own consent given with capacity).
        /// </summary>
        public bool CapacitousRefusalBefore(DateTime t)
        {
            OwnConsent? latestCapacitous = null;
            foreach (var c in records.OwnConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt >= t || c.Validate() is not null) continue;
                if (FindingAt(Track.Capacity, c.RecordedAt) == Ability.Unable) continue;
                if (latestCapacitous is null || c.RecordedAt > latestCapacitous.RecordedAt) latestCapacitous = c;
            }
            return latestCapacitous is { Decision: ConsentDecision.Refused } && !latestCapacitous.IsWithdrawn(now);
        }

        /// <summary>
        /// A valid advance decision refusing this technology applies now (MCA ss24-26), or the patient, as an adult with
        /// capacity, refused and said the refusal should stand if they lost capacity.
        /// </summary>
        public bool AdvanceDecisionApplies()
        {
            var lifeSustaining = approval is { MayBeLifeSustaining: true };
            foreach (var d in records.AdvanceDecisions)
                if (d.AppliesTo(technologyId, lifeSustaining, now) && !ConsentedWithCapacityAfter(d.MadeAt)) return true;
            // An oral refusal meets no formality: it cannot refuse what may be life-sustaining treatment (s25(5)).
            if (lifeSustaining) return false;
            foreach (var c in records.OwnConsents)
            {
                if (c.TechnologyId != technologyId || c.Decision != ConsentDecision.Refused || c.RefusalStandsIfCapacityLost != true) continue;
                if (c.RecordedAt > now || c.IsWithdrawn(now) || c.Validate() is not null) continue;
                if (!records.AgeBandAt(c.RecordedAt).IsAdult() || FindingAt(Track.Capacity, c.RecordedAt) == Ability.Unable) continue;
                if (!ConsentedWithCapacityAfter(c.RecordedAt)) return true;
            }
            return false;
        }

        private bool ConsentedWithCapacityAfter(DateTime t)
        {
            foreach (var c in records.OwnConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt > t && c.RecordedAt <= now && c.Decision == ConsentDecision.Given &&
                    c.Validate() is null && FindingAt(Track.Capacity, c.RecordedAt) != Ability.Unable)
                    return true;
            return false;
        }

        /// <summary>
        /// The short transition for a safety use the patient consented to before losing capacity: no decision has been
        /// made for them in this episode, they have not objected or refused since, and the trust's hours have not run out.
        /// </summary>
        public BasisDecision? SafetyTransition(TrustPolicy policy)
        {
            if (use is not { ManagesSafetyRisk: true, Status: UseStatus.Active, LawfulBasisKind: LawfulBasisKind.OwnConsent, LawfulBasisRecordId: { } consentId }) return null;
            OwnConsent? consent = null;
            foreach (var c in records.OwnConsents)
                if (c.Id == consentId) consent = c;
            if (consent is null || consent.Decision != ConsentDecision.Given || consent.IsWithdrawn(now) || consent.Validate() is not null) return null;
            if (FindingAt(Track.Capacity, consent.RecordedAt) == Ability.Unable) return null;
            if (EpisodeStart(Track.Capacity) is not { } lostAt || lostAt < consent.RecordedAt) return null;
            if (AnyDecisionSince(lostAt) || ObjectedSince(lostAt)) return null;
            var deadline = lostAt + policy.CapacityLostTransition;
            if (now >= deadline) return BasisDecision.Deny(Rows.BestInterestsDecisionOverdue, UseDenyReasons.BestInterestsDecisionOverdue);
            return new LawfulBasis(LawfulBasisKind.OwnConsent, consent.Id, ProxyKind.Unspecified, LawfulBasisStatus.BestInterestsDecisionRequired, null,
                DecisionRequiredBy: deadline);
        }

        private bool AnyDecisionSince(DateTime t)
        {
            foreach (var c in records.ProxyConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt >= t && c.RecordedAt <= now) return true;
            foreach (var b in records.BestInterestsDecisions)
                if (b.TechnologyId == technologyId && b.DecidedAt >= t && b.DecidedAt <= now) return true;
            return false;
        }

        private bool ObjectedSince(DateTime t)
        {
            foreach (var o in records.Objections)
                if (o.TechnologyId == technologyId && o.ObservedAt >= t && o.ObservedAt <= now) return true;
            foreach (var c in records.OwnConsents)
                if (c.TechnologyId == technologyId && c.Decision == ConsentDecision.Refused && c.RecordedAt >= t && c.RecordedAt <= now) return true;
            return false;
        }

        public BestInterestsDecision? LatestBestInterests()
        {
            BestInterestsDecision? latest = null;
            foreach (var b in records.BestInterestsDecisions)
                if (b.TechnologyId == technologyId && b.DecidedAt <= now && !b.IsEnded(now) && InCurrentEpisode(Track.Capacity, b.DecidedAt) &&
                    (latest is null || b.DecidedAt > latest.DecidedAt))
                    latest = b;
            return latest;
        }

        public bool AnyLiveBestInterests()
        {
            foreach (var b in records.BestInterestsDecisions)
                if (b.TechnologyId == technologyId && b.DecidedAt <= now && !b.IsEnded(now)) return true;
            return false;
        }

        public ZoneOfParentalControlFinding? LatestParentalControlFinding()
        {
            ZoneOfParentalControlFinding? latest = null;
            foreach (var z in records.ParentalControlFindings)
                if (z.TechnologyId == technologyId && z.AssessedAt <= now && (latest is null || z.AssessedAt > latest.AssessedAt))
                    latest = z;
            return latest;
        }

        public CourtOrder? CourtOrderInForce()
        {
            CourtOrder? latest = null;
            foreach (var o in records.CourtOrders)
                if (o.TechnologyId == technologyId && o.InForce(now) && o.AvailableFor(band) && (latest is null || o.MadeAt > latest.MadeAt))
                    latest = o;
            return latest;
        }

        public Section63Record? Section63InForce()
        {
            Section63Record? latest = null;
            foreach (var s in records.Section63Records)
                if (s.TechnologyId == technologyId && s.InForce(now) && (latest is null || s.RecordedAt > latest.RecordedAt))
                    latest = s;
            return latest;
        }

        public ProxyAuthority? Authority(Guid id)
        {
            foreach (var a in records.ProxyAuthorities)
                if (a.Id == id) return a;
            return null;
        }

        public bool AnyValidAuthority(ProxyKind kind)
        {
            foreach (var a in records.ProxyAuthorities)
                if (a.Kind == kind && a.ValidNow(band, now) is null) return true;
            return false;
        }

        /// <summary>The latest decision by a proxy of <paramref name="kind"/> made in the current episode of inability.</summary>
        public ProxyRoute Route(ProxyKind kind, Track track)
        {
            ProxyConsent? latest = null;
            ProxyAuthority? latestAuthority = null;
            foreach (var c in records.ProxyConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt > now) continue;
                if (latest is not null && c.RecordedAt <= latest.RecordedAt) continue;
                var authority = Authority(c.ProxyAuthorityId);
                if (authority is null || authority.Kind != kind || !InCurrentEpisode(track, c.RecordedAt)) continue;
                latest = c;
                latestAuthority = authority;
            }
            return new ProxyRoute(latest, latestAuthority, latestAuthority?.ValidNow(band, now), now);
        }

        /// <summary>Some holder of parental responsibility, whose authority stands, has refused in this episode and not since agreed.</summary>
        public bool ParentalRefusalInForce(Track track)
        {
            foreach (var a in records.ProxyAuthorities)
            {
                if (a.Kind != ProxyKind.ParentalResponsibility || a.ValidNow(band, now) is not null) continue;
                ProxyConsent? latest = null;
                foreach (var c in records.ProxyConsents)
                    if (c.ProxyAuthorityId == a.Id && c.TechnologyId == technologyId && c.RecordedAt <= now && InCurrentEpisode(track, c.RecordedAt) &&
                        (latest is null || c.RecordedAt > latest.RecordedAt))
                        latest = c;
                if (latest is { Decision: ConsentDecision.Refused } && !latest.IsWithdrawn(now)) return true;
            }
            return false;
        }

        /// <summary>A live consent by a proxy of <paramref name="kind"/> made since the patient was last found able to decide.</summary>
        public bool LiveGivenProxyConsent(ProxyKind kind)
        {
            foreach (var c in records.ProxyConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt > now || c.Decision != ConsentDecision.Given || c.IsWithdrawn(now)) continue;
                if (Authority(c.ProxyAuthorityId) is { } a && a.Kind == kind && !FindingIn(Track.Capacity, Ability.Able, c.RecordedAt, now, fromExclusive: true)) return true;
            }
            return false;
        }

        public bool AnyLiveProxyConsent()
        {
            foreach (var c in records.ProxyConsents)
                if (c.TechnologyId == technologyId && c.RecordedAt <= now && !c.IsWithdrawn(now) && c.Decision == ConsentDecision.Given) return true;
            return false;
        }

        /// <summary>
        /// The proxy or best-interests basis made in the episode of inability that ended at <paramref name="regainedAt"/>
        /// (no finding of ability between it and the regain), if any.
        /// </summary>
        public LawfulBasis? PriorEpisodeBasis(Track track, DateTime regainedAt, bool includeBestInterests)
        {
            ProxyConsent? proxy = null;
            ProxyAuthority? proxyAuthority = null;
            foreach (var c in records.ProxyConsents)
            {
                if (c.TechnologyId != technologyId || c.RecordedAt >= regainedAt || c.Decision != ConsentDecision.Given || c.IsWithdrawn(now)) continue;
                if (proxy is not null && c.RecordedAt <= proxy.RecordedAt) continue;
                if (FindingAt(track, c.RecordedAt) == Ability.Able || FindingIn(track, Ability.Able, c.RecordedAt, regainedAt, toExclusive: true)) continue;
                proxy = c;
                proxyAuthority = Authority(c.ProxyAuthorityId);
            }
            BestInterestsDecision? bestInterests = null;
            if (includeBestInterests)
            {
                foreach (var b in records.BestInterestsDecisions)
                {
                    if (b.TechnologyId != technologyId || b.DecidedAt >= regainedAt || !b.UseIsInBestInterests || b.IsEnded(now)) continue;
                    if (FindingAt(track, b.DecidedAt) == Ability.Able || FindingIn(track, Ability.Able, b.DecidedAt, regainedAt, toExclusive: true)) continue;
                    if (bestInterests is null || b.DecidedAt > bestInterests.DecidedAt) bestInterests = b;
                }
            }
            if (proxy is not null && proxyAuthority is not null && (bestInterests is null || proxy.RecordedAt >= bestInterests.DecidedAt))
                return new LawfulBasis(LawfulBasisKind.ProxyConsent, proxy.Id, proxyAuthority.Kind, LawfulBasisStatus.Valid, null);
            if (bestInterests is not null)
                return new LawfulBasis(LawfulBasisKind.BestInterests, bestInterests.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null, bestInterests.PatientObjects);
            return null;
        }
    }

    /// <summary>The times of complete findings of one ability for one technology: a struct enumerator, so walking them allocates nothing.</summary>
    private readonly struct TimesEnumerable(PatientConsentRecords records, Guid technologyId, Track track, Ability ability)
    {
        public Enumerator GetEnumerator() => new(records, technologyId, track, ability);

        public struct Enumerator(PatientConsentRecords records, Guid technologyId, Track track, Ability ability)
        {
            private int _index = -1;

            public DateTime Current { get; private set; }

            public bool MoveNext()
            {
                if (track == Track.Capacity)
                {
                    var all = records.CapacityAssessments;
                    while (++_index < all.Length)
                    {
                        var a = all[_index];
                        if (a.TechnologyId != technologyId) continue;
                        var r = a.Result();
                        if (r.IsRefused || (r.Value == CapacityResult.HasCapacity) != (ability == Ability.Able)) continue;
                        Current = a.AssessedAt;
                        return true;
                    }
                }
                else
                {
                    var all = records.GillickAssessments;
                    while (++_index < all.Length)
                    {
                        var g = all[_index];
                        if (g.TechnologyId != technologyId || g.Validate() is not null || (g.Competent == true) != (ability == Ability.Able)) continue;
                        Current = g.AssessedAt;
                        return true;
                    }
                }
                return false;
            }
        }
    }

    /// <summary>The table's rows that refuse, each with a stable rule code.</summary>
    internal static class Rows
    {
        public static readonly Refusal AgeUnknown = Refusal.Invalid("lawful-basis.age-band-missing",
            "Record the patient's age band or the days they turn 16 and 18: the consent route differs under 16, at 16-17 and from 18.");
        public static readonly Refusal Under16NotAssessed = Refusal.Precondition("lawful-basis.under-16-competence-not-assessed",
            "Assess Gillick competence for this decision: the Mental Capacity Act presumption does not apply under 16.");
        public static readonly Refusal GillickReassessmentRequired = Refusal.Precondition("lawful-basis.gillick-reassessment-required",
            "The Gillick competence finding is past its reassess-by date or, without one, too old: assess competence again for this decision.");
        public static readonly Refusal GillickSecondOpinionRequired = Refusal.Precondition("lawful-basis.gillick-second-opinion-required",
            "The child was found not Gillick competent after refusing this technology: a second assessor must confirm the finding before anyone else decides for them.");
        public static readonly Refusal CompetentChildRefuses = Refusal.Precondition("lawful-basis.under-16-competent-child-refuses",
            "The child is Gillick competent for this decision and has refused; a parent cannot override that refusal here. Do not use the technology.");
        public static readonly Refusal CompetentChildMustDecide = Refusal.Precondition("lawful-basis.under-16-competent-child-must-decide",
            "The child is Gillick competent for this decision, so their own consent is needed; a parent's consent is not a basis.");
        public static readonly Refusal Under16NoBestInterests = Refusal.Precondition("lawful-basis.under-16-no-best-interests",
            "A best-interests decision under the Mental Capacity Act is not available under 16: seek the consent of a verified person with parental responsibility.");
        public static readonly Refusal NoVerifiedPrHolder = Refusal.Precondition("lawful-basis.under-16-no-verified-parental-responsibility",
            "The child is not Gillick competent for this decision and no verified person with parental responsibility has consented. Verify a parent, guardian, special guardian or local authority under a care order and seek their consent.");
        public static readonly Refusal ParentalRefusalBlocks = Refusal.Precondition("lawful-basis.parental-responsibility-refusal-blocks",
            "A person with parental responsibility has refused. Another's consent does not override them (Children Act 1989 s2(7)): the technology is not used until they agree or a court decides.");
        public static readonly Refusal ParentalControlNotRecorded = Refusal.Precondition("lawful-basis.zone-of-parental-control-not-recorded",
            "The 16-17-year-old lacks capacity: a parent can decide for them only within the zone of parental control. Record whether this decision is within it, or make a best-interests decision that consults the parents.");
        public static readonly Refusal ParentsNotConsulted = Refusal.Precondition("lawful-basis.best-interests-parents-not-consulted",
            "The 16-17-year-old has parents with parental responsibility who are not deciding: the best-interests decision must consult them (record them as family consulted, with their views).");
        public static readonly Refusal OutsideZoneOfParentalControl = Refusal.Precondition("lawful-basis.outside-zone-of-parental-control",
            "This decision is outside the zone of parental control, so a parent's consent is not a basis: make a best-interests decision, consulting the parents.");
        public static readonly Refusal ParentCannotAuthoriseSurveillance = Refusal.Precondition("lawful-basis.parent-cannot-authorise-surveillance-16-17",
            "A parent's consent never authorises surveillance or confinement of a 16-17-year-old (Re D [2019] UKSC 42): make a best-interests decision, consulting the parents, and screen for a deprivation of liberty.");
        public static readonly Refusal CapacityNotRecorded = Refusal.Precondition("lawful-basis.capacity-not-recorded",
            "Record the statutory presumption of capacity (MCA s1(2)) or a capacity assessment for this decision before relying on consent.");
        public static readonly Refusal PresumptionDisplaced = Refusal.Precondition("lawful-basis.presumption-displaced",
            "An assessment found the patient lacked capacity for this decision, so the presumption cannot simply be recorded again: reassess capacity.");
        public static readonly Refusal ConsentGivenWithoutCapacity = Refusal.Precondition("lawful-basis.consent-given-without-capacity",
            "The patient's agreement was recorded while a finding that they lacked capacity (or Gillick competence) for this decision was in force, so it is not consent (MCA s2(1)); it is kept as their wishes for a best-interests decision (s4(6)(a)). Now that they can decide, seek their consent.");
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
        public static readonly Refusal AdvanceDecisionRefuses = Refusal.Precondition("lawful-basis.advance-decision-refuses",
            "The patient made a valid advance decision refusing this technology, and it applies now (MCA ss24-26): it has the effect of their own refusal, so no attorney, deputy or best-interests decision can consent instead. Do not use the technology.");
        public static readonly Refusal BestInterestsDecisionOverdue = Refusal.Precondition("lawful-basis.best-interests-decision-overdue",
            "The patient consented to this safety use, then lost capacity, and the trust's transition has ended without a best-interests decision: make one now. Meanwhile keep the patient safe by human observation.");
        public static readonly Refusal DeputyConflictsWithLpa = Refusal.Precondition("lawful-basis.deputy-conflicts-with-lpa",
            "The deputy's decision conflicts with (or pre-empts) the decision of the attorney under a valid LPA; a deputy cannot act inconsistently with a valid LPA (MCA s20(4)). The attorney decides.");
        public static readonly Refusal ProxyRefused = Refusal.Precondition("lawful-basis.proxy-refused",
            "The person lawfully acting for the patient has refused. Do not use the technology.");
        public static readonly Refusal ProxyDecisionRequired = Refusal.Precondition("lawful-basis.proxy-decision-required",
            "A verified proxy (attorney, deputy or person with parental responsibility) can decide for the patient: seek their decision.");
        public static readonly Refusal BestInterestsProxyAvailable = Refusal.Precondition("lawful-basis.best-interests-proxy-available",
            "A best-interests decision is only available when no proxy can decide, and a verified proxy exists: seek the proxy's decision.");
        public static readonly Refusal NoLawfulBasis = Refusal.Precondition("lawful-basis.none",
            "The patient lacks capacity for this decision and there is no proxy decision or best-interests decision in this episode of incapacity. Follow the MCA s4 best-interests process.");
        public static readonly Refusal BestInterestsAgainstUse = Refusal.Precondition("lawful-basis.best-interests-against-use",
            "The best-interests decision is that the technology should not be used.");
        public static readonly Refusal CourtForbids = Refusal.Precondition("lawful-basis.court-order-forbids",
            "A court has ordered that this technology is not used for the patient. Do not use it.");
        public static readonly Refusal McaRoutesRemoved = Refusal.Precondition("lawful-basis.mca-routes-removed",
            "This technology is treatment for mental disorder and Part 4 of the Mental Health Act applies, so MCA s28 removes the proxy and best-interests routes.");
        public static readonly Refusal ConsentFirstMcaRoutesRemoved = Refusal.Precondition("lawful-basis.mha-consent-first-no-consent",
            "This technology is treatment for mental disorder and Part 4 of the Mental Health Act applies: MCA s28 removes the proxy and best-interests routes, and the trust's approval relies on the patient's own consent with capacity, which there is not. Do not use the technology.");
        public static readonly Refusal Section63RecordRequired = Refusal.Precondition("lawful-basis.section-63-record-required",
            "This technology is treatment for mental disorder and Part 4 of the Mental Health Act applies, so MCA s28 removes the proxy and best-interests routes. Without the patient's own consent, the responsible clinician must record the treatment under s63.");
        public static readonly Refusal CommunityTreatmentOrderNeedsConsent = Refusal.Precondition("lawful-basis.cto-needs-consent",
            "The patient is on a community treatment order (Part 4A applies, MCA s28(1B)): this platform uses treatment for mental disorder only with the patient's own consent with capacity.");
    }
}
