using Platform.Domain;

namespace Platform.Consent.Domain;

public enum ConsultedRole
{
    Unspecified = 0,
    Family = 1,
    /// <summary>Someone caring for the patient unpaid (MCA s4(7)(b)).</summary>
    Carer = 2,
    PersonNamedByPatient = 3,
    Attorney = 4,
    Deputy = 5,
    Advocate = 6,
    IndependentMentalCapacityAdvocate = 7,
    /// <summary>
    /// Someone paid to care for or treat the patient: heard for what they know, but not a consultee under s4(7)
    /// and not "appropriate to consult" under s37(1)(b).
    /// </summary>
    PaidCarer = 8,
}

/// <summary>Someone consulted for a best-interests decision (MCA s4(7)), by role, never by name.</summary>
public sealed class ConsultedPerson
{
    public ConsultedRole Role { get; set; }
    /// <summary>Relationship or role, e.g. "sister", "key worker", "IMCA service ref 1234".</summary>
    public string Relationship { get; set; } = "";
    public string ViewsGiven { get; set; } = "";
    public DateTime ConsultedAt { get; set; }
}

/// <summary>An MCA s4 best-interests decision about using one technology, with its checklist.</summary>
public sealed class BestInterestsDecision : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    /// <summary>Past and present wishes and feelings (s4(6)(a)).</summary>
    public string WishesAndFeelings { get; set; } = "";
    /// <summary>Relevant written statements made when the patient had capacity, or "none known".</summary>
    public string WrittenStatements { get; set; } = "";
    public string BeliefsAndValues { get; set; } = "";
    /// <summary>Null = not considered (s4(3)).</summary>
    public bool? MayRegainCapacity { get; set; }
    public string? RegainCapacityWhen { get; set; }
    /// <summary>How the patient was supported to participate (s4(4)).</summary>
    public string SupportToParticipate { get; set; } = "";
    public List<ConsultedPerson> PeopleConsulted { get; set; } = [];
    /// <summary>Set when there was no one appropriate to consult; an IMCA or advocate must then be consulted.</summary>
    public bool NoOneAppropriateToConsult { get; set; }
    /// <summary>Less restrictive options considered and why each was rejected.</summary>
    public string LessRestrictiveOptions { get; set; } = "";
    public string DecisionMaker { get; set; } = "";
    public DateTime DecidedAt { get; set; }
    /// <summary>True when the decision is that using the technology is in the patient's best interests.</summary>
    public bool UseIsInBestInterests { get; set; }
    public bool PatientObjects { get; set; }
    /// <summary>How the objection was weighed; required when the patient objects.</summary>
    public string? ObjectionWeighed { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>Why the decision was ended (a new decision replaces it, the patient regained capacity, the use stopped).</summary>
    public string? EndedBecause { get; set; }
    /// <summary>
    /// Serious medical treatment (MCA s37; IMCA Regulations 2006 reg 4): where no one appropriate can be consulted, a
    /// statutory IMCA must be instructed and their report taken into account (s37(5)).
    /// </summary>
    public bool SeriousMedicalTreatment { get; set; }
    /// <summary>The IMCA's report (by reference) that the decision took into account.</summary>
    public string? ImcaReportReference { get; set; }
    /// <summary>How a refusal the patient made while they had capacity was weighed; required when there is one (s4(6)(a)).</summary>
    public string? CapacitousRefusalWeighed { get; set; }

    public bool IsEnded(DateTime now) => EndedAt is { } e && e <= now;

    /// <summary>Whether someone in <paramref name="role"/> was consulted.</summary>
    public bool Consulted(ConsultedRole role)
    {
        foreach (var person in PeopleConsulted)
            if (person.Role == role) return true;
        return false;
    }

    /// <summary>Ends the decision: it stops being a basis at <paramref name="at"/>, and the uses resting on it are re-evaluated by the caller.</summary>
    public Refusal? End(DateTime at, string? because)
    {
        if (at == default) return BestInterestsRefusals.EndTimeMissing;
        if (string.IsNullOrWhiteSpace(because)) return BestInterestsRefusals.EndReasonMissing;
        if (FreeText.Narrative("ended-because", because) is { } bad) return bad;
        if (EndedAt is not null) return BestInterestsRefusals.AlreadyEnded;
        EndedAt = at;
        EndedBecause = because.Trim();
        return null;
    }

    public Refusal? ValidateText()
    {
        var first = FreeText.First(
            FreeText.Narrative("wishes-and-feelings", WishesAndFeelings), FreeText.Narrative("written-statements", WrittenStatements),
            FreeText.Narrative("beliefs-and-values", BeliefsAndValues), FreeText.Narrative("regain-capacity-when", RegainCapacityWhen),
            FreeText.Narrative("support-to-participate", SupportToParticipate), FreeText.Narrative("less-restrictive-options", LessRestrictiveOptions),
            FreeText.Short("decision-maker", DecisionMaker), FreeText.Narrative("objection-weighed", ObjectionWeighed),
            FreeText.Short("imca-report-reference", ImcaReportReference), FreeText.Narrative("capacitous-refusal-weighed", CapacitousRefusalWeighed));
        if (first is not null) return first;
        foreach (var person in PeopleConsulted)
            if (FreeText.First(FreeText.Short("consulted-relationship", person.Relationship), FreeText.Narrative("consulted-views", person.ViewsGiven)) is { } bad)
                return bad;
        return null;
    }

    /// <summary>Null when the checklist is complete, else the first missing item by rule.</summary>
    public Refusal? Validate()
    {
        if (string.IsNullOrWhiteSpace(WishesAndFeelings)) return BestInterestsRefusals.Wishes;
        if (string.IsNullOrWhiteSpace(WrittenStatements)) return BestInterestsRefusals.WrittenStatements;
        if (string.IsNullOrWhiteSpace(BeliefsAndValues)) return BestInterestsRefusals.Beliefs;
        if (MayRegainCapacity is null) return BestInterestsRefusals.Regain;
        if (MayRegainCapacity == true && string.IsNullOrWhiteSpace(RegainCapacityWhen)) return BestInterestsRefusals.RegainWhen;
        if (string.IsNullOrWhiteSpace(SupportToParticipate)) return BestInterestsRefusals.Support;
        var consultedSomeone = false;
        var consultedAppropriate = false;
        var consultedAdvocate = false;
        var consultedImca = false;
        foreach (var person in PeopleConsulted)
        {
            if (person.Role == ConsultedRole.Unspecified || !Enum.IsDefined(person.Role) || string.IsNullOrWhiteSpace(person.Relationship) || string.IsNullOrWhiteSpace(person.ViewsGiven))
                return BestInterestsRefusals.ConsultationIncomplete;
            consultedSomeone = true;
            switch (person.Role)
            {
                case ConsultedRole.IndependentMentalCapacityAdvocate:
                    consultedImca = consultedAdvocate = true;
                    break;
                case ConsultedRole.Advocate:
                    consultedAdvocate = true;
                    break;
                case ConsultedRole.PaidCarer:
                    break;
                default:
                    consultedAppropriate = true;
                    break;
            }
        }
        if (!consultedSomeone) return BestInterestsRefusals.NoOneConsulted;
        // Paid carers are heard, but are not the people s4(7) means: with only them, there is no one appropriate to consult.
        if (NoOneAppropriateToConsult || !consultedAppropriate)
        {
            if (SeriousMedicalTreatment)
            {
                if (!consultedImca) return BestInterestsRefusals.StatutoryImcaRequired;
                if (string.IsNullOrWhiteSpace(ImcaReportReference)) return BestInterestsRefusals.ImcaReportMissing;
            }
            else if (!consultedAdvocate)
            {
                return NoOneAppropriateToConsult ? BestInterestsRefusals.ImcaRequired : BestInterestsRefusals.PaidCarersAreNotConsultees;
            }
        }
        if (string.IsNullOrWhiteSpace(LessRestrictiveOptions)) return BestInterestsRefusals.LessRestrictive;
        if (string.IsNullOrWhiteSpace(DecisionMaker)) return BestInterestsRefusals.DecisionMaker;
        if (DecidedAt == default) return BestInterestsRefusals.DecidedAt;
        if (PatientObjects && string.IsNullOrWhiteSpace(ObjectionWeighed)) return BestInterestsRefusals.Objection;
        return null;
    }
}

