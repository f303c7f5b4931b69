using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Consent.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// Counts of active uses by lawful basis and ward (issue 19, ADR 0040), as consent answers them: a trust's exact counts
// for its own staff, and the region's with the trusts as rows, small counts suppressed (ADR 0019). Aggregates only: no
// field here is a patient row, so nothing is marked as patient data and consent records no read for them. Their lists
// are short and of known length, so each tells the complexity analyser its size rather than its default guess.

internal static class UseCountSizes
{
    /// <summary>The lawful bases a live use rests on (own consent, proxy, best interests, court order, MHA s. 63).</summary>
    public const double Bases = 5;
    /// <summary>A trust's wards with active uses: a generous bound for the analyser, not a limit on the answer.</summary>
    public const double Wards = 50;
    /// <summary>The regional tables: by lawful basis, by setting and by review (overdue or not).</summary>
    public const double Tables = 3;
    /// <summary>A table's columns: five bases, or the ward setting types in use (under ten in the directory).</summary>
    public const double Categories = 10;
}

/// <summary>The fields that put the counts on the dashboard, so the shared query types change by one line each.</summary>
public static class UseCountFields
{
    public static void AddActiveUseCounts(ObjectGraphType<TrustScope> trust) =>
        trust.Field<ActiveUseCountsType>("activeUseCounts")
            .Description("How many active uses the trust has, by the lawful basis each rests on and by ward (consent service; clinicians, ward managers). Counts, not patient rows: exact for the trust's own staff, no patient named, no read recorded (ADR 0040).")
            .Argument<StringGraphType>("wardCode", "The ward, by its code; every ward with an active use when not given.")
            .Resolve(c => c.RequestServices!.GetRequiredService<UseCountLoaders>().ByWard.Load(c.GetArgument<string?>("wardCode") ?? ""));

    public static void AddRegionalActiveUseCounts(ObjectGraphType<RegionScope> region) =>
        region.Field<RegionalActiveUseCountsType>("activeUseCounts")
            .Description("Active uses across the region's trusts by lawful basis, by ward setting and by whether their review is overdue, trusts as rows, small counts suppressed with their complements across the three tables (consent service; region analysts; ADR 0019, 0040). Published once a day, as at 00:00 UTC (ADR 0047): the latest published date, or the one asked for; never counted as at now, so two calls the same day give the same figures.")
            .Argument<DateOnlyGraphType>("asAt", "A published date (UTC); the latest published when not given. A date with no publication is NOT_FOUND.")
            .Resolve(c => c.RequestServices!.GetRequiredService<UseCountLoaders>().Region.Load(
                c.GetArgument<DateOnly?>("asAt") is { } asAt ? asAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : ""));
}

public sealed class LawfulBasisCountType : ObjectGraphType<LawfulBasisCount>
{
    public LawfulBasisCountType()
    {
        Name = "LawfulBasisCount";
        Description = "How many active uses rest on one lawful basis.";
        Field<NonNullGraphType<ContractEnumType<LawfulBasisKind>>>("lawfulBasis").Description("The basis: own consent, proxy consent, best interests (MCA 2005 s. 4), a court order, or MHA 1983 s. 63.").Resolve(c => c.Source.LawfulBasis);
        Field<NonNullGraphType<IntGraphType>>("uses").Description("How many active uses rest on it.").Resolve(c => c.Source.Uses);
    }
}

public sealed class WardUseCountsType : ObjectGraphType<WardUseCounts>
{
    public WardUseCountsType()
    {
        Name = "WardUseCounts";
        Description = "One ward's active uses, in all and by lawful basis.";
        Field<NonNullGraphType<StringGraphType>>("wardCode").Description("The ward's code.").Resolve(c => c.Source.WardCode);
        Field<StringGraphType>("settingCode").Description("The ward's setting type, as its uses carry it; null for a ward named that has no active use.").Resolve(c => c.Source.SettingCode.Length == 0 ? null : c.Source.SettingCode);
        Field<NonNullGraphType<IntGraphType>>("uses").Description("Its active uses.").Resolve(c => c.Source.Uses);
        Field<NonNullGraphType<IntGraphType>>("overdueReviews").Description("Of its active uses, those whose review is overdue (a next review date set and passed, as the overdue reviews list finds them).").Resolve(c => c.Source.OverdueReviews);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LawfulBasisCountType>>>>("byLawfulBasis").Description("Every basis, zeros included, in the same order each time.")
            .WithComplexityImpact(1, UseCountSizes.Bases).Resolve(c => c.Source.ByLawfulBasis);
    }
}

