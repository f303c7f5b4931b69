using Xunit;

namespace Platform.Evidence.Domain.Tests;

/// <summary>The region's appraisal counts as the domain builds them (ADR 0046): trusts counted once, appraisals each.</summary>
public class RegionalAppraisalCountsTests
{
    private static readonly DateOnly Day = new(2026, 11, 2);

    [Fact]
    public void Two_products_of_one_name_in_one_trust_count_the_trust_once_and_each_current_appraisal()
    {
        var built = RegionalAppraisalCounts.Build(
        [
            new("RA1", "Mood app", [new("acute-adult", EsfTier.B, AppraisalConclusion.Minimal, Day)]),
            new("RA1", "MOOD APP ", [new("acute-adult", EsfTier.C, AppraisalConclusion.Insufficient, Day)]),
            new("RA2", "Mood app", []),
            new("RA3", "Other", [new("picu", EsfTier.A, AppraisalConclusion.Sufficient, Day)]),
        ]);

        Assert.Equal(["mood app", "other"], built.Select(t => t.Key));
        var mood = built[0];
        // Two trusts registered the spelling "Mood app", one "MOOD APP": the most trusts' spelling is shown.
        Assert.Equal(("Mood app", 1), (mood.Name, mood.TrustsAppraised));
        var acute = Assert.Single(mood.Settings);
        Assert.Equal(("acute-adult", 1), (acute.SettingCode, acute.Trusts));
        Assert.Equal([new(AppraisalConclusion.Minimal, 1), new(AppraisalConclusion.Insufficient, 1)], acute.Conclusions);
        Assert.Equal([new(EsfTier.B, 1), new(EsfTier.C, 1)], acute.Tiers);
        Assert.Equal(["RA1", "RA2"], mood.Trusts.Select(t => t.OdsCode));
        Assert.Equal(2, mood.Trusts[0].Appraisals.Count);
        Assert.Empty(mood.Trusts[1].Appraisals);
    }
}