internal static class BestInterestsRefusals
{
    public static readonly Refusal Wishes = Missing("wishes-and-feelings", "Record the patient's past and present wishes and feelings about this technology.");
    public static readonly Refusal WrittenStatements = Missing("written-statements", "Record any relevant written statements the patient made when they had capacity (or that none are known).");
    public static readonly Refusal Beliefs = Missing("beliefs-and-values", "Record the beliefs and values that would be likely to influence the patient's decision.");
    public static readonly Refusal Regain = Missing("regain-capacity", "Record whether the patient may regain capacity for this decision.");
    public static readonly Refusal RegainWhen = Missing("regain-capacity-when", "Record when the patient is likely to regain capacity, and whether the decision can wait.");
    public static readonly Refusal Support = Missing("support-to-participate", "Record how the patient was supported to take part in the decision.");
    public static readonly Refusal ConsultationIncomplete = Missing("consultation-detail", "For each person consulted, record their role or relationship and the views they gave.");
    public static readonly Refusal NoOneConsulted = Refusal.Precondition("lawful-basis.best-interests-no-one-consulted",
        "No one was consulted: consult family, carers, anyone the patient named and any attorney or deputy; where there is no one appropriate, instruct an IMCA or advocate.");
    public static readonly Refusal ImcaRequired = Refusal.Precondition("lawful-basis.best-interests-imca-required",
        "There is no one appropriate to consult, so an IMCA or advocate must be instructed and consulted before deciding.");
    public static readonly Refusal PaidCarersAreNotConsultees = Refusal.Precondition("lawful-basis.best-interests-paid-carers-not-consultees",
        "Only paid carers were consulted. They are heard for what they know, but they are not consultees under MCA s4(7): consult family, unpaid carers or anyone the patient named, or, if there is no one appropriate, instruct an IMCA or advocate.");
    public static readonly Refusal StatutoryImcaRequired = Refusal.Precondition("lawful-basis.best-interests-statutory-imca-required",
        "This is serious medical treatment and there is no one appropriate to consult, so a statutory IMCA must be instructed (MCA s37); another advocate does not meet the duty.");
    public static readonly Refusal ImcaReportMissing = Missing("imca-report", "Record the statutory IMCA's report (by reference) that the decision took into account (MCA s37(5)).");
    public static readonly Refusal CapacitousRefusalNotWeighed = Missing("capacitous-refusal-weighed",
        "The patient refused this technology while they had capacity: record how that refusal was weighed in this decision (MCA s4(6)(a)); it is not silently overridden.");
    public static readonly Refusal EndTimeMissing = Missing("ended-at", "Record when the best-interests decision ended.");
    public static readonly Refusal EndReasonMissing = Missing("ended-because", "Record why the best-interests decision is being ended.");
    public static readonly Refusal AlreadyEnded = Refusal.Precondition("best-interests.already-ended", "This best-interests decision has already ended.");
    public static readonly Refusal LessRestrictive = Missing("less-restrictive-options", "Record the less restrictive options considered and why each was rejected.");
    public static readonly Refusal DecisionMaker = Missing("decision-maker", "Record the decision-maker.");
    public static readonly Refusal DecidedAt = Missing("decided-at", "Record when the best-interests decision was made.");
    public static readonly Refusal Objection = Missing("objection-weighed", "The patient objects: record the objection and how it was weighed in the decision.");

    private static Refusal Missing(string item, string message) => Refusal.Invalid($"best-interests.{item}-missing", message);
}
