using Grpc.Core;
using Platform.Contracts.Audit.V1;
using Xunit;

namespace Platform.Audit.Api.Tests;

// The audit contract as an auditor, a clinician and another trust see it.
public class AuditGrpcTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private AuditService.AuditServiceClient As(string tenant, params string[] roles) => fixture.App.GrpcClient<AuditService.AuditServiceClient>(tenant, roles);

    // Every method of the contract, called with an empty request: a new method without an entry here fails the role test.
    private static readonly Dictionary<string, Func<AuditService.AuditServiceClient, Task>> Calls = new()
    {
        ["ListEntries"] = c => c.ListEntriesAsync(new ListEntriesRequest()).ResponseAsync,
        ["ListPatientAccesses"] = c => c.ListPatientAccessesAsync(new ListPatientAccessesRequest { Patient = "Patient/p" }).ResponseAsync,
        ["GetCheckpoint"] = c => c.GetCheckpointAsync(new GetCheckpointRequest()).ResponseAsync,
        ["GetVerifierKeys"] = c => c.GetVerifierKeysAsync(new GetVerifierKeysRequest()).ResponseAsync,
        ["GetInclusionProof"] = c => c.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 }).ResponseAsync,
        ["GetConsistencyProof"] = c => c.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstTreeSize = 1, SecondTreeSize = 1 }).ResponseAsync,
        ["ExportRange"] = c => c.ExportRangeAsync(new ExportRangeRequest { FirstSequence = 1, LastSequence = 1 }).ResponseAsync,
    };

    [Fact]
    public void The_contract_offers_no_way_to_write_an_entry()
    {
        // The one region method takes a region token, so it is not among the trust calls above; its roles are checked
        // with a region token by EveryMethodRefusesEveryWrongRoleTests and RegionalCheckpointsTests (ADR 0042).
        Assert.Equal(Calls.Keys.Append("GetRegionalCheckpoints").Order(), AuditService.Descriptor.Methods.Select(m => m.Name).Order());
        Assert.DoesNotContain(AuditService.Descriptor.Methods, m => m.Name.Contains("Append", StringComparison.Ordinal) || m.Name.Contains("Record", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("clinician")]
    [InlineData("trust-admin")]
    [InlineData("platform-operator")]
    [InlineData("device")]
    public async Task Every_method_refuses_a_caller_without_the_auditor_role(string role)
    {
        foreach (var (name, call) in Calls)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => call(As("ROL1", role)));
            Assert.True(refused.StatusCode == StatusCode.PermissionDenied, $"{name} answered {refused.StatusCode} to a {role}");
            Assert.Equal("role.required", refused.Trailers.GetValue("platform-refusal-rule"));
        }

        var log = await As("ROL1", "auditor").ListEntriesAsync(new ListEntriesRequest { PageSize = 500 });
        Assert.DoesNotContain(log.Entries, e => e.Agent.Role == role);
    }

    [Fact]
    public async Task An_auditors_read_is_entered_with_the_reader_from_the_token_and_another_trust_gets_nothing()
    {
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised("pat-g1"), "GRP1", "evt-grp1"));
        await fixture.CheckpointAsync();

        var read = await As("GRP1", "auditor").ListEntriesAsync(new ListEntriesRequest());
        var entry = Assert.Single(read.Entries);
        Assert.Equal(("use-authorised", "nurse-4411", "Patient/pat-g1", "/consent", "evt-grp1"),
            (entry.Type, entry.Agent.Who, entry.Patient, entry.SourceEventSource, entry.SourceEventId));

        var again = await As("GRP1", "auditor").ListEntriesAsync(new ListEntriesRequest { AfterSequence = 1 });
        var audited = Assert.Single(again.Entries);
        Assert.Equal(("audit-log-read", AuditAction.Read, "test-user", "auditor"), (audited.Type, audited.Action, audited.Agent.Who, audited.Agent.Role));

        // Another trust's auditor: no entries, no checkpoint, no proofs of trust GRP1's log.
        var other = As("GRP2", "auditor");
        Assert.Empty((await other.ListEntriesAsync(new ListEntriesRequest())).Entries);
        Assert.Empty((await other.ListEntriesAsync(new ListEntriesRequest { Patient = "Patient/pat-g1" })).Entries);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => other.GetCheckpointAsync(new GetCheckpointRequest()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => other.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1 }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => other.ExportRangeAsync(new ExportRangeRequest { FirstSequence = 1, LastSequence = 1 }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Entries_are_found_by_patient_actor_type_and_time_a_page_at_a_time()
    {
        for (var i = 0; i < 5; i++) await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised(i % 2 == 0 ? "pat-q1" : "pat-q2", $"nurse-{i % 2}"), "QRY1", $"evt-q{i}");
        await AuditEvents.DeliverAsync(fixture.App, new Contracts.Procurement.V1.TechnologyRegistered
        {
            TechnologyId = Guid.NewGuid().ToString(), Name = "Sleep tracker", Actor = new Contracts.Common.V1.Actor { Subject = "lead-1", Role = "procurement-lead" },
        }, "QRY1", "evt-q-tech");
        var auditor = As("QRY1", "auditor");

        var byPatient = await auditor.ListEntriesAsync(new ListEntriesRequest { Patient = "Patient/pat-q1" });
        Assert.Equal(["evt-q0", "evt-q2", "evt-q4"], byPatient.Entries.Select(e => e.SourceEventId));
        var byActor = await auditor.ListEntriesAsync(new ListEntriesRequest { AgentWho = "nurse-1" });
        Assert.Equal(["evt-q1", "evt-q3"], byActor.Entries.Select(e => e.SourceEventId));
        var byType = await auditor.ListEntriesAsync(new ListEntriesRequest { Type = "technology-registered" });
        Assert.Equal(["evt-q-tech"], byType.Entries.Select(e => e.SourceEventId));
        var future = await auditor.ListEntriesAsync(new ListEntriesRequest { RecordedFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) });
        Assert.Empty(future.Entries);

        var first = await auditor.ListEntriesAsync(new ListEntriesRequest { Patient = "Patient/pat-q1", PageSize = 2 });
        Assert.Equal(["evt-q0", "evt-q2"], first.Entries.Select(e => e.SourceEventId));
        var second = await auditor.ListEntriesAsync(new ListEntriesRequest { Patient = "Patient/pat-q1", PageSize = 2, AfterSequence = first.NextAfterSequence });
        // The patient's record also shows who looked at it in the log: the auditor's first query by this patient.
        Assert.Equal([("use-authorised", "evt-q4"), ("audit-log-read", "")], second.Entries.Select(e => (e.Type, e.SourceEventId)));
        Assert.Equal("test-user", second.Entries[1].Agent.Who);
        // Later reads of this patient follow; the cursor stops where the page did.
        Assert.Equal(second.Entries[1].Sequence, second.NextAfterSequence);
        var last = await auditor.ListEntriesAsync(new ListEntriesRequest { Patient = "Patient/pat-q2", PageSize = 2, AfterSequence = 3 });
        Assert.Equal(["evt-q3"], last.Entries.Select(e => e.SourceEventId));
        Assert.Equal(0, last.NextAfterSequence);

        var badSize = await Assert.ThrowsAsync<RpcException>(() => auditor.ListEntriesAsync(new ListEntriesRequest { PageSize = 100_000 }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "page-size.range"), (badSize.StatusCode, badSize.Trailers.GetValue("platform-refusal-rule")));
    }
}
