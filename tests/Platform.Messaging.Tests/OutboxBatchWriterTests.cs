using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// On PostgreSQL the outbox row is written as part of the caller's own SaveChanges command (docs/decisions/0008). These
/// tests hold it to what the change tracker promised: the row commits in the same transaction as the state change, or
/// not at all, and a failed save keeps it for the next one.
/// </summary>
public class OutboxBatchWriterTests
{
    [Fact]
    public async Task An_event_published_with_an_insert_commits_in_the_same_transaction_and_the_same_command()
    {
        var (db, services, commands) = await StartAsync();
        await using (var scope = services.CreateAsyncScope())
        {
            var (ctx, publisher) = Resolve(scope);
            ctx.Accounts.Add(new Account { Id = "acc-1", Tenant = "RX4" });
            publisher.Publish(new AmountCredited { AccountId = "acc-1", Amount = 5, Seq = 1 }, "RX4", "acc-1");
            commands.Clear();
            Assert.Equal(2, await ctx.SaveChangesAsync());
            var command = Assert.Single(commands); // the account and the outbox row in one round trip
            Assert.Contains("outbox_messages", command);
            Assert.StartsWith("WITH ", command); // and in one statement: no second statement, no transaction to open
            Assert.True(ctx.ChangeTracker.AutoDetectChangesEnabled); // looked at without detecting changes, then put back
        }
        Assert.Equal(await XminAsync(db, "accounts", "acc-1"), await OutboxXminAsync(db, "acc-1"));
    }

    [Fact]
    public async Task An_event_published_with_an_update_commits_in_the_same_transaction()
    {
        var (db, services, _) = await StartAsync();
        await SeedAccountAsync(services, "acc-2");
        await using (var scope = services.CreateAsyncScope())
        {
            var (ctx, publisher) = Resolve(scope);
            var account = await ctx.Accounts.SingleAsync(a => a.Id == "acc-2");
            account.Balance += 7;
            account.Version++;
            publisher.Publish(new AmountCredited { AccountId = "acc-2", Amount = 7, Seq = 1 }, "RX4", "acc-2");
            await ctx.SaveChangesAsync();
        }
        Assert.Equal(await XminAsync(db, "accounts", "acc-2"), await OutboxXminAsync(db, "acc-2"));
    }

