using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// DIALOG (Priebe et al.): satisfaction with eight life domains and three treatment aspects, each rated 1 (totally
/// dissatisfied) to 7 (totally satisfied), with 4 the neutral middle, and for each whether more help is wanted. The
/// mean of the eight life domains is the subjective quality of life score; the mean of the three treatment aspects is
/// the treatment satisfaction score. An item left unanswered (e.g. no medication prescribed) is left out of its mean.
/// </summary>
public sealed record DialogResponses(IReadOnlyList<int?> Satisfaction, IReadOnlyList<bool>? AdditionalHelpWanted = null) : InstrumentResponses
{
    public const int LifeDomainCount = 8;

    public static IReadOnlyList<string> Items { get; } =
    [
        "Mental health",
        "Physical health",
        "Job situation",
        "Accommodation",
        "Leisure activities",
        "Relationship with partner/family",
        "Friendships",
        "Personal safety",
        "Medication",
        "Practical help received",
        "Meetings with mental health professionals",
    ];

    public override Instrument Instrument => Instrument.Dialog;

    public override Outcome<InstrumentScore> Score()
    {
        if (Satisfaction is null || Satisfaction.Count != Items.Count)
            return Refusal.Invalid("dialog.item-count", $"DIALOG has {Items.Count} items: give a rating (or none) for each.");
        for (var i = 0; i < Satisfaction.Count; i++)
            if (Satisfaction[i] is { } rating && rating is < 1 or > 7)
                return Refusal.Invalid("dialog.item-range", $"DIALOG item {i + 1} ({Items[i].ToLowerInvariant()}) must be rated 1 (totally dissatisfied) to 7 (totally satisfied); it was {rating}.");
        if (AdditionalHelpWanted is not null && AdditionalHelpWanted.Count != Items.Count)
            return Refusal.Invalid("dialog.help-count", $"Say for each of the {Items.Count} DIALOG items whether more help is wanted, or for none.");
        if (Satisfaction.All(r => r is null))
            return Refusal.Invalid("dialog.nothing-rated", "No DIALOG item is rated: there is nothing to score.");

        static double? Mean(IEnumerable<int?> ratings)
        {
            var answered = ratings.Where(r => r is not null).Select(r => (double)r!.Value).ToList();
            return answered.Count == 0 ? null : answered.Average();
        }
        var life = Satisfaction.Take(LifeDomainCount).ToList();
        var treatment = Satisfaction.Skip(LifeDomainCount).ToList();
        return new DialogScore(
            Mean(life), Mean(treatment), life.Count(r => r is not null), treatment.Count(r => r is not null),
            AdditionalHelpWanted is null ? [] : Enumerable.Range(1, Items.Count).Where(item => AdditionalHelpWanted[item - 1]).ToList());
    }
}

public sealed record DialogScore(
    double? SubjectiveQualityOfLife, double? TreatmentSatisfaction, int LifeDomainsRated, int TreatmentAspectsRated, IReadOnlyList<int> MoreHelpWantedItems) : InstrumentScore
{
    public override Instrument Instrument => Instrument.Dialog;
    public override double? Headline => SubjectiveQualityOfLife;
}
