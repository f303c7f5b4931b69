using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// How many active uses of a trust share one ward, setting and lawful basis: a row of one grouped query; and how many
/// of them have their review overdue (<see cref="OverdueReviews"/>, never more than <see cref="Uses"/>).
/// </summary>
/// <param name="OverdueReviews">Uses whose care plan's next review date has passed: the rule of consent's
/// <c>ListOverdueReviews</c> (a review date is set and is before now), counted by the same grouped query.</param>
public sealed record ActiveUseGroup(string WardCode, string SettingCode, LawfulBasisKind Basis, int Uses, int OverdueReviews = 0);

/// <summary>A ward's active uses, in all and by lawful basis (<see cref="ActiveUseCounts.Bases"/>' order), and how many have their review overdue.</summary>
public sealed record WardUseCounts(string WardCode, string SettingCode, int Uses, IReadOnlyList<int> ByBasis, int OverdueReviews = 0);

/// <summary>
/// A trust's active uses counted by the lawful basis each rests on (as recorded on the use: the basis it was
/// activated or last rebased on), by ward, and basis by ward. Exact counts: they are for the trust's own staff, whose
/// roles already let them list the uses themselves (ADR 0040).
/// </summary>
public sealed record ActiveUseCounts(int Uses, IReadOnlyList<int> ByBasis, IReadOnlyList<WardUseCounts> Wards, int OverdueReviews = 0)
{
    /// <summary>The lawful bases a live use can rest on, in the contract's order: the columns of every count.</summary>
    public static readonly IReadOnlyList<LawfulBasisKind> Bases =
        [LawfulBasisKind.OwnConsent, LawfulBasisKind.ProxyConsent, LawfulBasisKind.BestInterests, LawfulBasisKind.CourtOrder, LawfulBasisKind.MentalHealthActSection63];

    /// <summary>The code a basis is published under in the regional tables.</summary>
    public static string Code(LawfulBasisKind basis) => basis switch
    {
        LawfulBasisKind.OwnConsent => "own-consent",
        LawfulBasisKind.ProxyConsent => "proxy-consent",
        LawfulBasisKind.BestInterests => "best-interests",
        LawfulBasisKind.CourtOrder => "court-order",
        LawfulBasisKind.MentalHealthActSection63 => "mental-health-act-section-63",
        _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "Not a basis a live use rests on."),
    };

    /// <param name="onlyWard">A ward to answer for even when it has no active use (its row then holds zeros).</param>
    public static ActiveUseCounts From(IEnumerable<ActiveUseGroup> groups, string? onlyWard = null)
    {
        var byWard = new SortedDictionary<string, (string Setting, int[] Counts, int[] Overdue)>(StringComparer.Ordinal);
        if (onlyWard is not null) byWard[onlyWard] = ("", new int[Bases.Count], new int[1]);
        foreach (var g in groups)
        {
            var column = Column(g.Basis);
            if (column < 0 || g.Uses <= 0) continue;
            if (!byWard.TryGetValue(g.WardCode, out var ward)) byWard[g.WardCode] = ward = (g.SettingCode, new int[Bases.Count], new int[1]);
            else if (ward.Setting.Length == 0) byWard[g.WardCode] = ward = (g.SettingCode, ward.Counts, ward.Overdue);
            ward.Counts[column] += g.Uses;
            ward.Overdue[0] += OverdueOf(g);
        }
        var wards = byWard.Select(w => new WardUseCounts(w.Key, w.Value.Setting, w.Value.Counts.Sum(), w.Value.Counts, w.Value.Overdue[0])).ToList();
        var totals = Enumerable.Range(0, Bases.Count).Select(c => wards.Sum(w => w.ByBasis[c])).ToList();
        return new ActiveUseCounts(totals.Sum(), totals, wards, wards.Sum(w => w.OverdueReviews));
    }

    /// <summary>A group's overdue reviews, held within its uses (a count can never claim more overdue than uses).</summary>
    internal static int OverdueOf(ActiveUseGroup g) => Math.Clamp(g.OverdueReviews, 0, g.Uses);

    internal static int Column(LawfulBasisKind basis)
    {
        for (var i = 0; i < Bases.Count; i++)
            if (Bases[i] == basis) return i;
        return -1;
    }
}

/// <summary>A published count: null when suppressed.</summary>
public sealed record UseCountCell(int? Uses)
{
    public static readonly UseCountCell Hidden = new((int?)null);
    public bool Suppressed => Uses is null;
}

/// <summary>A trust's row (<see cref="OdsCode"/> null: the all-trusts row) of one regional table.</summary>
public sealed record RegionalUseCountRow(string? OdsCode, IReadOnlyList<UseCountCell> Cells, UseCountCell Total);

/// <summary>Trusts by the categories of one dimension (<c>lawful-basis</c>, <c>setting</c> or <c>review</c>).</summary>
public sealed record RegionalUseCountTable(string Dimension, IReadOnlyList<string> Categories, IReadOnlyList<RegionalUseCountRow> Rows);

