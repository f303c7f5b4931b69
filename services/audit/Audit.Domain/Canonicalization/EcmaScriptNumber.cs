using System.Globalization;
using System.Text;

namespace Platform.Audit.Domain.Canonicalization;

/// <summary>
/// Number::toString of ECMA-262 (§6.1.6.1.20), which RFC 8785 §3.2.2.3 takes as the canonical form of a JSON
/// number: the shortest decimal digits that round-trip to the same double, laid out in plain or exponent form by
/// the magnitude of the decimal exponent.
/// </summary>
public static class EcmaScriptNumber
{
    public static string Format(double value)
    {
        if (!double.IsFinite(value)) throw new JsonCanonicalizationException("NaN and Infinity have no JSON form.");
        if (value == 0) return "0"; // -0 too: ECMAScript prints both zeros as "0"

        // .NET's "R" gives the shortest round-trip digits; only its layout differs from ECMAScript's, so take the
        // digits and the exponent out of it and lay them out again.
        var (digits, n) = ShortestDigits(Math.Abs(value));
        var k = digits.Length;
        var text = new StringBuilder(32);
        if (value < 0) text.Append('-');

        if (k <= n && n <= 21)
        {
            // An integer below 10^21: the digits, then n-k zeros.
            text.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            // A decimal point inside the digits.
            text.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            // A small fraction: "0." then -n zeros, then the digits.
            text.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            // Exponent form, with an explicit sign on the exponent.
            var exponent = n - 1;
            text.Append(digits[0]);
            if (k > 1) text.Append('.').Append(digits, 1, k - 1);
            text.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>The shortest round-trip digits (no leading or trailing zeros) and n such that value = 0.digits × 10^n.</summary>
    private static (string Digits, int N) ShortestDigits(double positive)
    {
        var r = positive.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var point = r.IndexOf('.');
        var integerPart = point < 0 ? r : r[..point];
        var fraction = point < 0 ? "" : r[(point + 1)..];
        var digits = integerPart + fraction;
        var n = integerPart.Length + exponent;

        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0') leading++;
        digits = digits[leading..];
        n -= leading;
        digits = digits.TrimEnd('0');
        return (digits, n);
    }
}
