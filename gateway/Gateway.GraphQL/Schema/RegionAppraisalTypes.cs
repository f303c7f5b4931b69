using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Evidence.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// The region's appraisals and ESF tiers (issue 19, ADR 0046): evidence's GetRegionalAppraisals, one call per distinct
// name and page through the request's BatchLoader. Trusts' current appraisals by setting type, conclusion and tier,
// over the region's trusts and per trust: no appraisal, no reviewer, no reasoning, no patient.

/// <summary>One page of evidence's regional appraisals.</summary>
public readonly record struct RegionalAppraisalsKey(string TechnologyName, string AfterTechnologyName, int PageSize);

/// <summary>A page of technologies with the trusts that were read for them.</summary>
public sealed class RegionAppraisalConnection : Connection<RegionalTechnologyAppraisals>
{
    public IReadOnlyList<string> Trusts { get; init; } = [];
}

internal static class RegionAppraisalSizes
{
    // Each list tells the complexity analyser its real size: the 8 ward setting types (as RegionApprovalSizes counts
    // them), the 3 conclusions and 3 ESF tiers, 12 trusts (ReportSizes.TrustRows), a trust's current appraisals one
    // per setting type.
    public const double Settings = 8, Conclusions = 3, Tiers = 3, Trusts = ReportSizes.TrustRows, TrustAppraisals = 8;
}

public static class RegionAppraisalFields
{
    /// <summary>Adds <c>appraisals</c> to the region's dashboard.</summary>
    public static void AddAppraisals(ObjectGraphType<RegionScope> region, GraphQLOptions options)
    {
        region.Connection<RegionTechnologyAppraisalsType, EdgeType<RegionTechnologyAppraisalsType>, RegionAppraisalConnectionType>("appraisals")
            .Description("Evidence appraisals across the region's trusts: per technology (matched by name, case and outer spaces ignored) and ward setting type, how many trusts appraised it and their current appraisals by conclusion and NICE ESF tier, and each trust's own, in name order (evidence service; region analysts). Trusts' decisions about technologies, not patient data: not suppressed (ADR 0046).")
            .Argument<StringGraphType>("technologyName", "One technology, by its name as the trusts registered it (case and outer spaces ignored); every technology when not given.")
            .PageSize(options.DefaultPageSize)
            .Resolve(c =>
            {
                var first = c.First ?? options.DefaultPageSize;
                var after = Cursors.Decode(c.After) ?? "";
                if (first == 0)
                    return new RegionAppraisalConnection { Edges = [], PageInfo = new PageInfo { HasNextPage = true, HasPreviousPage = after.Length > 0 } };
                var key = new RegionalAppraisalsKey(c.GetArgument<string?>("technologyName") ?? "", after, first);
                return c.RequestServices!.GetRequiredService<RegionAppraisalLoaders>().Pages.Load(key).Then(reply =>
                {
                    // A technology's cursor is its name: evidence pages after a name, compared as it matches names.
                    var edges = reply.Technologies.Select(t => new Edge<RegionalTechnologyAppraisals> { Node = t, Cursor = Cursors.Encode(t.TechnologyName) }).ToList();
                    var page = Cursors.Build(edges, hasNext: reply.More, hasPrevious: after.Length > 0);
                    return new RegionAppraisalConnection { Edges = page.Edges, PageInfo = page.PageInfo, Trusts = reply.Trusts };
                });
            });
    }
}

public sealed class RegionAppraisalConnectionType : ConnectionType<RegionTechnologyAppraisalsType, EdgeType<RegionTechnologyAppraisalsType>>
{
    public RegionAppraisalConnectionType()
    {
        Name = "RegionTechnologyAppraisalsConnection";
        Description = "A page of the region's technologies with their appraisals, and the trusts read for them.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts")
            .Description("The region's active trusts that were read, by ODS code: a trust not under a technology has not registered it.")
            .WithComplexityImpact(1, RegionAppraisalSizes.Trusts)
            .Resolve(c => ((RegionAppraisalConnection)c.Source!).Trusts);
    }
}

public sealed class RegionConclusionCountType : ObjectGraphType<RegionalConclusionCount>
{
    public RegionConclusionCountType()
    {
        Name = "RegionAppraisalConclusionCount";
        Description = "How many trusts' current appraisals reached one conclusion; only non-zero counts are listed.";
        Field<NonNullGraphType<ContractEnumType<AppraisalConclusion>>>("conclusion").Description("Sufficient, minimal (a trial with independent evaluation only) or insufficient.").Resolve(c => c.Source.Conclusion);
        Field<NonNullGraphType<IntGraphType>>("appraisals").Description("How many current appraisals (a trust's latest for a technology and setting type).").Resolve(c => c.Source.Appraisals);
    }
}

