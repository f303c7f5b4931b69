using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>The answers of the NHS Friends and Family Test scale.</summary>
public enum ExperienceRating
{
    Unspecified = 0,
    VeryGood = 1,
    Good = 2,
    NeitherGoodNorPoor = 3,
    Poor = 4,
    VeryPoor = 5,
    DontKnow = 6,
}

/// <summary>
/// Patient-reported experience of the technology, asked the Friends and Family Test way: "Overall, how was your
/// experience of using [the technology]?" A very good or good answer counts as positive; "don't know" is left out.
/// </summary>
public sealed record PatientExperienceResponse(ExperienceRating Rating) : InstrumentResponses
{
    public const string Question = "Overall, how was your experience of using this technology?";

    public override Instrument Instrument => Instrument.PatientExperience;

    public override Outcome<InstrumentScore> Score() =>
        Rating == ExperienceRating.Unspecified || !Enum.IsDefined(Rating)
            ? Refusal.Invalid("patient-experience.rating-required", "Record the answer: very good, good, neither good nor poor, poor, very poor, or don't know.")
            : new PatientExperienceScore(Rating);
}

public sealed record PatientExperienceScore(ExperienceRating Rating) : InstrumentScore
{
    public override Instrument Instrument => Instrument.PatientExperience;
    public bool? Positive => Rating == ExperienceRating.DontKnow ? null : Rating is ExperienceRating.VeryGood or ExperienceRating.Good;
    public override double? Headline => Positive is { } positive ? (positive ? 1 : 0) : null;
}
