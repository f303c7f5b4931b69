namespace Platform.Consent.Domain;

/// <summary>What a change did to one live use: the check before and after, and what staff must be told.</summary>
public sealed record UseReevaluation(TechnologyUse Use, UseCheckResult Before, UseCheckResult After)
{
    /// <summary>The use was permitted and now is not.</summary>
    public bool NowDenied => Before.IsPermitted && !After.IsPermitted;

    /// <summary>A safety use just stopped being permitted: raise an alert naming the fallback.</summary>
    public SafetyAlert? SafetyAlert => NowDenied && Use.ManagesSafetyRisk
        ? new SafetyAlert(Use.Id, Use.PatientId, Use.TechnologyId, Use.WardCode, SafetyFallback.HumanObservation, After.Reasons)
        : null;

    /// <summary>A different basis is now in force and valid: the use moves to it (<see cref="TechnologyUse.Rebase"/>).</summary>
    public LawfulBasis? RebaseTo => After.LawfulBasis is { Status: LawfulBasisStatus.Valid } basis && basis.RecordId != Use.LawfulBasisRecordId ? basis : null;
}

/// <summary>A safety use can no longer run: the ward is told at once, and told what keeps the patient safe instead.</summary>
public sealed record SafetyAlert(Guid UseId, Guid PatientId, Guid TechnologyId, string WardCode, SafetyFallback Fallback, IReadOnlyList<Platform.Domain.Refusal> Reasons)
{
    public string Message => Fallback == SafetyFallback.HumanObservation
        ? "This safety technology can no longer be used for this patient. Keep them safe by human observation, under the trust's observation policy, until the reasons below are resolved."
        : "This technology can no longer be used for this patient.";
}

public enum DeadlineKind
{
    Unspecified = 0,
    ReviewDue = 1,
    ReviewGraceEnds = 2,
    CapacityReassessment = 3,
    GillickReassessment = 4,
    /// <summary>Capacity regained: the patient's consent must be sought by then.</summary>
    ConsentRequiredBy = 5,
    /// <summary>Capacity lost on a consented safety use: a best-interests decision is needed by then.</summary>
    BestInterestsDecisionBy = 6,
    ObjectionRedecisionBy = 7,
    DeprivationOfLibertyReviewOrExpiry = 8,
    ProxyAuthorityExpires = 9,
    TurnsSixteen = 10,
    TurnsEighteen = 11,
}

/// <summary>A deadline that will turn a check into a deny (or change the rules) is close: the ward is told before it passes.</summary>
public sealed record DeadlineWarning(Guid UseId, Guid PatientId, Guid TechnologyId, string WardCode, DeadlineKind Kind, DateTime Deadline);

/// <summary>A birthday on which the rules re-apply, and what that did to each live use.</summary>
public sealed record AgeTransition(AgeThreshold Threshold, DateTime At, IReadOnlyList<UseReevaluation> Uses);

/// <summary>
/// The signals a ward acts on, derived from the records: re-evaluation of dependent uses after a change (a
/// revocation, an ended decision, an objection, a status change, a birthday), warnings before deadlines, and alerts
/// when a safety use stops. Pure: the service publishes them as events.
/// </summary>
public static class ConsentSignals
{
    /// <summary>
    /// Re-evaluates every live use of the patient against the records <paramref name="before"/> and
    /// <paramref name="after"/> a change, at <paramref name="now"/>: those whose check or basis changed, with any
    /// safety alert and the basis to move to.
    /// </summary>
    public static IReadOnlyList<UseReevaluation> Reevaluate(PatientConsentRecords before, PatientConsentRecords after,
        ReadOnlySpan<TechnologyApproval> approvals, TrustPolicy policy, DateTime now) =>
        Compare(before, now, after, now, approvals, policy);