/// <summary>
/// The region's active uses with the trusts as the rows of three linked tables, by lawful basis, by ward setting and
/// by whether the use's review is overdue, suppressed together by <see cref="LinkedTableSuppression"/> (ADR 0019's
/// method with trusts as rows, ADR 0040): no count from 1 to the threshold − 1 is shown, or can be worked out from the
/// totals, the all-trusts row or the other tables. Wards are not a column: a ward belongs to one trust, and a by-ward slicing beside these tables is what
/// ADR 0019 forbids.
/// </summary>
public sealed record RegionalUseCounts(int SuppressionThreshold, IReadOnlyList<string> Trusts, IReadOnlyList<RegionalUseCountTable> Tables)
{
    /// <summary>domain.md: "Small cells are suppressed (fewer than 5 → not shown)". A trust may raise it, not lower it.</summary>
    public const int LowestSuppressionThreshold = 5;

    public const string LawfulBasisDimension = "lawful-basis";
    public const string SettingDimension = "setting";
    public const string ReviewDimension = "review";

    /// <summary>
    /// The review table's columns: overdue (ListOverdueReviews' rule) and not overdue (a review date still to come, or
    /// none set). Two columns that add up to the trust's active uses, so the table shares the other tables' totals and
    /// is protected with them; overdue reviews by setting would be columns nested in the setting table's, a relation
    /// between tables that the method does not protect, so it is not offered.
    /// </summary>
    public static readonly IReadOnlyList<string> ReviewCategories = ["overdue", "not-overdue"];

    /// <param name="trusts">Each trust's grouped active uses, in the order the rows are to have.</param>
    /// <param name="threshold">The strictest of the trusts' thresholds; raised to <see cref="LowestSuppressionThreshold"/> if below.</param>
    public static RegionalUseCounts Build(IReadOnlyList<(string Trust, IReadOnlyList<ActiveUseGroup> Groups)> trusts, int threshold)
    {
        threshold = Math.Max(threshold, LowestSuppressionThreshold);
        var rows = trusts.Count;
        var settings = trusts.SelectMany(t => t.Groups).Where(g => g.Uses > 0 && ActiveUseCounts.Column(g.Basis) >= 0)
            .Select(g => SettingOf(g)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byBasis = new int[rows, ActiveUseCounts.Bases.Count];
        var bySetting = new int[rows, settings.Count];
        var byReview = new int[rows, ReviewCategories.Count];
        var rowTotals = new int[rows];
        for (var r = 0; r < rows; r++)
            foreach (var g in trusts[r].Groups)
            {
                var column = ActiveUseCounts.Column(g.Basis);
                if (column < 0 || g.Uses <= 0) continue;
                byBasis[r, column] += g.Uses;
                bySetting[r, settings.IndexOf(SettingOf(g))] += g.Uses;
                var overdue = ActiveUseCounts.OverdueOf(g);
                byReview[r, 0] += overdue;
                byReview[r, 1] += g.Uses - overdue;
                rowTotals[r] += g.Uses;
            }

        // A table of one column repeats the row totals; the method needs two columns to close a cycle, so such a
        // table is protected as the totals are (below), not passed in.
        var linked = settings.Count >= 2 ? new[] { byBasis, byReview, bySetting } : [byBasis, byReview];
        var pattern = LinkedTableSuppression.Protect(rowTotals, linked, threshold);
        var names = trusts.Select(t => t.Trust).ToList();
        var grand = rowTotals.Sum();

        UseCountCell Shown(int count, bool hidden) => hidden ? UseCountCell.Hidden : new UseCountCell(count);
        UseCountCell TotalOf(int r) => r < rows ? Shown(rowTotals[r], pattern.RowTotalHidden[r]) : Shown(grand, pattern.GrandTotalHidden);

        RegionalUseCountTable Table(string dimension, IReadOnlyList<string> categories, int[,] counts, bool[,]? hidden)
        {
            var table = new List<RegionalUseCountRow>(rows + 1);
            for (var r = 0; r <= rows; r++)
            {
                var cells = new List<UseCountCell>(categories.Count);
                for (var c = 0; c < categories.Count; c++)
                {
                    var count = r < rows ? counts[r, c] : Enumerable.Range(0, rows).Sum(x => counts[x, c]);
                    // One column: the cell is the row's total and shares its fate.
                    var isHidden = hidden?[r, c] ?? TotalOf(r).Suppressed;
                    cells.Add(Shown(count, isHidden));
                }
                table.Add(new RegionalUseCountRow(r < rows ? names[r] : null, cells, TotalOf(r)));
            }
            return new RegionalUseCountTable(dimension, categories, table);
        }

        return new RegionalUseCounts(threshold, names,
        [
            Table(LawfulBasisDimension, ActiveUseCounts.Bases.Select(ActiveUseCounts.Code).ToList(), byBasis, pattern.CellHidden[0]),
            Table(SettingDimension, settings, bySetting, settings.Count >= 2 ? pattern.CellHidden[2] : null),
            Table(ReviewDimension, ReviewCategories, byReview, pattern.CellHidden[1]),
        ]);
    }

    private static string SettingOf(ActiveUseGroup g) => g.SettingCode.Length == 0 ? "unknown" : g.SettingCode;
}
