using System.Text.RegularExpressions;
using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// The pseudonymous key outcomes are filed under: never the NHS number. A key that carries ten digits standing
/// alone (written together, or grouped 3-3-4 with spaces or hyphens, as NHS numbers are) is refused whether or
/// not its check digit is valid, because a mistyped NHS number still identifies someone.
/// </summary>
public static partial class PatientKey
{
    public const int MinLength = 8;
    public const int MaxLength = 64;

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")]
    private static partial Regex NhsNumberLike();

    public static Outcome<string> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Refusal.Invalid("patient-key.required", "Patient key is required.");
        var key = value.Trim();
        // A GUID (consent's patient id, the key uses arrive with) is a pseudonym by construction; ten digits can stand
        // alone among its hex digits by chance ("…-a9434765919b"), which must not send that patient's uses to the
        // dead letters.
        if (Guid.TryParseExact(key, "D", out _)) return key;
        // Checked before the shape, so that "943 476 5919" is refused as an NHS number rather than for its spaces.
        if (NhsNumberLike().IsMatch(key))
            return Refusal.Invalid("patient-key.nhs-number",
                "Patient key looks like an NHS number. Outcomes are recorded under the pseudonymous patient key, never the NHS number.");
        if (key.Length is < MinLength or > MaxLength || !Shape().IsMatch(key))
            return Refusal.Invalid("patient-key.format", $"Patient key must be {MinLength} to {MaxLength} letters, digits, '-' or '_'.");
        return key;
    }
}
