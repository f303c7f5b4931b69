using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>The stated purpose of a use. The last two are never accepted (P5).</summary>
public enum UsePurpose
{
    Unspecified = 0,
    DirectCareOrTreatment = 1,
    PatientSafety = 2,
    Monitoring = 3,
    CommunicationOrFeedback = 4,
    /// <summary>Freeing staff from administrative work so they spend more time with patients.</summary>
    ReleasingTimeToCare = 5,
    ReduceStaffTimeWithPatient = 6,
    CoverLowStaffing = 7,
}

public enum UseStatus
{
    Unspecified = 0,
    Proposed = 1,
    Active = 2,
    Suspended = 3,
    Ended = 4,
}

public enum UseEndReason
{
    None = 0,
    ConsentWithdrawn = 1,
    NoLongerNeeded = 2,
    Discharged = 3,
    ReviewDecidedToStop = 4,
}

public enum SuspensionReason
{
    None = 0,
    ApprovalWithdrawn = 1,
}

public enum ReviewState
{
    NotScheduled = 0,
    NotDue = 1,
    DueSoon = 2,
    /// <summary>Past the review date but within the trust's grace period: visible and alerting, still permitted.</summary>
    Overdue = 3,
    /// <summary>Past the grace period: the use check denies.</summary>
    OverduePastGrace = 4,
}

/// <summary>
/// A request to use a technology. It carries a list of patients and a whole-ward flag only so that blanket requests
/// can be refused by name (P2) rather than silently narrowed.
/// </summary>
public sealed record TechnologyUseRequest(
    IReadOnlyList<Guid> PatientIds,
    Guid TechnologyId,
    string? WardCode,
    string? SettingCode,
    bool WholeWard,
    UsePurpose Purpose);

