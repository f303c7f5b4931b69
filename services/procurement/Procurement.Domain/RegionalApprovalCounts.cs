using Platform.Domain;
namespace Platform.Procurement.Domain;

/// <summary>
/// One technology in one trust's register as the region counts it: the name it was registered under, and the status
/// of each of its procurement cases by ward setting type (none when no case was opened). Nothing else of the trust's
/// case (who opened it, its gates, its documents, its decision's rationale) is carried.
/// </summary>
public sealed record TrustTechnology(string OdsCode, string Name, IReadOnlyList<(string SettingCode, CaseStatus Status)> Cases);

/// <summary>How many procurement cases stand at one approval status in one ward setting type.</summary>
public sealed record ApprovalCount(string SettingCode, CaseStatus Status, int Cases);

/// <summary>One trust's counts for a technology: the trust registered it, with these cases (none when it opened none).</summary>
public sealed record TrustApprovalCounts(string OdsCode, IReadOnlyList<ApprovalCount> Counts);

/// <summary>A technology across the region: its counts over every trust, and each trust's that registered it.</summary>
public sealed record TechnologyApprovalCounts(string Key, string Name, IReadOnlyList<ApprovalCount> Counts, IReadOnlyList<TrustApprovalCounts> Trusts);

/// <summary>
/// The region's approval counts (ADR 0039): technologies matched across trusts by name, ignoring case and outer
/// spaces (as the regional outcome report matches them, ADR 0034), each with how many procurement cases stand at each
/// approval status in each setting type, over all trusts and per trust. Counts of cases, not of patients: no
/// small-number suppression applies (ADR 0039), and only non-zero counts are listed.
/// </summary>
public static class RegionalApprovalCounts
{

    /// <summary>A case's approval status: open before any approval, then as its latest approval stands (<see cref="ProcurementCase.Status"/> too).</summary>
    public static CaseStatus StatusOf(bool anyApproval, bool latestWithdrawn) =>
        !anyApproval ? CaseStatus.Open : latestWithdrawn ? CaseStatus.Withdrawn : CaseStatus.Approved;

    /// <summary>Every technology of <paramref name="registered"/>, in the ordinal order of their keys.</summary>
    public static IReadOnlyList<TechnologyApprovalCounts> Build(IEnumerable<TrustTechnology> registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        var result = new List<TechnologyApprovalCounts>();
        foreach (var technology in registered.GroupBy(t => RegionalNamePage.NameKey(t.Name), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var all = technology.ToList();
            var trusts = all.GroupBy(t => t.OdsCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TrustApprovalCounts(g.Key, Count(g.SelectMany(t => t.Cases)))).ToList();
            result.Add(new TechnologyApprovalCounts(technology.Key, DisplayName(all), Count(all.SelectMany(t => t.Cases)), trusts));
        }
        return result;
    }

    // The spelling most trusts registered it under (outer spaces dropped); a tie goes to the first in ordinal order.
    private static string DisplayName(IEnumerable<TrustTechnology> spellings) =>
        spellings.GroupBy(t => t.Name.Trim(), StringComparer.Ordinal)
            .OrderByDescending(g => g.Select(t => t.OdsCode).Distinct(StringComparer.Ordinal).Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;

    private static List<ApprovalCount> Count(IEnumerable<(string SettingCode, CaseStatus Status)> cases) =>
        cases.GroupBy(c => (c.SettingCode, c.Status))
            .Select(g => new ApprovalCount(g.Key.SettingCode, g.Key.Status, g.Count()))
            .OrderBy(c => c.SettingCode, StringComparer.Ordinal).ThenBy(c => c.Status).ToList();
}
