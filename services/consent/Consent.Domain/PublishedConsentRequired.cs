namespace Platform.Consent.Domain;

/// <summary>
/// One trust's uses in "consent required" of one ward setting, within the deadline and past it, as recorded with the
/// day's published counts (ADR 0045 as amended, ADR 0047): what the region's two linked tables (deadline, setting) need
/// of a trust, and nothing more (no ward, no patient, no use).
/// </summary>
public sealed record ConsentRequiredGroup(string SettingCode, int WithinDeadline, int PastDeadline)
{
    /// <summary>The trust's findings grouped by setting, in setting order.</summary>
    public static List<ConsentRequiredGroup> From(IEnumerable<ConsentRequiredFinding> found) =>
        [.. found.GroupBy(f => f.SettingCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ConsentRequiredGroup(g.Key, g.Count(f => !f.PastDue), g.Count(f => f.PastDue)))];

    /// <summary>
    /// The findings the groups stand for, for <see cref="RegionalConsentRequiredCounts.Build"/> (which reads only the
    /// setting and the deadline flag; the ward is not recorded).
    /// </summary>
    public static List<ConsentRequiredFinding> Findings(IEnumerable<ConsentRequiredGroup> groups) =>
        [.. groups.SelectMany(g => Enumerable.Repeat(new ConsentRequiredFinding("", g.SettingCode, false), g.WithinDeadline)
            .Concat(Enumerable.Repeat(new ConsentRequiredFinding("", g.SettingCode, true), g.PastDeadline)))];
}
