using System.Runtime.CompilerServices;
using Platform.Domain;

namespace Platform.Consent.Domain;

public enum UseCheckDecision
{
    Unspecified = 0,
    Permit = 1,
    Deny = 2,
}

/// <summary>Every reason a check can deny; several may apply at once.</summary>
[Flags]
public enum UseDenyReasons
{
    None = 0,
    NoActiveUse = 1 << 0,
    NoApprovalForSetting = 1 << 1,
    ApprovalWithdrawn = 1 << 2,
    NoLawfulBasis = 1 << 3,
    ConsentWithdrawn = 1 << 4,
    ReviewOverdue = 1 << 5,
    ConsentRequiredAfterCapacityRegained = 1 << 6,
    ReassessmentRequired = 1 << 7,
    ProhibitedPurpose = 1 << 8,
    /// <summary>The requested purpose is not one the use was authorised for (or none was given).</summary>
    PurposeNotAuthorised = 1 << 9,
    /// <summary>The use needs a human-rights (Article 8) balancing record it does not have.</summary>
    HumanRightsRecordRequired = 1 << 10,
    /// <summary>The use monitors continuously or restricts, and its deprivation-of-liberty screen or authorisation is missing.</summary>
    DeprivationOfLibertyNotAuthorised = 1 << 11,
    /// <summary>The patient objected and the re-decision was not made within the trust's hours.</summary>
    ObjectionNotRedecided = 1 << 12,
    /// <summary>A valid and applicable advance decision refuses the technology.</summary>
    AdvanceDecisionToRefuse = 1 << 13,
    /// <summary>Capacity was lost on a consented safety use and the transition ended without a best-interests decision.</summary>
    BestInterestsDecisionOverdue = 1 << 14,
}

/// <summary>Things that do not deny yet but that staff must act on.</summary>
[Flags]
public enum UseCheckWarnings
{
    None = 0,
    ReviewDueSoon = 1 << 0,
    ReviewOverdue = 1 << 1,
    /// <summary>Capacity regained: the patient's own consent must be sought before the grace period ends.</summary>
    ConsentRequired = 1 << 2,
    /// <summary>Capacity lost on a consented safety use: a best-interests decision is needed before the transition ends.</summary>
    BestInterestsDecisionRequired = 1 << 3,
    /// <summary>The finding the basis rests on (capacity or Gillick competence) falls stale soon.</summary>
    ReassessmentDueSoon = 1 << 4,
    /// <summary>The patient objected: the re-decision is due.</summary>
    ObjectionRedecisionDue = 1 << 5,
    /// <summary>The patient turns 16 or 18 soon, and the rules change.</summary>
    AgeThresholdSoon = 1 << 6,
    /// <summary>The deprivation-of-liberty screen's review or its authorisation's expiry is close.</summary>
    DeprivationOfLibertyDeadlineSoon = 1 << 7,
    /// <summary>The attorney's decision prevails over a deputy's disagreement, which is for the Court of Protection (MCA s20(4)).</summary>
    ReferToCourtOfProtection = 1 << 8,
}

/// <summary>What staff fall back on when a safety use is denied.</summary>
public enum SafetyFallback
{
    None = 0,
    /// <summary>Keep the patient safe by human observation (the trust's observation policy) while the use cannot run.</summary>
    HumanObservation = 1,
}

/// <summary>One reason a check denies, with its kind carried as a type.</summary>
public readonly record struct UseDenial(UseDenyReasons Kind, Refusal Refusal);

/// <summary>The answer to "may technology T run for patient P on ward W now?".</summary>
public readonly record struct UseCheckResult(
    UseCheckDecision Decision,
    UseDenyReasons DenyReasons,
    IReadOnlyList<Refusal> Reasons,
    UseCheckWarnings Warnings,
    LawfulBasis? LawfulBasis,
    Guid? UseId,
    Guid? CarePlanRecordId,
    DateTime? ReviewDueDate,
    DateTime? ConsentRequiredBy)
{
    public bool IsPermitted => Decision == UseCheckDecision.Permit;

    /// <summary>The kind of each reason, four bits apiece (the bit number of its flag), so a deny allocates only its reasons.</summary>
    internal ulong DenialKinds { get; init; }

    /// <summary>Each deny reason with its kind, in the order found (made when asked for).</summary>
    public IReadOnlyList<UseDenial> Denials
    {
        get
        {
            var count = Reasons?.Count ?? 0;
            if (count == 0) return [];
            var denials = new UseDenial[count];
            for (var i = 0; i < count; i++)
                denials[i] = new UseDenial((UseDenyReasons)(1 << (int)((DenialKinds >> (4 * i)) & 0xF)), Reasons![i]);
            return denials;
        }
    }
    /// <summary>For a denied safety use: what keeps the patient safe instead (the device raises it as an alert).</summary>
    public SafetyFallback Fallback { get; init; }
    /// <summary>The earliest decision deadline the warnings point to (a best-interests decision, an objection's re-decision).</summary>
    public DateTime? DecisionRequiredBy { get; init; }
    /// <summary>The approval the check applied: the one rule (<see cref="TechnologyApproval.Select"/>) picked it with the use.</summary>
    public Guid? ApprovalId { get; init; }
}

