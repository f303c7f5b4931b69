using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// ADR 0029: approvals come from procurement's events; setting or withdrawing one by hand is an operator override,
/// a trust admin's only, with a reason, recorded on the approval (who, when, why) and published as an event.
/// </summary>
public sealed class ApprovalOverrideTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static RecordTechnologyApprovalRequest Approval(string technology, string? reason) =>
        new() { TechnologyId = technology, TechnologyName = "bedside sleep sensor", SettingCode = ConsentClient.Setting, Reason = reason ?? "" };

    private Task<List<TechnologyApprovalOverridden>> OverridesAsync(string tenant) => fixture.App.InTenantAsync(tenant, async sp =>
    {
        var type = EventName.For(TechnologyApprovalOverridden.Descriptor).Type;
        var rows = await sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Type == type && m.Tenant == tenant).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync();
        return rows.Select(payload =>
        {
            Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(payload), out var ce, out var error), error);
            Assert.DoesNotContain("recalled", payload, StringComparison.Ordinal);
            return JsonParser.Default.Parse<TechnologyApprovalOverridden>(ce!.DataJson!);
        }).ToList();
    });

    private Task<int> ApprovalsAsync(string tenant) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ConsentDbContext>().TechnologyApprovals.CountAsync());

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public async Task An_override_without_a_reason_is_refused_naming_reason_and_changes_nothing(string? reason)
    {
        var tenant = reason is null ? "OVR1" : "OVR2";
        var admin = new ConsentClient(fixture.App, tenant, "trust-admin");
        var technology = Guid.NewGuid().ToString();
        await admin.RegisterTechnologyAsync(technology);

        var refused = await admin.Refused(c => c.RecordTechnologyApprovalAsync(Approval(technology, reason)), StatusCode.InvalidArgument, "reason.required");
        Assert.Contains("Reason", refused.Status.Detail);
        Assert.Equal(0, await ApprovalsAsync(tenant));

        var approved = await admin.Call(c => c.RecordTechnologyApprovalAsync(Approval(technology, "Procurement system down; case PC-7 approved on paper")));
        await admin.Refused(c => c.WithdrawTechnologyApprovalAsync(new WithdrawTechnologyApprovalRequest { ApprovalId = approved.ApprovalId, Reason = reason ?? "" }),
            StatusCode.InvalidArgument, "reason.required");
        Assert.False(await fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ConsentDbContext>().TechnologyApprovals.AnyAsync(a => a.WithdrawnAt != null)));
    }

    [Fact]
    public async Task Only_a_trust_admin_may_override_a_procurement_lead_or_clinician_is_refused()
    {
        var technology = Guid.NewGuid().ToString();
        var admin = new ConsentClient(fixture.App, "OVR3", "trust-admin");
        await admin.RegisterTechnologyAsync(technology);
        foreach (var role in new[] { "procurement-lead", "clinician", "device", "ward-manager" })
        {
            var other = new ConsentClient(fixture.App, "OVR3", role);
            var refused = await other.Refused(c => c.RecordTechnologyApprovalAsync(Approval(technology, "because")), StatusCode.PermissionDenied, "role.required");
            Assert.Contains("trust-admin", refused.Status.Detail);
        }
        Assert.Equal(0, await ApprovalsAsync("OVR3"));
    }

    [Fact]
    public async Task An_override_is_recorded_on_the_approval_with_who_when_and_why_and_published_without_the_reason()
    {
        var admin = new ConsentClient(fixture.App, "OVR4", "trust-admin");
        var technology = Guid.NewGuid().ToString();
        await admin.RegisterTechnologyAsync(technology);

        var approved = await admin.Call(c => c.RecordTechnologyApprovalAsync(Approval(technology, "Procurement outage: case approved on paper by the board")));
        Assert.Equal(("test-user", "trust-admin", "Procurement outage: case approved on paper by the board"),
            (approved.ApprovedByOverride.Subject, approved.ApprovedByOverride.Role, approved.ApprovedByOverride.Reason));
        Assert.Equal(approved.ApprovedAt, approved.ApprovedByOverride.At);
        Assert.Null(approved.WithdrawnByOverride);

        var withdrawn = await admin.Call(c => c.WithdrawTechnologyApprovalAsync(new WithdrawTechnologyApprovalRequest
        {
            ApprovalId = approved.ApprovalId, Reason = "Supplier recalled the sensor firmware",
        }));
        Assert.Equal(("test-user", "trust-admin", "Supplier recalled the sensor firmware"),
            (withdrawn.Approval.WithdrawnByOverride.Subject, withdrawn.Approval.WithdrawnByOverride.Role, withdrawn.Approval.WithdrawnByOverride.Reason));
        Assert.Equal(withdrawn.Approval.WithdrawnAt, withdrawn.Approval.WithdrawnByOverride.At);

        var published = await OverridesAsync("OVR4");
        Assert.Equal([ApprovalOverrideAction.Recorded, ApprovalOverrideAction.Withdrawn], published.Select(e => e.Action));
        Assert.All(published, e => Assert.Equal((approved.ApprovalId, technology, ConsentClient.Setting, "trust-admin"), (e.ApprovalId, e.TechnologyId, e.SettingCode, e.Actor.Role)));
    }
}
