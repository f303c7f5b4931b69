using Platform.Domain;
namespace Platform.Evidence.Domain;

/// <summary>A shown count with its mean outcome; both null when the cell is suppressed, the mean null when it has no patients.</summary>
public sealed record OutcomeCell(int? Patients, double? Mean)
{
    public bool Suppressed => Patients is null;
    public static OutcomeCell Hidden { get; } = new(null, null);
}

/// <summary>One setting's row of a breakdown, or the all-settings row when <see cref="SettingCode"/> is null.</summary>
public sealed record OutcomeRow(string? SettingCode, IReadOnlyList<OutcomeCell> Cells, OutcomeCell Total);

public sealed record OutcomeBreakdown(Characteristic Characteristic, IReadOnlyList<CharacteristicCategory> Categories, IReadOnlyList<OutcomeRow> Rows);

public enum OutcomeFlagKind
{
    Unspecified = 0,
    /// <summary>The benefit differs between groups of one characteristic by at least the trust's threshold.</summary>
    BenefitDisparity = 1,
    /// <summary>The technology shows no benefit in a setting (or across settings).</summary>
    NoBenefit = 2,
}

public sealed record GroupOutcome(string Category, string Label, int Patients, double Mean);

/// <summary>
/// A finding for a human (the multidisciplinary team, procurement): built only from shown cells, so a flag never
/// reveals a suppressed one. <see cref="Key"/> identifies the finding, so it can be raised once.
/// </summary>
public sealed record OutcomeFlag(OutcomeFlagKind Kind, Guid TechnologyId, Instrument Instrument, string? SettingCode, double Threshold)
{
    public Characteristic Characteristic { get; init; }
    public GroupOutcome? LowerGroup { get; init; }
    public GroupOutcome? HigherGroup { get; init; }
    /// <summary>For no benefit: the mean improvement and the patients it rests on.</summary>
    public double? MeanImprovement { get; init; }
    public int? Patients { get; init; }

    public string Key => $"{Kind}|{TechnologyId}|{Instruments.Of(Instrument).Code}|{SettingCode ?? "*"}|{Characteristic}|{LowerGroup?.Category}|{HigherGroup?.Category}";
}

