using System.Net;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Consent learns each trust's technologies from procurement's technology_registered events; an approval typed in by
/// hand names one of them, so a trust holding another trust's technology id (found by the isolation suite through the
/// gateway) cannot approve it, and neither can anyone approve a made-up one (OWASP API1).
/// </summary>
public sealed class TechnologyRegisterTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static RecordTechnologyApprovalRequest ByHand(string technology, string setting = ConsentClient.Setting) =>
        new() { TechnologyId = technology, TechnologyName = "bedside sleep sensor", SettingCode = setting, Reason = ConsentClient.OverrideReason };

    [Fact]
    public async Task A_trust_cannot_approve_another_trusts_technology_or_a_made_up_one_by_hand()
    {
        var a = new ConsentClient(fixture.App, "TRG1");
        var b = new ConsentClient(fixture.App, "TRG2");
        var theirs = Guid.NewGuid().ToString();
        await a.RegisterTechnologyAsync(theirs);

        var attached = await b.Refused(c => c.RecordTechnologyApprovalAsync(ByHand(theirs)), StatusCode.NotFound, "technology.not-found");
        Assert.Contains("No technology with this id in this trust's register", attached.Status.Detail);
        await b.Refused(c => c.RecordTechnologyApprovalAsync(ByHand(Guid.NewGuid().ToString())), StatusCode.NotFound, "technology.not-found");
        Assert.Equal(0, await ApprovalsAsync("TRG2"));

        // Its own trust approves it; bad input is still named before the register is looked at.
        var approved = await a.Call(c => c.RecordTechnologyApprovalAsync(ByHand(theirs)));
        Assert.Equal(theirs, approved.TechnologyId);
        await b.Refused(c => c.RecordTechnologyApprovalAsync(ByHand(theirs, setting: "")), StatusCode.InvalidArgument, "setting-code.required");
    }

    [Fact]
    public async Task A_registration_is_learned_once_and_procurements_approval_may_arrive_before_it()
    {
        var a = new ConsentClient(fixture.App, "TRG3");
        var technology = Guid.NewGuid().ToString();
        // The approval event and the registration travel on different topics, in no set order: the approval is applied.
        using var http = fixture.App.CreateHttpClient();
        var approved = new Procurement.TechnologyApproved { TechnologyId = technology, Name = "bedside sleep sensor", ProcurementCaseId = "case-1" };
        approved.SettingCodes.Add(ConsentClient.Setting);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.PublishAsync(http, approved, "TRG3", technology));
        Assert.Equal(1, await ApprovalsAsync("TRG3"));

        await a.RegisterTechnologyAsync(technology);
        await a.RegisterTechnologyAsync(technology, "renamed by a replay");
        var names = await fixture.App.InTenantAsync("TRG3", sp => sp.GetRequiredService<ConsentDbContext>().Technologies.Where(t => t.Id == Guid.Parse(technology)).Select(t => t.Name).ToListAsync());
        Assert.Equal(["bedside sleep sensor"], names);

        Assert.Equal((HttpStatusCode.OK, "DROP"), await SidecarDelivery.PublishAsync(http, new Procurement.TechnologyRegistered { TechnologyId = "not-a-uuid", Name = "x" }, "TRG3", "x"));
    }

    private Task<int> ApprovalsAsync(string tenant) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ConsentDbContext>().TechnologyApprovals.CountAsync());
}
