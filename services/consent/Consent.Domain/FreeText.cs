using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// Limits on what people type into the records. Checked when a record is written (never in the use check, which
/// must not scan text): a field too long, or carrying control characters (which hide text from a reader, break
/// logs and exports, and never belong in a clinical note), is refused naming the field.
/// </summary>
public static class FreeText
{
    /// <summary>A name, role, reference or short phrase: one line.</summary>
    public const int ShortLimit = 200;
    /// <summary>A clinical narrative: several paragraphs.</summary>
    public const int NarrativeLimit = 4000;

    /// <summary>A one-line field: no control characters at all.</summary>
    public static Refusal? Short(string field, string? value) => Check(field, value, ShortLimit, allowLineBreaks: false);

    /// <summary>A narrative field: line breaks and tabs allowed, no other control characters.</summary>
    public static Refusal? Narrative(string field, string? value) => Check(field, value, NarrativeLimit, allowLineBreaks: true);

    /// <summary>The first refusal among several checks, or null.</summary>
    public static Refusal? First(params ReadOnlySpan<Refusal?> checks)
    {
        foreach (var check in checks)
            if (check is not null) return check;
        return null;
    }

    private static Refusal? Check(string field, string? value, int limit, bool allowLineBreaks)
    {
        if (value is null) return null;
        if (value.Length > limit)
            return Refusal.Invalid($"{field}.too-long", $"{Label(field)} must be at most {limit} characters (it has {value.Length}).");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
                return Refusal.Invalid($"{field}.control-characters", $"{Label(field)} contains a control character (U+{(int)c:X4}); remove it and type the text again.");
            // A lone surrogate is not text: it cannot be stored, shown or exported faithfully.
            if ((char.IsHighSurrogate(c) && (i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))) ||
                (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]))))
                return Refusal.Invalid($"{field}.invalid-characters", $"{Label(field)} contains a broken character; type the text again.");
        }
        return null;
    }

    private static string Label(string field) => char.ToUpperInvariant(field[0]) + field[1..].Replace('-', ' ');
}