public sealed class RegionTierCountType : ObjectGraphType<RegionalTierCount>
{
    public RegionTierCountType()
    {
        Name = "RegionEsfTierCount";
        Description = "How many trusts' current appraisals placed the technology in one NICE ESF tier; only non-zero counts are listed.";
        Field<NonNullGraphType<ContractEnumType<EsfTier>>>("tier").Description("The NICE Evidence Standards Framework tier: A system efficiency, B self-management, C treat, diagnose or guide care.").Resolve(c => c.Source.Tier);
        Field<NonNullGraphType<IntGraphType>>("appraisals").Description("How many current appraisals (a trust's latest for a technology and setting type).").Resolve(c => c.Source.Appraisals);
    }
}

public sealed class RegionSettingAppraisalsType : ObjectGraphType<RegionalSettingAppraisals>
{
    public RegionSettingAppraisalsType()
    {
        Name = "RegionSettingAppraisals";
        Description = "One ward setting type across the region's trusts: how many appraised the technology for it, by conclusion and ESF tier.";
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward setting type, e.g. acute-adult or picu.").Resolve(c => c.Source.SettingCode);
        Field<NonNullGraphType<IntGraphType>>("trusts").Description("How many trusts have a current appraisal of the technology for this setting type.").Resolve(c => c.Source.Trusts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionConclusionCountType>>>>("conclusions").Description("The current appraisals by conclusion.")
            .WithComplexityImpact(1, RegionAppraisalSizes.Conclusions).Resolve(c => c.Source.Conclusions);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionTierCountType>>>>("tiers").Description("The current appraisals by ESF tier.")
            .WithComplexityImpact(1, RegionAppraisalSizes.Tiers).Resolve(c => c.Source.Tiers);
    }
}

public sealed class RegionTrustCurrentAppraisalType : ObjectGraphType<TrustCurrentAppraisal>
{
    public RegionTrustCurrentAppraisalType()
    {
        Name = "RegionTrustAppraisal";
        Description = "A trust's current appraisal (its latest) of the technology for one setting type: no reviewer, no reasoning, no id.";
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward setting type it was appraised for.").Resolve(c => c.Source.SettingCode);
        Field<ContractEnumType<EsfTier>>("esfTier").Description("The NICE Evidence Standards Framework tier it was appraised at.").Resolve(c => c.Source.Tier == EsfTier.Unspecified ? null : c.Source.Tier);
        Field<ContractEnumType<AppraisalConclusion>>("conclusion").Description("Whether the evidence was sufficient, minimal or insufficient.").Resolve(c => c.Source.Conclusion == AppraisalConclusion.Unspecified ? null : c.Source.Conclusion);
        Field<DateTimeGraphType>("completedOn").Description("The day (UTC) it was completed, at midnight: the time of day is not given.").Resolve(c => Times.Of(c.Source.CompletedOn));
    }
}

public sealed class RegionTrustAppraisalsType : ObjectGraphType<RegionalTrustAppraisals>
{
    public RegionTrustAppraisalsType()
    {
        Name = "RegionTrustAppraisals";
        Description = "One trust that registered the technology, with its current appraisals (none when it has not appraised it).";
        Field<NonNullGraphType<StringGraphType>>("odsCode").Description("The trust's ODS code.").Resolve(c => c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionTrustCurrentAppraisalType>>>>("appraisals").Description("The trust's current appraisals, by setting type.")
            .WithComplexityImpact(1, RegionAppraisalSizes.TrustAppraisals).Resolve(c => c.Source.Appraisals);
    }
}

public sealed class RegionTechnologyAppraisalsType : ObjectGraphType<RegionalTechnologyAppraisals>
{
    public RegionTechnologyAppraisalsType()
    {
        Name = "RegionTechnologyAppraisals";
        Description = "A technology across the region's trusts, matched by name: its current appraisals by setting type, conclusion and ESF tier (evidence).";
        Field<NonNullGraphType<StringGraphType>>("technologyName").Description("The technology's name as most of its trusts registered it.").Resolve(c => c.Source.TechnologyName);
        Field<NonNullGraphType<IntGraphType>>("trustsAppraised").Description("How many trusts have a current appraisal of it for any setting type.").Resolve(c => c.Source.TrustsAppraised);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionSettingAppraisalsType>>>>("settings").Description("Over every trust, by setting type.")
            .WithComplexityImpact(1, RegionAppraisalSizes.Settings).Resolve(c => c.Source.Settings);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionTrustAppraisalsType>>>>("trusts").Description("Each trust that registered it, by ODS code, with its current appraisals.")
            .WithComplexityImpact(1, RegionAppraisalSizes.Trusts).Resolve(c => c.Source.Trusts);
    }
}
