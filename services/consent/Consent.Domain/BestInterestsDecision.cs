using Platform.Domain;

namespace Platform.Consent.Domain;

public enum ConsultedRole
{
    Unspecified = 0,
    Family = 1,
    Carer = 2,
    PersonNamedByPatient = 3,
    Attorney = 4,
    Deputy = 5,
    Advocate = 6,
    IndependentMentalCapacityAdvocate = 7,
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

    public bool IsEnded(DateTime now) => EndedAt is { } e && e <= now;

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
        var consultedAdvocate = false;
        foreach (var person in PeopleConsulted)
        {
            if (person.Role == ConsultedRole.Unspecified || string.IsNullOrWhiteSpace(person.Relationship) || string.IsNullOrWhiteSpace(person.ViewsGiven))
                return BestInterestsRefusals.ConsultationIncomplete;
            consultedSomeone = true;
            if (person.Role is ConsultedRole.Advocate or ConsultedRole.IndependentMentalCapacityAdvocate) consultedAdvocate = true;
        }
        if (!consultedSomeone) return BestInterestsRefusals.NoOneConsulted;
        if (NoOneAppropriateToConsult && !consultedAdvocate) return BestInterestsRefusals.ImcaRequired;
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
    public static readonly Refusal LessRestrictive = Missing("less-restrictive-options", "Record the less restrictive options considered and why each was rejected.");
    public static readonly Refusal DecisionMaker = Missing("decision-maker", "Record the decision-maker.");
    public static readonly Refusal DecidedAt = Missing("decided-at", "Record when the best-interests decision was made.");
    public static readonly Refusal Objection = Missing("objection-weighed", "The patient objects: record the objection and how it was weighed in the decision.");

    private static Refusal Missing(string item, string message) => Refusal.Invalid($"best-interests.{item}-missing", message);
}
