using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.ServiceDefaults.Auth;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Grpc;

/// <summary>Counts of active uses (ADR 0040): the trust's, exact, and the region's, suppressed with trusts as rows.</summary>
public sealed partial class ConsentGrpcService
{
    private UseCounts counts => services.GetRequiredService<UseCounts>();

    // The ward queries' roles: the same people may list the uses these count.
    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ActiveUseCounts> CountActiveUses(CountActiveUsesRequest r, ServerCallContext context)
    {
        var found = (await counts.TrustAsync(r.WardCode, context.CancellationToken)).OrThrow();
        var response = new ActiveUseCounts { Uses = found.Counts.Uses, OverdueReviews = found.Counts.OverdueReviews, CountedAt = Timestamp.FromDateTime(found.CountedAt) };
        response.ByLawfulBasis.AddRange(ByBasis(found.Counts.ByBasis));
        foreach (var ward in found.Counts.Wards)
        {
            var message = new WardUseCounts { WardCode = ward.WardCode, SettingCode = ward.SettingCode, Uses = ward.Uses, OverdueReviews = ward.OverdueReviews };
            message.ByLawfulBasis.AddRange(ByBasis(ward.ByBasis));
            response.Wards.Add(message);
        }
        return response;
    }

    // A region token only (no trust); a published date's counts (ADR 0047: the latest, or as_at), each trust's row read
    // in its own tenant scope, suppressed together. Never "as at now": the figures change only from one date to the next.
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(ConsentRoles.RegionAnalyst)]
    public override async Task<RegionalActiveUseCounts> GetRegionalActiveUseCounts(GetRegionalActiveUseCountsRequest r, ServerCallContext context)
    {
        var found = (await services.GetRequiredService<PublishedUseCounts>().RegionAsync(r.AsAt, context.CancellationToken)).OrThrow();
        var response = new RegionalActiveUseCounts
        {
            SuppressionThreshold = found.Counts.SuppressionThreshold, CountedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(found.TakenAt, DateTimeKind.Utc)),
            AsAt = Domain.UseCountPublication.Format(found.AsAt),
        };
        response.Trusts.AddRange(found.Counts.Trusts);
        response.Tables.AddRange(found.Counts.Tables.Select(RegionalTable));
        return response;
    }

    private static RegionalUseCountTable RegionalTable(Domain.RegionalUseCountTable table)
    {
        var message = new RegionalUseCountTable { Dimension = table.Dimension };
        message.Categories.AddRange(table.Categories);
        foreach (var row in table.Rows)
        {
            var line = new RegionalUseCountRow { OdsCode = row.OdsCode ?? "", Total = Cell(row.Total) };
            line.Cells.AddRange(row.Cells.Select(Cell));
            message.Rows.Add(line);
        }
        return message;
    }

    private static IEnumerable<LawfulBasisCount> ByBasis(IReadOnlyList<int> counts) =>
        Domain.ActiveUseCounts.Bases.Select((basis, i) => new LawfulBasisCount { LawfulBasis = (LawfulBasisKind)basis, Uses = counts[i] });

    private static UseCountCell Cell(Domain.UseCountCell cell) =>
        cell.Uses is { } uses ? new UseCountCell { Uses = uses } : new UseCountCell { Suppressed = true };
}
