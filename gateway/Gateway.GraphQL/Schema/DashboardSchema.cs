using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Platform.Gateway.GraphQL.Loading;
using Microsoft.Extensions.DependencyInjection;
using GraphQL.Types.Relay.DataObjects;
using GraphQL.Builders;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Gateway.GraphQL.Schema;

/// <summary>The dashboard schema: one query root over the services, holding no data of its own.</summary>
public sealed class DashboardSchema : global::GraphQL.Types.Schema
{
    public DashboardSchema(IServiceProvider services) : base(services)
    {
        Description = "Dashboards over the platform: the caller's trust as the services show it to the caller's token.";
        Query = services.GetRequiredService<DashboardQuery>();
        // __Directive.isRepeatable is in the October 2021 specification, and in every standard introspection query.
        Features.RepeatableDirectives = true;
    }
}

/// <summary>The trust a request acts for: always the token's, never an argument.</summary>
public sealed record TrustScope(string OdsCode);

public sealed class DashboardQuery : ObjectGraphType
{
    public DashboardQuery()
    {
        Name = "Query";
        Description = "The entry points of a dashboard.";
        Field<NonNullGraphType<TrustType>>("trust")
            .Description("The caller's own trust, taken from the token: there is no argument naming another.")
            .Resolve(c => c.RequestServices!.GetRequiredService<ITenantContext>().TenantId is { } ods
                ? new TrustScope(ods)
                : throw new ExecutionError("This token acts for no trust.") { Code = "FORBIDDEN" });
        Field<NonNullGraphType<RegionType>>("region")
            .Description("The region's aggregates across its trusts, for a region analyst's token (which names no trust): suppressed, never patient rows.")
            .Resolve(c => c.User?.FindFirst(TenantContext.ClaimType) is null
                ? RegionScope.Instance
                : throw new ExecutionError("A trust's token sees its own trust only: the region's aggregates take a region analyst's token.") { Code = "FORBIDDEN" });
    }
}

/// <summary>The region a request reads across: the deployment's, so no argument names it (ADR 0034).</summary>
public sealed record RegionScope
{
    public static RegionScope Instance { get; } = new();
}

public sealed class RegionType : ObjectGraphType<RegionScope>
{
    public RegionType(GraphQLOptions options)
    {
        Name = "Region";
        Description = "The region's dashboard: aggregates across the trusts of this deployment, never patient rows. Counts of patients (outcomes, active uses, consent required, blanket-use signals) are suppressed as linked tables with trusts as rows, for fixed periods or published dates (ADR 0019, 0034, 0040, 0044, 0045, 0047); trusts' decisions about technologies (procurement cases, appraisals and ESF tiers) and audit checkpoints are shown as they are (ADR 0039, 0042, 0046).";
        Field<RegionalOutcomeReportType>("outcomeReport")
            .Description("A technology's outcomes across the region's trusts in an ended quarter by protected characteristic, trusts as rows, small cells suppressed (evidence service; region analysts).")
            .Argument<NonNullGraphType<StringGraphType>>("technologyName", "The technology's name as the trusts registered it (case and outer spaces ignored).")
            .Argument<NonNullGraphType<ContractEnumType<Instrument>>>("instrument", "The instrument the outcomes are measured on.")
            .Argument<NonNullGraphType<StringGraphType>>("period", "A calendar quarter that has ended, e.g. 2026-Q3.")
            .Resolve(c => c.RequestServices!.GetRequiredService<DashboardLoaders>().RegionalOutcomeReports
                .Load(new RegionalReportKey(c.GetArgument<string>("technologyName"), c.GetArgument<Instrument>("instrument"), c.GetArgument<string>("period"))));
        RegionApprovalFields.AddApprovalCounts(this, options);
        UseCountFields.AddRegionalActiveUseCounts(this);
        RegionAuditFields.AddAuditCheckpoints(this);
        BlanketUseFields.AddRegionalBlanketUseSignals(this);
        RegionAppraisalFields.AddAppraisals(this, options);
        ConsentRequiredCountFields.AddRegionalConsentRequiredCounts(this);
    }
}

public sealed class TrustType : ObjectGraphType<TrustScope>
{
    // A list whose every node is one patient's use: a region analyst's document selecting it is refused whole.
    private static void PatientRows<T>(global::GraphQL.Builders.ConnectionBuilder<T> connection) =>
        connection.FieldType.WithMetadata(Protection.PatientDataRule.PatientData, true);