/// <summary>
/// The enforcement point. Pure and allocation-light: it reads a per-patient snapshot the service keeps in memory,
/// picks the use and the approval by one rule, and allocates only the reasons when it denies.
/// </summary>
public static class UseCheck
{
    /// <summary>A check against one known approval (or none).</summary>
    public static UseCheckResult Evaluate(
        PatientConsentRecords records, Guid technologyId, string wardCode, UsePurpose purpose, TechnologyApproval? approval, TrustPolicy policy, DateTime now)
    {
        if (approval is null) return Evaluate(records, technologyId, wardCode, purpose, ReadOnlySpan<TechnologyApproval>.Empty, policy, now);
        TechnologyApproval single = approval;
        return Evaluate(records, technologyId, wardCode, purpose, new ReadOnlySpan<TechnologyApproval>(ref single), policy, now);
    }

    /// <summary>
    /// The check: the use for this technology on this ward and the approval for its setting are picked here, among
    /// all of the patient's uses and all of the trust's <paramref name="approvals"/>, and nowhere else.
    /// </summary>
    public static UseCheckResult Evaluate(
        PatientConsentRecords records,
        Guid technologyId,
        string wardCode,
        UsePurpose purpose,
        ReadOnlySpan<TechnologyApproval> approvals,
        TrustPolicy policy,
        DateTime now)
    {
        var reasons = new ReasonBuffer();
        var kinds = 0UL;
        var count = 0;
        var deny = UseDenyReasons.None;
        var warnings = UseCheckWarnings.None;
        DateTime? decisionRequiredBy = null;

        // One message per reason: a suspended use under a withdrawn approval is one problem, not two.
        static void Add(ref ReasonBuffer buffer, ref ulong kinds, ref int n, ref UseDenyReasons flags, UseDenyReasons flag, Refusal refusal)
        {
            if ((flags & flag) != 0) return;
            flags |= flag;
            if (n >= ReasonBuffer.Capacity) return;
            kinds |= (ulong)System.Numerics.BitOperations.Log2((uint)flag) << (4 * n);
            buffer[n++] = refusal;
        }

        static void Due(ref DateTime? earliest, DateTime deadline)
        {
            if (earliest is null || deadline < earliest) earliest = deadline;
        }

        var prohibited = TechnologyUse.IsProhibitedPurpose(purpose);
        if (prohibited)
            Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ProhibitedPurpose, UseRefusals.ProhibitedPurpose);

