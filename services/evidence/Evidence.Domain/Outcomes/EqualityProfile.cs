using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>The nine protected characteristics of the Equality Act 2010, and the two groups P8 names besides.</summary>
public enum Characteristic
{
    Unspecified = 0,
    Age = 1,
    Disability = 2,
    GenderReassignment = 3,
    MarriageAndCivilPartnership = 4,
    PregnancyAndMaternity = 5,
    Race = 6,
    ReligionOrBelief = 7,
    Sex = 8,
    SexualOrientation = 9,
    TraumaHistory = 10,
    Paranoia = 11,
}

// Every category set below has an explicit "not stated": the patient may decline, and that is recorded, never guessed.

/// <summary>The consent service's age bands.</summary>
public enum AgeGroup { Unspecified = 0, Under16 = 1, Aged16To17 = 2, Aged18To25 = 3, Aged26To64 = 4, Aged65AndOver = 5, NotStated = 6 }
public enum DisabilityStatus { Unspecified = 0, Disabled = 1, NotDisabled = 2, NotStated = 3 }
/// <summary>Whether the patient's gender identity is the same as the sex registered at birth.</summary>
public enum GenderIdentityStatus { Unspecified = 0, SameAsSexRegisteredAtBirth = 1, DifferentFromSexRegisteredAtBirth = 2, NotStated = 3 }
public enum MarriageOrCivilPartnership { Unspecified = 0, Married = 1, InCivilPartnership = 2, Neither = 3, NotStated = 4 }
/// <summary>Pregnant, or within 26 weeks of giving birth (the Equality Act's protected period outside work).</summary>
public enum PregnancyOrMaternity { Unspecified = 0, Pregnant = 1, GaveBirthInLast26Weeks = 2, Neither = 3, NotStated = 4 }
/// <summary>The broad ethnic groups of the NHS ethnic category (2001 census) classification.</summary>
public enum EthnicGroup { Unspecified = 0, White = 1, Mixed = 2, AsianOrAsianBritish = 3, BlackOrBlackBritish = 4, OtherEthnicGroup = 5, NotStated = 6 }
public enum ReligionOrBelief { Unspecified = 0, NoReligion = 1, Buddhist = 2, Christian = 3, Hindu = 4, Jewish = 5, Muslim = 6, Sikh = 7, OtherReligionOrBelief = 8, NotStated = 9 }
public enum Sex { Unspecified = 0, Female = 1, Male = 2, NotStated = 3 }
public enum SexualOrientation { Unspecified = 0, Heterosexual = 1, GayOrLesbian = 2, Bisexual = 3, OtherSexualOrientation = 4, NotStated = 5 }
public enum YesNoNotStated { Unspecified = 0, Yes = 1, No = 2, NotStated = 3 }

public sealed record CharacteristicCategory(int Value, string Code, string Label, bool IsNotStated);

public sealed record CharacteristicDefinition(Characteristic Characteristic, string Code, string Name, IReadOnlyList<CharacteristicCategory> Categories);

public static class Characteristics
{
    public static IReadOnlyList<CharacteristicDefinition> All { get; } =
    [
        Define<AgeGroup>(Characteristic.Age, "age", "Age"),
        Define<DisabilityStatus>(Characteristic.Disability, "disability", "Disability"),
        Define<GenderIdentityStatus>(Characteristic.GenderReassignment, "gender-reassignment", "Gender reassignment"),
        Define<MarriageOrCivilPartnership>(Characteristic.MarriageAndCivilPartnership, "marriage-civil-partnership", "Marriage and civil partnership"),
        Define<PregnancyOrMaternity>(Characteristic.PregnancyAndMaternity, "pregnancy-maternity", "Pregnancy and maternity"),
        Define<EthnicGroup>(Characteristic.Race, "race", "Race (ethnic group)"),
        Define<ReligionOrBelief>(Characteristic.ReligionOrBelief, "religion-belief", "Religion or belief"),
        Define<Sex>(Characteristic.Sex, "sex", "Sex"),
        Define<SexualOrientation>(Characteristic.SexualOrientation, "sexual-orientation", "Sexual orientation"),
        Define<YesNoNotStated>(Characteristic.TraumaHistory, "trauma-history", "History of trauma"),
        Define<YesNoNotStated>(Characteristic.Paranoia, "paranoia", "Experiencing paranoia"),
    ];

    public static CharacteristicDefinition Of(Characteristic characteristic) =>
        All.FirstOrDefault(d => d.Characteristic == characteristic) ?? throw new ArgumentOutOfRangeException(nameof(characteristic));

    private static CharacteristicDefinition Define<TEnum>(Characteristic characteristic, string code, string name) where TEnum : struct, Enum =>
        new(characteristic, code, name, Enum.GetValues<TEnum>()
            .Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0)
            .Select(v => new CharacteristicCategory(Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), Kebab(v.ToString()), Words(v.ToString()), v.ToString() == "NotStated"))
            .ToList());

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && (char.IsUpper(c) || (char.IsDigit(c) && !char.IsDigit(name[i - 1]))) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Words(string name)
    {
        var words = Kebab(name).Replace('-', ' ');
        // Age bands read as ranges: "aged 16 to 17" → "16–17", "aged 65 and over" → "65+".
        return words.StartsWith("aged ", StringComparison.Ordinal)
            ? words[5..].Replace(" to ", "–", StringComparison.Ordinal).Replace(" and over", "+", StringComparison.Ordinal)
            : words;
    }
}

