using Platform.Contracts.Audit.V1;
using Platform.Grpc;
using Platform.Grpc.Client;
using Xunit;

namespace Platform.Audit.Api.Tests;

public class AuditGrpcTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private static readonly Method<AppendEntryRequest, AuditEntry> Append = Method<AppendEntryRequest, AuditEntry>.From(AuditReflection.Descriptor.Services[0], "AppendEntry");
    private static readonly Method<ListEntriesRequest, ListEntriesResponse> List = Method<ListEntriesRequest, ListEntriesResponse>.From(AuditReflection.Descriptor.Services[0], "ListEntries");

    [Fact]
    public async Task An_auditor_reads_the_trusts_log_over_grpc_and_a_clinician_is_permission_denied()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var entry = await channel.UnaryCall(Append, new AppendEntryRequest
        {
            Type = "patient-record-read", Action = AuditAction.Read, Outcome = AuditOutcome.Success,
            Agent = new AuditAgent { Who = "clinician-9", Role = "clinician", PurposeOfUse = "TREAT" },
            Entity = new AuditEntity { What = "Patient/abc", Type = "Patient" },
        }, fixture.App.CallAs("GRP1")).ResponseAsync;
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(64, entry.LeafHash.Length);

        var denied = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(List, new ListEntriesRequest(), fixture.App.CallAs("GRP1", "clinician")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        var read = await channel.UnaryCall(List, new ListEntriesRequest(), fixture.App.CallAs("GRP1", "auditor")).ResponseAsync;
        Assert.Equal(["patient-record-read", "audit-log-read"], read.Entries.Select(e => e.Type));
        Assert.Equal("test-user", read.Entries[1].Agent.Who); // the reader comes from the token
        Assert.Equal(AuditOutcome.MinorFailure, read.Entries[1].Outcome);

        var otherTrust = await channel.UnaryCall(List, new ListEntriesRequest(), fixture.App.CallAs("GRP2", "auditor")).ResponseAsync;
        Assert.Empty(otherTrust.Entries);
    }
}