/// <summary>One patient × one approved technology × one ward, resting on exactly one lawful basis.</summary>
public sealed class TechnologyUse : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public string WardCode { get; init; } = "";
    public string SettingCode { get; init; } = "";
    public UsePurpose Purpose { get; set; }
    public bool IsSurveillance { get; set; }
    public bool ManagesSafetyRisk { get; set; }
    /// <summary>The patient objects to the technology (recorded whatever their capacity); requires human-rights balancing.</summary>
    public bool PatientObjects { get; set; }
    public UseStatus Status { get; set; }

    public LawfulBasisKind LawfulBasisKind { get; set; }
    public Guid? LawfulBasisRecordId { get; set; }
    public ProxyKind LawfulBasisProxyKind { get; set; }

    public CarePlanRecord CarePlan { get; set; } = new();
    public HumanRightsBalancing? HumanRights { get; set; }
    public SafetyProportionality? Safety { get; set; }

    public DateTime ProposedAt { get; set; }
    public DateTime? ActivatedAt { get; set; }
    public DateTime? LastReviewedAt { get; set; }
    public DateTime? SuspendedAt { get; set; }
    public SuspensionReason SuspensionReason { get; set; }
    public DateTime? EndedAt { get; set; }
    public UseEndReason EndReason { get; set; }
    /// <summary>The review date for which the overdue alert has been raised, so each missed review alerts once.</summary>
    public DateTime? ReviewOverdueRaisedFor { get; set; }

    public static bool IsProhibitedPurpose(UsePurpose purpose) =>
        purpose is UsePurpose.ReduceStaffTimeWithPatient or UsePurpose.CoverLowStaffing;

    /// <summary>
    /// Checks the request's shape and the trust's approval, and returns a proposed use to complete (care plan,
    /// lawful basis, balancing records) before <see cref="Activate"/>.
    /// </summary>
    public static Outcome<TechnologyUse> Propose(TechnologyUseRequest request, TechnologyApproval? approval, Guid id, Guid carePlanRecordId, DateTime now)
    {
        if (request.WholeWard || DistinctCount(request.PatientIds) > 1) return UseRefusals.Blanket;
        if (DistinctCount(request.PatientIds) == 0 || request.PatientIds[0] == Guid.Empty) return UseRefusals.PatientRequired;
        if (request.TechnologyId == Guid.Empty) return UseRefusals.TechnologyRequired;
        if (string.IsNullOrWhiteSpace(request.WardCode)) return UseRefusals.WardRequired;
        if (string.IsNullOrWhiteSpace(request.SettingCode)) return UseRefusals.SettingRequired;
        if (request.Purpose == UsePurpose.Unspecified || !Enum.IsDefined(request.Purpose)) return UseRefusals.PurposeRequired;
        if (IsProhibitedPurpose(request.Purpose)) return UseRefusals.ProhibitedPurpose;
        if (approval is null || !approval.Covers(request.TechnologyId, request.SettingCode)) return UseRefusals.NoApproval;
        if (approval.IsWithdrawn(now)) return UseRefusals.ApprovalWithdrawn;

        return new TechnologyUse
        {
            Id = id,
            PatientId = request.PatientIds[0],
            TechnologyId = request.TechnologyId,
            WardCode = request.WardCode.Trim(),
            SettingCode = request.SettingCode,
            Purpose = request.Purpose,
            IsSurveillance = approval.IsSurveillance,
            ManagesSafetyRisk = approval.ManagesSafetyRisk || request.Purpose == UsePurpose.PatientSafety,
            Status = UseStatus.Proposed,
            ProposedAt = now,
            CarePlan = new CarePlanRecord { Id = carePlanRecordId, TechnologyName = approval.TechnologyName },
        };
    }

    /// <summary>
    /// Starts the use on the basis <see cref="LawfulBasisRules.Evaluate"/> found. Refuses, by name, anything
    /// missing: a care-plan item, human-rights balancing, safety proportionality, the approval, the basis.
    /// </summary>
    public Refusal? Activate(LawfulBasis basis, TechnologyApproval? approval, TrustPolicy policy, DateTime now)
    {
        if (Status != UseStatus.Proposed) return UseRefusals.NotProposed;
        if (IsProhibitedPurpose(Purpose)) return UseRefusals.ProhibitedPurpose;
        if (approval is null || !approval.Covers(TechnologyId, SettingCode)) return UseRefusals.NoApproval;
        if (approval.IsWithdrawn(now)) return UseRefusals.ApprovalWithdrawn;
        if (basis.Kind == LawfulBasisKind.None || basis.RecordId == Guid.Empty) return UseRefusals.BasisRequired;
        // A use cannot start on a basis that is already ending.
        if (basis.Status != LawfulBasisStatus.Valid) return UseRefusals.BasisEnding;
        if (CarePlan.Validate(policy, now) is { } carePlanGap) return carePlanGap;
        // An objection recorded in the best-interests decision is the use's objection too: never silently overridden.
        var objects = PatientObjects || basis.PatientObjects;
        if (objects || IsSurveillance)
        {
            if (HumanRights is null) return objects ? UseRefusals.HumanRightsForObjection : UseRefusals.HumanRightsForSurveillance;
            if (HumanRights.Validate() is { } gap) return gap;
        }
        if (ManagesSafetyRisk)
        {
            if (Safety is null) return UseRefusals.SafetyRequired;
            if (Safety.Validate() is { } gap) return gap;
        }
        PatientObjects = objects;
        SetBasis(basis);
        Status = UseStatus.Active;
        ActivatedAt = now;
        return null;
    }

    /// <summary>Moves the use to the basis now in force, e.g. the patient's own consent after regaining capacity.</summary>
    public Refusal? Rebase(LawfulBasis basis)
    {
        if (Status is not (UseStatus.Active or UseStatus.Suspended)) return UseRefusals.NotActive;
        if (basis.Kind == LawfulBasisKind.None || basis.RecordId == Guid.Empty) return UseRefusals.BasisRequired;
        SetBasis(basis);
        return null;
    }

    private void SetBasis(LawfulBasis basis)
    {
        LawfulBasisKind = basis.Kind;
        LawfulBasisRecordId = basis.RecordId;
        LawfulBasisProxyKind = basis.ProxyKind;
    }

    /// <summary>Consent withdrawn: the use ends at once, whatever its state.</summary>
    public Refusal? Withdraw(DateTime now) => End(UseEndReason.ConsentWithdrawn, now);

    public Refusal? End(UseEndReason reason, DateTime now)
    {
        if (reason == UseEndReason.None) return UseRefusals.EndReasonRequired;
        if (Status == UseStatus.Ended) return UseRefusals.AlreadyEnded;
        Status = UseStatus.Ended;
        EndReason = reason;
        EndedAt = now;
        return null;
    }

    /// <summary>
    /// Consent (own or proxy) with id <paramref name="consentRecordId"/> was withdrawn: every use resting on it ends
    /// at once. Returns the uses that ended.
    /// </summary>
    public static IReadOnlyList<TechnologyUse> EndAllOnWithdrawnConsent(IEnumerable<TechnologyUse> uses, Guid consentRecordId, DateTime now)
    {
        var ended = new List<TechnologyUse>();
        foreach (var use in uses)
            if (use.LawfulBasisRecordId == consentRecordId && (use.LawfulBasisKind is LawfulBasisKind.OwnConsent or LawfulBasisKind.ProxyConsent) && use.Withdraw(now) is null)
                ended.Add(use);
        return ended;
    }

    /// <summary>The trust withdrew its approval for this technology or setting. Returns true if the use changed.</summary>
    public bool SuspendForApprovalWithdrawn(DateTime now)
    {
        if (Status is not (UseStatus.Active or UseStatus.Proposed)) return false;
        Status = UseStatus.Suspended;
        SuspendedAt = now;
        SuspensionReason = SuspensionReason.ApprovalWithdrawn;
        return true;
    }

    /// <summary>Suspends every use in <paramref name="uses"/> that the withdrawn approval covered; returns those changed.</summary>
    public static IReadOnlyList<TechnologyUse> SuspendAllForWithdrawnApproval(IEnumerable<TechnologyUse> uses, TechnologyApproval withdrawn, DateTime now)
    {
        var changed = new List<TechnologyUse>();
        foreach (var use in uses)
            if (withdrawn.Covers(use.TechnologyId, use.SettingCode) && use.SuspendForApprovalWithdrawn(now))
                changed.Add(use);
        return changed;
    }

    /// <summary>Approval is back in force: a use suspended only for that reason resumes.</summary>
    public Refusal? Resume(TechnologyApproval? approval, DateTime now)
    {
        if (Status != UseStatus.Suspended || SuspensionReason != SuspensionReason.ApprovalWithdrawn) return UseRefusals.NotSuspended;
        if (approval is null || !approval.Covers(TechnologyId, SettingCode)) return UseRefusals.NoApproval;
        if (approval.IsWithdrawn(now)) return UseRefusals.ApprovalWithdrawn;
        Status = LawfulBasisKind == LawfulBasisKind.None ? UseStatus.Proposed : UseStatus.Active;
        SuspendedAt = null;
        SuspensionReason = SuspensionReason.None;
        return null;
    }

    /// <summary>Records a review held with the patient (and, if appropriate, family and carers) and sets the next.</summary>
    public Refusal? RecordReview(DateTime reviewedAt, DateTime nextReviewDate, string reviewCovers, TrustPolicy policy)
    {
        if (Status is not (UseStatus.Active or UseStatus.Suspended)) return UseRefusals.NotActive;
        if (string.IsNullOrWhiteSpace(reviewCovers)) return Refusal.Invalid("care-plan.review-covers-missing", "Record what the next review will cover.");
        if (nextReviewDate <= reviewedAt) return Refusal.Invalid("care-plan.next-review-in-past", "The next review date must be in the future.");
        if (nextReviewDate - reviewedAt > policy.MaxReviewInterval)
            return Refusal.Invalid("care-plan.next-review-too-far", $"The next review must be within {policy.MaxReviewInterval.TotalDays:0} days.");
        LastReviewedAt = reviewedAt;
        CarePlan.NextReviewDate = nextReviewDate;
        CarePlan.ReviewCovers = reviewCovers.Trim();
        return null;
    }

    public ReviewState ReviewStateAt(TrustPolicy policy, DateTime now)
    {
        if (CarePlan.NextReviewDate is not { } due) return ReviewState.NotScheduled;
        if (now >= due + policy.ReviewGracePeriod) return ReviewState.OverduePastGrace;
        if (now >= due) return ReviewState.Overdue;
        if (now >= due - policy.ReviewDueSoonNotice) return ReviewState.DueSoon;
        return ReviewState.NotDue;
    }

    /// <summary>
    /// A live use whose review date has passed and whose alert has not yet been raised for that date: marks it raised
    /// and returns the date, so the caller raises the alert exactly once per missed review. A review recorded later
    /// sets a new date, which can fall overdue (and alert) again.
    /// </summary>
    public DateTime? TakeOverdueReview(TrustPolicy policy, DateTime now)
    {
        if (Status is not (UseStatus.Active or UseStatus.Suspended)) return null;
        if (ReviewStateAt(policy, now) is not (ReviewState.Overdue or ReviewState.OverduePastGrace)) return null;
        var due = CarePlan.NextReviewDate!.Value;
        if (ReviewOverdueRaisedFor == due) return null;
        ReviewOverdueRaisedFor = due;
        return due;
    }

    /// <summary>The plain-language patient copy of the care-plan record.</summary>
    public string PatientCopy() => CarePlan.PatientCopy(LawfulBasisKind, LawfulBasisProxyKind);

    private static int DistinctCount(IReadOnlyList<Guid>? ids)
    {
        if (ids is null || ids.Count == 0) return 0;
        var first = ids[0];
        for (var i = 1; i < ids.Count; i++)
            if (ids[i] != first) return 2;
        return 1;
    }
}

