using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.ServiceDefaults.Auth;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Grpc;

/// <summary>Blanket use for dashboards (ADR 0044): detection over many wards at once, and the region's signals suppressed.</summary>
public sealed partial class ConsentGrpcService
{
    private BlanketUseReads blanketUse => services.GetRequiredService<BlanketUseReads>();

    // DetectBlanketUse's roles: the same people, the same signals, for many wards.
    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<DetectBlanketUseForWardsResponse> DetectBlanketUseForWards(DetectBlanketUseForWardsRequest r, ServerCallContext context)
    {
        var found = (await blanketUse.DetectForWardsAsync(r.WardCodes, context.CancellationToken)).OrThrow();
        var response = new DetectBlanketUseForWardsResponse();
        foreach (var (ward, signals) in found)
        {
            var message = new WardBlanketUseSignals { WardCode = ward };
            message.Signals.AddRange(signals.Select(ConsentEvents.ToMessage));
            response.Wards.Add(message);
        }
        return response;
    }

    // A region token only (no trust), as GetRegionalActiveUseCounts: each trust read in its own tenant scope, counts leave suppressed.
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(ConsentRoles.RegionAnalyst)]
    public override async Task<RegionalBlanketUseSignals> GetRegionalBlanketUseSignals(GetRegionalBlanketUseSignalsRequest r, ServerCallContext context)
    {
        var found = (await blanketUse.RegionAsync(context.CancellationToken)).OrThrow();
        var response = new RegionalBlanketUseSignals
        {
            SuppressionThreshold = found.Counts.SuppressionThreshold,
            Period = found.Period,
            PeriodStart = Timestamp.FromDateTime(found.PeriodStart),
            PeriodEnd = Timestamp.FromDateTime(found.PeriodEnd),
            CountedAt = Timestamp.FromDateTime(found.CountedAt),
        };
        response.Trusts.AddRange(found.Counts.Trusts);
        foreach (var table in found.Counts.Tables)
        {
            var message = new RegionalBlanketSignalTable { Dimension = table.Dimension };
            message.Categories.AddRange(table.Categories);
            foreach (var row in table.Rows)
            {
                var line = new RegionalBlanketSignalRow { OdsCode = row.OdsCode ?? "", Total = SignalCell(row.Total) };
                line.Cells.AddRange(row.Cells.Select(SignalCell));
                message.Rows.Add(line);
            }
            response.Tables.Add(message);
        }
        return response;
    }

    private static BlanketSignalCountCell SignalCell(Domain.SignalCountCell cell) =>
        cell.Signals is { } signals ? new BlanketSignalCountCell { Signals = signals } : new BlanketSignalCountCell { Suppressed = true };
}
