using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>The kind of problem rated at HoNOS item 8 ("other mental and behavioural problems"), A to J on the score sheet.</summary>
public enum HonosProblemType
{
    None = 0,
    A_Phobic = 1,
    B_Anxiety = 2,
    C_ObsessiveCompulsive = 3,
    D_MentalStrainOrTension = 4,
    E_Dissociative = 5,
    F_Somatoform = 6,
    G_Eating = 7,
    H_Sleep = 8,
    I_Sexual = 9,
    J_Other = 10,
}

/// <summary>
/// Health of the Nation Outcome Scales (Wing, Curtis and Beevor): twelve clinician-rated items, each 0 (no problem)
/// to 4 (severe to very severe problem), or 9 when not known or not applicable. The total, 0 to 48, adds the items
/// that are known; the four subscales are behaviour (items 1-3), impairment (4-5), symptoms (6-8) and social (9-12).
/// </summary>
public sealed record HonosResponses(IReadOnlyList<int> Ratings, HonosProblemType Item8ProblemType = HonosProblemType.None) : InstrumentResponses
{
    public const int NotKnown = 9;

    public static IReadOnlyList<string> Items { get; } =
    [
        "Overactive, aggressive, disruptive or agitated behaviour",
        "Non-accidental self-injury",
        "Problem drinking or drug-taking",
        "Cognitive problems",
        "Physical illness or disability problems",
        "Problems associated with hallucinations and delusions",
        "Problems with depressed mood",
        "Other mental and behavioural problems",
        "Problems with relationships",
        "Problems with activities of daily living",
        "Problems with living conditions",
        "Problems with occupation and activities",
    ];

    public override Instrument Instrument => Instrument.Honos;

    public override Outcome<InstrumentScore> Score()
    {
        if (Ratings is null || Ratings.Count != Items.Count)
            return Refusal.Invalid("honos.item-count", $"HoNOS has {Items.Count} items: rate every one (9 when not known).");
        for (var i = 0; i < Ratings.Count; i++)
            if (Ratings[i] is not (>= 0 and <= 4 or NotKnown))
                return Refusal.Invalid("honos.item-range", $"HoNOS item {i + 1} ({Items[i].ToLowerInvariant()}) must be rated 0 to 4, or 9 when not known; it was {Ratings[i]}.");
        if (Ratings.All(r => r == NotKnown))
            return Refusal.Invalid("honos.nothing-known", "Every HoNOS item is rated 'not known': there is nothing to score.");
        // The score sheet asks for the single most severe problem at item 8, A to J, whenever there is one.
        if (Ratings[7] is >= 1 and <= 4 && (Item8ProblemType == HonosProblemType.None || !Enum.IsDefined(Item8ProblemType)))
            return Refusal.Invalid("honos.item-8-type-missing", "HoNOS item 8 is rated as a problem: say which kind, A (phobic) to J (other).");
        if (Ratings[7] is 0 or NotKnown && Item8ProblemType != HonosProblemType.None)
            return Refusal.Invalid("honos.item-8-type-without-problem", "HoNOS item 8 has a problem type but no problem rated.");

        int Sum(int from, int to) => Ratings.Skip(from - 1).Take(to - from + 1).Where(r => r != NotKnown).Sum();
        return new HonosScore(
            Total: Sum(1, 12),
            KnownItems: Ratings.Count(r => r != NotKnown),
            Behaviour: Sum(1, 3),
            Impairment: Sum(4, 5),
            Symptoms: Sum(6, 8),
            Social: Sum(9, 12),
            Item8ProblemType: Item8ProblemType);
    }
}

public sealed record HonosScore(int Total, int KnownItems, int Behaviour, int Impairment, int Symptoms, int Social, HonosProblemType Item8ProblemType) : InstrumentScore
{
    public override Instrument Instrument => Instrument.Honos;
    public override double? Headline => Total;
}
