using Grpc.Core;
using Platform.Contracts.Audit.V1;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The gateway tests' "refused before any call" assertions rest on the services' call counters. A counter that sat
/// behind a service's own call policy would miss a call the service refused, and so could not tell the gateway's
/// refusal from the service's: the counters count every call that reaches a service, refused or not.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class CallCounterTests(DashboardHosts hosts)
{
    [Fact]
    public async Task A_call_the_service_itself_refuses_is_still_counted()
    {
        hosts.ResetCounts();
        // A trust's token asking audit for the region's checkpoints: audit refuses it (a region token only, ADR 0042).
        var client = hosts.Audit.GrpcClient<AuditService.AuditServiceClient>(Seed.NewTrust(), "auditor");

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.GetRegionalCheckpointsAsync(new GetRegionalCheckpointsRequest()));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(1, hosts.AuditCalls[nameof(AuditService.AuditServiceClient.GetRegionalCheckpoints)]);
        Assert.Equal(1, hosts.CallsToAllServices);
    }
}
