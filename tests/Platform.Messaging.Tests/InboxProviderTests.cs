using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.Inbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Platform.Testing;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The inbox against what a service's database brings (issue 21's mutation run found these unheld): SQLite's single
/// writer is queued in the dispatcher but PostgreSQL's deliveries run side by side; the claim statement follows the
/// model's schema and table name, quoted; a context without <c>AddInbox()</c> is named in the answer an operator sees.
/// </summary>
public class InboxProviderTests
{
    private const string Topic = "ledger.account_closed.v1";

    /// <summary>Lets every handler through once two of them are inside at the same time.</summary>
    public sealed class Rendezvous
    {
        private int _arrived;
        public int Calls => Volatile.Read(ref _arrived);
        public TaskCompletionSource Both { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ArriveAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) >= 2) Both.TrySetResult();
            // A bound, not a measurement: if deliveries were queued one at a time the second never arrives.
            return Both.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    public sealed class MeetingHandler(LedgerDbContext db, Rendezvous rendezvous) : IEventHandler<AccountClosed>
    {
        public async Task HandleAsync(AccountClosed message, EventEnvelope envelope, CancellationToken cancellationToken)
        {
            await rendezvous.ArriveAsync(cancellationToken);
            db.Notes.Add(new Note { Id = Guid.NewGuid(), AccountId = message.AccountId, Tenant = envelope.Tenant, Text = "closed" });
        }
    }

    private static byte[] Closed(string account, string tenant = "RX4") =>
        Encoding.UTF8.GetBytes(Events.Of(new AccountClosed { AccountId = account }, account, tenant));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deliveries_on_postgresql_are_handled_side_by_side_not_queued_like_sqlites_single_writer(bool bulk)
    {
        var db = await TestDb.PostgresAsync();
        var rendezvous = new Rendezvous();
        await using var app = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" }, configure: b =>
        {
            b.Services.AddSingleton(rendezvous);
            b.Services.AddEventHandler<AccountClosed, MeetingHandler>();
        });
        var dispatcher = app.Services.GetRequiredService<IEventDispatcher>();

        List<DeliveryStatus> statuses;
        if (bulk)
        {
            var batches = await Task.WhenAll(
                dispatcher.DispatchBulkAsync([new("a1", Closed("acc-a1")), new("a2", Closed("acc-a2"))], Topic, CancellationToken.None),
                dispatcher.DispatchBulkAsync([new("b1", Closed("acc-b1", "RRP")), new("b2", Closed("acc-b2", "RRP"))], Topic, CancellationToken.None));
            statuses = batches.SelectMany(b => b.Select(s => s.Status)).ToList();
        }
        else
        {
            var outcomes = await Task.WhenAll(
                dispatcher.DispatchAsync(Closed("acc-a1"), Topic, CancellationToken.None),
                dispatcher.DispatchAsync(Closed("acc-b1", "RRP"), Topic, CancellationToken.None));
            statuses = outcomes.Select(o => o.Status).ToList();
        }

        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(statuses.Count, rendezvous.Calls); // each event handled once: no batch gave up and started again
        Assert.Equal(statuses.Count, await LedgerData.CountAsync(db, c => c.Notes));
    }

    /// <summary>A service's context with its tables in a schema of its own (PostgreSQL).</summary>
    public sealed class SchemaDbContext(DbContextOptions<SchemaDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.HasDefaultSchema("reports");
            modelBuilder.AddOutbox();
            modelBuilder.AddInbox();
        }
    }

    /// <summary>A context whose inbox table was renamed to a name that needs quoting.</summary>
    public sealed class QuotedDbContext(DbContextOptions<QuotedDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.AddOutbox();
            modelBuilder.AddInbox();
            modelBuilder.Entity<InboxMessage>().ToTable("inbox \"v2\"");
        }
    }

    /// <summary>A service that forgot <c>AddInbox()</c>.</summary>
    public sealed class NoInboxDbContext(DbContextOptions<NoInboxDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutbox();
    }

    public sealed class QuietHandler : IEventHandler<AccountClosed>
    {
        public Task HandleAsync(AccountClosed message, EventEnvelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static ServiceProvider Subscriber<TContext>(Action<DbContextOptionsBuilder> configure) where TContext : DbContext
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<TContext>(configure);
        services.AddPlatformMessaging<TContext>(new ConfigurationBuilder().Build(), "reports");
        services.AddEventHandler<AccountClosed, QuietHandler>();
        return services.BuildServiceProvider();
    }

    private static async Task<(DeliveryStatus First, DeliveryStatus Again, bool Duplicate, int Inbox, DeliveryStatus Bulk)> DeliverTwiceAsync<TContext>(ServiceProvider services)
        where TContext : DbContext
    {
        var dispatcher = services.GetRequiredService<IEventDispatcher>();
        var body = Closed("acc-1");
        var first = await dispatcher.DispatchAsync(body, Topic, CancellationToken.None);
        var again = await dispatcher.DispatchAsync(body, Topic, CancellationToken.None);
        var bulk = await dispatcher.DispatchBulkAsync([new("a", Closed("acc-2")), new("b", Closed("acc-3"))], Topic, CancellationToken.None);
        Assert.Equal(bulk[0].Status, bulk[1].Status);
        await using var scope = services.CreateAsyncScope();
        var inbox = await scope.ServiceProvider.GetRequiredService<TContext>().Set<InboxMessage>().CountAsync();
        return (first.Status, again.Status, again.Duplicate, inbox, bulk[0].Status);
    }

    [Fact]
    public async Task The_inbox_claim_finds_the_table_in_the_contexts_own_schema_on_postgresql()
    {
        var server = await PostgresServer.SharedAsync();
        var connection = server.OwnerConnectionString(await server.CreateDatabaseAsync("schema"));
        await using var services = Subscriber<SchemaDbContext>(o => o.UseNpgsql(connection));
        await using (var scope = services.CreateAsyncScope()) await scope.ServiceProvider.GetRequiredService<SchemaDbContext>().Database.EnsureCreatedAsync();

        Assert.Equal((DeliveryStatus.Success, DeliveryStatus.Success, true, 3, DeliveryStatus.Success), await DeliverTwiceAsync<SchemaDbContext>(services));
    }

    [Fact]
    public async Task The_inbox_claim_quotes_a_table_name_that_holds_a_double_quote()
    {
        var path = Path.Combine(Path.GetTempPath(), $"messaging-quoted-{Guid.NewGuid():N}.db");
        var connection = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        await using var services = Subscriber<QuotedDbContext>(o => o.UseSqlite(connection));
        await using (var scope = services.CreateAsyncScope()) await scope.ServiceProvider.GetRequiredService<QuotedDbContext>().Database.EnsureCreatedAsync();

        Assert.Equal((DeliveryStatus.Success, DeliveryStatus.Success, true, 3, DeliveryStatus.Success), await DeliverTwiceAsync<QuotedDbContext>(services));
    }

    [Fact]
    public async Task A_context_without_an_inbox_answers_retry_and_says_how_to_add_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"messaging-noinbox-{Guid.NewGuid():N}.db");
        var connection = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        await using var services = Subscriber<NoInboxDbContext>(o => o.UseSqlite(connection));
        await using (var scope = services.CreateAsyncScope()) await scope.ServiceProvider.GetRequiredService<NoInboxDbContext>().Database.EnsureCreatedAsync();

        var outcome = await services.GetRequiredService<IEventDispatcher>().DispatchAsync(Closed("acc-1"), Topic, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, outcome.Status);
        Assert.Equal("NoInboxDbContext has no inbox: call modelBuilder.AddInbox() in OnModelCreating.", outcome.Reason);
    }
}