    /// <summary>
    /// Re-evaluates every live use of the patient when the trust's approvals change (a route chosen for treatment for
    /// mental disorder, say) rather than the patient's records.
    /// </summary>
    public static IReadOnlyList<UseReevaluation> Reevaluate(PatientConsentRecords records, ReadOnlySpan<TechnologyApproval> approvalsBefore,
        ReadOnlySpan<TechnologyApproval> approvalsAfter, TrustPolicy policy, DateTime now)
    {
        var changed = new List<UseReevaluation>();
        foreach (var use in records.Uses)
        {
            if (use.Status is not (UseStatus.Active or UseStatus.Suspended)) continue;
            var was = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, approvalsBefore, policy, now);
            var then = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, approvalsAfter, policy, now);
            if (was.Decision != then.Decision || was.DenyReasons != then.DenyReasons || was.LawfulBasis != then.LawfulBasis)
                changed.Add(new UseReevaluation(use, was, then));
        }
        return changed;
    }

    /// <summary>The age thresholds crossed in (<paramref name="from"/>, <paramref name="to"/>], each with what it did to the live uses.</summary>
    public static IReadOnlyList<AgeTransition> AtAgeThresholds(PatientConsentRecords records, ReadOnlySpan<TechnologyApproval> approvals,
        TrustPolicy policy, DateTime from, DateTime to)
    {
        var transitions = new List<AgeTransition>();
        foreach (var (threshold, at) in PatientAge.ThresholdsCrossed(records, from, to))
            transitions.Add(new AgeTransition(threshold, at, Compare(records, at.AddTicks(-1), records, at, approvals, policy)));
        return transitions;
    }

    private static List<UseReevaluation> Compare(PatientConsentRecords before, DateTime beforeAt, PatientConsentRecords after, DateTime afterAt,
        ReadOnlySpan<TechnologyApproval> approvals, TrustPolicy policy)
    {
        var changed = new List<UseReevaluation>();
        foreach (var use in after.Uses)
        {
            if (use.Status is not (UseStatus.Active or UseStatus.Suspended)) continue;
            var was = UseCheck.Evaluate(before, use.TechnologyId, use.WardCode, use.Purpose, approvals, policy, beforeAt);
            var now = UseCheck.Evaluate(after, use.TechnologyId, use.WardCode, use.Purpose, approvals, policy, afterAt);
            if (was.Decision != now.Decision || was.DenyReasons != now.DenyReasons || was.LawfulBasis != now.LawfulBasis)
                changed.Add(new UseReevaluation(use, was, now));
        }
        return changed;
    }

    /// <summary>
    /// Every deadline for the patient's live uses that falls within the trust's notice (the review notice for
    /// reviews), so the ward is warned before a check turns into a deny.
    /// </summary>
    public static IReadOnlyList<DeadlineWarning> DeadlinesApproaching(PatientConsentRecords records, ReadOnlySpan<TechnologyApproval> approvals,
        TrustPolicy policy, DateTime now)
    {
        var warnings = new List<DeadlineWarning>();
        foreach (var use in records.Uses)
        {
            if (use.Status is not (UseStatus.Active or UseStatus.Suspended)) continue;
            void Warn(DeadlineKind kind, DateTime? deadline, TimeSpan notice)
            {
                if (deadline is { } d && d > now && d - now <= notice)
                    warnings.Add(new DeadlineWarning(use.Id, use.PatientId, use.TechnologyId, use.WardCode, kind, d));
            }

            if (use.CarePlan.NextReviewDate is { } due)
            {
                Warn(DeadlineKind.ReviewDue, due, policy.ReviewDueSoonNotice);
                Warn(DeadlineKind.ReviewGraceEnds, due + policy.ReviewGracePeriod, policy.DeadlineWarningNotice);
            }
            var band = records.AgeBandAt(now);
            Warn(band == AgeBand.Under16 ? DeadlineKind.GillickReassessment : DeadlineKind.CapacityReassessment,
                FindingStaleFrom(records, use.TechnologyId, policy, now), policy.DeadlineWarningNotice);
            var check = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, approvals, policy, now);
            if (check.LawfulBasis is { } basis)
            {
                Warn(DeadlineKind.ConsentRequiredBy, basis.ConsentRequiredBy, policy.DeadlineWarningNotice);
                Warn(DeadlineKind.BestInterestsDecisionBy, basis.DecisionRequiredBy, policy.DeadlineWarningNotice);
                if (basis.Kind == LawfulBasisKind.ProxyConsent)
                    foreach (var consent in records.ProxyConsents)
                        if (consent.Id == basis.RecordId)
                            foreach (var authority in records.ProxyAuthorities)
                                if (authority.Id == consent.ProxyAuthorityId) Warn(DeadlineKind.ProxyAuthorityExpires, authority.ExpiresAt, policy.DeadlineWarningNotice);
            }
            foreach (var objection in records.Objections)
                if (objection.UseId == use.Id && objection.IsOpen) Warn(DeadlineKind.ObjectionRedecisionBy, objection.RedecisionDueBy(policy), policy.DeadlineWarningNotice);
            if (use.ContinuousMonitoringOrRestrictive)
                Warn(DeadlineKind.DeprivationOfLibertyReviewOrExpiry, DeprivationOfLibertyRule.NextDeadline(records, use, now), policy.DeadlineWarningNotice);
            if (PatientAge.NextThreshold(records, now) is { } next)
                Warn(next.Threshold == AgeThreshold.Sixteen ? DeadlineKind.TurnsSixteen : DeadlineKind.TurnsEighteen, next.At, policy.DeadlineWarningNotice);
        }
        return warnings;
    }

    /// <summary>
    /// When the finding a basis rests on falls stale: a finding of incapacity (from 16) or the Gillick finding (under
    /// 16). Null when there is none or it never does (a finding of capacity).
    /// </summary>
    public static DateTime? FindingStaleFrom(PatientConsentRecords records, Guid technologyId, TrustPolicy policy, DateTime now)
    {
        if (records.AgeBandAt(now) == AgeBand.Under16)
        {
            GillickAssessment? gillick = null;
            foreach (var g in records.GillickAssessments)
                if (g.TechnologyId == technologyId && g.AssessedAt <= now && (gillick is null || g.AssessedAt > gillick.AssessedAt)) gillick = g;
            return gillick?.StaleFrom(policy);
        }
        CapacityAssessment? latest = null;
        foreach (var a in records.CapacityAssessments)
            if (a.TechnologyId == technologyId && a.AssessedAt <= now && (latest is null || a.AssessedAt > latest.AssessedAt)) latest = a;
        if (latest is null) return null;
        var result = latest.Result();
        return !result.IsRefused && result.Value == CapacityResult.LacksCapacity ? latest.StaleFrom(policy) : null;
    }

    /// <summary>
    /// Refusals the patient made with capacity whose "should it stand if you lose capacity?" question has not been
    /// answered: a prompt for staff to ask it.
    /// </summary>
    public static IReadOnlyList<OwnConsent> RefusalQuestionsToAsk(PatientConsentRecords records, TrustPolicy policy, DateTime now)
    {
        var ask = new List<OwnConsent>();
        foreach (var consent in records.OwnConsents)
            if (consent.Decision == ConsentDecision.Refused && consent.RefusalStandsIfCapacityLost is null && consent.RecordedAt <= now &&
                records.AgeBandAt(consent.RecordedAt) != AgeBand.Under16 &&
                LawfulBasisRules.DecidesForThemselves(records, consent.TechnologyId, policy, consent.RecordedAt))
                ask.Add(consent);
        return ask;
    }
}
