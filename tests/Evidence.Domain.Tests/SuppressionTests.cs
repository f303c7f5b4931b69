using Platform.Evidence.Domain;
using Xunit;
using static Platform.Evidence.Domain.Tests.DisclosureAttacker;
using static Platform.Evidence.Domain.Tests.TestData;

namespace Platform.Evidence.Domain.Tests;

public class SuppressionTests
{
    private sealed class Ward
    {
        public List<PatientOutcome> Outcomes { get; } = [];
        public Dictionary<string, EqualityProfile> Profiles { get; } = [];

        public Ward Add(string setting, int count, Sex sex = Sex.NotStated, YesNoNotStated trauma = YesNoNotStated.NotStated, AgeGroup age = AgeGroup.NotStated,
            EthnicGroup ethnicGroup = EthnicGroup.NotStated, double value = 1)
        {
            for (var i = 0; i < count; i++)
            {
                var key = $"patient-{Outcomes.Count:D5}";
                Outcomes.Add(new PatientOutcome(key, setting, value));
                Profiles[key] = Profile(key, sex, age, ethnicGroup, trauma);
            }
            return this;
        }

        public OutcomeReport Report(int threshold = 5) =>
            OutcomeReport.Build(Technology, Instrument.Core10, Outcomes, Profiles, OutcomePolicy.Default with { SuppressionThreshold = threshold, NoBenefitMinimumPatients = Math.Max(10, threshold) });

        /// <summary>The true count behind a cell, counted directly from the patients.</summary>
        public int Truth(Hidden hidden) => hidden switch
        {
            HiddenTotal t => Outcomes.Count(o => t.Setting is null || o.SettingCode == t.Setting),
            HiddenCell c => Outcomes.Count(o => (c.Setting is null || o.SettingCode == c.Setting)
                && Characteristics.Of(c.Characteristic).Categories[c.Column].Value == Profiles[o.PatientKey].CategoryOf(c.Characteristic)),
            _ => throw new ArgumentOutOfRangeException(nameof(hidden)),
        };
    }

    private static OutcomeCell CellOf(OutcomeReport report, Characteristic characteristic, string? setting, string category)
    {
        var breakdown = report.Breakdown(characteristic);
        var column = breakdown.Categories.ToList().FindIndex(c => c.Code == category);
        return breakdown.Rows.Single(r => r.SettingCode == setting).Cells[column];
    }

    /// <summary>Every count below the threshold that is shown, or that the attacker can pin down from what is shown.</summary>
    private static List<string> Revealed(Ward ward, OutcomeReport report, int threshold = 5)
    {
        static bool Small(long count, int threshold) => count > 0 && count < threshold;
        var shown = report.Breakdowns.SelectMany(b => b.Rows.SelectMany(r => r.Cells.Select((cell, c) => (cell, where: $"{b.Characteristic} {r.SettingCode ?? "all"} column {c}"))
                .Append((r.Total, $"{b.Characteristic} {r.SettingCode ?? "all"} total"))))
            .Where(x => x.Item1.Patients is { } n && Small(n, threshold))
            .Select(x => $"{x.Item2} shown as {x.Item1.Patients}");
        var solved = Solve(report).Where(s => Small((long)s.Value, threshold))
            .Select(s => $"{s.Key} = {s.Value} (true {ward.Truth(s.Key)})");
        return shown.Concat(solved).ToList();
    }

    [Fact]
    public void The_attacker_recovers_a_count_hidden_on_its_own()
    {
        // Hide one shown cell by hand, as suppression without its secondary step would: the attacker must find it.
        var ward = new Ward().Add(Setting, 20, Sex.Female).Add(Setting, 7, Sex.Male).Add("picu", 9, Sex.Female).Add("picu", 6, Sex.Male);
        var report = ward.Report();
        var sex = report.Breakdown(Characteristic.Sex);
        var male = sex.Categories.ToList().FindIndex(c => c.Code == "male");
        var rows = sex.Rows.Select(r => r.SettingCode == Setting ? r with { Cells = r.Cells.Select((cell, c) => c == male ? OutcomeCell.Hidden : cell).ToList() } : r).ToList();
        var naive = report with { Breakdowns = report.Breakdowns.Select(b => b == sex ? b with { Rows = rows } : b).ToList() };

        var solved = Solve(naive);
        Assert.Equal(7, (int)solved[new HiddenCell(Characteristic.Sex, Setting, male)]);
    }

