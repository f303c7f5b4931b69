using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Consent.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// The region's blanket-use signals (issue 19, principle 2, ADR 0044), as consent answers them: counts of the signals its
// sweep raised in the last complete calendar month, by kind and by ward setting, the trusts as rows, small counts
// suppressed (ADR 0019, 0040). Aggregates only: no ward, technology, use or patient, so nothing here is patient data.

internal static class BlanketUseSizes
{
    /// <summary>The regional tables: by kind and by setting.</summary>
    public const double Tables = 2;
    /// <summary>A table's columns: two kinds, or the ward setting types in use (under ten in the directory).</summary>
    public const double Categories = 10;
}

/// <summary>The field that puts the region's signals on the dashboard, so the shared query type changes by one line.</summary>
public static class BlanketUseFields
{
    public static void AddRegionalBlanketUseSignals(ObjectGraphType<RegionScope> region) =>
        region.Field<RegionalBlanketUseSignalsType>("blanketUseSignals")
            .Description("Signs of a blanket approach (principle 2) across the region's trusts: how many blanket-use signals consent's sweep raised in the last complete calendar month, by kind and by ward setting, trusts as rows, small counts suppressed with their complements (consent service; region analysts; ADR 0019, 0040, 0044). Counts only: no ward, technology, use or patient.")
            .Resolve(c => c.RequestServices!.GetRequiredService<BlanketUseLoaders>().Region.Load(true));
}

public sealed class BlanketSignalCountCellType : ObjectGraphType<BlanketSignalCountCell>
{
    public BlanketSignalCountCellType()
    {
        Name = "BlanketSignalCountCell";
        Description = "A published count of blanket-use signals. A suppressed cell carries no number (ADR 0019).";
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Description("Whether the count is hidden so that small numbers are neither shown nor worked out from the others.").Resolve(c => c.Source.Suppressed);
        Field<IntGraphType>("signals").Description("How many signals the cell counts (each ward, technology and kind once in the month); null when suppressed.").Resolve(c => c.Source.HasSignals ? c.Source.Signals : null);
    }
}

public sealed class RegionalBlanketSignalRowType : ObjectGraphType<RegionalBlanketSignalRow>
{
    public RegionalBlanketSignalRowType()
    {
        Name = "RegionalBlanketSignalRow";
        Description = "One trust's row of a regional table of blanket-use signals, or the all-trusts row.";
        Field<StringGraphType>("odsCode").Description("The trust's ODS code; null for the all-trusts row.").Resolve(c => c.Source.OdsCode.Length == 0 ? null : c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BlanketSignalCountCellType>>>>("cells").Description("One cell per category, in the order of the table's categories.")
            .WithComplexityImpact(1, BlanketUseSizes.Categories).Resolve(c => c.Source.Cells);
        Field<NonNullGraphType<BlanketSignalCountCellType>>("total").Description("The row's total: the trust's signals in the month (or the region's).").Resolve(c => c.Source.Total);
    }
}

public sealed class RegionalBlanketSignalTableType : ObjectGraphType<RegionalBlanketSignalTable>
{
    public RegionalBlanketSignalTableType()
    {
        Name = "RegionalBlanketSignalTable";
        Description = "Trusts by the categories of one dimension, suppressed together with the other table (they share the trusts' totals).";
        Field<NonNullGraphType<StringGraphType>>("dimension").Description("What the columns are: kind (of signal) or setting (the ward's setting type).").Resolve(c => c.Source.Dimension);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("The columns: high-share-of-ward and near-identical-rationales, or ward setting codes (unknown for a ward the directory does not hold).")
            .WithComplexityImpact(1, BlanketUseSizes.Categories).Resolve(c => c.Source.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalBlanketSignalRowType>>>>("rows").Description("A row per trust, in the order of the trusts, then the all-trusts row.")
            .WithComplexityImpact(1, ReportSizes.TrustRows).Resolve(c => c.Source.Rows);
    }
}

public sealed class RegionalBlanketUseSignalsType : ObjectGraphType<RegionalBlanketUseSignals>
{
    public RegionalBlanketUseSignalsType()
    {
        Name = "RegionalBlanketUseSignals";
        Description = "Blanket-use signals across the region's trusts for one calendar month, trusts as rows, suppressed (ADR 0019, 0044): aggregates only, never a ward or a patient.";
        Field<NonNullGraphType<StringGraphType>>("period").Description("The month counted, YYYY-MM (UTC): the last complete calendar month.").Resolve(c => c.Source.Period);
        Field<DateTimeGraphType>("periodStart").Description("The month's first instant (UTC), counted from.").Resolve(c => Times.Of(c.Source.PeriodStart));
        Field<DateTimeGraphType>("periodEnd").Description("The next month's first instant (UTC), counted up to and not including.").Resolve(c => Times.Of(c.Source.PeriodEnd));
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("The strictest of the trusts' thresholds (never below 5): counts from 1 to one below it are never shown.").Resolve(c => c.Source.SuppressionThreshold);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts").Description("The region's active trusts (ODS codes), in row order.").Resolve(c => c.Source.Trusts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalBlanketSignalTableType>>>>("tables").Description("The tables by kind and by ward setting, in that order.")
            .WithComplexityImpact(1, BlanketUseSizes.Tables).Resolve(c => c.Source.Tables);
        Field<DateTimeGraphType>("countedAt").Description("When consent counted them (UTC).").Resolve(c => Times.Of(c.Source.CountedAt));
    }
}