internal static class UseRefusals
{
    public static readonly Refusal Blanket = Refusal.Invalid("use.blanket-approach",
        "A technology is decided for one patient at a time; it must never be applied as a blanket approach to a ward or a group of patients (P2). Make a separate, personalised decision for each patient.");
    public static readonly Refusal PatientRequired = Refusal.Invalid("use.patient-required", "Name the one patient this use is for.");
    public static readonly Refusal TechnologyRequired = Refusal.Invalid("use.technology-required", "Name the approved technology.");
    public static readonly Refusal WardRequired = Refusal.Invalid("use.ward-required", "Name the ward the technology will be used on.");
    public static readonly Refusal SettingRequired = Refusal.Invalid("use.setting-required", "Name the ward's setting type, so the trust's approval can be checked.");
    public static readonly Refusal PurposeRequired = Refusal.Invalid("use.purpose-required", "State the purpose of using the technology for this patient.");
    public static readonly Refusal ProhibitedPurpose = Refusal.Precondition("use.purpose-reduces-staff-time",
        "A technology must not be used to reduce the time staff spend with the patient or to cover low staffing (P5). Use it only for a clear benefit to this patient.");
    public static readonly Refusal NoApproval = Refusal.Precondition("use.no-approval-for-setting",
        "The trust has not approved this technology for this ward's setting. Using it in a new setting needs its own approval.");
    public static readonly Refusal ApprovalWithdrawn = Refusal.Precondition("use.approval-withdrawn",
        "The trust has withdrawn its approval for this technology in this setting; it cannot be used.");
    public static readonly Refusal NotProposed = Refusal.Precondition("use.not-proposed", "Only a proposed use can be started.");
    public static readonly Refusal NotActive = Refusal.Precondition("use.not-active", "This use is not active.");
    public static readonly Refusal NotSuspended = Refusal.Precondition("use.not-suspended", "Only a use suspended because approval was withdrawn can resume.");
    public static readonly Refusal BasisRequired = Refusal.Precondition("use.lawful-basis-required",
        "A use needs exactly one lawful basis: the patient's consent, a proxy's consent or a best-interests decision.");
    public static readonly Refusal BasisEnding = Refusal.Precondition("use.lawful-basis-ending",
        "The patient has regained capacity, so a new use cannot start on a proxy or best-interests basis: seek the patient's own consent.");
    public static readonly Refusal HumanRightsForObjection = Refusal.Invalid("human-rights.required-patient-objects",
        "The patient objects to this technology: record the human-rights balancing (rights engaged, how balanced, legal advice) before use (P1).");
    public static readonly Refusal HumanRightsForSurveillance = Refusal.Invalid("human-rights.required-surveillance",
        "This is a surveillance technology: record the human-rights balancing (rights engaged, how balanced, legal advice) before use (P1).");
    public static readonly Refusal SafetyRequired = Refusal.Invalid("safety.required",
        "This technology manages a safety risk: record why it is proportionate and how relational care continues (P6).");
    public static readonly Refusal EndReasonRequired = Refusal.Invalid("use.end-reason-required", "Record why the use is ending.");
    public static readonly Refusal AlreadyEnded = Refusal.Precondition("use.already-ended", "This use has already ended.");
}