public sealed class ActiveUseCountsType : ObjectGraphType<ActiveUseCounts>
{
    public ActiveUseCountsType()
    {
        Name = "ActiveUseCounts";
        Description = "A trust's active uses counted by lawful basis and by ward (consent service): aggregates, no patient named.";
        Field<NonNullGraphType<IntGraphType>>("uses").Description("Active uses of the trust, or of the ward asked for.").Resolve(c => c.Source.Uses);
        Field<NonNullGraphType<IntGraphType>>("overdueReviews").Description("Of those active uses, the ones whose review is overdue (a next review date set and passed, as the overdue reviews list finds them; a suspended use, which that list also shows, is not an active use and is not counted). Exact, no patient named.").Resolve(c => c.Source.OverdueReviews);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LawfulBasisCountType>>>>("byLawfulBasis").Description("Every basis, zeros included, in the same order each time.")
            .WithComplexityImpact(1, UseCountSizes.Bases).Resolve(c => c.Source.ByLawfulBasis);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WardUseCountsType>>>>("wards").Description("Each ward with an active use (or the one asked for), by code, with its counts by basis.")
            .WithComplexityImpact(1, UseCountSizes.Wards).Resolve(c => c.Source.Wards);
        Field<DateTimeGraphType>("countedAt").Description("When consent counted them (UTC).").Resolve(c => Times.Of(c.Source.CountedAt));
    }
}

public sealed class UseCountCellType : ObjectGraphType<UseCountCell>
{
    public UseCountCellType()
    {
        Name = "UseCountCell";
        Description = "A published count of the region's tables. A suppressed cell carries no number (ADR 0019).";
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Description("Whether the count is hidden so that small numbers are neither shown nor worked out from the others.").Resolve(c => c.Source.Suppressed);
        Field<IntGraphType>("uses").Description("How many active uses the cell counts; null when suppressed.").Resolve(c => c.Source.HasUses ? c.Source.Uses : null);
    }
}

public sealed class RegionalUseCountRowType : ObjectGraphType<RegionalUseCountRow>
{
    public RegionalUseCountRowType()
    {
        Name = "RegionalUseCountRow";
        Description = "One trust's row of a regional table, or the all-trusts row.";
        Field<StringGraphType>("odsCode").Description("The trust's ODS code; null for the all-trusts row.").Resolve(c => c.Source.OdsCode.Length == 0 ? null : c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UseCountCellType>>>>("cells").Description("One cell per category, in the order of the table's categories.")
            .WithComplexityImpact(1, UseCountSizes.Categories).Resolve(c => c.Source.Cells);
        Field<NonNullGraphType<UseCountCellType>>("total").Description("The row's total.").Resolve(c => c.Source.Total);
    }
}

public sealed class RegionalUseCountTableType : ObjectGraphType<RegionalUseCountTable>
{
    public RegionalUseCountTableType()
    {
        Name = "RegionalUseCountTable";
        Description = "Trusts by the categories of one dimension, suppressed together with the region's other tables (they share the trusts' totals).";
        Field<NonNullGraphType<StringGraphType>>("dimension").Description("What the columns are: lawful-basis, setting, or review (whether each active use's review is overdue).").Resolve(c => c.Source.Dimension);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("The columns: lawful basis codes (own-consent, proxy-consent, best-interests, court-order, mental-health-act-section-63), ward setting codes, or overdue and not-overdue (the review of an active use past its next review date, or not: a date to come or none set).")
            .WithComplexityImpact(1, UseCountSizes.Categories).Resolve(c => c.Source.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalUseCountRowType>>>>("rows").Description("A row per trust, in the order of the trusts, then the all-trusts row.")
            .WithComplexityImpact(1, ReportSizes.TrustRows).Resolve(c => c.Source.Rows);
    }
}

public sealed class RegionalActiveUseCountsType : ObjectGraphType<RegionalActiveUseCounts>
{
    public RegionalActiveUseCountsType()
    {
        Name = "RegionalActiveUseCounts";
        Description = "Active uses across the region's trusts, trusts as rows, suppressed (ADR 0019, 0040): aggregates only, never a ward or a patient.";
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("The strictest of the trusts' thresholds (never below 5): counts from 1 to one below it are never shown.").Resolve(c => c.Source.SuppressionThreshold);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts").Description("The region's active trusts (ODS codes), in row order.").Resolve(c => c.Source.Trusts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalUseCountTableType>>>>("tables")
            .Description("The tables by lawful basis, by ward setting and by review (overdue or not), in that order, or only the one named.")
            .Argument<StringGraphType>("dimension", "lawful-basis, setting or review, to show only that table.")
            .WithComplexityImpact(c => new global::GraphQL.Validation.Complexity.FieldComplexityResult(1, c.GetArgument<string?>("dimension", null) is null ? UseCountSizes.Tables : 1))
            .Resolve(c => c.GetArgument<string?>("dimension") is { } d ? c.Source.Tables.Where(t => t.Dimension == d).ToList() : c.Source.Tables);
        Field<DateTimeGraphType>("countedAt").Description("When the published date's counts were taken (UTC; the day's first publication run, normally soon after 00:00).").Resolve(c => Times.Of(c.Source.CountedAt));
        Field<NonNullGraphType<DateOnlyGraphType>>("asAt").Description("The published date these counts are as at (ADR 0047); overdue reviews are as at its 00:00 UTC.")
            .Resolve(c => DateOnly.ParseExact(c.Source.AsAt, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }
}
