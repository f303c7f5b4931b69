using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Contracts.Evidence.V1;
using Platform.Evidence.Api.Application;
using Platform.Grpc;
using Platform.ServiceDefaults.Auth;
using static Platform.Evidence.Api.Grpc.EvidenceRoleCodes;
using Domain = Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Grpc;

public sealed partial class EvidenceGrpcService
{
    // A region token only (no trust), as GetRegionalOutcomeReport; each trust read in its own tenant scope (ADR 0046).
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(RegionAnalyst)]
    public override async Task<GetRegionalAppraisalsResponse> GetRegionalAppraisals(GetRegionalAppraisalsRequest request, ServerCallContext context)
    {
        var regionalAppraisals = context.GetHttpContext().RequestServices.GetRequiredService<RegionalAppraisals>();
        var page = (await regionalAppraisals.ListAsync(request.TechnologyName, request.PageSize, request.AfterTechnologyName, context.CancellationToken)).OrThrow();
        var response = new GetRegionalAppraisalsResponse { More = page.More };
        response.Trusts.AddRange(page.Trusts);
        response.Technologies.AddRange(page.Technologies.Select(ToMessage));
        return response;
    }

    private static RegionalTechnologyAppraisals ToMessage(Domain.TechnologyAppraisals technology)
    {
        var message = new RegionalTechnologyAppraisals { TechnologyName = technology.Name, TrustsAppraised = technology.TrustsAppraised };
        foreach (var setting in technology.Settings)
        {
            var s = new RegionalSettingAppraisals { SettingCode = setting.SettingCode, Trusts = setting.Trusts };
            s.Conclusions.AddRange(setting.Conclusions.Select(c => new RegionalConclusionCount { Conclusion = (AppraisalConclusion)c.Conclusion, Appraisals = c.Appraisals }));
            s.Tiers.AddRange(setting.Tiers.Select(t => new RegionalTierCount { Tier = (EsfTier)t.Tier, Appraisals = t.Appraisals }));
            message.Settings.Add(s);
        }
        foreach (var trust in technology.Trusts)
        {
            var t = new RegionalTrustAppraisals { OdsCode = trust.OdsCode };
            t.Appraisals.AddRange(trust.Appraisals.Select(a => new TrustCurrentAppraisal
            {
                SettingCode = a.SettingCode, Tier = (EsfTier)a.Tier, Conclusion = (AppraisalConclusion)a.Conclusion,
                CompletedOn = Timestamp.FromDateTime(a.CompletedOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            }));
            message.Trusts.Add(t);
        }
        return message;
    }
}
