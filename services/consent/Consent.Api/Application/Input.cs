using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>Reading ids and instants from commands, with refusals that name the field.</summary>
public static class Input
{
    // Clocks on wards and servers disagree a little; more than this ahead is a mistake, not skew.
    private static readonly TimeSpan s_allowedSkew = TimeSpan.FromMinutes(5);

    /// <summary>An id that must be present and a UUID.</summary>
    public static Outcome<Guid> Id(string field, string? value) =>
        Validation.TryParseId(value, out var id) ? id : Refusal.Invalid($"{field}.format", $"{Label(field)} must be a UUID.");

    /// <summary>An id the domain checks for presence itself: empty passes as <see cref="Guid.Empty"/>, anything else must be a UUID.</summary>
    public static Outcome<Guid> OptionalId(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Guid.Empty : Id(field, value);

    /// <summary>When something happened: the given instant (never in the future) or, if none was given, now.</summary>
    public static Outcome<DateTime> PastOrNow(string field, DateTime given, DateTime now)
    {
        var at = given == default ? now : given;
        return at <= now + s_allowedSkew
            ? at
            : Refusal.Invalid($"{field}.in-future", $"{Label(field)} cannot be in the future: record what has happened.");
    }

    private static string Label(string field) => char.ToUpperInvariant(field[0]) + field[1..].Replace('-', ' ');
}
