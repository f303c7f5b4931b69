using GraphQL;
using GraphQL.Types;
using GraphQL.Validation.Complexity;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Evidence.V1;

namespace Platform.Gateway.GraphQL.Schema;

// The outcome reports (P8) as the evidence service publishes them: suppressed aggregates only, never a patient row.
// A report's lists (breakdowns, rows, cells) are one linked table read together, not pages of rows: they are lists,
// not Relay connections (ADR 0034). Their lengths are known (eleven breakdowns, at most ten categories, a row per
// setting type or trust), so each list says so to the complexity analyser instead of its default guess.

internal static class ReportSizes
{
    public const double Breakdowns = 11, Categories = 10, SettingRows = 8, TrustRows = 12;

    /// <summary>Eleven breakdowns, or one when the query names its characteristic.</summary>
    public static FieldComplexityResult BreakdownsImpact(FieldImpactContext context) =>
        new(1, context.GetArgument<string?>("characteristic", null) is null ? Breakdowns : 1);
}

public sealed class OutcomeCellType : ObjectGraphType<OutcomeCell>
{
    public OutcomeCellType()
    {
        Name = "OutcomeCell";
        Description = "A cell of an outcome breakdown. A suppressed cell carries neither a count nor a mean (ADR 0019).";
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Description("Whether the cell is hidden to keep small numbers from being shown or worked out.").Resolve(c => c.Source.Suppressed);
        Field<IntGraphType>("patients").Description("How many patients the cell counts; null when suppressed.").Resolve(c => c.Source.HasPatients ? c.Source.Patients : null);
        Field<FloatGraphType>("mean").Description("The mean outcome, positive meaning improvement; null when suppressed or empty.").Resolve(c => c.Source.HasMean ? c.Source.Mean : null);
    }
}

public sealed class OutcomeCategoryType : ObjectGraphType<OutcomeCategory>
{
    public OutcomeCategoryType()
    {
        Name = "OutcomeCategory";
        Description = "A category of a characteristic (e.g. female), the column of a breakdown.";
        Field<NonNullGraphType<StringGraphType>>("code").Description("The category's code, e.g. not-stated.").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("label").Description("The category in words.").Resolve(c => c.Source.Label);
    }
}

