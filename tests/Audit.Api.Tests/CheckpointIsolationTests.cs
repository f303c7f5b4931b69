using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Data;
using Platform.Contracts.Audit.V1;
using Xunit;

namespace Platform.Audit.Api.Tests;

/// <summary>
/// One trust's fault must not leave another trust's log unsigned: the checkpointer signs each trust on its own, logs
/// the one that failed, and signs it on the next round (a refused insert is not taken for another instance's checkpoint).
/// </summary>
public class CheckpointIsolationTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private AuditService.AuditServiceClient Auditor(string tenant) =>
        fixture.App.GrpcClient<AuditService.AuditServiceClient>(tenant, "auditor");

    [Fact]
    public async Task A_trust_whose_checkpoint_fails_is_signed_next_round_and_the_other_trusts_are_signed_at_once()
    {
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised("pat-ck1"), "CKA1", "evt-cka1"));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised("pat-ck2"), "CKB1", "evt-ckb1"));
        // A fault in one trust's rows: the database refuses CKA1's checkpoints. CKA1 sorts before CKB1, so a round
        // that stopped at the first failure would leave CKB1 unsigned.
        await fixture.App.OwnerSqlAsync("""
            CREATE FUNCTION refuse_cka1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test fault for CKA1'; END $$;
            CREATE TRIGGER refuse_cka1 BEFORE INSERT ON audit_checkpoints FOR EACH ROW WHEN (NEW.tenant_id = 'CKA1') EXECUTE FUNCTION refuse_cka1();
            """);
        try
        {
            await fixture.CheckpointAsync();
            Assert.Equal(1, (await Auditor("CKB1").GetCheckpointAsync(new GetCheckpointRequest())).TreeSize);
            Assert.Equal(0, await CheckpointsAsync("CKA1")); // read from the table: an auditor's read would grow the log

        }
        finally
        {
            await fixture.App.OwnerSqlAsync("DROP TRIGGER refuse_cka1 ON audit_checkpoints; DROP FUNCTION refuse_cka1();");
        }

        // The next round signs CKA1, though its log has not grown since the failed round.
        await fixture.CheckpointAsync();
        Assert.Equal(1, await CheckpointsAsync("CKA1"));
        Assert.Equal(1, (await Auditor("CKA1").GetCheckpointAsync(new GetCheckpointRequest())).TreeSize);
    }

    private Task<int> CheckpointsAsync(string tenant) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<AuditDbContext>().Checkpoints.CountAsync());
}
