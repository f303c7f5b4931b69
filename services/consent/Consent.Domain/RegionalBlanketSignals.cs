using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// How many distinct blanket-use signals of one kind a trust's sweep raised on wards of one setting in the period: a
/// signal is one ward, technology and kind, counted once however often the sweep raised it as its evidence changed
/// (a new patient starting the technology is new evidence, and a new stored finding, for the same pattern).
/// </summary>
public sealed record BlanketSignalGroup(BlanketSignalKind Kind, string SettingCode, int Signals);

/// <summary>A published count of signals: null when suppressed.</summary>
public sealed record SignalCountCell(int? Signals)
{
    public static readonly SignalCountCell Hidden = new((int?)null);
    public bool Suppressed => Signals is null;
}

/// <summary>A trust's row (<see cref="OdsCode"/> null: the all-trusts row) of one regional table.</summary>
public sealed record RegionalSignalRow(string? OdsCode, IReadOnlyList<SignalCountCell> Cells, SignalCountCell Total);

/// <summary>Trusts by the categories of one dimension (<c>kind</c> or <c>setting</c>).</summary>
public sealed record RegionalSignalTable(string Dimension, IReadOnlyList<string> Categories, IReadOnlyList<RegionalSignalRow> Rows);

/// <summary>
/// The region's blanket-use signals of one calendar month (ADR 0044) with the trusts as rows of two linked tables, by
/// kind and by ward setting, suppressed together by <see cref="LinkedTableSuppression"/> as ADR 0040's counts of
/// active uses are (ADR 0019's method with trusts as rows): a signal stands for a handful of patients on one ward, so
/// no count from 1 to the threshold − 1 is shown or can be worked out from the totals, the all-trusts row or the other
/// table. Counts of signals only: no ward, technology, use or patient count of a signal's evidence.
/// </summary>
public sealed record RegionalBlanketSignals(int SuppressionThreshold, IReadOnlyList<string> Trusts, IReadOnlyList<RegionalSignalTable> Tables)
{
    public const string KindDimension = "kind";
    public const string SettingDimension = "setting";

    /// <summary>The kinds in the contract's order: the kind table's columns.</summary>
    public static readonly IReadOnlyList<BlanketSignalKind> Kinds = [BlanketSignalKind.HighShareOfWard, BlanketSignalKind.NearIdenticalRationales];

    /// <summary>The code a kind is published under.</summary>
    public static string Code(BlanketSignalKind kind) => kind switch
    {
        BlanketSignalKind.HighShareOfWard => "high-share-of-ward",
        BlanketSignalKind.NearIdenticalRationales => "near-identical-rationales",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a kind of signal the sweep raises."),
    };

    /// <summary>The calendar month (UTC) before the one <paramref name="now"/> is in: the last complete one.</summary>
    public static (string Period, DateTime Start, DateTime End) LastCompleteMonth(DateTime now)
    {
        var end = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var start = end.AddMonths(-1);
        return ($"{start:yyyy-MM}", start, end);
    }

    /// <param name="trusts">Each trust's groups, in the order the rows are to have.</param>
    /// <param name="threshold">The strictest of the trusts' thresholds; raised to the lowest (5) if below.</param>
    public static RegionalBlanketSignals Build(IReadOnlyList<(string Trust, IReadOnlyList<BlanketSignalGroup> Groups)> trusts, int threshold)
    {
        threshold = Math.Max(threshold, RegionalUseCounts.LowestSuppressionThreshold);
        var rows = trusts.Count;
        bool Counted(BlanketSignalGroup g) => g.Signals > 0 && Column(g.Kind) >= 0;
        var settings = trusts.SelectMany(t => t.Groups).Where(Counted).Select(SettingOf)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byKind = new int[rows, Kinds.Count];
        var bySetting = new int[rows, settings.Count];
        var rowTotals = new int[rows];
        for (var r = 0; r < rows; r++)
            foreach (var g in trusts[r].Groups.Where(Counted))
            {
                byKind[r, Column(g.Kind)] += g.Signals;
                bySetting[r, settings.IndexOf(SettingOf(g))] += g.Signals;
                rowTotals[r] += g.Signals;
            }

        // A table of one column repeats the row totals: protected as the totals are, not passed in (ADR 0040).
        var linked = settings.Count >= 2 ? new[] { byKind, bySetting } : [byKind];
        var pattern = LinkedTableSuppression.Protect(rowTotals, linked, threshold);
        var names = trusts.Select(t => t.Trust).ToList();
        var grand = rowTotals.Sum();

        SignalCountCell Shown(int count, bool hidden) => hidden ? SignalCountCell.Hidden : new SignalCountCell(count);
        SignalCountCell TotalOf(int r) => r < rows ? Shown(rowTotals[r], pattern.RowTotalHidden[r]) : Shown(grand, pattern.GrandTotalHidden);

        RegionalSignalTable Table(string dimension, IReadOnlyList<string> categories, int[,] counts, bool[,]? hidden)
        {
            var table = new List<RegionalSignalRow>(rows + 1);
            for (var r = 0; r <= rows; r++)
            {
                var cells = new List<SignalCountCell>(categories.Count);
                for (var c = 0; c < categories.Count; c++)
                {
                    var count = r < rows ? counts[r, c] : Enumerable.Range(0, rows).Sum(x => counts[x, c]);
                    cells.Add(Shown(count, hidden?[r, c] ?? TotalOf(r).Suppressed));
                }
                table.Add(new RegionalSignalRow(r < rows ? names[r] : null, cells, TotalOf(r)));
            }
            return new RegionalSignalTable(dimension, categories, table);
        }

        return new RegionalBlanketSignals(threshold, names,
        [
            Table(KindDimension, Kinds.Select(Code).ToList(), byKind, pattern.CellHidden[0]),
            Table(SettingDimension, settings, bySetting, settings.Count >= 2 ? pattern.CellHidden[1] : null),
        ]);
    }

    private static int Column(BlanketSignalKind kind)
    {
        for (var i = 0; i < Kinds.Count; i++)
            if (Kinds[i] == kind) return i;
        return -1;
    }

    private static string SettingOf(BlanketSignalGroup g) => string.IsNullOrEmpty(g.SettingCode) ? "unknown" : g.SettingCode;
}