    public TrustType(GraphQLOptions options)
    {
        Name = "Trust";
        Description = "A trust's dashboard: what its technologies, wards and audit log show to the caller's token.";
        Field<NonNullGraphType<StringGraphType>>("odsCode").Description("The trust's ODS code, from the caller's token.").Resolve(c => c.Source.OdsCode);

        Connection<TechnologyType>("technologies")
            .Description("The trust's technology register (procurement), in the order they were registered.")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                // A cursor is the service's page token plus how many of that page were already shown, because the
                // service pages only in whole pages.
                var first = c.First ?? options.DefaultPageSize;
                var (token, skip) = ("", 0);
                if (Cursors.Decode(c.After) is { } position)
                {
                    var bar = position.LastIndexOf('|');
                    if (bar < 0 || !int.TryParse(position.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out skip))
                        throw new ExecutionError("The cursor 'after' is not one this endpoint issued.") { Code = "BAD_CURSOR" };
                    token = position[..bar];
                }

                var procurement = c.RequestServices!.GetRequiredService<ProcurementService.ProcurementServiceClient>();
                if (skip > options.MaxPageSize)
                {
                    // Deep in one service page: step over what was shown, so no call asks for more than two pages.
                    var passed = await procurement.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = skip, PageToken = token },
                        cancellationToken: c.CancellationToken);
                    (token, skip) = (passed.NextPageToken, 0);
                }

                var reply = await procurement.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = skip + first + 1, PageToken = token },
                    cancellationToken: c.CancellationToken);
                var shown = reply.Technologies.Skip(skip).Take(first).ToList();
                var edges = shown.Select((t, i) => new Edge<Technology> { Node = t, Cursor = Cursors.Encode($"{token}|{skip + i + 1}") }).ToList();
                var hasNext = reply.Technologies.Count > skip + first;
                return Cursors.Build(edges, hasNext, hasPrevious: skip > 0 || token.Length > 0);
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BlanketUseSignalType>>>>("blanketUseSignals")
            .Description("Signs of a blanket approach (principle 2) on the named wards, with their evidence (consent service; clinicians).")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("wardCodes", "The wards to look at (at most the page-size limit).")
            // One analysis per ward named, each with a few signals: the analyser counts the wards, not its default of 5.
            .WithComplexityImpact(c => new global::GraphQL.Validation.Complexity.FieldComplexityResult(1,
                c.Arguments is { } given && given.TryGetValue("wardCodes", out var wards) && wards.Value is System.Collections.ICollection named ? Math.Max(1, named.Count) : 1))
            .Resolve(c =>
            {
                var wards = c.GetArgument<List<string>>("wardCodes");
                if (wards.Count > options.MaxPageSize)
                    throw new ExecutionError($"At most {options.MaxPageSize} wards can be asked for at once.") { Code = "PAGE_SIZE_LIMIT" };
                var loader = c.RequestServices!.GetRequiredService<DashboardLoaders>().BlanketUseByWard;
                return loader.LoadMany(wards.Distinct(StringComparer.Ordinal)).Then(lists => lists.SelectMany(l => l).ToList());
            });

        UseCountFields.AddActiveUseCounts(this);
        ConsentRequiredCountFields.AddConsentRequiredCounts(this);

        // The consent service's ward lists. Each page is one call; consent records every patient it answers with.
        var consentPage = (IResolveConnectionContext<TrustScope> c) => (c.First ?? options.DefaultPageSize, c.RequestServices!.GetRequiredService<ConsentService.ConsentServiceClient>());

        PatientRows(Connection<WardUseType>("activeUses")
            .Description("The active uses on a ward with their lawful basis (own consent, proxy, best interests, court order, MHA s. 63) and review, oldest first (consent service; clinicians, ward managers). Patient rows: each patient shown is recorded as read by consent.")
            .Argument<NonNullGraphType<StringGraphType>>("wardCode", "The ward, by its code.")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                var (first, consent) = consentPage(c);
                return await Cursors.ServicePageAsync<UseSummary>(c.After, first, options.MaxPageSize, async (token, size) =>
                {
                    var request = new ListUsesRequest { WardCode = c.GetArgument<string>("wardCode"), PageSize = size, PageToken = token };
                    request.Statuses.Add(UseStatus.Active);
                    var reply = await consent.ListUsesAsync(request, cancellationToken: c.CancellationToken);
                    return ((IReadOnlyList<UseSummary>)reply.Uses, reply.NextPageToken);
                });
            }));

        PatientRows(Connection<WardUseType>("overdueReviews")
            .Description("Live uses past their review date, the longest overdue first, on one ward or every ward (consent service; clinicians, ward managers). Patient rows: each patient shown is recorded as read by consent.")
            .Argument<StringGraphType>("wardCode", "The ward, by its code; every ward of the trust when not given.")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                var (first, consent) = consentPage(c);
                return await Cursors.ServicePageAsync<UseSummary>(c.After, first, options.MaxPageSize, async (token, size) =>
                {
                    var reply = await consent.ListOverdueReviewsAsync(new ListOverdueReviewsRequest { WardCode = c.GetArgument<string?>("wardCode") ?? "", PageSize = size, PageToken = token },
                        cancellationToken: c.CancellationToken);
                    return ((IReadOnlyList<UseSummary>)reply.Uses, reply.NextPageToken);
                });
            }));

        PatientRows(Connection<ConsentRequiredUseType>("consentRequired")
            .Description("Live uses on a proxy or best-interests basis whose patient has regained capacity, so their own consent is due: past due first, then the soonest deadline (consent service; clinicians, ward managers). Patient rows: each patient shown is recorded as read by consent.")
            .Argument<StringGraphType>("wardCode", "The ward, by its code; every ward of the trust when not given.")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                var (first, consent) = consentPage(c);
                return await Cursors.ServicePageAsync<ConsentRequiredUse>(c.After, first, options.MaxPageSize, async (token, size) =>
                {
                    var reply = await consent.ListConsentRequiredAsync(new ListConsentRequiredRequest { WardCode = c.GetArgument<string?>("wardCode") ?? "", PageSize = size, PageToken = token },
                        cancellationToken: c.CancellationToken);
                    return ((IReadOnlyList<ConsentRequiredUse>)reply.Uses, reply.NextPageToken);
                });
            }));

        PatientRows(Connection<RaisedBlanketUseSignalType>("raisedBlanketUseSignals")
            .Description("Blanket-use signals the consent service's scheduled sweep raised, newest first, with the uses they rest on (consent service; clinicians, ward managers).")
            .Argument<StringGraphType>("wardCode", "The ward, by its code; every ward of the trust when not given.")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                var (first, consent) = consentPage(c);
                return await Cursors.ServicePageAsync<RaisedBlanketUseSignal>(c.After, first, options.MaxPageSize, async (token, size) =>
                {
                    var reply = await consent.ListBlanketUseSignalsAsync(new ListBlanketUseSignalsRequest { WardCode = c.GetArgument<string?>("wardCode") ?? "", PageSize = size, PageToken = token },
                        cancellationToken: c.CancellationToken);
                    return ((IReadOnlyList<RaisedBlanketUseSignal>)reply.Signals, reply.NextPageToken);
                });
            }));

        Field<AuditCheckpointType>("auditCheckpoint")
            .Description("The audit log's latest signed checkpoint: how many entries it holds and the note a verifier checks; null before the first is signed (audit service; auditors only, and reading it is itself recorded).")
            .ResolveAsync(async c =>
            {
                try
                {
                    return await c.RequestServices!.GetRequiredService<AuditService.AuditServiceClient>()
                        .GetCheckpointAsync(new GetCheckpointRequest(), cancellationToken: c.CancellationToken);
                }
                catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.NotFound)
                {
                    return null;
                }
            });

        Connection<AuditEntryType>("auditEntries")
            .Description("The trust's audit log, oldest first (audit service; auditors only, and reading it is itself recorded).")
            .PageSize(options.DefaultPageSize)
            .ResolveAsync(async c =>
            {
                var first = c.First ?? options.DefaultPageSize;
                long after = 0;
                if (Cursors.Decode(c.After) is { } position && (!long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
                    throw new ExecutionError("The cursor 'after' is not one this endpoint issued.") { Code = "BAD_CURSOR" };
                var audit = c.RequestServices!.GetRequiredService<AuditService.AuditServiceClient>();
                var reply = await audit.ListEntriesAsync(new ListEntriesRequest { AfterSequence = after, PageSize = first + 1 }, cancellationToken: c.CancellationToken);
                var edges = reply.Entries.Take(first)
                    .Select(e => new Edge<AuditEntry> { Node = e, Cursor = Cursors.Encode(e.Sequence.ToString(CultureInfo.InvariantCulture)) }).ToList();
                return Cursors.Build(edges, hasNext: reply.Entries.Count > first, hasPrevious: after > 0);
            });
    }
}