    [Fact]
    public void A_count_under_the_threshold_is_never_shown_and_nor_is_its_mean()
    {
        var ward = new Ward().Add(Setting, 20, Sex.Female, value: 6).Add(Setting, 3, Sex.Male, value: -2);
        var male = CellOf(ward.Report(), Characteristic.Sex, Setting, "male");
        Assert.Equal((null, null, true), (male.Patients, male.Mean, male.Suppressed));
    }

    [Fact]
    public void A_total_minus_the_shown_cells_does_not_reveal_a_suppressed_count()
    {
        var ward = new Ward().Add(Setting, 20, Sex.Female).Add(Setting, 3, Sex.Male).Add(Setting, 12, Sex.NotStated);
        var report = ward.Report();
        var row = report.Breakdown(Characteristic.Sex).Rows.Single(r => r.SettingCode == Setting);

        Assert.Equal(35, row.Total.Patients);
        // The naive attack: the total minus every shown cell. It must leave at least two counts unknown.
        Assert.True(row.Cells.Count(c => c.Suppressed) >= 2);
        Assert.Empty(Revealed(ward, report));
    }

    [Fact]
    public void The_all_settings_row_minus_another_settings_row_does_not_reveal_a_suppressed_count()
    {
        // Per setting, acute's 3 men are hidden and its 20 women with them. Across settings there are 11 men and
        // PICU has 8: if both were shown, 11 - 8 = 3 would give acute's hidden count away.
        var ward = new Ward().Add(Setting, 20, Sex.Female).Add(Setting, 3, Sex.Male).Add("picu", 10, Sex.Female).Add("picu", 8, Sex.Male);
        var report = ward.Report();

        var acuteMen = CellOf(report, Characteristic.Sex, Setting, "male");
        var allMen = CellOf(report, Characteristic.Sex, null, "male");
        var picuMen = CellOf(report, Characteristic.Sex, "picu", "male");
        Assert.True(acuteMen.Suppressed);
        Assert.True(allMen.Suppressed || picuMen.Suppressed);
        Assert.Empty(Revealed(ward, report));
    }

    [Fact]
    public void A_small_count_across_settings_is_hidden_too()
    {
        var ward = new Ward().Add(Setting, 20, Sex.Female).Add(Setting, 2, Sex.Male).Add("picu", 15, Sex.Female).Add("picu", 2, Sex.Male);
        var report = ward.Report();
        Assert.True(CellOf(report, Characteristic.Sex, null, "male").Suppressed);
        Assert.Empty(Revealed(ward, report));
    }

    [Fact]
    public void A_small_setting_is_hidden_with_another_so_the_grand_total_does_not_reveal_it()
    {
        var ward = new Ward().Add(Setting, 30, Sex.Female).Add("picu", 2, Sex.Female).Add("picu", 1, Sex.Male).Add("camhs", 40, Sex.Male);
        var report = ward.Report();
        var totals = report.Breakdown(Characteristic.Sex).Rows.ToDictionary(r => r.SettingCode ?? "all", r => r.Total);

        Assert.True(totals["picu"].Suppressed);
        Assert.True(totals[Setting].Suppressed, "the next smallest setting is hidden with PICU");
        Assert.Equal(73, totals["all"].Patients);
        Assert.Empty(Revealed(ward, report));
    }

