using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// CORE-10 (Barkham et al., 2013): ten self-report items, each 0 ("not at all") to 4 ("most or all of the time")
/// over the last week. Items 2 and 3 are worded positively and scored in reverse (4 minus the answer). The clinical
/// score is the sum of the ten items, 0 to 40; with one item missing it is pro-rated (the mean of the nine answered,
/// times ten); with more missing there is no score. 11 and above is in the clinical range. Item 6 is the risk item.
/// </summary>
public sealed record Core10Responses(IReadOnlyList<int?> Answers) : InstrumentResponses
{
    public const double ClinicalCutOff = 11;
    public const int RiskItem = 6;
    public static IReadOnlySet<int> ReverseScoredItems { get; } = new HashSet<int> { 2, 3 };

    public static IReadOnlyList<string> Items { get; } =
    [
        "I have felt tense, anxious or nervous",
        "I have felt I have someone to turn to for support when needed",
        "I have felt able to cope when things go wrong",
        "Talking to people has felt too much for me",
        "I have felt panic or terror",
        "I made plans to end my life",
        "I have had difficulty getting to sleep or staying asleep",
        "I have felt despairing or hopeless",
        "I have felt unhappy",
        "Unwanted images or memories have been distressing me",
    ];

    public override Instrument Instrument => Instrument.Core10;

    public override Outcome<InstrumentScore> Score()
    {
        if (Answers is null || Answers.Count != Items.Count)
            return Refusal.Invalid("core-10.item-count", $"CORE-10 has {Items.Count} items: give an answer (or none) for each.");
        for (var i = 0; i < Answers.Count; i++)
            if (Answers[i] is { } answer && answer is < 0 or > 4)
                return Refusal.Invalid("core-10.item-range", $"CORE-10 item {i + 1} must be answered 0 (not at all) to 4 (most or all of the time); it was {answer}.");
        var answered = Answers.Count(a => a is not null);
        if (answered < Items.Count - 1)
            return Refusal.Invalid("core-10.too-many-missing", $"CORE-10 can be scored with at most one item missing; {Items.Count - answered} are missing.");

        var sum = 0;
        for (var i = 0; i < Answers.Count; i++)
            if (Answers[i] is { } answer)
                sum += ReverseScoredItems.Contains(i + 1) ? 4 - answer : answer;
        var score = answered == Items.Count ? sum : (double)sum / answered * Items.Count;
        return new Core10Score(score, answered, Prorated: answered < Items.Count, InClinicalRange: score >= ClinicalCutOff, RiskItemEndorsed: Answers[RiskItem - 1] is > 0);
    }
}

public sealed record Core10Score(double ClinicalScore, int ItemsAnswered, bool Prorated, bool InClinicalRange, bool RiskItemEndorsed) : InstrumentScore
{
    public override Instrument Instrument => Instrument.Core10;
    public override double? Headline => ClinicalScore;
}
