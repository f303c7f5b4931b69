namespace Platform.Domain;

/// <summary>
/// A page of the region's technologies by name (procurement's approval counts, ADR 0039; evidence's appraisals, ADR
/// 0046): a technology is matched across trusts by its name without outer spaces, in lower case, and a page starts
/// after a name. The request's checks are the same for both answers, so they are here once.
/// </summary>
/// <param name="Key">The one technology asked for, as a <see cref="NameKey"/>; null for every technology.</param>
/// <param name="AfterKey">The page starts after this name, as a <see cref="NameKey"/>; null for the first page.</param>
/// <param name="Size">How many technologies the page holds at most.</param>
public sealed record RegionalNamePage(string? Key, string? AfterKey, int Size)
{
    public const int MaxNameLength = 200, DefaultPageSize = 20, MaxPageSize = 100;

    /// <summary>The name a technology is matched on across trusts: without outer spaces, in lower case.</summary>
    public static string NameKey(string name) => name.Trim().ToLowerInvariant();

    /// <summary>
    /// The page a request asks for, or INVALID_ARGUMENT naming the field: a name or a page-start name over
    /// <see cref="MaxNameLength"/> characters, a page size outside 0 (the default) to <see cref="MaxPageSize"/>.
    /// </summary>
    public static Outcome<RegionalNamePage> Read(string? technologyName, int pageSize, string? afterTechnologyName)
    {
        var name = technologyName?.Trim() ?? "";
        if (name.Length > MaxNameLength) return Refusal.Invalid("technology-name.too-long", $"A technology's name (technology_name) is at most {MaxNameLength} characters.");
        var after = afterTechnologyName?.Trim() ?? "";
        if (after.Length > MaxNameLength) return Refusal.Invalid("after-technology-name.too-long", $"after_technology_name is a technology's name, at most {MaxNameLength} characters.");
        if (pageSize is < 0 or > MaxPageSize) return Refusal.Invalid("page-size.range", $"page_size must be between 1 and {MaxPageSize} (0 for {DefaultPageSize}).");
        return new RegionalNamePage(name.Length == 0 ? null : NameKey(name), after.Length == 0 ? null : NameKey(after), pageSize == 0 ? DefaultPageSize : pageSize);
    }
}
