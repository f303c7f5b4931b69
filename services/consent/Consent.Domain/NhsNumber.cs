using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// A ten-digit NHS number whose last digit is the modulus-11 check digit: weights 10..2 on the first nine digits,
/// check = 11 − (sum mod 11), where 11 means 0 and 10 means the number is not valid.
/// </summary>
public readonly record struct NhsNumber
{
    private NhsNumber(string digits) => Value = digits;

    /// <summary>Ten digits, no spaces.</summary>
    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses "9434765919" or "943 476 5919" (spaces or hyphens between groups are allowed).</summary>
    public static Outcome<NhsNumber> Parse(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
            return Refusal.Invalid("nhs-number.required", "NHS number is required.");
        var digits = new string(input.Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length != 10 || !digits.All(char.IsAsciiDigit))
            return Refusal.Invalid("nhs-number.format", "NHS number must be 10 digits.");
        if (digits.Distinct().Count() == 1)
            return Refusal.Invalid("nhs-number.format", "NHS number cannot be one digit repeated.");
        var check = CheckDigit(digits.AsSpan(0, 9));
        if (check is null || check != digits[9] - '0')
            return Refusal.Invalid("nhs-number.check-digit", "NHS number check digit is wrong: please re-check the number for a typing error.");
        return new NhsNumber(digits);
    }

    /// <summary>The check digit for nine leading digits, or null when no check digit can make them valid.</summary>
    public static int? CheckDigit(ReadOnlySpan<char> nineDigits)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (nineDigits[i] - '0') * (10 - i);
        var check = 11 - (sum % 11);
        return check switch { 11 => 0, 10 => null, _ => check };
    }
}
