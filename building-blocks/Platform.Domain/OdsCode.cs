using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Platform.Domain;

/// <summary>
/// An NHS Organisation Data Service code: the key of a tenant (trust). Trust codes are three characters
/// (e.g. RX3, RTQ); site and other organisation codes run to six. Upper-case letters and digits only.
/// </summary>
public static partial class OdsCode
{
    [GeneratedRegex("^[A-Z0-9]{3,6}$")]
    private static partial Regex Shape();

    public static bool IsValid([NotNullWhen(true)] string? value) => value is not null && Shape().IsMatch(value);
}
