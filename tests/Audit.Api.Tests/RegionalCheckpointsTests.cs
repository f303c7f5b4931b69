using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Data;
using Platform.Contracts.Audit.V1;
using Platform.Domain;
using Platform.Grpc.Interceptors;
using Platform.KnownTrusts;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

/// <summary>
/// The region analyst's audit volume and checkpoint status (issue 19, ADR 0042): each active known trust's latest
/// checkpoint (size, time, cosignatures), each trust read in its own tenant scope; a region token as region analyst only.
/// </summary>
public class RegionalCheckpointsTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private AuditService.AuditServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<AuditService.AuditServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    private async Task EntriesAsync(string trust, int count)
    {
        for (var i = 0; i < count; i++)
            Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised($"pat-{trust}-{i}"), trust, $"evt-{trust}-{i}-{Guid.NewGuid():N}"));
    }

    private static async Task<RpcException> RefusedAsync<T>(Func<Task<T>> call, StatusCode code)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task Each_active_trusts_latest_checkpoint_size_and_time_and_a_suspended_or_unknown_trust_left_out()
    {
        // RGC1 and RGC2 are active; RGC3 was onboarded and then suspended; RGC4's log has entries but the directory
        // never onboarded it (events arrive for it, tokens do not). All four logs are checkpointed; RGC1's twice.
        await fixture.App.KnowTrustsAsync(["RGC1", "RGC2", "RGC3"]);
        await EntriesAsync("RGC1", 2);
        await fixture.CheckpointAsync();
        await EntriesAsync("RGC1", 2);
        await EntriesAsync("RGC2", 3);
        await EntriesAsync("RGC3", 1);
        await EntriesAsync("RGC4", 1);
        await fixture.CheckpointAsync();
        await using (var scope = fixture.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange("RGC3", "Suspended trust", Active: false), default);
        var signed = await fixture.App.InTenantAsync("RGC2", sp => sp.GetRequiredService<AuditDbContext>().Checkpoints.AsNoTracking().MaxAsync(c => c.SignedAt));

        var reply = await Region().GetRegionalCheckpointsAsync(new GetRegionalCheckpointsRequest());

        var byTrust = reply.Trusts.ToDictionary(t => t.OdsCode);
        Assert.Equal(reply.Trusts.Select(t => t.OdsCode).Order(StringComparer.Ordinal), reply.Trusts.Select(t => t.OdsCode));
        Assert.Equal((true, 4L, 0), (byTrust["RGC1"].HasCheckpoint, byTrust["RGC1"].TreeSize, byTrust["RGC1"].Cosignatures));
        Assert.Equal((true, 3L, 0), (byTrust["RGC2"].HasCheckpoint, byTrust["RGC2"].TreeSize, byTrust["RGC2"].Cosignatures));
        Assert.Equal(DateTime.SpecifyKind(signed, DateTimeKind.Utc), byTrust["RGC2"].SignedAt.ToDateTime());
        Assert.DoesNotContain("RGC3", byTrust.Keys);
        Assert.DoesNotContain("RGC4", byTrust.Keys);
        // An active trust whose log has no checkpoint yet is listed without one.
        Assert.False(byTrust["RX3"].HasCheckpoint);
        Assert.Null(byTrust["RX3"].SignedAt);

        // Reading the region's checkpoints enters nothing in a trust's log (ADR 0042: no patient data is read).
        await fixture.CheckpointAsync();
        Assert.Equal(4, (await Region().GetRegionalCheckpointsAsync(new GetRegionalCheckpointsRequest())).Trusts.Single(t => t.OdsCode == "RGC1").TreeSize);
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_them_and_the_application_refuses_a_trusts_scope()
    {
        var request = new GetRegionalCheckpointsRequest();
        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await RefusedAsync(() => fixture.App.GrpcClient<AuditService.AuditServiceClient>("RX3", "region-analyst").GetRegionalCheckpointsAsync(request).ResponseAsync,
            StatusCode.PermissionDenied);
        Assert.Contains("names no trust", trust.Status.Detail);
        // The trust's auditor neither.
        await RefusedAsync(() => fixture.App.GrpcClient<AuditService.AuditServiceClient>("RX3", "auditor").GetRegionalCheckpointsAsync(request).ResponseAsync, StatusCode.PermissionDenied);
        // A region token in another region role.
        var operatorCall = await RefusedAsync(() => Region("region-operator").GetRegionalCheckpointsAsync(request).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal(CallPolicyInterceptor.RoleRequiredRule, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer));
        // The region analyst's token reads no trust's entries.
        await RefusedAsync(() => Region().ListEntriesAsync(new ListEntriesRequest()).ResponseAsync, StatusCode.PermissionDenied);

        // Were the method ever reached in a trust's scope, the application refuses again.
        var inTrust = await fixture.App.InTenantAsync("RX3", sp => sp.GetRequiredService<RegionalCheckpoints>().ReadAsync());
        Assert.Equal((RefusalKind.PermissionDenied, "region.token-required"), (inTrust.Refusal?.Kind, inTrust.Refusal?.Rule));
    }
}