    [Fact]
    public void Combining_the_tables_of_different_characteristics_reveals_no_suppressed_count()
    {
        var ward = new Ward()
            .Add(Setting, 14, Sex.Female, YesNoNotStated.Yes).Add(Setting, 4, Sex.Male, YesNoNotStated.No).Add(Setting, 9, Sex.Male, YesNoNotStated.Yes)
            .Add("picu", 2, Sex.Female, YesNoNotStated.No).Add("picu", 11, Sex.Male, YesNoNotStated.Yes).Add("picu", 6, Sex.NotStated, YesNoNotStated.NotStated)
            .Add("camhs", 3, Sex.Female, YesNoNotStated.Yes).Add("camhs", 7, Sex.Male, YesNoNotStated.No);
        Assert.Empty(Revealed(ward, ward.Report()));
    }

    [Fact]
    public void No_suppressed_count_is_revealed_in_any_of_two_hundred_random_wards()
    {
        var random = new Random(20260302);
        var settings = new[] { "acute-adult", "picu", "camhs", "older-adults" };
        for (var round = 0; round < 200; round++)
        {
            var ward = new Ward();
            foreach (var setting in settings.Take(random.Next(1, settings.Length + 1)))
                for (var n = random.Next(0, 30); n > 0; n--)
                    ward.Add(setting, 1, (Sex)random.Next(1, 4), (YesNoNotStated)random.Next(1, 4), (AgeGroup)random.Next(3, 7), (EthnicGroup)random.Next(1, 7));
            if (ward.Outcomes.Count == 0) continue;
            var threshold = random.Next(0, 4) == 0 ? 10 : 5;
            var revealed = Revealed(ward, ward.Report(threshold), threshold);
            Assert.True(revealed.Count == 0, $"round {round}: {string.Join("; ", revealed)}");
        }
    }

    [Fact]
    public void Fewer_patients_than_the_threshold_in_all_shows_nothing_at_all()
    {
        var report = new Ward().Add(Setting, 3, Sex.Female).Add("picu", 1, Sex.Male).Report();
        Assert.All(report.Breakdowns.SelectMany(b => b.Rows), row =>
        {
            Assert.True(row.Total.Suppressed);
            Assert.All(row.Cells, cell => Assert.True(cell.Suppressed));
        });
    }

    [Fact]
    public void Nothing_is_hidden_when_no_count_is_small_and_an_empty_group_shows_as_zero()
    {
        var report = new Ward().Add(Setting, 10, Sex.Female, value: 4).Add(Setting, 12, Sex.Male, value: 2).Add("picu", 8, Sex.Female).Add("picu", 9, Sex.Male).Report();
        Assert.DoesNotContain(report.Breakdowns.SelectMany(b => b.Rows).SelectMany(r => r.Cells.Append(r.Total)), cell => cell.Suppressed);
        Assert.Equal(new OutcomeCell(0, null), CellOf(report, Characteristic.Sex, Setting, "not-stated"));
        Assert.Equal(new OutcomeCell(10, 4), CellOf(report, Characteristic.Sex, Setting, "female"));
    }

    [Fact]
    public void The_threshold_is_the_trusts_own()
    {
        var ward = new Ward().Add(Setting, 20, Sex.Female).Add(Setting, 7, Sex.Male);
        Assert.False(CellOf(ward.Report(5), Characteristic.Sex, Setting, "male").Suppressed);
        Assert.True(CellOf(ward.Report(10), Characteristic.Sex, Setting, "male").Suppressed);
        Assert.Empty(Revealed(ward, ward.Report(10), 10));
    }

    [Fact]
    public void The_same_setting_total_is_shown_or_hidden_alike_in_every_breakdown()
    {
        var ward = new Ward().Add(Setting, 30, Sex.Female, trauma: YesNoNotStated.Yes).Add("picu", 3, Sex.Male, trauma: YesNoNotStated.No).Add("camhs", 25, Sex.Male);
        var report = ward.Report();
        foreach (var setting in report.Settings)
            Assert.Single(report.Breakdowns.Select(b => b.Rows.Single(r => r.SettingCode == setting).Total).Distinct());
    }
}
