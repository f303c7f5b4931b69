using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.ServiceDefaults.Auth;

namespace Platform.Consent.Api.Grpc;

/// <summary>Counts of uses in "consent required" after capacity was regained (ADR 0045): the trust's, exact; the region's, suppressed.</summary>
public sealed partial class ConsentGrpcService
{
    private ConsentRequiredCounting consentRequiredCounts => services.GetRequiredService<ConsentRequiredCounting>();

    // ListConsentRequired's roles: the same people may list the uses these count.
    [RequiresRole(ConsentRoles.Clinician, ConsentRoles.WardManager)]
    public override async Task<ConsentRequiredCounts> CountConsentRequired(CountConsentRequiredRequest r, ServerCallContext context)
    {
        var found = (await consentRequiredCounts.TrustAsync(r.WardCode, context.CancellationToken)).OrThrow();
        var c = found.Counts;
        var response = new ConsentRequiredCounts { Uses = c.Uses, WithinDeadline = c.WithinDeadline, PastDeadline = c.PastDeadline, CountedAt = Timestamp.FromDateTime(found.CountedAt) };
        response.Wards.AddRange(c.Wards.Select(w => new WardConsentRequiredCounts { WardCode = w.WardCode, SettingCode = w.SettingCode, WithinDeadline = w.WithinDeadline, PastDeadline = w.PastDeadline }));
        return response;
    }

    // A region token only (no trust), as GetRegionalActiveUseCounts: a published date's counts (the latest, or as_at;
    // ADR 0045 as amended, ADR 0047), each trust's row read in its own tenant scope. Never "as at now".
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(ConsentRoles.RegionAnalyst)]
    public override async Task<RegionalConsentRequiredCounts> GetRegionalConsentRequiredCounts(GetRegionalConsentRequiredCountsRequest r, ServerCallContext context)
    {
        var found = (await services.GetRequiredService<PublishedUseCounts>().ConsentRequiredAsync(r.AsAt, context.CancellationToken)).OrThrow();
        var response = new RegionalConsentRequiredCounts
        {
            SuppressionThreshold = found.Counts.SuppressionThreshold, CountedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(found.TakenAt, DateTimeKind.Utc)),
            AsAt = Platform.Consent.Domain.UseCountPublication.Format(found.AsAt),
        };
        response.Trusts.AddRange(found.Counts.Trusts);
        response.Tables.AddRange(found.Counts.Tables.Select(RegionalTable));
        return response;
    }
}
