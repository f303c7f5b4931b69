using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>Who took part in a review.</summary>
[Flags]
public enum ReviewParticipants
{
    None = 0,
    Patient = 1 << 0,
    FamilyOrCarers = 1 << 1,
    MdtMembers = 1 << 2,
    Advocate = 1 << 3,
}

public enum ReviewDecision
{
    Unspecified = 0,
    Continue = 1,
    /// <summary>Continue with a change, described in the review.</summary>
    Change = 2,
    /// <summary>Stop: the use ends.</summary>
    Stop = 3,
}

/// <summary>
/// A review of a use held with people (P2, P8): who took part, whether the patient's views were sought and what they
/// were, what was observed (benefit, harms, outcome measures by reference), and the decision. A decision to stop ends
/// the use.
/// </summary>
public sealed class UseReview : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid UseId { get; init; }
    public Guid PatientId { get; init; }
    public DateTime ReviewedAt { get; set; }
    public string ReviewedBy { get; set; } = "";
    public ReviewParticipants Participants { get; set; }
    /// <summary>The MDT members by role (never names), when they took part.</summary>
    public string? MdtRoles { get; set; }
    /// <summary>Null = not recorded.</summary>
    public bool? PatientViewsSought { get; set; }
    public string? PatientViews { get; set; }
    /// <summary>Why the patient's views were not sought, when they were not.</summary>
    public string? WhyViewsNotSought { get; set; }
    public string Benefit { get; set; } = "";
    public string Harms { get; set; } = "";
    /// <summary>Outcome measures by reference (e.g. "HoNOS 2026-03-01"), never their content.</summary>
    public List<string> OutcomeMeasureReferences { get; set; } = [];
    public ReviewDecision Decision { get; set; }
    public string? ChangeDescription { get; set; }
    public DateTime? NextReviewDate { get; set; }
    public string? NextReviewCovers { get; set; }

    /// <summary>Null when the review is complete for its decision, else the first gap by name.</summary>
    public Refusal? Validate(TrustPolicy policy)
    {
        if (ReviewedAt == default) return ReviewRefusals.ReviewedAtMissing;
        if (string.IsNullOrWhiteSpace(ReviewedBy)) return ReviewRefusals.ReviewedByMissing;
        if (Participants == ReviewParticipants.None || (Participants & ~(ReviewParticipants.Patient | ReviewParticipants.FamilyOrCarers | ReviewParticipants.MdtMembers | ReviewParticipants.Advocate)) != 0)
            return ReviewRefusals.ParticipantsMissing;
        if ((Participants & ReviewParticipants.MdtMembers) != 0 && string.IsNullOrWhiteSpace(MdtRoles)) return ReviewRefusals.MdtRolesMissing;
        if (PatientViewsSought is null) return ReviewRefusals.ViewsSoughtMissing;
        if (PatientViewsSought == true && string.IsNullOrWhiteSpace(PatientViews)) return ReviewRefusals.ViewsMissing;
        if (PatientViewsSought == false && string.IsNullOrWhiteSpace(WhyViewsNotSought)) return ReviewRefusals.WhyNotSoughtMissing;
        if (string.IsNullOrWhiteSpace(Benefit)) return ReviewRefusals.BenefitMissing;
        if (string.IsNullOrWhiteSpace(Harms)) return ReviewRefusals.HarmsMissing;
        foreach (var reference in OutcomeMeasureReferences)
            if (string.IsNullOrWhiteSpace(reference) || FreeText.Short("outcome-measure-reference", reference) is not null) return ReviewRefusals.OutcomeReferenceInvalid;
        if (Decision == ReviewDecision.Unspecified || !Enum.IsDefined(Decision)) return ReviewRefusals.DecisionMissing;
        if (Decision == ReviewDecision.Change && string.IsNullOrWhiteSpace(ChangeDescription)) return ReviewRefusals.ChangeMissing;
        if (Decision != ReviewDecision.Stop)
        {
            if (NextReviewDate is not { } next) return Refusal.Invalid("care-plan.next-review-date-missing", "Set the date of the next review.");
            if (string.IsNullOrWhiteSpace(NextReviewCovers)) return Refusal.Invalid("care-plan.review-covers-missing", "Record what the next review will cover.");
            if (next <= ReviewedAt) return Refusal.Invalid("care-plan.next-review-in-past", "The next review date must be in the future.");
            if (next - ReviewedAt > policy.MaxReviewInterval)
                return Refusal.Invalid("care-plan.next-review-too-far", $"The next review must be within {policy.MaxReviewInterval.TotalDays:0} days.");
        }
        return ValidateText();
    }

    /// <summary>The free-text limits alone (<see cref="FreeText"/>), checked before the use is even looked up.</summary>
    public Refusal? ValidateText() => FreeText.First(
        FreeText.Short("reviewed-by", ReviewedBy), FreeText.Short("mdt-roles", MdtRoles), FreeText.Narrative("patient-views", PatientViews),
        FreeText.Narrative("why-views-not-sought", WhyViewsNotSought), FreeText.Narrative("benefit", Benefit), FreeText.Narrative("harms", Harms),
        FreeText.Narrative("change-description", ChangeDescription), FreeText.Narrative("review-covers", NextReviewCovers));
}

internal static class ReviewRefusals
{
    public static readonly Refusal ReviewedAtMissing = Refusal.Invalid("review.reviewed-at-missing", "Record when the review was held.");
    public static readonly Refusal ReviewedByMissing = Refusal.Invalid("review.reviewed-by-missing", "Record who led the review.");
    public static readonly Refusal ParticipantsMissing = Refusal.Invalid("review.participants-missing",
        "Record who took part: the patient, family or carers, MDT members, an advocate.");
    public static readonly Refusal MdtRolesMissing = Refusal.Invalid("review.mdt-roles-missing", "Record the MDT members who took part, by role.");
    public static readonly Refusal ViewsSoughtMissing = Refusal.Invalid("review.patient-views-sought-missing", "Record whether the patient's views were sought.");
    public static readonly Refusal ViewsMissing = Refusal.Invalid("review.patient-views-missing", "Record the patient's views.");
    public static readonly Refusal WhyNotSoughtMissing = Refusal.Invalid("review.why-views-not-sought-missing", "Record why the patient's views were not sought.");
    public static readonly Refusal BenefitMissing = Refusal.Invalid("review.benefit-missing", "Record the benefit observed for the patient.");
    public static readonly Refusal HarmsMissing = Refusal.Invalid("review.harms-missing", "Record any harms or burdens observed (or that none were).");
    public static readonly Refusal OutcomeReferenceInvalid = Refusal.Invalid("review.outcome-measure-reference-invalid",
        "Each outcome measure is a short reference to where it is recorded, not its content.");
    public static readonly Refusal DecisionMissing = Refusal.Invalid("review.decision-missing", "Record the decision: continue, change or stop.");
    public static readonly Refusal ChangeMissing = Refusal.Invalid("review.change-description-missing", "Describe the change decided at the review.");
}
