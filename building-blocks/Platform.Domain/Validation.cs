namespace Platform.Domain;

/// <summary>Small checks shared by command handlers; each returns a refusal naming the field, or null.</summary>
public static class Validation
{
    public static Refusal? RequiredText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return Refusal.Invalid($"{field}.required", $"{Label(field)} is required.");
        if (value.Trim().Length > maxLength) return Refusal.Invalid($"{field}.too-long", $"{Label(field)} must be at most {maxLength} characters.");
        return null;
    }

    public static Refusal? Code(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Refusal.Invalid($"{field}.required", $"{Label(field)} is required.");
        var v = value.Trim();
        if (v.Length > 32 || !v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return Refusal.Invalid($"{field}.format", $"{Label(field)} must be 1 to 32 letters, digits, '-' or '_'.");
        return null;
    }

    public static Refusal? Defined<TEnum>(string field, TEnum value) where TEnum : struct, Enum =>
        Enum.IsDefined(value) && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0
            ? null
            : Refusal.Invalid($"{field}.required", $"{Label(field)} must be one of: {string.Join(", ", Enum.GetNames<TEnum>().Skip(1))}.");

    public static bool TryParseId(string? value, out Guid id) => Guid.TryParse(value, out id) && id != Guid.Empty;

    private static string Label(string field) => char.ToUpperInvariant(field[0]) + field[1..].Replace('-', ' ');
}
