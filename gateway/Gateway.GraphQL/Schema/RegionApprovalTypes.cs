using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// The region's approval counts (issue 19, ADR 0039): procurement's GetRegionalApprovalCounts, one call per distinct
// name and page through the request's BatchLoader. Counts of procurement cases by setting type and approval status,
// over the region's trusts and per trust: no case, no person, no patient.

/// <summary>One page of procurement's regional approval counts.</summary>
public readonly record struct RegionalApprovalCountsKey(string TechnologyName, string AfterTechnologyName, int PageSize);

/// <summary>A page of technologies with the trusts that were read to count them.</summary>
public sealed class RegionApprovalConnection : Connection<RegionalTechnologyApprovals>
{
    public IReadOnlyList<string> Trusts { get; init; } = [];
}

internal static class RegionApprovalSizes
{
    // Each list tells the complexity analyser its real size: a count per setting type (8) and status (3) over all
    // trusts; a trust has one case per technology and setting type, so at most 8 counts; 12 trusts, as the
    // regional outcome report's rows (ReportSizes.TrustRows).
    public const double RegionCounts = 24, TrustCounts = 8, Trusts = ReportSizes.TrustRows;
}

public static class RegionApprovalFields
{
    /// <summary>Adds <c>approvalCounts</c> to the region's dashboard.</summary>
    public static void AddApprovalCounts(ObjectGraphType<RegionScope> region, GraphQLOptions options)
    {
        region.Connection<RegionTechnologyApprovalsType, EdgeType<RegionTechnologyApprovalsType>, RegionApprovalConnectionType>("approvalCounts")
            .Description("Procurement cases across the region's trusts by setting type and approval status, per technology (matched by name, case and outer spaces ignored) and per trust, in name order (procurement service; region analysts). Counts of cases, not of patients: not suppressed (ADR 0039).")
            .Argument<StringGraphType>("technologyName", "One technology, by its name as the trusts registered it (case and outer spaces ignored); every technology when not given.")
            .PageSize(options.DefaultPageSize)
            .Resolve(c =>
            {
                var first = c.First ?? options.DefaultPageSize;
                var after = Cursors.Decode(c.After) ?? "";
                if (first == 0)
                    return new RegionApprovalConnection { Edges = [], PageInfo = new PageInfo { HasNextPage = true, HasPreviousPage = after.Length > 0 } };
                var key = new RegionalApprovalCountsKey(c.GetArgument<string?>("technologyName") ?? "", after, first);
                return c.RequestServices!.GetRequiredService<DashboardLoaders>().RegionalApprovalCounts.Load(key).Then(reply =>
                {
                    // A technology's cursor is its name: procurement pages after a name, compared as it matches names.
                    var edges = reply.Technologies.Select(t => new Edge<RegionalTechnologyApprovals> { Node = t, Cursor = Cursors.Encode(t.TechnologyName) }).ToList();
                    var page = Cursors.Build(edges, hasNext: reply.More, hasPrevious: after.Length > 0);
                    return new RegionApprovalConnection { Edges = page.Edges, PageInfo = page.PageInfo, Trusts = reply.Trusts };
                });
            });
    }
}

public sealed class RegionApprovalConnectionType : ConnectionType<RegionTechnologyApprovalsType, EdgeType<RegionTechnologyApprovalsType>>
{
    public RegionApprovalConnectionType()
    {
        Name = "RegionTechnologyApprovalsConnection";
        Description = "A page of the region's technologies with their approval counts, and the trusts read to count them.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("trusts")
            .Description("The region's active trusts that were read, by ODS code: a trust not under a technology has not registered it.")
            .WithComplexityImpact(1, RegionApprovalSizes.Trusts)
            .Resolve(c => ((RegionApprovalConnection)c.Source!).Trusts);
    }
}

public sealed class RegionApprovalCountType : ObjectGraphType<RegionalApprovalCount>
{
    public RegionApprovalCountType()
    {
        Name = "RegionApprovalCount";
        Description = "How many procurement cases stand at one approval status in one ward setting type; only non-zero counts are listed.";
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward setting type, e.g. acute-adult or picu.").Resolve(c => c.Source.SettingCode);
        Field<NonNullGraphType<ContractEnumType<CaseStatus>>>("status").Description("The approval status: open (not yet approved), approved, or withdrawn.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<IntGraphType>>("cases").Description("How many cases (a trust has one per technology and setting type).").Resolve(c => c.Source.Cases);
    }
}

public sealed class RegionTrustApprovalCountsType : ObjectGraphType<TrustApprovalCounts>
{
    public RegionTrustApprovalCountsType()
    {
        Name = "RegionTrustApprovalCounts";
        Description = "One trust that registered the technology, with its cases' counts (none when it opened no case).";
        Field<NonNullGraphType<StringGraphType>>("odsCode").Description("The trust's ODS code.").Resolve(c => c.Source.OdsCode);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionApprovalCountType>>>>("counts").Description("The trust's counts, by setting type, then status.")
            .WithComplexityImpact(1, RegionApprovalSizes.TrustCounts).Resolve(c => c.Source.Counts);
    }
}

public sealed class RegionTechnologyApprovalsType : ObjectGraphType<RegionalTechnologyApprovals>
{
    public RegionTechnologyApprovalsType()
    {
        Name = "RegionTechnologyApprovals";
        Description = "A technology across the region's trusts, matched by name: its procurement cases counted by setting type and approval status (procurement).";
        Field<NonNullGraphType<StringGraphType>>("technologyName").Description("The technology's name as most of its trusts registered it.").Resolve(c => c.Source.TechnologyName);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionApprovalCountType>>>>("counts").Description("Over every trust, by setting type, then status.")
            .WithComplexityImpact(1, RegionApprovalSizes.RegionCounts).Resolve(c => c.Source.Counts);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionTrustApprovalCountsType>>>>("trusts").Description("Each trust that registered it, by ODS code, with its counts.")
            .WithComplexityImpact(1, RegionApprovalSizes.Trusts).Resolve(c => c.Source.Trusts);
    }
}
