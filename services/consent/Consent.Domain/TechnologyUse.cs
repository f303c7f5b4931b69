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

/// <summary>A set of purposes: what a use's data may be used for (its care-plan data-use item).</summary>
[Flags]
public enum PurposeSet
{
    None = 0,
    DirectCareOrTreatment = 1 << (int)UsePurpose.DirectCareOrTreatment,
    PatientSafety = 1 << (int)UsePurpose.PatientSafety,
    Monitoring = 1 << (int)UsePurpose.Monitoring,
    CommunicationOrFeedback = 1 << (int)UsePurpose.CommunicationOrFeedback,
    ReleasingTimeToCare = 1 << (int)UsePurpose.ReleasingTimeToCare,
}

public static class Purposes
{
    private const PurposeSet Allowed = PurposeSet.DirectCareOrTreatment | PurposeSet.PatientSafety | PurposeSet.Monitoring |
        PurposeSet.CommunicationOrFeedback | PurposeSet.ReleasingTimeToCare;

    public static PurposeSet Of(UsePurpose purpose) => purpose is > UsePurpose.Unspecified and <= UsePurpose.ReleasingTimeToCare ? (PurposeSet)(1 << (int)purpose) : PurposeSet.None;

    public static bool Contains(this PurposeSet set, UsePurpose purpose) => (set & Of(purpose)) != 0;

    /// <summary>Only the accepted purposes: the two P5 forbids, and anything unknown, are never part of a set.</summary>
    public static bool IsAcceptable(PurposeSet set) => (set & ~Allowed) == 0;

    /// <summary>The purposes in words, for a reason a clinician reads.</summary>
    public static string InWords(PurposeSet set)
    {
        if (set == PurposeSet.None) return "none";
        var words = new List<string>(5);
        foreach (var purpose in Enum.GetValues<UsePurpose>())
            if (set.Contains(purpose)) words.Add(InWords(purpose));
        return string.Join(", ", words);
    }

    public static string InWords(UsePurpose purpose) => purpose switch
    {
        UsePurpose.DirectCareOrTreatment => "direct care or treatment",
        UsePurpose.PatientSafety => "patient safety",
        UsePurpose.Monitoring => "monitoring",
        UsePurpose.CommunicationOrFeedback => "communication or feedback",
        UsePurpose.ReleasingTimeToCare => "releasing time to care",
        UsePurpose.ReduceStaffTimeWithPatient => "reducing staff time with the patient",
        UsePurpose.CoverLowStaffing => "covering low staffing",
        _ => "no purpose stated",
    };
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
    /// <summary>The re-decision after the patient's objection was to stop.</summary>
    ObjectionRedecidedToStop = 5,
}

public enum SuspensionReason
{
    None = 0,
    ApprovalWithdrawn = 1,
    /// <summary>The patient moved to a ward whose setting the technology is not approved for.</summary>
    NotApprovedForWardSetting = 2,
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
    /// <summary>The ward the patient is on; a transfer moves it (<see cref="TransferPatient"/>).</summary>
    public string WardCode { get; set; } = "";
    /// <summary>The ward's setting type, from the trust's ward directory.</summary>
    public string SettingCode { get; set; } = "";
    public UsePurpose Purpose { get; set; }
    public bool IsSurveillance { get; set; }
    public bool ManagesSafetyRisk { get; set; }
    /// <summary>Continuous monitoring or a restriction: needs a deprivation-of-liberty screen (from the approval).</summary>
    public bool ContinuousMonitoringOrRestrictive { get; set; }
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
    /// <summary>When the proposed use was last corrected before activation.</summary>
    public DateTime? CorrectedAt { get; set; }

    public static bool IsProhibitedPurpose(UsePurpose purpose) =>
        purpose is UsePurpose.ReduceStaffTimeWithPatient or UsePurpose.CoverLowStaffing;

    /// <summary>The purposes the use's data may be used for: its stated purpose and those its care-plan data-use item lists.</summary>
    public PurposeSet AuthorisedPurposes => Purposes.Of(Purpose) | CarePlan.DataUsePurposes;

    /// <summary>Monitoring in the P1 sense: every use needs a human-rights balancing record, whatever its basis.</summary>
    public bool IsMonitoring => IsSurveillance || ContinuousMonitoringOrRestrictive || Purpose == UsePurpose.Monitoring;