public sealed class OutcomeRowType : ObjectGraphType<OutcomeRow>
{
    public OutcomeRowType()
    {
        Name = "OutcomeRow";
        Description = "One setting's row of a trust's breakdown, or the all-settings row.";
        Field<StringGraphType>("settingCode").Description("The ward setting type; null for the all-settings row.").Resolve(c => c.Source.SettingCode.Length == 0 ? null : c.Source.SettingCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeCellType>>>>("cells").Description("One cell per category, in the order of the breakdown's categories.")
            .WithComplexityImpact(1, ReportSizes.Categories).Resolve(c => c.Source.Cells);
        Field<NonNullGraphType<OutcomeCellType>>("total").Description("The row's total.").Resolve(c => c.Source.Total);
    }
}

public sealed class OutcomeBreakdownType : ObjectGraphType<OutcomeBreakdown>
{
    public OutcomeBreakdownType()
    {
        Name = "OutcomeBreakdown";
        Description = "Outcomes broken down by one protected characteristic (or trauma history, paranoia): settings by categories.";
        Field<NonNullGraphType<StringGraphType>>("characteristic").Description("The characteristic's code, e.g. sex.").Resolve(c => c.Source.Characteristic);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The characteristic in words.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeCategoryType>>>>("categories").Description("The columns.")
            .WithComplexityImpact(1, ReportSizes.Categories).Resolve(c => c.Source.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeRowType>>>>("rows").Description("A row per setting, then the all-settings row.")
            .WithComplexityImpact(1, ReportSizes.SettingRows).Resolve(c => c.Source.Rows);
    }
}

public sealed class OutcomeReportType : ObjectGraphType<OutcomeReport>
{
    public OutcomeReportType()
    {
        Name = "OutcomeReport";
        Description = "A technology's outcomes in one ended quarter by protected characteristic, small cells suppressed (evidence service).";
        Field<NonNullGraphType<IdGraphType>>("technologyId").Description("The technology reported on.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<ContractEnumType<Instrument>>>("instrument").Description("The instrument the outcomes are measured on.").Resolve(c => c.Source.Instrument);
        Field<NonNullGraphType<StringGraphType>>("period").Description("The calendar quarter, e.g. 2026-Q3.").Resolve(c => c.Source.Period);
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("Counts from 1 to one below this are never shown.").Resolve(c => c.Source.SuppressionThreshold);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("settings").Description("The settings with outcomes, in row order.").Resolve(c => c.Source.Settings);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeBreakdownType>>>>("breakdowns")
            .Description("One breakdown per characteristic, or only the one named.")
            .WithComplexityImpact(ReportSizes.BreakdownsImpact)
            .Argument<StringGraphType>("characteristic", "A characteristic's code (e.g. sex) to show only its breakdown.")
            .Resolve(c => c.GetArgument<string?>("characteristic") is { } code ? c.Source.Breakdowns.Where(b => b.Characteristic == code).ToList() : c.Source.Breakdowns);
    }
}

public sealed class RegionalOutcomeRowType : ObjectGraphType<RegionalOutcomeRow>
{
    public RegionalOutcomeRowType()
    {
        Name = "RegionalOutcomeRow";
        Description = "One trust's row of a regional breakdown, or the all-trusts row.";
        Field<StringGraphType>("odsCode").Description("The trust's ODS code; null for the all-trusts row.").Resolve(c => c.Source.OdsCode.Length == 0 ? null : c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeCellType>>>>("cells").Description("One cell per category, in the order of the breakdown's categories.")
            .WithComplexityImpact(1, ReportSizes.Categories).Resolve(c => c.Source.Cells);
        Field<NonNullGraphType<OutcomeCellType>>("total").Description("The row's total.").Resolve(c => c.Source.Total);
    }
}

public sealed class RegionalOutcomeBreakdownType : ObjectGraphType<RegionalOutcomeBreakdown>
{
    public RegionalOutcomeBreakdownType()
    {
        Name = "RegionalOutcomeBreakdown";
        Description = "Outcomes across the region's trusts broken down by one characteristic: trusts by categories, suppressed as one table.";
        Field<NonNullGraphType<StringGraphType>>("characteristic").Description("The characteristic's code, e.g. sex.").Resolve(c => c.Source.Characteristic);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The characteristic in words.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OutcomeCategoryType>>>>("categories").Description("The columns.")
            .WithComplexityImpact(1, ReportSizes.Categories).Resolve(c => c.Source.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalOutcomeRowType>>>>("rows").Description("A row per trust, then the all-trusts row.")
            .WithComplexityImpact(1, ReportSizes.TrustRows).Resolve(c => c.Source.Rows);
    }
}

public sealed class RegionalOutcomeReportType : ObjectGraphType<RegionalOutcomeReport>
{
    public RegionalOutcomeReportType()
    {
        Name = "RegionalOutcomeReport";
        Description = "A technology's outcomes across the region's trusts in one ended quarter, trusts as rows, suppressed (ADR 0019, 0034): aggregates only.";
        Field<NonNullGraphType<StringGraphType>>("technologyName").Description("The technology's name as the trusts registered it.").Resolve(c => c.Source.TechnologyName);
        Field<NonNullGraphType<ContractEnumType<Instrument>>>("instrument").Description("The instrument the outcomes are measured on.").Resolve(c => c.Source.Instrument);
        Field<NonNullGraphType<StringGraphType>>("period").Description("The calendar quarter, e.g. 2026-Q3.").Resolve(c => c.Source.Period);
        Field<NonNullGraphType<IntGraphType>>("suppressionThreshold").Description("The strictest of the trusts' thresholds: counts from 1 to one below it are never shown.").Resolve(c => c.Source.SuppressionThreshold);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts").Description("The trusts with outcomes, in row order (ODS codes).").Resolve(c => c.Source.Trusts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionalOutcomeBreakdownType>>>>("breakdowns")
            .Description("One breakdown per characteristic, or only the one named.")
            .WithComplexityImpact(ReportSizes.BreakdownsImpact)
            .Argument<StringGraphType>("characteristic", "A characteristic's code (e.g. sex) to show only its breakdown.")
            .Resolve(c => c.GetArgument<string?>("characteristic") is { } code ? c.Source.Breakdowns.Where(b => b.Characteristic == code).ToList() : c.Source.Breakdowns);
    }
}

public sealed class AppraisalType : ObjectGraphType<Appraisal>
{
    public AppraisalType()
    {
        Name = "Appraisal";
        Description = "A critical review of a technology's evidence for one ward setting type (P7), with its NICE ESF tier (evidence service).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The appraisal's id.").Resolve(c => c.Source.AppraisalId);
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward setting type it was appraised for.").Resolve(c => c.Source.SettingCode);
        Field<ContractEnumType<EsfTier>>("esfTier").Description("The NICE Evidence Standards Framework tier it was appraised at.").Resolve(c => c.Source.Tier == EsfTier.Unspecified ? null : c.Source.Tier);
        Field<ContractEnumType<AppraisalConclusion>>("conclusion").Description("Whether the evidence was sufficient, minimal or insufficient.").Resolve(c => c.Source.Conclusion == AppraisalConclusion.Unspecified ? null : c.Source.Conclusion);
        Field<NonNullGraphType<IntGraphType>>("standardsMet").Description("How many of the tier's ESF standards the reviewer judged met.").Resolve(c => c.Source.Standards.Count(s => s.Met));
        Field<NonNullGraphType<IntGraphType>>("standardsNotMet").Description("How many of the tier's ESF standards the reviewer judged not met.").Resolve(c => c.Source.Standards.Count(s => !s.Met));
        Field<NonNullGraphType<IntGraphType>>("itemsConsidered").Description("How many evidence items the appraisal rests on.").Resolve(c => c.Source.Evidence.Count);
        Field<NonNullGraphType<IntGraphType>>("itemsMeetingP7Bar").Description("How many of them are high quality, large scale and unbiased in the trust's reading of P7.").Resolve(c => c.Source.ItemsMeetingP7Bar);
        Field<NonNullGraphType<StringGraphType>>("howEvidenceInformedDecision").Description("How the evidence base was taken into account in the decision (P7).").Resolve(c => c.Source.HowEvidenceInformedDecision);
        Field<DateTimeGraphType>("completedAt").Description("When it was completed (UTC).").Resolve(c => Times.Of(c.Source.CompletedAt));
    }
}

public sealed class AuditCheckpointType : ObjectGraphType<Checkpoint>
{
    public AuditCheckpointType()
    {
        Name = "AuditCheckpoint";
        Description = "The latest signed checkpoint of the trust's audit log (c2sp.org/tlog-checkpoint): its volume and the note a verifier checks.";
        Field<NonNullGraphType<LongGraphType>>("treeSize").Description("How many entries the log holds at this checkpoint.").Resolve(c => c.Source.TreeSize);
        Field<NonNullGraphType<StringGraphType>>("signedNote").Description("The signed note, byte for byte, with its witness cosignatures.").Resolve(c => c.Source.SignedNote);
    }
}