    [Fact]
    public async Task A_lone_update_that_loses_a_concurrency_check_does_not_commit_its_event()
    {
        // EF sends a lone UPDATE without a transaction and only then sees it matched no row: the event must not stay.
        var (db, services, _) = await StartAsync();
        await SeedAccountAsync(services, "acc-3");
        await using var scope = services.CreateAsyncScope();
        var (ctx, publisher) = Resolve(scope);
        var account = await ctx.Accounts.SingleAsync(a => a.Id == "acc-3");
        await using (var other = new NpgsqlConnection(db.OwnerConnectionString))
        {
            await other.OpenAsync();
            await using var bump = new NpgsqlCommand("UPDATE accounts SET \"Version\" = \"Version\" + 1 WHERE \"Id\" = 'acc-3'", other);
            Assert.Equal(1, await bump.ExecuteNonQueryAsync());
        }
        account.Balance += 9;
        account.Version++;
        publisher.Publish(new AmountCredited { AccountId = "acc-3", Amount = 9, Seq = 1 }, "RX4", "acc-3");
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => ctx.SaveChangesAsync());
        Assert.Equal(0, await OutboxCountAsync(db, "acc-3"));
        Assert.Equal(AutoTransactionBehavior.WhenNeeded, ctx.Database.AutoTransactionBehavior); // the caller's setting is back
    }

    [Fact]
    public async Task A_failed_save_takes_its_event_with_it_and_the_next_save_writes_it_once()
    {
        var (db, services, _) = await StartAsync();
        await SeedAccountAsync(services, "taken");
        await using var scope = services.CreateAsyncScope();
        var (ctx, publisher) = Resolve(scope);
        var duplicate = new Account { Id = "taken", Tenant = "RX4" };
        ctx.Accounts.Add(duplicate);
        publisher.Publish(new AmountCredited { AccountId = "acc-4", Amount = 4, Seq = 1 }, "RX4", "acc-4");
        await Assert.ThrowsAsync<DbUpdateException>(() => ctx.SaveChangesAsync());
        Assert.Equal(0, await OutboxCountAsync(db, "acc-4"));

        ctx.Entry(duplicate).State = EntityState.Detached;
        ctx.Accounts.Add(new Account { Id = "acc-4", Tenant = "RX4" });
        await ctx.SaveChangesAsync();
        Assert.Equal(1, await OutboxCountAsync(db, "acc-4"));
        Assert.Equal(await XminAsync(db, "accounts", "acc-4"), await OutboxXminAsync(db, "acc-4"));

        await ctx.SaveChangesAsync(); // nothing pending any more: no second copy
        Assert.Equal(1, await OutboxCountAsync(db, "acc-4"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_event_with_nothing_else_to_save_is_written_on_its_own(bool async)
    {
        var (db, services, _) = await StartAsync();
        await using (var scope = services.CreateAsyncScope())
        {
            var (ctx, publisher) = Resolve(scope);
            publisher.Publish(new AmountCredited { AccountId = "acc-5", Amount = 1, Seq = 1 }, "RX4", "acc-5");
            Assert.Equal(1, async ? await ctx.SaveChangesAsync() : ctx.SaveChanges());
        }
        Assert.Equal(1, await OutboxCountAsync(db, "acc-5"));
    }

    [Fact]
    public async Task Several_events_in_one_save_keep_their_order_and_content()
    {
        var (db, services, _) = await StartAsync();
        await using (var scope = services.CreateAsyncScope())
        {
            var (ctx, publisher) = Resolve(scope);
            ctx.Accounts.Add(new Account { Id = "acc-6", Tenant = "RX4" });
            for (var seq = 1; seq <= 3; seq++) publisher.Publish(new AmountCredited { AccountId = "acc-6", Amount = seq * 10, Seq = seq }, "RX4", "acc-6");
            ctx.SaveChanges(); // the synchronous path
        }
        await using var read = db.Open();
        var rows = await read.Set<OutboxMessage>().OrderBy(m => m.Sequence).ToListAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["10", "20", "30"], rows.Select(r => JsonDocument.Parse(r.Payload).RootElement.GetProperty("data").GetProperty("amount").GetString()));
        Assert.All(rows, r => Assert.Equal((0, 0, (string?)null, (DateTime?)null), (r.Attempts, r.RefusedAttempts, r.LastError, r.SentAt)));
        Assert.All(rows, r => Assert.Equal("ledger.amount_credited.v1", r.Topic));
        Assert.Equal(await XminAsync(db, "accounts", "acc-6"), await OutboxXminAsync(db, "acc-6"));
    }

    [Fact]
    public async Task Inside_the_callers_transaction_the_event_commits_or_rolls_back_with_it()
    {
        var (db, services, _) = await StartAsync();
        foreach (var commit in new[] { false, true })
        {
            var id = commit ? "kept" : "dropped";
            await using var scope = services.CreateAsyncScope();
            var (ctx, publisher) = Resolve(scope);
            await using var tx = await ctx.Database.BeginTransactionAsync();
            ctx.Accounts.Add(new Account { Id = id, Tenant = "RX4" });
            await ctx.SaveChangesAsync();
            var account = await ctx.Accounts.SingleAsync(a => a.Id == id);
            account.Balance = 3;
            publisher.Publish(new AmountCredited { AccountId = id, Amount = 3, Seq = 1 }, "RX4", id);
            await ctx.SaveChangesAsync();
            if (commit) await tx.CommitAsync();
            else await tx.RollbackAsync();
        }
        Assert.Equal(0, await OutboxCountAsync(db, "dropped"));
        Assert.Equal(1, await OutboxCountAsync(db, "kept"));
        Assert.Equal(await XminAsync(db, "accounts", "kept"), await OutboxXminAsync(db, "kept"));
    }

    // ---- support ---------------------------------------------------------------------------------------------------

    private static async Task<(TestDb Db, ServiceProvider Services, List<string> Commands)> StartAsync()
    {
        var db = await TestDb.PostgresAsync("outboxbatch");
        var commands = new List<string>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<LedgerDbContext>(o => o.UseNpgsql(db.ConnectionString).AddInterceptors(new CommandLog(commands)),
            optionsLifetime: ServiceLifetime.Singleton);
        services.AddPlatformMessaging<LedgerDbContext>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = "false" }).Build(), "ledger");
        return (db, services.BuildServiceProvider(), commands);
    }

    private static (LedgerDbContext, IEventPublisher) Resolve(AsyncServiceScope scope) =>
        (scope.ServiceProvider.GetRequiredService<LedgerDbContext>(), scope.ServiceProvider.GetRequiredService<IEventPublisher>());

    private static async Task SeedAccountAsync(ServiceProvider services, string id)
    {
        await using var scope = services.CreateAsyncScope();
        var ctx = scope.ServiceProvider.GetRequiredService<LedgerDbContext>();
        ctx.Accounts.Add(new Account { Id = id, Tenant = "RX4" });
        await ctx.SaveChangesAsync();
    }

    private static Task<string?> XminAsync(TestDb db, string table, string id) =>
        ScalarAsync(db, $"SELECT xmin::text FROM {table} WHERE \"Id\" = @id", id);

    private static Task<string?> OutboxXminAsync(TestDb db, string subject) =>
        ScalarAsync(db, "SELECT string_agg(DISTINCT xmin::text, ',') FROM outbox_messages WHERE subject = @id", subject);

    private static async Task<long> OutboxCountAsync(TestDb db, string subject) =>
        long.Parse((await ScalarAsync(db, "SELECT count(*)::text FROM outbox_messages WHERE subject = @id", subject))!);

    private static async Task<string?> ScalarAsync(TestDb db, string sql, string id)
    {
        await using var conn = new NpgsqlConnection(db.OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("id", id);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    /// <summary>The text of every command SaveChanges sends.</summary>
    private sealed class CommandLog(List<string> commands) : DbCommandInterceptor
    {
        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            if (eventData.CommandSource == CommandSource.SaveChanges) commands.Add(command.CommandText);
            return result;
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (eventData.CommandSource == CommandSource.SaveChanges) commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
