using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// A live use whose proxy or best-interests basis no longer covers it because the patient regained capacity: the
/// patient's own consent is due by <see cref="ConsentRequiredBy"/>, or is already past due (the check denies).
/// </summary>
public sealed record ConsentRequiredState(DateTime ConsentRequiredBy, bool PastDue);

/// <summary>
/// "Consent required after capacity regained" for one use, decided by the consent rules themselves
/// (<see cref="LawfulBasisRules.Decide"/>): the one evaluation the ward's list (<c>ListConsentRequired</c>), the trust's
/// count and the region's count all use (ADR 0045). Capacity is presumed and assessed per decision (MCA 2005 s1(2),
/// s2-3); a proxy's consent or a best-interests decision (s4) holds only while the person cannot decide for themselves,
/// so once a finding of capacity is in force the basis runs on as "consent required" for the trust's grace period and
/// is then refused.
/// </summary>
public static class ConsentRequiredRule
{
    /// <summary>
    /// The use's state now, or null when its basis is not waiting on the patient's own consent (capacity not regained,
    /// or the basis refused for another reason, which the ward's other lists and the check show).
    /// </summary>
    public static ConsentRequiredState? Evaluate(PatientConsentRecords records, TechnologyUse use, ReadOnlySpan<TechnologyApproval> approvals, TrustPolicy policy, DateTime now)
    {
        var basis = LawfulBasisRules.Decide(records, use.TechnologyId, policy, now, TechnologyApproval.Select(approvals, use.TechnologyId, use.SettingCode), use);
        if (basis.IsRefused)
            return basis.DenyKind == UseDenyReasons.ConsentRequiredAfterCapacityRegained ? new ConsentRequiredState(now, PastDue: true) : null;
        return basis.Basis.Status == LawfulBasisStatus.ConsentRequired && basis.Basis.ConsentRequiredBy is { } by ? new ConsentRequiredState(by, PastDue: false) : null;
    }
}

/// <summary>One use found in "consent required": where it is (ward, setting) and whether its deadline has passed.</summary>
public sealed record ConsentRequiredFinding(string WardCode, string SettingCode, bool PastDue);

/// <summary>A ward's uses in "consent required": within the deadline, and past it.</summary>
public sealed record WardConsentRequiredCounts(string WardCode, string SettingCode, int WithinDeadline, int PastDeadline)
{
    public int Uses => WithinDeadline + PastDeadline;
}

/// <summary>
/// A trust's live uses (active or suspended, as the list shows them) in "consent required" after capacity was
/// regained, within the deadline and past it, in all and by ward. Exact: for the trust's own staff, whose roles already
/// let them list the uses one by one (ADR 0040's reasoning, ADR 0045).
/// </summary>
public sealed record ConsentRequiredCounts(int WithinDeadline, int PastDeadline, IReadOnlyList<WardConsentRequiredCounts> Wards)
{
    public int Uses => WithinDeadline + PastDeadline;

    /// <param name="onlyWard">A ward to answer for even when none of its uses is in "consent required" (zeros).</param>
    public static ConsentRequiredCounts From(IEnumerable<ConsentRequiredFinding> found, string? onlyWard = null)
    {
        var byWard = new SortedDictionary<string, (string Setting, int Within, int Past)>(StringComparer.Ordinal);
        if (onlyWard is not null) byWard[onlyWard] = ("", 0, 0);
        foreach (var f in found)
        {
            var (setting, within, past) = byWard.GetValueOrDefault(f.WardCode, ("", 0, 0));
            if (setting.Length == 0) setting = f.SettingCode;
            byWard[f.WardCode] = f.PastDue ? (setting, within, past + 1) : (setting, within + 1, past);
        }
        var wards = byWard.Select(w => new WardConsentRequiredCounts(w.Key, w.Value.Setting, w.Value.Within, w.Value.Past)).ToList();
        return new ConsentRequiredCounts(wards.Sum(w => w.WithinDeadline), wards.Sum(w => w.PastDeadline), wards);
    }
}

/// <summary>
/// The region's uses in "consent required" with the trusts as rows of two linked tables, by deadline (within, past)
/// and by ward setting, suppressed together by <see cref="LinkedTableSuppression"/> at the strictest trust's threshold
/// (ADR 0019's method with trusts as rows, as ADR 0040 does): no count from 1 to the threshold − 1 is shown or can be
/// worked out from the totals, the all-trusts row or the other table. No ward column: a ward belongs to one trust.
/// </summary>
public sealed record RegionalConsentRequiredCounts(int SuppressionThreshold, IReadOnlyList<string> Trusts, IReadOnlyList<RegionalUseCountTable> Tables)
{
    public const string DeadlineDimension = "deadline";
    public const string SettingDimension = RegionalUseCounts.SettingDimension;

    /// <summary>The deadline table's columns: still within the grace period, and past it (the check already denies).</summary>
    public static readonly IReadOnlyList<string> DeadlineCategories = ["within-deadline", "past-deadline"];

    /// <param name="trusts">Each trust's findings, in the order the rows are to have.</param>
    /// <param name="threshold">The strictest of the trusts' thresholds; raised to the lowest (5) if below.</param>
    public static RegionalConsentRequiredCounts Build(IReadOnlyList<(string Trust, IReadOnlyList<ConsentRequiredFinding> Found)> trusts, int threshold)
    {
        threshold = Math.Max(threshold, RegionalUseCounts.LowestSuppressionThreshold);
        var rows = trusts.Count;
        var settings = trusts.SelectMany(t => t.Found).Select(SettingOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byDeadline = new int[rows, DeadlineCategories.Count];
        var bySetting = new int[rows, settings.Count];
        var rowTotals = new int[rows];
        for (var r = 0; r < rows; r++)
            foreach (var f in trusts[r].Found)
            {
                byDeadline[r, f.PastDue ? 1 : 0]++;
                bySetting[r, settings.IndexOf(SettingOf(f))]++;
                rowTotals[r]++;
            }

        // A setting table of one column repeats the row totals; the method needs two columns to close a cycle, so it
        // takes the totals' pattern instead (as RegionalUseCounts does).
        var linked = settings.Count >= 2 ? new[] { byDeadline, bySetting } : [byDeadline];
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
                    cells.Add(Shown(count, hidden?[r, c] ?? TotalOf(r).Suppressed));
                }
                table.Add(new RegionalUseCountRow(r < rows ? names[r] : null, cells, TotalOf(r)));
            }
            return new RegionalUseCountTable(dimension, categories, table);
        }

        return new RegionalConsentRequiredCounts(threshold, names,
        [
            Table(DeadlineDimension, DeadlineCategories, byDeadline, pattern.CellHidden[0]),
            Table(SettingDimension, settings, bySetting, settings.Count >= 2 ? pattern.CellHidden[1] : null),
        ]);
    }

    private static string SettingOf(ConsentRequiredFinding f) => f.SettingCode.Length == 0 ? "unknown" : f.SettingCode;
}
