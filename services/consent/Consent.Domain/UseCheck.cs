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
}

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
}

/// <summary>
/// The enforcement point. Pure and allocation-light: it reads a per-patient snapshot the service keeps in memory,
/// and allocates only the reasons array when it denies.
/// </summary>
public static class UseCheck
{
    public static UseCheckResult Evaluate(
        PatientConsentRecords records,
        Guid technologyId,
        string wardCode,
        UsePurpose purpose,
        TechnologyApproval? approval,
        TrustPolicy policy,
        DateTime now)
    {
        var reasons = new ReasonBuffer();
        var count = 0;
        var deny = UseDenyReasons.None;
        var warnings = UseCheckWarnings.None;

        // One message per reason: a suspended use under a withdrawn approval is one problem, not two.
        static void Add(ref ReasonBuffer buffer, ref int n, ref UseDenyReasons flags, UseDenyReasons flag, Refusal refusal)
        {
            if ((flags & flag) != 0) return;
            flags |= flag;
            if (n < ReasonBuffer.Capacity) buffer[n++] = refusal;
        }

        if (TechnologyUse.IsProhibitedPurpose(purpose))
            Add(ref reasons, ref count, ref deny, UseDenyReasons.ProhibitedPurpose, UseRefusals.ProhibitedPurpose);

        var use = FindUse(records.Uses, technologyId, wardCode);
        if (use is null)
            Add(ref reasons, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.NoUse);

        var setting = use?.SettingCode;
        if (approval is null || approval.TechnologyId != technologyId || (setting is not null && !approval.Covers(technologyId, setting)))
            Add(ref reasons, ref count, ref deny, UseDenyReasons.NoApprovalForSetting, UseRefusals.NoApproval);
        else if (approval.IsWithdrawn(now))
            Add(ref reasons, ref count, ref deny, UseDenyReasons.ApprovalWithdrawn, UseRefusals.ApprovalWithdrawn);

        if (use is not null)
        {
            switch (use.Status)
            {
                case UseStatus.Ended when use.EndReason == UseEndReason.ConsentWithdrawn:
                    Add(ref reasons, ref count, ref deny, UseDenyReasons.ConsentWithdrawn, LawfulBasisRules.Rows.ConsentWithdrawn);
                    break;
                case UseStatus.Ended:
                    Add(ref reasons, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.UseEnded);
                    break;
                case UseStatus.Suspended:
                    Add(ref reasons, ref count, ref deny, UseDenyReasons.ApprovalWithdrawn, CheckRefusals.Suspended);
                    break;
                case UseStatus.Active:
                    break;
                default:
                    Add(ref reasons, ref count, ref deny, UseDenyReasons.NoActiveUse, CheckRefusals.NotStarted);
                    break;
            }
        }

        // Re-apply the decision table now: time passes, capacity changes and documents expire.
        LawfulBasis? basis = null;
        DateTime? consentRequiredBy = null;
        var lawful = LawfulBasisRules.Evaluate(records, technologyId, policy, now);
        if (lawful.IsRefused)
        {
            var refusal = lawful.Refusal!;
            var flag = refusal.Rule switch
            {
                "lawful-basis.consent-withdrawn" => UseDenyReasons.ConsentWithdrawn,
                "lawful-basis.consent-required-after-capacity-regained" => UseDenyReasons.ConsentRequiredAfterCapacityRegained,
                "lawful-basis.reassessment-required" => UseDenyReasons.ReassessmentRequired,
                _ => UseDenyReasons.NoLawfulBasis,
            };
            Add(ref reasons, ref count, ref deny, flag, refusal);
        }
        else
        {
            basis = lawful.Value;
            if (basis.Value.Status == LawfulBasisStatus.ConsentRequired)
            {
                warnings |= UseCheckWarnings.ConsentRequired;
                consentRequiredBy = basis.Value.ConsentRequiredBy;
            }
        }

        DateTime? reviewDue = null;
        if (use is not null)
        {
            reviewDue = use.CarePlan.NextReviewDate;
            switch (use.ReviewStateAt(policy, now))
            {
                case ReviewState.OverduePastGrace:
                    Add(ref reasons, ref count, ref deny, UseDenyReasons.ReviewOverdue, CheckRefusals.ReviewOverdue);
                    break;
                case ReviewState.Overdue:
                    warnings |= UseCheckWarnings.ReviewOverdue;
                    break;
                case ReviewState.DueSoon:
                    warnings |= UseCheckWarnings.ReviewDueSoon;
                    break;
                case ReviewState.NotScheduled:
                    if (use.Status == UseStatus.Active)
                        Add(ref reasons, ref count, ref deny, UseDenyReasons.ReviewOverdue, CheckRefusals.ReviewNotScheduled);
                    break;
            }
        }

        IReadOnlyList<Refusal> list = [];
        if (count > 0)
        {
            var array = new Refusal[count];
            for (var i = 0; i < count; i++) array[i] = reasons[i];
            list = array;
        }
        return new UseCheckResult(
            deny == UseDenyReasons.None ? UseCheckDecision.Permit : UseCheckDecision.Deny,
            deny,
            list,
            warnings,
            basis,
            use?.Id,
            use?.CarePlan.Id,
            reviewDue,
            consentRequiredBy);
    }

    /// <summary>The use for this technology on this ward: an active one if any, else a suspended, proposed or the latest ended one.</summary>
    private static TechnologyUse? FindUse(TechnologyUse[] uses, Guid technologyId, string wardCode)
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
        public const int Capacity = 10;
        private Refusal _element;
    }
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
    public static readonly Refusal ReviewOverdue = Refusal.Precondition("use-check.review-overdue",
        "The review of this use is overdue beyond the trust's grace period: review it with the patient (and family or carers, if appropriate) before continuing.");
    public static readonly Refusal ReviewNotScheduled = Refusal.Precondition("use-check.review-not-scheduled",
        "This use has no next review date: set one in the care plan.");
}
