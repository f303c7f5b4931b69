using System.Globalization;
using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// The region's counts are published once a day, never counted "as at now" (ADR 0047, ADR 0019's limit: differences
/// over time are not prevented by cell suppression, so figures go out for fixed dates). A publication is named by its
/// date (UTC); its reference instant is that date's 00:00 UTC. The review dimension (overdue or not) is evaluated at
/// the reference instant exactly; the uses are as they stood when the day's first sweep took them (the store keeps no
/// history to count them at midnight from), a time recorded with the publication.
/// </summary>
public static class UseCountPublication
{
    /// <summary>The request and response field that names a publication's date.</summary>
    public const string AsAtField = "as_at";

    /// <summary>The date a sweep at <paramref name="now"/> publishes: the UTC day it falls in.</summary>
    public static DateOnly DayOf(DateTime now) => DateOnly.FromDateTime(now.Kind == DateTimeKind.Local ? now.ToUniversalTime() : now);

    /// <summary>The instant a date's figures are as at: its 00:00 UTC.</summary>
    public static DateTime ReferenceInstant(DateOnly asAt) => asAt.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>The date written as <c>yyyy-MM-dd</c>, as the API carries it.</summary>
    public static string Format(DateOnly asAt) => asAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A caller's date: none (empty) means the latest publication; otherwise a calendar date written <c>yyyy-MM-dd</c>.
    /// A date is not a window: no range, time or zone is accepted, so no slicing other than the published days exists.
    /// </summary>
    public static Outcome<DateOnly?> ParseAsAt(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (DateOnly?)null;
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return Refusal.Invalid("as-at.not-a-date", "as_at must be a date written yyyy-MM-dd (a published day, not a time or a range).") with { Field = AsAtField };
        return (DateOnly?)date;
    }

    /// <summary>A date with no publication: none was made that day (a missed day is left missing, not filled later).</summary>
    public static Refusal NotPublished(DateOnly asAt) =>
        Refusal.NotFound("as-at.not-published", $"No regional counts were published as at {Format(asAt)}; a day the sweep missed is left missing.");

    /// <summary>Nothing published yet.</summary>
    public static readonly Refusal NothingPublished =
        Refusal.NotFound("as-at.none-published", "No regional counts have been published yet: they are published once a day, as at 00:00 UTC.");
}
