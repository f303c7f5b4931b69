using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// The region's blanket-use signals (ADR 0044; P2): a fixed reporting period (ADR 0019: fixed periods, not arbitrary
/// windows) and counts suppressed with the trusts as rows, as ADR 0040's counts are.
/// </summary>
public sealed class RegionalBlanketSignalsTests
{
    [Theory]
    [InlineData("2027-01-11T09:00:00Z", "2026-12", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2027-01-01T00:00:00Z", "2026-12", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z", "2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2028-03-05T12:00:00Z", "2028-02", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z")]
    public void The_period_is_the_last_complete_calendar_month(string now, string period, string start, string end)
    {
        static DateTime At(string s) => DateTime.Parse(s, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal((period, At(start), At(end)), RegionalBlanketSignals.LastCompleteMonth(At(now)));
    }

    [Fact]
    public void A_trusts_small_count_is_hidden_with_a_partner_so_no_line_gives_it_away()
    {
        var built = RegionalBlanketSignals.Build(
        [
            ("RA", [new(BlanketSignalKind.HighShareOfWard, "acute-adult", 9), new(BlanketSignalKind.NearIdenticalRationales, "picu", 6)]),
            ("RB", [new(BlanketSignalKind.HighShareOfWard, "picu", 3)]),
            ("RC", [new(BlanketSignalKind.HighShareOfWard, "acute-adult", 8), new(BlanketSignalKind.NearIdenticalRationales, "acute-adult", 7)]),
        ], threshold: 2);

        Assert.Equal(5, built.SuppressionThreshold); // never below the lowest
        var kind = built.Tables[0];
        Assert.Equal(["high-share-of-ward", "near-identical-rationales"], kind.Categories);
        Assert.True(kind.Rows[1].Total.Suppressed, "RB's 3 signals are hidden");
        Assert.True(kind.Rows[1].Cells[0].Suppressed);
        Assert.Equal(33, kind.Rows[^1].Total.Signals);
        foreach (var table in built.Tables)
        {
            foreach (var row in table.Rows)
            {
                Assert.All(row.Cells.Append(row.Total), c => Assert.True(c.Suppressed || c.Signals == 0 || c.Signals >= 5));
                Assert.NotEqual(1, row.Cells.Append(row.Total).Count(c => c.Suppressed));
            }
            for (var c = 0; c <= table.Categories.Count; c++)
                Assert.NotEqual(1, table.Rows.Count(r => (c < table.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
        }
    }

    [Fact]
    public void One_setting_in_the_region_repeats_the_trusts_totals_and_shares_their_suppression()
    {
        var built = RegionalBlanketSignals.Build(
        [
            ("RA", [new(BlanketSignalKind.HighShareOfWard, "", 9)]),
            ("RB", [new(BlanketSignalKind.NearIdenticalRationales, "", 2)]),
            ("RC", [new(BlanketSignalKind.HighShareOfWard, "", 8)]),
        ], threshold: 5);
        var setting = built.Tables[1];
        Assert.Equal(["unknown"], setting.Categories);
        for (var r = 0; r < setting.Rows.Count; r++)
            Assert.Equal(setting.Rows[r].Total, setting.Rows[r].Cells[0]);
        Assert.True(setting.Rows[1].Cells[0].Suppressed);
    }
}
