using System.Text.Json;
using Grpc.Core;
using Npgsql;
using Platform.Audit.Domain.Checkpoints;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Domain.Tree;
using Platform.Contracts.Audit.V1;
using Platform.Tools.AuditVerifier;
using Xunit;

namespace Platform.Audit.Api.Tests;

// Checkpoints and proofs as served by the running service, checked by our verifier, by the JavaScript one written from
// the RFCs, and against rows tampered with in PostgreSQL.
public class ProofTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private AuditService.AuditServiceClient Auditor(string tenant) => fixture.App.GrpcClient<AuditService.AuditServiceClient>(tenant, "auditor");

    private async Task<(VerifiedCheckpoint Checkpoint, string Note)> VerifiedCheckpointAsync(string tenant, long size = 0)
    {
        var auditor = Auditor(tenant);
        var keys = await auditor.GetVerifierKeysAsync(new GetVerifierKeysRequest());
        var note = (await auditor.GetCheckpointAsync(new GetCheckpointRequest { TreeSize = size })).SignedNote;
        var verified = new CheckpointVerifier(keys.Origin, keys.LogKeys.Select(NoteVerifierKey.Parse)).Verify(note);
        Assert.False(verified.IsRefused, verified.Refusal?.Message);
        return (verified.Value, note);
    }

    private async Task DeliverAsync(string tenant, int count, string prefix)
    {
        for (var i = 0; i < count; i++) Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised($"{prefix}-{i}"), tenant, $"{prefix}-{i}"));
    }

    [Fact]
    public async Task Inclusion_and_consistency_proofs_from_the_service_verify_here_and_in_the_independent_javascript_verifier()
    {
        await DeliverAsync("PRF1", 7, "p1a");
        Assert.True(await fixture.CheckpointAsync() >= 1);
        var (old, _) = await VerifiedCheckpointAsync("PRF1");
        await DeliverAsync("PRF1", 6, "p1b");
        await fixture.CheckpointAsync();
        var (latest, _) = await VerifiedCheckpointAsync("PRF1");
        Assert.True(latest.Checkpoint.Size > old.Checkpoint.Size);

        var auditor = Auditor("PRF1");
        var cases = new List<object>();
        for (var sequence = 1L; sequence <= old.Checkpoint.Size; sequence++)
        {
            var proof = await auditor.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = sequence, TreeSize = old.Checkpoint.Size });
            var hashes = proof.Hashes.Select(Convert.FromBase64String).ToList();
            Assert.True(MerkleProof.VerifyInclusion(sequence - 1, old.Checkpoint.Size, Convert.FromBase64String(proof.LeafHash), hashes, old.Checkpoint.RootHash), $"entry {sequence}");
            cases.Add(new { kind = "inclusion", index = sequence - 1, size = old.Checkpoint.Size, leaf = proof.LeafHash, proof = proof.Hashes, root = Convert.ToBase64String(old.Checkpoint.RootHash) });
        }

        var consistency = await auditor.GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstTreeSize = old.Checkpoint.Size, SecondTreeSize = latest.Checkpoint.Size });
        var consistencyHashes = consistency.Hashes.Select(Convert.FromBase64String).ToList();
        Assert.True(MerkleProof.VerifyConsistency(old.Checkpoint.Size, latest.Checkpoint.Size, old.Checkpoint.RootHash, latest.Checkpoint.RootHash, consistencyHashes));
        cases.Add(new { kind = "consistency", size1 = old.Checkpoint.Size, size2 = latest.Checkpoint.Size, root1 = Convert.ToBase64String(old.Checkpoint.RootHash), root2 = Convert.ToBase64String(latest.Checkpoint.RootHash), proof = consistency.Hashes });
        // A proof against another root must fail in both verifiers, or agreeing on "true" proves nothing.
        cases.Add(new { kind = "consistency", size1 = old.Checkpoint.Size, size2 = latest.Checkpoint.Size, root1 = Convert.ToBase64String(latest.Checkpoint.RootHash), root2 = Convert.ToBase64String(latest.Checkpoint.RootHash), proof = consistency.Hashes });

        var file = Path.Combine(Path.GetTempPath(), $"audit-proofs-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { cases }));
        var (code, output) = await JavaScriptVerifier.RunAsync("proofs", file);
        Assert.True(code == 0, output);
        var results = JsonDocument.Parse(output).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetBoolean()).ToList();
        Assert.Equal([.. Enumerable.Repeat(true, cases.Count - 1), false], results);
    }

    [Fact]
    public async Task An_export_of_the_running_log_verifies_in_the_audit_verifier_and_in_javascript()
    {
        await DeliverAsync("PRF2", 9, "p2");
        await fixture.CheckpointAsync();
        var (checkpoint, _) = await VerifiedCheckpointAsync("PRF2");
        var export = await Auditor("PRF2").ExportRangeAsync(new ExportRangeRequest { FirstSequence = 1, LastSequence = checkpoint.Checkpoint.Size });
        var file = Path.Combine(Path.GetTempPath(), $"audit-export-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, export.BundleJson);
        var logKey = AuditTestKeys.LogKeys["PRF2"].Verifier.ToString();

        var run = await RunVerifierAsync("bundle", file, "--key", logKey);
        Assert.True(run.Code == ExitCodes.Intact, run.Output);
        Assert.Contains($"INTACT: all {checkpoint.Checkpoint.Size} entries", run.Output, StringComparison.Ordinal);

        var (code, output) = await JavaScriptVerifier.RunAsync("bundle", file, "--key", logKey);
        Assert.True(code == 0, output);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("ok").GetBoolean(), output);

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => Auditor("PRF2").ExportRangeAsync(new ExportRangeRequest { FirstSequence = 1, LastSequence = checkpoint.Checkpoint.Size + 1 }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "last-sequence.range"), (tooMany.StatusCode, tooMany.Trailers.GetValue("platform-refusal-rule")));
        var notCheckpointed = await Assert.ThrowsAsync<RpcException>(() => Auditor("PRF2").GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = 1, TreeSize = checkpoint.Checkpoint.Size + 100 }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "tree-size.not-checkpointed"), (notCheckpointed.StatusCode, notCheckpointed.Trailers.GetValue("platform-refusal-rule")));
    }

    [Fact]
    public async Task A_row_changed_in_the_database_past_the_trigger_is_named_by_the_verifier()
    {
        await DeliverAsync("TMP1", 6, "t1");
        await fixture.CheckpointAsync();
        var connection = fixture.App.Postgres.AppConnectionString(fixture.App.Database);
        var logKey = AuditTestKeys.LogKeys["TMP1"].Verifier.ToString();
        var intact = await RunVerifierAsync("database", "--connection", connection, "--key", logKey);
        Assert.True(intact.Code == ExitCodes.Intact, intact.Output);

        await using (var owner = new NpgsqlConnection(fixture.App.Postgres.OwnerConnectionString(fixture.App.Database)))
        {
            await owner.OpenAsync();
            await using var tamper = new NpgsqlCommand("""
                SELECT set_config('app.tenant_id', 'TMP1', false);
                ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only;
                UPDATE audit_entries SET agent_who = 'someone-else' WHERE tenant_id = 'TMP1' AND sequence = 4;
                ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only;
                """, owner);
            await tamper.ExecuteNonQueryAsync();
        }

        var broken = await RunVerifierAsync("database", "--connection", connection, "--key", logKey);
        Assert.Equal(ExitCodes.Broken, broken.Code);
        Assert.Contains("BROKEN at entry 4", broken.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunVerifierAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Platform.Tools.AuditVerifier.Program.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString() + error);
    }
}