        var use = FindUse(records.Uses, technologyId, wardCode);
        if (use is null)
            Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.NoUse);

        var approval = TechnologyApproval.Select(approvals, technologyId, use?.SettingCode);
        if (approval is null)
            Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.NoApprovalForSetting,
                use is { Status: UseStatus.Suspended, SuspensionReason: SuspensionReason.NotApprovedForWardSetting } ? CheckRefusals.SuspendedNotApprovedForWard : UseRefusals.NoApproval);
        else if (approval.IsWithdrawn(now))
            Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ApprovalWithdrawn, UseRefusals.ApprovalWithdrawn);

        if (use is not null)
        {
            switch (use.Status)
            {
                case UseStatus.Ended when use.EndReason == UseEndReason.ConsentWithdrawn:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ConsentWithdrawn, LawfulBasisRules.Rows.ConsentWithdrawn);
                    break;
                case UseStatus.Ended:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.UseEnded);
                    break;
                case UseStatus.Suspended when use.SuspensionReason == SuspensionReason.NotApprovedForWardSetting:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.NoApprovalForSetting, CheckRefusals.SuspendedNotApprovedForWard);
                    break;
                case UseStatus.Suspended:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ApprovalWithdrawn, CheckRefusals.Suspended);
                    break;
                case UseStatus.Active:
                    break;
                default:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.NotStarted);
                    break;
            }

            // Purpose limitation: the data is used only for what the use was authorised for. A prohibited purpose is
            // already its own reason.
            if (!prohibited)
            {
                var authorised = use.AuthorisedPurposes;
                if (purpose is <= UsePurpose.Unspecified or > UsePurpose.CoverLowStaffing)
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.PurposeNotAuthorised, PurposeRefusals.Missing(authorised));
                else if (!authorised.Contains(purpose))
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.PurposeNotAuthorised, PurposeRefusals.NotAuthorised(purpose, authorised));
            }
        }

        // Re-apply the decision table now: time passes, capacity changes and documents expire.
        LawfulBasis? basis = null;
        DateTime? consentRequiredBy = null;
        var decision = LawfulBasisRules.Decide(records, technologyId, policy, now, approval, use);
        if (decision.IsRefused)
        {
            Add(ref reasons, ref kinds, ref count, ref deny, decision.DenyKind, decision.Refusal!);
        }
        else
        {
            var found = decision.Basis;
            basis = found;
            if (found.Status == LawfulBasisStatus.ConsentRequired)
            {
                warnings |= UseCheckWarnings.ConsentRequired;
                consentRequiredBy = found.ConsentRequiredBy;
            }
            else if (found.Status == LawfulBasisStatus.BestInterestsDecisionRequired && found.DecisionRequiredBy is { } by)
            {
                warnings |= UseCheckWarnings.BestInterestsDecisionRequired;
                Due(ref decisionRequiredBy, by);
            }
            if ((found.Notes & LawfulBasisNotes.DeputyDisagreesWithAttorney) != 0) warnings |= UseCheckWarnings.ReferToCourtOfProtection;
        }

        DateTime? reviewDue = null;
        if (use is not null)
        {
            // Article 8: every use not on the patient's own consent, every monitoring use, every use the patient objects to.
            if (basis is { } b && use.NeedsHumanRightsRecord(b.Kind, use.PatientObjects || b.PatientObjects) && (use.HumanRights is null || use.HumanRights.Validate() is not null))
                Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.HumanRightsRecordRequired, CheckRefusals.HumanRightsRecordRequired);

            if (use.ContinuousMonitoringOrRestrictive)
            {
                if (DeprivationOfLibertyRule.Check(records, use, now) is { } dol)
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.DeprivationOfLibertyNotAuthorised, dol);
                else if (DeprivationOfLibertyRule.NextDeadline(records, use, now) is { } dolDeadline && dolDeadline - now <= policy.DeadlineWarningNotice)
                    warnings |= UseCheckWarnings.DeprivationOfLibertyDeadlineSoon;
            }

            foreach (var objection in records.Objections)
            {
                if (objection.UseId != use.Id || !objection.IsOpen || objection.ObservedAt > now) continue;
                var due = objection.RedecisionDueBy(policy);
                if (now >= due)
                {
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ObjectionNotRedecided, CheckRefusals.ObjectionNotRedecided);
                }
                else
                {
                    warnings |= UseCheckWarnings.ObjectionRedecisionDue;
                    Due(ref decisionRequiredBy, due);
                }
            }

            reviewDue = use.CarePlan.NextReviewDate;
            switch (use.ReviewStateAt(policy, now))
            {
                case ReviewState.OverduePastGrace:
                    Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ReviewOverdue, CheckRefusals.ReviewOverdue);
                    break;
                case ReviewState.Overdue:
                    warnings |= UseCheckWarnings.ReviewOverdue;
                    break;
                case ReviewState.DueSoon:
                    warnings |= UseCheckWarnings.ReviewDueSoon;
                    break;
                case ReviewState.NotScheduled:
                    if (use.Status == UseStatus.Active)
                        Add(ref reasons, ref kinds, ref count, ref deny, UseDenyReasons.ReviewOverdue, CheckRefusals.ReviewNotScheduled);
                    break;
            }

            if (basis is { } found)
            {
                // A finding of capacity never falls stale: an adult's own consent needs no look at the findings again.
                if ((found.Kind != LawfulBasisKind.OwnConsent || found.Status != LawfulBasisStatus.Valid || records.AgeBandAt(now) == AgeBand.Under16) &&
                    ConsentSignals.FindingStaleFrom(records, technologyId, policy, now) is { } stale && stale - now <= policy.DeadlineWarningNotice)
                    warnings |= UseCheckWarnings.ReassessmentDueSoon;
                if (PatientAge.NextThreshold(records, now) is { } threshold && threshold.At - now <= policy.DeadlineWarningNotice)
                    warnings |= UseCheckWarnings.AgeThresholdSoon;
            }
        }

        var permitted = deny == UseDenyReasons.None;
        IReadOnlyList<Refusal> list = [];
        if (count > 0)
        {
            var array = new Refusal[count];
            for (var i = 0; i < count; i++) array[i] = reasons[i];
            list = array;
        }
        return new UseCheckResult(
            permitted ? UseCheckDecision.Permit : UseCheckDecision.Deny,
            deny,
            list,
            warnings,
            basis,
            use?.Id,
            use?.CarePlan.Id,
            reviewDue,
            consentRequiredBy)
        {
            DenialKinds = kinds,
            Fallback = !permitted && use is { ManagesSafetyRisk: true } ? SafetyFallback.HumanObservation : SafetyFallback.None,
            DecisionRequiredBy = decisionRequiredBy,
            ApprovalId = approval?.Id,
        };
    }

    /// <summary>The one rule for the use a check looks at: an active one on this ward if any, else a suspended, proposed or the latest ended one.</summary>
    public static TechnologyUse? FindUse(TechnologyUse[] uses, Guid technologyId, string wardCode)
    {
        TechnologyUse? best = null;
        foreach (var use in uses)
        {
            if (use.TechnologyId != technologyId || !string.Equals(use.WardCode, wardCode, StringComparison.Ordinal)) continue;
            if (best is null || Rank(use) > Rank(best) || (Rank(use) == Rank(best) && Latest(use) > Latest(best))) best = use;
        }
        return best;

        static int Rank(TechnologyUse u) => u.Status switch
        {
            UseStatus.Active => 4,
            UseStatus.Suspended => 3,
            UseStatus.Proposed => 2,
            _ => 1,
        };

        static DateTime Latest(TechnologyUse u) => u.EndedAt ?? u.ActivatedAt ?? u.ProposedAt;
    }

    [InlineArray(Capacity)]
    private struct ReasonBuffer
    {
        // Sixteen kinds of reason at most, and each is reported once: four bits of kind apiece fill a ulong.
        public const int Capacity = 16;
        private Refusal _element;
    }
}

