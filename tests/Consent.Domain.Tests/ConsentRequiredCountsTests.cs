using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Counting uses in "consent required" after capacity was regained (ADR 0045; MCA 2005 s1(2), s2-3, s4): a trust's
/// counts add up within and past the deadline by ward; the region's two linked tables (deadline, setting) keep every
/// shown count true and hide every count from 1 to the threshold − 1, across both tables and with two settings.
/// </summary>
public class ConsentRequiredCountsTests
{
    private static IEnumerable<ConsentRequiredFinding> F(string ward, string setting, int within, int past) =>
        Enumerable.Repeat(new ConsentRequiredFinding(ward, setting, PastDue: false), within).Concat(Enumerable.Repeat(new ConsentRequiredFinding(ward, setting, PastDue: true), past));

    [Fact]
    public void A_trusts_counts_add_up_within_and_past_the_deadline_by_ward_and_a_ward_named_is_answered_with_zeros()
    {
        var counts = ConsentRequiredCounts.From([.. F("OAK", "acute-adult", 3, 2), .. F("ASH", "picu", 1, 0)]);
        Assert.Equal((6, 4, 2), (counts.Uses, counts.WithinDeadline, counts.PastDeadline));
        Assert.Equal([("ASH", "picu", 1, 0), ("OAK", "acute-adult", 3, 2)], counts.Wards.Select(w => (w.WardCode, w.SettingCode, w.WithinDeadline, w.PastDeadline)));
        var named = ConsentRequiredCounts.From([], "ELM");
        Assert.Equal((0, "ELM"), (named.Uses, Assert.Single(named.Wards).WardCode));
    }

    [Fact]
    public void The_regions_deadline_and_setting_tables_hide_small_counts_together_and_show_only_true_ones()
    {
        // RA: 12 within, 7 past on acute-adult, 3 within on picu (small only in the setting table). RB: 3 past on picu (small).
        // RC: 9 within, 8 past on acute-adult.
        var trusts = new (string, IReadOnlyList<ConsentRequiredFinding>)[]
        {
            ("RA", [.. F("OAK", "acute-adult", 12, 7), .. F("ASH", "picu", 3, 0)]),
            ("RB", [.. F("ELM", "picu", 0, 3)]),
            ("RC", [.. F("FIR", "acute-adult", 9, 8)]),
        };
        var counts = RegionalConsentRequiredCounts.Build(trusts, threshold: 5);

        Assert.Equal(5, counts.SuppressionThreshold);
        Assert.Equal(["deadline", "setting"], counts.Tables.Select(t => t.Dimension));
        var truth = new Dictionary<(string, string?), int[]>
        {
            [("deadline", "RA")] = [15, 7, 22], [("deadline", "RB")] = [0, 3, 3], [("deadline", "RC")] = [9, 8, 17], [("deadline", null)] = [24, 18, 42],
            [("setting", "RA")] = [19, 3, 22], [("setting", "RB")] = [0, 3, 3], [("setting", "RC")] = [17, 0, 17], [("setting", null)] = [36, 6, 42],
        };
        Assert.Equal(["acute-adult", "picu"], counts.Tables[1].Categories);
        foreach (var table in counts.Tables)
            foreach (var row in table.Rows)
            {
                var shown = row.Cells.Append(row.Total).ToList();
                for (var i = 0; i < shown.Count; i++)
                    if (shown[i].Uses is { } value) Assert.True(value == truth[(table.Dimension, row.OdsCode)][i], $"{table.Dimension} {row.OdsCode} column {i}: {value}");
                Assert.All(shown, c => Assert.True(c.Suppressed || c.Uses == 0 || c.Uses >= 5, $"{table.Dimension} {row.OdsCode}: small {c.Uses} shown"));
                Assert.NotEqual(1, shown.Count(c => c.Suppressed));
            }
        // Nor a column (trusts down to the all-trusts row) with one hidden count, which would follow by subtraction.
        foreach (var table in counts.Tables)
            for (var c = 0; c <= table.Categories.Count; c++)
                Assert.NotEqual(1, table.Rows.Count(r => (c < table.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
        Assert.True(counts.Tables[0].Rows[1].Cells[1].Suppressed, "RB's 3 past the deadline");
        Assert.True(counts.Tables[1].Rows[1].Cells[1].Suppressed, "RB's 3 on picu, the same uses in the other table");
        Assert.True(counts.Tables[1].Rows[0].Cells[1].Suppressed, "RA's 3 on picu, though its total of 22 is shown");
        Assert.Equal(42, counts.Tables[0].Rows[^1].Total.Uses);
    }
}
