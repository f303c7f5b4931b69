using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Consent.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// Uses in "consent required" after capacity was regained (issue 19, ADR 0045), as consent counts them: a trust's exact
// counts for its own staff (the numbers its consent-required list holds), and the region's with trusts as rows, small
// counts suppressed (ADR 0019). Capacity is presumed and assessed per decision (MCA 2005 s1(2), s2-3); a proxy's or a
// best-interests (s4) basis stops once the person can decide. Aggregates only: nothing here is marked as patient data.

/// <summary>The fields that put the counts on the dashboard, so the shared query types change by one line each.</summary>
public static class ConsentRequiredCountFields
{
    public static void AddConsentRequiredCounts(ObjectGraphType<TrustScope> trust) =>
        trust.Field<ConsentRequiredCountsType>("consentRequiredCounts")
            .Description("How many of the trust's live uses on a proxy's consent or a best-interests decision (MCA 2005 s4) now need the patient's own consent because they regained capacity (s1(2), s2-3): within the deadline and past it, by ward (consent service; clinicians, ward managers). The numbers the consent-required list holds; counts, not patient rows: exact, no patient named, no read recorded (ADR 0045).")
            .Argument<StringGraphType>("wardCode", "The ward, by its code; every ward with such a use when not given.")
            .Resolve(c => c.RequestServices!.GetRequiredService<ConsentRequiredCountLoaders>().ByWard.Load(c.GetArgument<string?>("wardCode") ?? ""));

    public static void AddRegionalConsentRequiredCounts(ObjectGraphType<RegionScope> region) =>
        region.Field<RegionalConsentRequiredCountsType>("consentRequiredCounts")
            .Description("Uses across the region's trusts that need the patient's own consent after capacity was regained (MCA 2005 s1(2), s2-3, s4), by deadline (within, past) and by ward setting, trusts as rows, small counts suppressed with their complements across both tables (consent service; region analysts; ADR 0019, 0045). Published once a day with the active-use counts (ADR 0047): the latest published date, or the one asked for; never counted as at now, so two calls the same day give the same figures.")
            .Argument<DateOnlyGraphType>("asAt", "A published date (UTC); the latest published when not given. A date with no publication is NOT_FOUND.")
            .Resolve(c => c.RequestServices!.GetRequiredService<ConsentRequiredCountLoaders>().Region.Load(
                c.GetArgument<DateOnly?>("asAt") is { } asAt ? asAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : ""));
}

public sealed class WardConsentRequiredCountsType : ObjectGraphType<WardConsentRequiredCounts>
{
    public WardConsentRequiredCountsType()
    {
        Name = "WardConsentRequiredCounts";
        Description = "One ward's live uses needing the patient's own consent after capacity was regained.";
        Field<NonNullGraphType<StringGraphType>>("wardCode").Description("The ward's code.").Resolve(c => c.Source.WardCode);
        Field<StringGraphType>("settingCode").Description("The ward's setting type, as its uses carry it; null for a ward named that has none.").Resolve(c => c.Source.SettingCode.Length == 0 ? null : c.Source.SettingCode);
        Field<NonNullGraphType<IntGraphType>>("uses").Description("Within the deadline and past it together.").Resolve(c => c.Source.WithinDeadline + c.Source.PastDeadline);
        Field<NonNullGraphType<IntGraphType>>("withinDeadline").Description("The patient's own consent is due and the trust's grace period after capacity was regained has not run out.").Resolve(c => c.Source.WithinDeadline);
        Field<NonNullGraphType<IntGraphType>>("pastDeadline").Description("The grace period has run out: a check of the use is denied until the patient's own consent is recorded.").Resolve(c => c.Source.PastDeadline);
    }
}

public sealed class ConsentRequiredCountsType : ObjectGraphType<ConsentRequiredCounts>
{
    public ConsentRequiredCountsType()
    {
        Name = "ConsentRequiredCounts";
        Description = "A trust's live uses (active or suspended) on a proxy or best-interests basis whose patient regained capacity, counted (consent service): the consent-required list's numbers, no patient named.";
        Field<NonNullGraphType<IntGraphType>>("uses").Description("How many, of the trust or of the ward asked for: the number of uses its consent-required list holds.").Resolve(c => c.Source.Uses);
        Field<NonNullGraphType<IntGraphType>>("withinDeadline").Description("Of them, those whose deadline for the patient's own consent is still to come.").Resolve(c => c.Source.WithinDeadline);
        Field<NonNullGraphType<IntGraphType>>("pastDeadline").Description("Of them, those past the deadline: their check is denied.").Resolve(c => c.Source.PastDeadline);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<WardConsentRequiredCountsType>>>>("wards").Description("Each ward with such a use (or the one asked for), by code.")
            .WithComplexityImpact(1, UseCountSizes.Wards).Resolve(c => c.Source.Wards);
        Field<DateTimeGraphType>("countedAt").Description("When consent counted them (UTC).").Resolve(c => Times.Of(c.Source.CountedAt));
    }
}