/// <summary>
/// Outcomes for one technology on one instrument: per setting and across settings, broken down by each protected
/// characteristic and by trauma history and paranoia (P8), with small cells suppressed everywhere.
/// </summary>
public sealed record OutcomeReport(
    Guid TechnologyId, Instrument Instrument, int SuppressionThreshold, IReadOnlyList<string> Settings, IReadOnlyList<OutcomeBreakdown> Breakdowns, IReadOnlyList<OutcomeFlag> Flags)
{
    public OutcomeBreakdown Breakdown(Characteristic characteristic) => Breakdowns.Single(b => b.Characteristic == characteristic);

    public static OutcomeReport Build(
        Guid technologyId, Instrument instrument, IReadOnlyList<PatientOutcome> outcomes, IReadOnlyDictionary<string, EqualityProfile> profiles, OutcomePolicy policy)
    {
        var definition = Instruments.Of(instrument);
        var settings = outcomes.Select(o => o.SettingCode).Distinct().Order(StringComparer.Ordinal).ToList();
        var settingIndex = settings.Select((code, i) => (code, i)).ToDictionary(x => x.code, x => x.i, StringComparer.Ordinal);
        var characteristics = Characteristics.All;
        var columnOf = characteristics.Select(d => d.Categories.Select((category, i) => (category.Value, i)).ToDictionary(x => x.Value, x => x.i)).ToList();

        var rows = settings.Count;
        var rowTotals = new int[rows];
        var rowSums = new double[rows];
        var counts = characteristics.Select(d => new int[rows, d.Categories.Count]).ToList();
        var sums = characteristics.Select(d => new double[rows + 1, d.Categories.Count]).ToList();
        foreach (var outcome in outcomes)
        {
            var r = settingIndex[outcome.SettingCode];
            rowTotals[r]++;
            rowSums[r] += outcome.Value;
            var profile = profiles.GetValueOrDefault(outcome.PatientKey) ?? EqualityProfile.NotStated(outcome.PatientKey);
            for (var k = 0; k < characteristics.Count; k++)
            {
                var c = columnOf[k][profile.CategoryOf(characteristics[k].Characteristic)];
                counts[k][r, c]++;
                sums[k][r, c] += outcome.Value;
                sums[k][rows, c] += outcome.Value;
            }
        }

        var pattern = LinkedTableSuppression.Protect(rowTotals, counts, policy.SuppressionThreshold);
        var grandTotal = rowTotals.Sum();
        var grand = Cell(grandTotal, rowSums.Sum(), pattern.GrandTotalHidden);
        var breakdowns = new List<OutcomeBreakdown>(characteristics.Count);
        for (var k = 0; k < characteristics.Count; k++)
        {
            var columns = characteristics[k].Categories.Count;
            var table = new List<OutcomeRow>(rows + 1);
            for (var r = 0; r <= rows; r++)
            {
                var cells = new OutcomeCell[columns];
                for (var c = 0; c < columns; c++)
                {
                    var count = r < rows ? counts[k][r, c] : Enumerable.Range(0, rows).Sum(s => counts[k][s, c]);
                    var sum = r < rows ? sums[k][r, c] : sums[k][rows, c];
                    cells[c] = Cell(count, sum, pattern.CellHidden[k][r, c]);
                }
                table.Add(r < rows
                    ? new OutcomeRow(settings[r], cells, Cell(rowTotals[r], rowSums[r], pattern.RowTotalHidden[r]))
                    : new OutcomeRow(null, cells, grand));
            }
            breakdowns.Add(new OutcomeBreakdown(characteristics[k].Characteristic, characteristics[k].Categories, table));
        }

        return new OutcomeReport(technologyId, instrument, policy.SuppressionThreshold, settings, breakdowns,
            RaiseFlags(technologyId, definition, breakdowns, policy));
    }

    private static OutcomeCell Cell(int count, double sum, bool hidden) =>
        hidden ? OutcomeCell.Hidden : new OutcomeCell(count, count == 0 ? null : Math.Round(sum / count, 2, MidpointRounding.AwayFromZero));

    private static List<OutcomeFlag> RaiseFlags(Guid technologyId, InstrumentDefinition instrument, IReadOnlyList<OutcomeBreakdown> breakdowns, OutcomePolicy policy)
    {
        var flags = new List<OutcomeFlag>();
        if (instrument.MeasuresChange && breakdowns.Count > 0)
        {
            var noBenefitAtMost = policy.NoBenefitMaximumImprovementShareOfRange * instrument.Range;
            foreach (var row in breakdowns[0].Rows)
                if (row.Total is { Patients: { } patients, Mean: { } mean } && patients >= policy.NoBenefitMinimumPatients && mean <= noBenefitAtMost)
                    flags.Add(new OutcomeFlag(OutcomeFlagKind.NoBenefit, technologyId, instrument.Instrument, row.SettingCode, noBenefitAtMost)
                    { MeanImprovement = mean, Patients = patients });
        }

        var disparity = policy.DisparityThresholdShareOfRange * instrument.Range;
        foreach (var breakdown in breakdowns)
            foreach (var row in breakdown.Rows)
            {
                // Shown cells only, and "not stated" is not a group to compare.
                var groups = row.Cells
                    .Select((cell, c) => (cell, category: breakdown.Categories[c]))
                    .Where(x => x.cell is { Patients: > 0, Mean: not null } && !x.category.IsNotStated)
                    .Select(x => new GroupOutcome(x.category.Code, x.category.Label, x.cell.Patients!.Value, x.cell.Mean!.Value))
                    .OrderBy(g => g.Mean).ThenBy(g => g.Category, StringComparer.Ordinal)
                    .ToList();
                if (groups.Count < 2 || groups[^1].Mean - groups[0].Mean < disparity) continue;
                flags.Add(new OutcomeFlag(OutcomeFlagKind.BenefitDisparity, technologyId, instrument.Instrument, row.SettingCode, disparity)
                { Characteristic = breakdown.Characteristic, LowerGroup = groups[0], HigherGroup = groups[^1] });
            }
        return flags;
    }
}