    /// <summary>A human-rights (Article 8) record is required: the use does not rest on the patient's own consent, is monitoring, or the patient objects.</summary>
    public bool NeedsHumanRightsRecord(LawfulBasisKind basis, bool patientObjects) =>
        patientObjects || IsMonitoring || (basis != LawfulBasisKind.OwnConsent && basis != LawfulBasisKind.None);

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
        if (approval.Validate() is { } badApproval) return badApproval;

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
            ContinuousMonitoringOrRestrictive = approval.ContinuousMonitoringOrRestrictive,
            Status = UseStatus.Proposed,
            ProposedAt = now,
            CarePlan = new CarePlanRecord { Id = carePlanRecordId, TechnologyName = approval.TechnologyName },
        };
    }

    /// <summary>
    /// Starts the use on the basis <see cref="LawfulBasisRules.Evaluate(PatientConsentRecords, Guid, TrustPolicy, DateTime, TechnologyApproval?, TechnologyUse?)"/>
    /// found. Refuses, by name, anything missing: a care-plan item, human-rights balancing, safety proportionality,
    /// the deprivation-of-liberty screen (which needs the patient's <paramref name="records"/>), the approval, the basis.
    /// </summary>
    public Refusal? Activate(LawfulBasis basis, TechnologyApproval? approval, TrustPolicy policy, DateTime now, PatientConsentRecords? records = null)
    {
        if (Status != UseStatus.Proposed) return UseRefusals.NotProposed;
        if (IsProhibitedPurpose(Purpose)) return UseRefusals.ProhibitedPurpose;
        if (approval is null || !approval.Covers(TechnologyId, SettingCode)) return UseRefusals.NoApproval;
        if (approval.IsWithdrawn(now)) return UseRefusals.ApprovalWithdrawn;
        if (basis.Kind == LawfulBasisKind.None || basis.RecordId == Guid.Empty) return UseRefusals.BasisRequired;
        // A use cannot start on a basis that is already ending.
        if (basis.Status != LawfulBasisStatus.Valid) return UseRefusals.BasisEnding;
        if (!Purposes.IsAcceptable(CarePlan.DataUsePurposes)) return UseRefusals.DataUsePurposeNotAccepted;
        if (CarePlan.Validate(policy, now) is { } carePlanGap) return carePlanGap;
        // An objection recorded in the best-interests decision is the use's objection too: never silently overridden.
        var objects = PatientObjects || basis.PatientObjects;
        if (NeedsHumanRightsRecord(basis.Kind, objects))
        {
            if (HumanRights is null)
                return objects ? UseRefusals.HumanRightsForObjection
                    : IsMonitoring ? UseRefusals.HumanRightsForSurveillance
                    : UseRefusals.HumanRightsForNonConsensualBasis;
            if (HumanRights.Validate() is { } gap) return gap;
        }
        if (ManagesSafetyRisk)
        {
            if (Safety is null) return UseRefusals.SafetyRequired;
            if (Safety.Validate() is { } gap) return gap;
        }
        if (ContinuousMonitoringOrRestrictive)
        {
            if (records is null) return DolRefusals.ScreenRequired;
            if (DeprivationOfLibertyRule.Check(records, this, now) is { } dol) return dol;
        }
        PatientObjects = objects;
        SetBasis(basis);
        Status = UseStatus.Active;
        ActivatedAt = now;
        return null;
    }

    /// <summary>
    /// Corrects a proposed use before it starts (its purpose, data-use purposes, care plan, balancing records), rather
    /// than ending it with a misleading reason. The patient, technology and ward are what the use is: a different one
    /// is a different use.
    /// </summary>
    public Refusal? Correct(UseCorrection correction, TechnologyApproval? approval, DateTime now)
    {
        if (Status != UseStatus.Proposed) return UseRefusals.OnlyProposedCanBeCorrected;
        var purpose = correction.Purpose ?? Purpose;
        if (purpose == UsePurpose.Unspecified || !Enum.IsDefined(purpose)) return UseRefusals.PurposeRequired;
        if (IsProhibitedPurpose(purpose)) return UseRefusals.ProhibitedPurpose;
        var dataUse = correction.DataUsePurposes ?? CarePlan.DataUsePurposes;
        if (!Purposes.IsAcceptable(dataUse)) return UseRefusals.DataUsePurposeNotAccepted;
        if (approval is null || !approval.Covers(TechnologyId, SettingCode)) return UseRefusals.NoApproval;
        if (approval.IsWithdrawn(now)) return UseRefusals.ApprovalWithdrawn;
        if (correction.CarePlan?.ValidateText() is { } badText) return badText;
        if (correction.HumanRights?.ValidateText() is { } badRights) return badRights;
        if (correction.Safety?.ValidateText() is { } badSafety) return badSafety;

        Purpose = purpose;
        ManagesSafetyRisk = approval.ManagesSafetyRisk || purpose == UsePurpose.PatientSafety;
        ContinuousMonitoringOrRestrictive = approval.ContinuousMonitoringOrRestrictive;
        IsSurveillance = approval.IsSurveillance;
        if (correction.CarePlan is { } plan) CarePlan.CopyItemsFrom(plan);
        CarePlan.DataUsePurposes = dataUse;
        if (correction.PatientObjects is { } objects) PatientObjects = objects;
        if (correction.HumanRights is not null) HumanRights = correction.HumanRights;
        if (correction.Safety is not null) Safety = correction.Safety;
        CorrectedAt = now;
        return null;
    }

    /// <summary>
    /// Records (or replaces) the Article 8 balancing of a use already started: required at every check for a use not on
    /// the patient's own consent and for every monitoring use (P1), so a use started before the rule, or one whose basis
    /// moved, can be brought back within it without being re-proposed. A proposed use is corrected instead.
    /// </summary>
    public Refusal? RecordHumanRightsBalancing(HumanRightsBalancing balancing)
    {
        if (Status == UseStatus.Proposed) return UseRefusals.ProposedUseIsCorrected;
        if (Status is not (UseStatus.Active or UseStatus.Suspended)) return UseRefusals.NotActive;
        if (FreeText.First(balancing.Validate(), balancing.ValidateText()) is { } refusal) return refusal;
        HumanRights = balancing;
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
        Suspend(SuspensionReason.ApprovalWithdrawn, now);
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

    /// <summary>
    /// The patient moves to <paramref name="wardCode"/>, whose setting (from the trust's ward directory) is
    /// <paramref name="settingCode"/>: every live use moves with them, and every one the trust has not approved for the
    /// new setting is suspended at once (a use suspended only for that reason resumes where it is approved again).
    /// Returns the uses that moved and, of those, the ones suspended.
    /// </summary>
    public static WardTransfer TransferPatient(IEnumerable<TechnologyUse> uses, string wardCode, string settingCode, ReadOnlySpan<TechnologyApproval> approvals, DateTime now)
    {
        var moved = new List<TechnologyUse>();
        var suspended = new List<TechnologyUse>();
        var resumed = new List<TechnologyUse>();
        foreach (var use in uses)
        {
            if (use.Status is not (UseStatus.Proposed or UseStatus.Active or UseStatus.Suspended)) continue;
            use.WardCode = wardCode;
            use.SettingCode = settingCode;
            moved.Add(use);
            var approval = TechnologyApproval.Select(approvals, use.TechnologyId, settingCode);
            var approved = approval is not null && !approval.IsWithdrawn(now);
            if (!approved && use.Status is UseStatus.Active or UseStatus.Proposed)
            {
                use.Suspend(SuspensionReason.NotApprovedForWardSetting, now);
                suspended.Add(use);
            }
            else if (approved && use.Status == UseStatus.Suspended && use.SuspensionReason == SuspensionReason.NotApprovedForWardSetting && use.Resume(approval, now) is null)
            {
                resumed.Add(use);
            }
        }
        return new WardTransfer(wardCode, settingCode, moved, suspended, resumed);
    }

    private void Suspend(SuspensionReason reason, DateTime now)
    {
        Status = UseStatus.Suspended;
        SuspendedAt = now;
        SuspensionReason = reason;
    }

    /// <summary>Approval is back in force: a use suspended only for that reason resumes.</summary>
    public Refusal? Resume(TechnologyApproval? approval, DateTime now)
    {
        if (Status != UseStatus.Suspended || SuspensionReason is not (SuspensionReason.ApprovalWithdrawn or SuspensionReason.NotApprovedForWardSetting)) return UseRefusals.NotSuspended;
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

    /// <summary>
    /// Records a review held with people (<see cref="UseReview"/>): who took part, the patient's views, what was
    /// observed and the decision. Continue or change sets the next review; stop ends the use.
    /// </summary>
    public Refusal? RecordReview(UseReview review, TrustPolicy policy)
    {
        if (Status is not (UseStatus.Active or UseStatus.Suspended)) return UseRefusals.NotActive;
        if (review.UseId != Id) return UseRefusals.ReviewOfAnotherUse;
        if (review.Validate(policy) is { } gap) return gap;
        LastReviewedAt = review.ReviewedAt;
        if (review.Decision == ReviewDecision.Stop) return End(UseEndReason.ReviewDecidedToStop, review.ReviewedAt);
        CarePlan.NextReviewDate = review.NextReviewDate;
        CarePlan.ReviewCovers = review.NextReviewCovers!.Trim();
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

    /// <summary>The plain-language patient copy of the care-plan record, under the trust's default policy.</summary>
    public string PatientCopy() => PatientCopy(TrustPolicy.Default);

    /// <summary>The plain-language patient copy: it says what really happens, under this use's basis, if the patient says no.</summary>
    public string PatientCopy(TrustPolicy policy) => CarePlan.PatientCopy(LawfulBasisKind, LawfulBasisProxyKind, policy);

    private static int DistinctCount(IReadOnlyList<Guid>? ids)
    {
        if (ids is null || ids.Count == 0) return 0;
        var first = ids[0];
        for (var i = 1; i < ids.Count; i++)
            if (ids[i] != first) return 2;
        return 1;
    }
}

/// <summary>What a transfer did: the uses that moved, those suspended because the new setting is not approved, and those resumed.</summary>
public sealed record WardTransfer(string WardCode, string SettingCode, IReadOnlyList<TechnologyUse> Moved, IReadOnlyList<TechnologyUse> Suspended, IReadOnlyList<TechnologyUse> Resumed);

/// <summary>Corrections to a proposed use; null leaves a part as it is.</summary>
public sealed record UseCorrection(
    UsePurpose? Purpose = null,
    PurposeSet? DataUsePurposes = null,
    CarePlanRecord? CarePlan = null,
    bool? PatientObjects = null,
    HumanRightsBalancing? HumanRights = null,
    SafetyProportionality? Safety = null);

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
        "This is a surveillance or monitoring use: record the human-rights balancing (rights engaged, how balanced, legal advice) before use (P1).");
    public static readonly Refusal HumanRightsForNonConsensualBasis = Refusal.Invalid("human-rights.required-not-own-consent",
        "This use does not rest on the patient's own consent: record the human-rights balancing (Article 8: rights engaged, how balanced, legal advice) before use (P1).");
    public static readonly Refusal DataUsePurposeNotAccepted = Refusal.Precondition("use.data-use-purpose-not-accepted",
        "The care plan's data-use purposes may list only accepted purposes (direct care, safety, monitoring, communication, releasing time to care): never reducing staff time or covering low staffing (P5).");
    public static readonly Refusal OnlyProposedCanBeCorrected = Refusal.Precondition("use.not-correctable",
        "Only a proposed use can be corrected; a use that has started is reviewed, changed at a review, or ended.");
    public static readonly Refusal ProposedUseIsCorrected = Refusal.Precondition("use.proposed-use-is-corrected",
        "This use has not started: correct the proposed use (CorrectProposedUse) to add its human-rights balancing.");
    public static readonly Refusal ReviewOfAnotherUse = Refusal.Invalid("review.use-mismatch", "The review must name this use.");
    public static readonly Refusal SafetyRequired = Refusal.Invalid("safety.required",
        "This technology manages a safety risk: record why it is proportionate and how relational care continues (P6).");
    public static readonly Refusal EndReasonRequired = Refusal.Invalid("use.end-reason-required", "Record why the use is ending.");
    public static readonly Refusal AlreadyEnded = Refusal.Precondition("use.already-ended", "This use has already ended.");
}