public sealed class ConsentRequiredCountCellType : ObjectGraphType<UseCountCell>
{
    public ConsentRequiredCountCellType()
    {
        Name = "ConsentRequiredCountCell";
        Description = "A published count of the region's consent-required tables. A suppressed cell carries no number (ADR 0019).";
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Description("Whether the count is hidden so that small numbers are neither shown nor worked out from the others.").Resolve(c => c.Source.Suppressed);
        Field<IntGraphType>("uses").Description("How many uses in \"consent required\" the cell counts; null when suppressed.").Resolve(c => c.Source.HasUses ? c.Source.Uses : null);
    }
}

public sealed class RegionalConsentRequiredRowType : ObjectGraphType<RegionalUseCountRow>
{
    public RegionalConsentRequiredRowType()
    {
        Name = "RegionalConsentRequiredRow";
        Description = "One trust's row of a regional consent-required table, or the all-trusts row.";
        Field<StringGraphType>("odsCode").Description("The trust's ODS code; null for the all-trusts row.").Resolve(c => c.Source.OdsCode.Length == 0 ? null : c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConsentRequiredCountCellType>>>>("cells").Description("One cell per category, in the order of the table's categories.")
            .WithComplexityImpact(1, UseCountSizes.Categories).Resolve(c => c.Source.Cells);
        Field<NonNullGraphType<ConsentRequiredCountCellType>>("total").Description("The row's total: the trust's uses in \"consent required\".").Resolve(c => c.Source.Total);
    }
}

public sealed class RegionalConsentRequiredTableType : ObjectGraphType<RegionalUseCountTable>
{
    public RegionalConsentRequiredTableType()
    {
        Name = "RegionalConsentRequiredTable";
        Description = "Trusts by the categories of one dimension, suppressed together with the other table (they share the trusts' totals).";
        Field<NonNullGraphType<StringGraphType>>("dimension").Description("What the columns are: deadline, or setting.").Resolve(c => c.Source.Dimension);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("The columns: within-deadline and past-deadline, or the ward setting codes in use.")
            .WithComplexityImpact(1, UseCountSizes.Categories).Resolve(c => c.Source.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalConsentRequiredRowType>>>>("rows").Description("A row per trust, in the order of the trusts, then the all-trusts row.")
            .WithComplexityImpact(1, ReportSizes.TrustRows).Resolve(c => c.Source.Rows);
    }
}

public sealed class RegionalConsentRequiredCountsType : ObjectGraphType<RegionalConsentRequiredCounts>
{
    public RegionalConsentRequiredCountsType()
    {
        Name = "RegionalConsentRequiredCounts";
        Description = "Uses needing the patient's own consent after capacity was regained, across the region's trusts, trusts as rows, suppressed (ADR 0019, 0045): aggregates only, never a ward or a patient.";
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("The strictest of the trusts' thresholds (never below 5): counts from 1 to one below it are never shown.").Resolve(c => c.Source.SuppressionThreshold);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts").Description("The region's active trusts (ODS codes), in row order.").Resolve(c => c.Source.Trusts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalConsentRequiredTableType>>>>("tables").Description("The tables by deadline and by ward setting, in that order.")
            .WithComplexityImpact(1, 2).Resolve(c => c.Source.Tables);
        Field<DateTimeGraphType>("countedAt").Description("When the published date's counts were taken (UTC; the day's first publication run, normally soon after 00:00); the deadlines are as at then.").Resolve(c => Times.Of(c.Source.CountedAt));
        Field<NonNullGraphType<DateOnlyGraphType>>("asAt").Description("The published date these counts are as at (ADR 0045 as amended, ADR 0047): published once a day with the active-use counts, never counted as at now.")
            .Resolve(c => DateOnly.ParseExact(c.Source.AsAt, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }
}
