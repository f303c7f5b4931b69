using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>Cache invalidation inside an event delivery waits for the delivery's transaction to commit.</summary>
public sealed class AfterCommitTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task An_action_registered_inside_a_transaction_runs_after_commit_and_never_after_rollback()
    {
        var ran = await fixture.App.InTenantAsync("ACT1", async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var log = new List<string>();

            db.AfterCommit(() => log.Add("no transaction: at once"));
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                db.AfterCommit(() => log.Add("committed"));
                Assert.DoesNotContain("committed", log);
                await tx.CommitAsync();
            }
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                db.AfterCommit(() => log.Add("rolled back"));
                await tx.RollbackAsync();
            }
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                await tx.CommitAsync(); // nothing registered: the rolled-back action must not come back here
            }
            return log;
        });
        Assert.Equal(["no transaction: at once", "committed"], ran);
    }
}
