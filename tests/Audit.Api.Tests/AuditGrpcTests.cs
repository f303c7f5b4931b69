using Platform.Contracts.Audit.V1;
using Grpc.Core;
using Xunit;

namespace Platform.Audit.Api.Tests;

public class AuditGrpcTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private AuditService.AuditServiceClient As(string tenant, params string[] roles) => fixture.App.GrpcClient<AuditService.AuditServiceClient>(tenant, roles);

    [Fact]
    public async Task An_auditor_reads_the_trusts_log_over_grpc_and_a_clinician_is_permission_denied()
    {
        var entry = await As("GRP1").AppendEntryAsync(new AppendEntryRequest
        {
            Type = "patient-record-read", Action = AuditAction.Read, Outcome = AuditOutcome.Success,
            Agent = new AuditAgent { Who = "clinician-9", Role = "clinician", PurposeOfUse = "TREAT" },
            Entity = new AuditEntity { What = "Patient/abc", Type = "Patient" },
        }).ResponseAsync;
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(64, entry.LeafHash.Length);

        var denied = await Assert.ThrowsAsync<RpcException>(() => As("GRP1", "clinician").ListEntriesAsync(new ListEntriesRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        var read = await As("GRP1", "auditor").ListEntriesAsync(new ListEntriesRequest()).ResponseAsync;
        Assert.Equal(["patient-record-read", "audit-log-read"], read.Entries.Select(e => e.Type));
        Assert.Equal("test-user", read.Entries[1].Agent.Who); // the reader comes from the token
        Assert.Equal(AuditOutcome.MinorFailure, read.Entries[1].Outcome);

        var otherTrust = await As("GRP2", "auditor").ListEntriesAsync(new ListEntriesRequest()).ResponseAsync;
        Assert.Empty(otherTrust.Entries);
    }
}
