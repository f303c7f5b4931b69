using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Data;
using Platform.ServiceDefaults.Tenancy;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The region's audit volume and checkpoint status through GraphQL (issue 19, ADR 0042): each active trust's latest
/// checkpoint, for a region analyst's token only, in one call to audit however many fields ask.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class RegionAuditTests(DashboardHosts hosts)
{
    // The gateway's audit host signs no checkpoints of its own (it has no log keys): the rows are written as its
    // checkpointer and a witness would have written them. Audit's own tests sign and cosign real ones.
    private async Task CheckpointedAsync(string trust, long size, int cosignatures)
    {
        await using var scope = hosts.Audit.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(trust);
        var db = scope.ServiceProvider.GetRequiredService<AuditDbContext>();
        foreach (var s in new[] { size - 1, size })
            db.Checkpoints.Add(new CheckpointRow { TenantId = trust, TreeSize = s, RootHash = new byte[32], SignedAt = new DateTime(2026, 12, 4, 9, (int)s, 0, DateTimeKind.Utc), Note = $"test note {s}\n" });
        for (var i = 0; i < cosignatures; i++)
            db.Cosignatures.Add(new CosignatureRow { TenantId = trust, TreeSize = size, Witness = $"witness-{i}", Line = $"— witness-{i} test\n" });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_region_analyst_reads_each_trusts_checkpoint_size_in_one_call_and_a_trust_token_gets_FORBIDDEN_before_any_call()
    {
        var (a, b, none) = (Seed.NewTrust(), Seed.NewTrust(), Seed.NewTrust());
        await CheckpointedAsync(a, 7, cosignatures: 1);
        await CheckpointedAsync(b, 3, cosignatures: 0);

        hosts.ResetCounts();
        // A trust's token, even one carrying region-analyst, gets nothing of the region, and audit is not asked.
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"], ["auditor"] })
        {
            var (_, refused) = await hosts.Gateway.Client(a, roles).PostAsync("{ region { auditCheckpoints { odsCode treeSize } } }");
            Assert.Equal(["FORBIDDEN"], refused.ErrorCodes());
            // Refused by the gateway at region, not by audit (whose refusal the call counter, behind its authorization, would not see).
            Assert.Contains("sees its own trust only", refused!["errors"]![0]!["message"]!.GetValue<string>());
            Assert.Null(refused["data"]);
        }
        Assert.Equal(0, hosts.CallsToAllServices);

        // Two aliases: one call.
        var (response, body) = await hosts.Gateway.RegionClient().PostAsync("""
            { region { x: auditCheckpoints { odsCode treeSize signedAt cosignatures } y: auditCheckpoints { odsCode } } }
            """);
        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        Assert.Equal(1, hosts.AuditCalls["GetRegionalCheckpoints"]);
        Assert.Equal(1, hosts.AuditCalls.Total);
        var trusts = body!["data"]!["region"]!["x"]!.AsArray().ToDictionary(t => t!["odsCode"]!.GetValue<string>());
        Assert.Equal((7L, 1), (trusts[a]!["treeSize"]!.GetValue<long>(), trusts[a]!["cosignatures"]!.GetValue<int>()));
        Assert.Equal(new DateTime(2026, 12, 4, 9, 7, 0, DateTimeKind.Utc), trusts[a]!["signedAt"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.Equal((3L, 0), (trusts[b]!["treeSize"]!.GetValue<long>(), trusts[b]!["cosignatures"]!.GetValue<int>()));
        Assert.Null(trusts[none]!["treeSize"]);
        Assert.Null(trusts[none]!["signedAt"]);
        Assert.Equal(trusts.Count, body["data"]!["region"]!["y"]!.AsArray().Count);
    }
}