public sealed record EqualityProfileSubmission(
    string? PatientKey, AgeGroup Age, DisabilityStatus Disability, GenderIdentityStatus GenderReassignment, MarriageOrCivilPartnership MarriageOrCivilPartnership,
    PregnancyOrMaternity PregnancyOrMaternity, EthnicGroup EthnicGroup, ReligionOrBelief ReligionOrBelief, Sex Sex, SexualOrientation SexualOrientation,
    YesNoNotStated TraumaHistory, YesNoNotStated Paranoia);

/// <summary>
/// A patient's protected characteristics for equality monitoring (P3, P8), under the pseudonymous key. Each must be
/// recorded, and "not stated" is always an answer. A patient with no profile counts as "not stated" throughout.
/// </summary>
public sealed class EqualityProfile : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public string PatientKey { get; init; } = "";
    public AgeGroup Age { get; init; }
    public DisabilityStatus Disability { get; init; }
    public GenderIdentityStatus GenderReassignment { get; init; }
    public MarriageOrCivilPartnership MarriageOrCivilPartnership { get; init; }
    public PregnancyOrMaternity PregnancyOrMaternity { get; init; }
    public EthnicGroup EthnicGroup { get; init; }
    public ReligionOrBelief ReligionOrBelief { get; init; }
    public Sex Sex { get; init; }
    public SexualOrientation SexualOrientation { get; init; }
    public YesNoNotStated TraumaHistory { get; init; }
    public YesNoNotStated Paranoia { get; init; }
    public DateTime RecordedAt { get; init; }

    public static Outcome<EqualityProfile> Record(EqualityProfileSubmission s, EvidenceActor actor, DateTime now)
    {
        if (EvidenceRoles.Require(actor, EvidenceRoles.RecordsOutcomes, "record equality monitoring") is { } denied) return denied;
        var key = Domain.PatientKey.Parse(s.PatientKey);
        if (key.IsRefused) return key.Refusal!;
        var missing =
            Validation.Defined("age", s.Age) ?? Validation.Defined("disability", s.Disability) ?? Validation.Defined("gender-reassignment", s.GenderReassignment)
            ?? Validation.Defined("marriage-or-civil-partnership", s.MarriageOrCivilPartnership) ?? Validation.Defined("pregnancy-or-maternity", s.PregnancyOrMaternity)
            ?? Validation.Defined("ethnic-group", s.EthnicGroup) ?? Validation.Defined("religion-or-belief", s.ReligionOrBelief) ?? Validation.Defined("sex", s.Sex)
            ?? Validation.Defined("sexual-orientation", s.SexualOrientation) ?? Validation.Defined("trauma-history", s.TraumaHistory)
            ?? Validation.Defined("paranoia", s.Paranoia);
        if (missing is not null) return missing;
        return new EqualityProfile
        {
            PatientKey = key.Value,
            Age = s.Age,
            Disability = s.Disability,
            GenderReassignment = s.GenderReassignment,
            MarriageOrCivilPartnership = s.MarriageOrCivilPartnership,
            PregnancyOrMaternity = s.PregnancyOrMaternity,
            EthnicGroup = s.EthnicGroup,
            ReligionOrBelief = s.ReligionOrBelief,
            Sex = s.Sex,
            SexualOrientation = s.SexualOrientation,
            TraumaHistory = s.TraumaHistory,
            Paranoia = s.Paranoia,
            RecordedAt = now,
        };
    }

    /// <summary>Everything "not stated": how a patient with no recorded profile is counted.</summary>
    public static EqualityProfile NotStated(string patientKey) => new()
    {
        PatientKey = patientKey,
        Age = AgeGroup.NotStated,
        Disability = DisabilityStatus.NotStated,
        GenderReassignment = GenderIdentityStatus.NotStated,
        MarriageOrCivilPartnership = MarriageOrCivilPartnership.NotStated,
        PregnancyOrMaternity = PregnancyOrMaternity.NotStated,
        EthnicGroup = EthnicGroup.NotStated,
        ReligionOrBelief = ReligionOrBelief.NotStated,
        Sex = Sex.NotStated,
        SexualOrientation = SexualOrientation.NotStated,
        TraumaHistory = YesNoNotStated.NotStated,
        Paranoia = YesNoNotStated.NotStated,
    };

    /// <summary>The value of this patient's category for <paramref name="characteristic"/> (the enum value).</summary>
    public int CategoryOf(Characteristic characteristic) => characteristic switch
    {
        Characteristic.Age => (int)Age,
        Characteristic.Disability => (int)Disability,
        Characteristic.GenderReassignment => (int)GenderReassignment,
        Characteristic.MarriageAndCivilPartnership => (int)MarriageOrCivilPartnership,
        Characteristic.PregnancyAndMaternity => (int)PregnancyOrMaternity,
        Characteristic.Race => (int)EthnicGroup,
        Characteristic.ReligionOrBelief => (int)ReligionOrBelief,
        Characteristic.Sex => (int)Sex,
        Characteristic.SexualOrientation => (int)SexualOrientation,
        Characteristic.TraumaHistory => (int)TraumaHistory,
        Characteristic.Paranoia => (int)Paranoia,
        _ => throw new ArgumentOutOfRangeException(nameof(characteristic)),
    };
}
