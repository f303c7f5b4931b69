using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Counting active uses (ADR 0040): a trust's counts add up by basis and ward; the region's tables keep every shown
/// count true and every count from 1 to the threshold − 1 hidden, at the edges too (one setting, a tiny region, no uses).
/// </summary>
public class ActiveUseCountsTests
{
    private static ActiveUseGroup G(string ward, string setting, LawfulBasisKind basis, int uses) => new(ward, setting, basis, uses);

    [Fact]
    public void A_trusts_counts_add_up_by_basis_and_ward_and_a_ward_named_is_answered_with_zeros()
    {
        var counts = ActiveUseCounts.From([G("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 3), G("OAK", "acute-adult", LawfulBasisKind.BestInterests, 2), G("ASH", "picu", LawfulBasisKind.CourtOrder, 1)]);
        Assert.Equal(6, counts.Uses);
        Assert.Equal([3, 0, 2, 1, 0], counts.ByBasis);
        Assert.Equal(["ASH", "OAK"], counts.Wards.Select(w => w.WardCode));
        Assert.Equal((5, "acute-adult"), (counts.Wards[1].Uses, counts.Wards[1].SettingCode));

        var named = ActiveUseCounts.From([], "ELM");
        Assert.Equal((0, "ELM", 0), (named.Uses, Assert.Single(named.Wards).WardCode, named.Wards[0].ByBasis.Sum()));
        // A use with no basis (never activated) is no active use of any basis.
        Assert.Equal(0, ActiveUseCounts.From([G("OAK", "acute-adult", LawfulBasisKind.None, 4)]).Uses);
    }

    [Fact]
    public void With_one_setting_in_the_region_its_table_repeats_the_trust_totals_and_hides_what_they_hide()
    {
        var counts = RegionalUseCounts.Build(
        [
            ("RA", [G("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 20)]),
            ("RB", [G("ELM", "acute-adult", LawfulBasisKind.OwnConsent, 9), G("ELM", "acute-adult", LawfulBasisKind.ProxyConsent, 3)]),
            ("RC", [G("FIR", "acute-adult", LawfulBasisKind.OwnConsent, 2)]),
        ], threshold: 5);

        var setting = counts.Tables.Single(t => t.Dimension == RegionalUseCounts.SettingDimension);
        Assert.Equal(["acute-adult"], setting.Categories);
        foreach (var row in setting.Rows) Assert.Equal(row.Total, row.Cells[0]);
        Assert.True(setting.Rows[2].Total.Suppressed, "RC's 2 uses");
        Assert.Equal(34, setting.Rows[^1].Total.Uses);
        AssertNothingSmallShownOrAloneOnALine(counts);
    }

    [Fact]
    public void A_region_with_fewer_uses_than_the_threshold_hides_everything_and_one_with_none_shows_zeros()
    {
        var tiny = RegionalUseCounts.Build([("RA", [G("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 2)]), ("RB", [G("ELM", "picu", LawfulBasisKind.BestInterests, 1)])], threshold: 5);
        Assert.All(tiny.Tables.SelectMany(t => t.Rows).SelectMany(r => r.Cells.Append(r.Total)), c => Assert.True(c.Suppressed));

        var none = RegionalUseCounts.Build([("RA", []), ("RB", [])], threshold: 5);
        var basis = none.Tables.Single(t => t.Dimension == RegionalUseCounts.LawfulBasisDimension);
        Assert.All(basis.Rows.SelectMany(r => r.Cells.Append(r.Total)), c => Assert.Equal(0, c.Uses));
        Assert.Empty(none.Tables.Single(t => t.Dimension == RegionalUseCounts.SettingDimension).Categories);
    }

    [Fact]
    public void The_threshold_is_never_below_5_and_a_higher_one_hides_more()
    {
        (string, IReadOnlyList<ActiveUseGroup>)[] trusts =
        [
            ("RA", [G("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 6), G("OAK", "picu", LawfulBasisKind.BestInterests, 6)]),
            ("RB", [G("ELM", "acute-adult", LawfulBasisKind.OwnConsent, 6), G("ELM", "picu", LawfulBasisKind.BestInterests, 6)]),
        ];
        var low = RegionalUseCounts.Build(trusts, threshold: 2);
        Assert.Equal(5, low.SuppressionThreshold);
        Assert.Equal(6, low.Tables[0].Rows[0].Cells[0].Uses);
        var high = RegionalUseCounts.Build(trusts, threshold: 7);
        Assert.True(high.Tables[0].Rows[0].Cells[0].Suppressed);
        AssertNothingSmallShownOrAloneOnALine(high);
    }

    [Fact]
    public void Overdue_reviews_add_up_by_ward_and_trust_and_across_the_region_are_a_third_table_sharing_the_trusts_totals()
    {
        // A group's overdue count comes from the same grouped query as its uses (ListOverdueReviews' rule on the column).
        var trust = ActiveUseCounts.From([new("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 4, 3), new("OAK", "acute-adult", LawfulBasisKind.BestInterests, 2, 1), new("ASH", "picu", LawfulBasisKind.CourtOrder, 5, 0)]);
        Assert.Equal(4, trust.OverdueReviews);
        Assert.Equal([0, 4], trust.Wards.Select(w => w.OverdueReviews));
        // Never more overdue than uses, even if a group claims it.
        Assert.Equal(2, ActiveUseCounts.From([new("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 2, 9)]).OverdueReviews);

        var region = RegionalUseCounts.Build(
        [
            ("RA", [new("OAK", "acute-adult", LawfulBasisKind.OwnConsent, 20, 12), new("ASH", "picu", LawfulBasisKind.BestInterests, 10, 0)]),
            ("RB", [new("ELM", "acute-adult", LawfulBasisKind.OwnConsent, 9, 2)]),
            ("RC", [new("FIR", "picu", LawfulBasisKind.OwnConsent, 15, 7)]),
        ], threshold: 5);
        var review = region.Tables.Single(t => t.Dimension == RegionalUseCounts.ReviewDimension);
        Assert.Equal(["overdue", "not-overdue"], review.Categories);
        Assert.Equal([RegionalUseCounts.LawfulBasisDimension, RegionalUseCounts.SettingDimension, RegionalUseCounts.ReviewDimension], region.Tables.Select(t => t.Dimension));
        // Its totals are the other tables' (shown alike), RB's 2 overdue are hidden, and the all-trusts row is 21 of 54.
        var basis = region.Tables[0];
        for (var r = 0; r < review.Rows.Count; r++) Assert.Equal(basis.Rows[r].Total, review.Rows[r].Total);
        Assert.True(review.Rows[1].Cells[0].Suppressed, "RB's 2 overdue reviews");
        Assert.Equal(21, review.Rows[^1].Cells[0].Uses);
        Assert.Equal(54, review.Rows[^1].Total.Uses);
        AssertNothingSmallShownOrAloneOnALine(region);
    }

    private static void AssertNothingSmallShownOrAloneOnALine(RegionalUseCounts counts)
    {
        foreach (var table in counts.Tables)
        {
            Assert.All(table.Rows.SelectMany(r => r.Cells.Append(r.Total)), c => Assert.True(c.Suppressed || c.Uses == 0 || c.Uses >= counts.SuppressionThreshold));
            if (table.Categories.Count < 2) continue; // one column: the cells are the totals
            foreach (var row in table.Rows) Assert.NotEqual(1, row.Cells.Append(row.Total).Count(c => c.Suppressed));
            for (var c = 0; c <= table.Categories.Count; c++)
                Assert.NotEqual(1, table.Rows.Count(r => (c < table.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
        }
    }
}