/// <summary>Purpose-limitation refusals name both purposes. There are few combinations, so each is made once and kept.</summary>
internal static class PurposeRefusals
{
    private const int PurposeCount = 8;
    private const int Sets = 1 << PurposeCount;
    private static readonly Refusal?[] s_cache = new Refusal?[PurposeCount * Sets];

    public static Refusal Missing(PurposeSet authorised) => Get(UsePurpose.Unspecified, authorised);

    public static Refusal NotAuthorised(UsePurpose requested, PurposeSet authorised) => Get(requested, authorised);

    private static Refusal Get(UsePurpose requested, PurposeSet authorised)
    {
        var index = (int)requested * Sets + ((int)authorised & (Sets - 1));
        if ((uint)index >= (uint)s_cache.Length) return Make(requested, authorised);
        return s_cache[index] ?? Interlocked.CompareExchange(ref s_cache[index], Make(requested, authorised), null) ?? s_cache[index]!;
    }

    private static Refusal Make(UsePurpose requested, PurposeSet authorised) => requested == UsePurpose.Unspecified
        ? Refusal.Invalid("use-check.purpose-missing",
            $"State the purpose the data is wanted for. This use was authorised for: {Purposes.InWords(authorised)}.")
        : Refusal.Precondition("use-check.purpose-not-authorised",
            $"The request is for {Purposes.InWords(requested)}, but this use was authorised only for: {Purposes.InWords(authorised)}. " +
            "Data is used only for the purposes in the care plan; another purpose needs its own recorded basis.");
}

internal static class CheckRefusals
{
    public static readonly Refusal NoUse = Refusal.Precondition("use-check.no-use",
        "No care-plan record authorises this technology for this patient on this ward. Each use is decided for one patient; record the decision first.");
    public static readonly Refusal NotStarted = Refusal.Precondition("use-check.not-started",
        "The use of this technology for this patient has been proposed but not started: complete the care plan and lawful basis.");
    public static readonly Refusal UseEnded = Refusal.Precondition("use-check.use-ended",
        "The use of this technology for this patient has ended.");
    public static readonly Refusal Suspended = Refusal.Precondition("use-check.suspended-approval-withdrawn",
        "This use is suspended because the trust withdrew its approval for the technology in this setting.");
    public static readonly Refusal SuspendedNotApprovedForWard = Refusal.Precondition("use-check.suspended-not-approved-for-ward",
        "This use is suspended because the patient moved to a ward whose setting the trust has not approved the technology for.");
    public static readonly Refusal ReviewOverdue = Refusal.Precondition("use-check.review-overdue",
        "The review of this use is overdue beyond the trust's grace period: review it with the patient (and family or carers, if appropriate) before continuing.");
    public static readonly Refusal ReviewNotScheduled = Refusal.Precondition("use-check.review-not-scheduled",
        "This use has no next review date: set one in the care plan.");
    public static readonly Refusal HumanRightsRecordRequired = Refusal.Precondition("use-check.human-rights-record-required",
        "This use does not rest on the patient's own consent, monitors, or the patient objects: record the human-rights (Article 8) balancing for it (P1).");
    public static readonly Refusal ObjectionNotRedecided = Refusal.Precondition("use-check.objection-not-redecided",
        "The patient objected to this technology and it was not re-decided within the trust's hours: re-decide it, with the restraint test (MCA s6), a human-rights record and a deprivation-of-liberty screen.");
}
