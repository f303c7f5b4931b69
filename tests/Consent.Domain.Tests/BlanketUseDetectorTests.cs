using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

public class BlanketUseDetectorTests
{
    private static readonly LawfulBasis Basis = new(LawfulBasisKind.OwnConsent, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    private static readonly string[] IndividualReasons =
    [
        "Two night-time falls this admission while getting up to the toilet",
        "Wants to track her mood to talk it through with her named nurse each week",
        "Epilepsy: nocturnal seizures missed twice on checks, family asked for it",
        "Prefers video calls with his children in Poland over phone calls",
        "Uses the app to practise grounding exercises between therapy sessions",
        "Heart condition: clinician wants overnight pulse readings after medication change",
        "Asked for the sleep diary to show his psychiatrist how his sleep is changing",
    ];

    private static List<TechnologyUse> Uses(int count, DateTime activatedAt, Func<int, string>? reason = null) =>
        Enumerable.Range(0, count)
            .Select(i => ActiveUse(Basis, activatedAt.AddHours(i), patient: Guid.NewGuid(), reason: reason?.Invoke(i) ?? IndividualReasons[i % IndividualReasons.Length]))
            .ToList();

    [Fact]
    public void A_ward_where_most_patients_started_one_technology_within_the_window_is_flagged_with_its_evidence()
    {
        var uses = Uses(6, DaysAgo(3));

        var signal = Assert.Single(BlanketUseDetector.Detect(Ward, 10, uses, Policy, Now));

        Assert.Equal(BlanketSignalKind.HighShareOfWard, signal.Kind);
        Assert.Equal(Ward, signal.WardCode);
        Assert.Equal(Technology, signal.TechnologyId);
        Assert.Equal(6, signal.UseCount);
        Assert.Equal(10, signal.PatientsOnWard);
        Assert.Equal(0.6, signal.Share, 3);
        Assert.Equal(Now - Policy.BlanketWindow, signal.WindowStart);
        Assert.Equal(Now, signal.WindowEnd);
        Assert.Equal(uses.Select(u => u.Id).Order(), signal.UseIds);
        Assert.Contains("6 of 10", signal.Summary);
    }

    [Fact]
    public void A_minority_of_the_ward_on_a_technology_is_not_flagged()
    {
        Assert.Empty(BlanketUseDetector.Detect(Ward, 10, Uses(5, DaysAgo(3)), Policy, Now));
    }

    [Fact]
    public void Uses_started_over_a_long_period_are_not_flagged_on_share()
    {
        var uses = Uses(3, DaysAgo(60)).Concat(Uses(3, DaysAgo(30))).ToList();
        Assert.Empty(BlanketUseDetector.Detect(Ward, 10, uses, Policy, Now));
    }

    [Fact]
    public void Ended_uses_and_other_wards_do_not_count()
    {
        var uses = Uses(4, DaysAgo(3));
        foreach (var u in uses.Take(2)) u.Withdraw(DaysAgo(1));
        uses.AddRange(Enumerable.Range(0, 4).Select(i => ActiveUse(Basis, DaysAgo(2), patient: Guid.NewGuid(), ward: "WARD-OAK", reason: IndividualReasons[i])));
        Assert.Empty(BlanketUseDetector.Detect(Ward, 6, uses, Policy, Now));
    }

    [Fact]
    public void A_tiny_ward_is_not_flagged_below_the_minimum_number_of_uses()
    {
        Assert.Empty(BlanketUseDetector.Detect(Ward, 3, Uses(2, DaysAgo(1)), Policy, Now));
    }

    [Fact]
    public void Copied_rationales_are_flagged_with_the_matching_use_ids()
    {
        const string template = "Patient is at risk on the ward and the sensor supports safe and effective observation in line with trust policy.";
        var copies = Uses(3, DaysAgo(40), i => i switch
        {
            0 => template,
            1 => template.ToUpperInvariant(),
            _ => "patient is at risk on the ward, and the sensor supports safe & effective observation in line with trust policy",
        });
        var individual = Uses(4, DaysAgo(50));

        var signal = Assert.Single(BlanketUseDetector.Detect(Ward, 30, [.. copies, .. individual], Policy, Now));

        Assert.Equal(BlanketSignalKind.NearIdenticalRationales, signal.Kind);
        Assert.Equal(copies.Select(u => u.Id).Order(), signal.UseIds);
        Assert.Equal(3, signal.UseCount);
        Assert.True(signal.MinimumSimilarity >= Policy.RationaleSimilarityThreshold);
    }

    [Fact]
    public void Individually_written_rationales_are_not_flagged()
    {
        Assert.Empty(BlanketUseDetector.Detect(Ward, 30, Uses(7, DaysAgo(40)), Policy, Now));
    }

    [Fact]
    public void Two_copies_are_below_the_trusts_minimum()
    {
        var uses = Uses(2, DaysAgo(40), _ => "Same words for everyone on the ward for safety reasons");
        Assert.Empty(BlanketUseDetector.Detect(Ward, 30, uses, Policy, Now));
        Assert.Single(BlanketUseDetector.Detect(Ward, 30, uses, Policy with { RationaleCopyMinimumUses = 2 }, Now));
    }

    [Fact]
    public void Similarity_ignores_case_punctuation_and_spacing_but_not_content()
    {
        var a = BlanketUseDetector.Normalise("Falls at night -- two, this admission!");
        var b = BlanketUseDetector.Normalise("falls at   NIGHT: two this admission");
        Assert.Equal(a, b);
        Assert.Equal(1.0, BlanketUseDetector.Similarity(a, b));
        Assert.True(BlanketUseDetector.Similarity(a, BlanketUseDetector.Normalise(IndividualReasons[1])) < 0.5);
    }
}
