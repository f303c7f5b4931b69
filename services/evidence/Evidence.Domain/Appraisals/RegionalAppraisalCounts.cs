using Platform.Domain;
namespace Platform.Evidence.Domain;

/// <summary>
/// A trust's current appraisal of a technology in one ward setting type, as the region counts it: the ESF tier, the
/// conclusion and the day it was completed. Not the reviewer, the standards' notes, the evidence or how it informed
/// the decision (free text), nor the time of day (ADR 0046).
/// </summary>
public sealed record CurrentAppraisal(string SettingCode, EsfTier Tier, AppraisalConclusion Conclusion, DateOnly CompletedOn);

/// <summary>One technology in one trust's register as the region reads it: the name registered, and its current appraisals (none when never appraised).</summary>
public sealed record TrustAppraisedTechnology(string OdsCode, string Name, IReadOnlyList<CurrentAppraisal> Appraisals);

/// <summary>How many current appraisals reached one conclusion.</summary>
public sealed record ConclusionCount(AppraisalConclusion Conclusion, int Appraisals);

/// <summary>How many current appraisals placed the technology in one ESF tier.</summary>
public sealed record TierCount(EsfTier Tier, int Appraisals);

/// <summary>One ward setting type across the region: how many trusts appraised the technology for it, by conclusion and ESF tier.</summary>
public sealed record SettingAppraisalCounts(string SettingCode, int Trusts, IReadOnlyList<ConclusionCount> Conclusions, IReadOnlyList<TierCount> Tiers);

/// <summary>One trust that registered the technology, with its current appraisals by setting (none when it has not appraised it).</summary>
public sealed record TrustAppraisals(string OdsCode, IReadOnlyList<CurrentAppraisal> Appraisals);

/// <summary>A technology across the region: how many trusts appraised it, its counts per setting type, and each trust's that registered it.</summary>
public sealed record TechnologyAppraisals(string Key, string Name, int TrustsAppraised, IReadOnlyList<SettingAppraisalCounts> Settings, IReadOnlyList<TrustAppraisals> Trusts);

/// <summary>
/// The region's appraisals (ADR 0046): technologies matched across trusts by name, ignoring case and outer spaces (as
/// the regional outcome report matches them, ADR 0034), each with, per ward setting type, how many trusts appraised
/// it and how their current appraisals (a trust's latest for a technology and setting: a later one supersedes an
/// earlier) divide by conclusion and by ESF tier; and each trust's own. Appraisals are a trust's decisions about a
/// technology, not data about patients: no small-number suppression applies (ADR 0046, as ADR 0039 for approvals),
/// and only non-zero counts are listed.
/// </summary>
public static class RegionalAppraisalCounts
{

    /// <summary>Every technology of <paramref name="registered"/>, in the ordinal order of their keys.</summary>
    public static IReadOnlyList<TechnologyAppraisals> Build(IEnumerable<TrustAppraisedTechnology> registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        var result = new List<TechnologyAppraisals>();
        foreach (var technology in registered.GroupBy(t => RegionalNamePage.NameKey(t.Name), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var all = technology.ToList();
            var trusts = all.GroupBy(t => t.OdsCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TrustAppraisals(g.Key, Order(g.SelectMany(t => t.Appraisals)))).ToList();
            var appraised = all.SelectMany(t => t.Appraisals.Select(a => (t.OdsCode, Appraisal: a))).ToList();
            var settings = appraised.GroupBy(a => a.Appraisal.SettingCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new SettingAppraisalCounts(g.Key,
                    g.Select(a => a.OdsCode).Distinct(StringComparer.Ordinal).Count(),
                    g.GroupBy(a => a.Appraisal.Conclusion).OrderBy(c => c.Key).Select(c => new ConclusionCount(c.Key, c.Count())).ToList(),
                    g.GroupBy(a => a.Appraisal.Tier).OrderBy(t => t.Key).Select(t => new TierCount(t.Key, t.Count())).ToList()))
                .ToList();
            var trustsAppraised = appraised.Select(a => a.OdsCode).Distinct(StringComparer.Ordinal).Count();
            result.Add(new TechnologyAppraisals(technology.Key, DisplayName(all), trustsAppraised, settings, trusts));
        }
        return result;
    }

    private static List<CurrentAppraisal> Order(IEnumerable<CurrentAppraisal> appraisals) =>
        [.. appraisals.OrderBy(a => a.SettingCode, StringComparer.Ordinal).ThenBy(a => a.Tier).ThenBy(a => a.Conclusion).ThenBy(a => a.CompletedOn)];

    // The spelling most trusts registered it under (outer spaces dropped); a tie goes to the first in ordinal order.
    private static string DisplayName(IEnumerable<TrustAppraisedTechnology> spellings) =>
        spellings.GroupBy(t => t.Name.Trim(), StringComparer.Ordinal)
            .OrderByDescending(g => g.Select(t => t.OdsCode).Distinct(StringComparer.Ordinal).Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;
}
