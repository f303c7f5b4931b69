using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// ReQoL-10 (Keetharuth et al., 2018): ten items about the last week, each answered from "none of the time" (0) to
/// "most or all of the time" (4), and a separate physical health item. Positively worded items score as answered;
/// the four negatively worded ones score in reverse (4 minus the answer), so the total runs 0 to 40 and a higher
/// total is a better quality of life. The physical health item is reported on its own, outside the total.
/// Clients show the item wording from <see cref="Items"/>, so answers arrive in this order.
/// </summary>
public sealed record ReQoL10Responses(IReadOnlyList<int> Answers, int? PhysicalHealth = null) : InstrumentResponses
{
    public static IReadOnlyList<(string Text, bool NegativelyWorded)> Items { get; } =
    [
        ("I found it difficult to get started with everyday tasks", true),
        ("I felt able to trust others", false),
        ("I felt unable to cope", true),
        ("I could do the things I wanted to do", false),
        ("I felt happy", false),
        ("I thought my life was not worth living", true),
        ("I enjoyed what I did", false),
        ("I felt hopeful about my future", false),
        ("I felt lonely", true),
        ("I felt confident in myself", false),
    ];

    public override Instrument Instrument => Instrument.ReQoL10;

    public override Outcome<InstrumentScore> Score()
    {
        // Not pro-rated: no missing-item rule for ReQoL-10 could be checked against its manual, so every item is required.
        if (Answers is null || Answers.Count != Items.Count)
            return Refusal.Invalid("reqol-10.item-count", $"ReQoL-10 has {Items.Count} items: answer every one.");
        for (var i = 0; i < Answers.Count; i++)
            if (Answers[i] is < 0 or > 4)
                return Refusal.Invalid("reqol-10.item-range", $"ReQoL-10 item {i + 1} must be answered 0 (none of the time) to 4 (most or all of the time); it was {Answers[i]}.");
        if (PhysicalHealth is < 0 or > 4)
            return Refusal.Invalid("reqol-10.physical-health-range", "The ReQoL physical health item must be answered 0 to 4.");
        var total = 0;
        for (var i = 0; i < Answers.Count; i++)
            total += Items[i].NegativelyWorded ? 4 - Answers[i] : Answers[i];
        return new ReQoL10Score(total, PhysicalHealth);
    }
}

public sealed record ReQoL10Score(int Total, int? PhysicalHealth) : InstrumentScore
{
    public override Instrument Instrument => Instrument.ReQoL10;
    public override double? Headline => Total;
}
