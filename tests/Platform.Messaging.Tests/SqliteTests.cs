using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Support;
using Xunit;
using static Platform.Messaging.Tests.LocalTransportTests;

namespace Platform.Messaging.Tests;

/// <summary>The embedded default: SQLite databases and the local transport, same tables and code as on PostgreSQL.</summary>
public class SqliteTests
{
    [Fact]
    public async Task Outbox_relay_and_inbox_work_end_to_end_on_sqlite()
    {
        var reportsDb = await TestDb.SqliteAsync();
        await using var reports = await MessagingApp.StartAsync("reports", reportsDb, SubscriberOnly);
        var ledgerDb = await TestDb.SqliteAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb, LocalPublisher(reports.BaseUrl), handlers: false);

        await ledger.PublishAsync(LedgerData.Credits(accounts: 5, perAccount: 10));
        await ledger.PublishAsync([new Ledger.V1.NoteAdded { AccountId = "acc-000", Text = "poison" }]);

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(ledgerDb, c => c.Set<OutboxMessage>().Where(m => m.SentAt == null)) == 0, "the outbox drains", TimeSpan.FromSeconds(60));
        Assert.Equal(50, await LedgerData.CountAsync(reportsDb, c => c.Set<InboxMessage>()));
        Assert.Equal(1, await LedgerData.CountAsync(reportsDb, c => c.Set<DeadLetter>()));
        var accounts = await LedgerData.AccountsAsync(reportsDb);
        Assert.All(accounts, a => Assert.Equal(LedgerData.ExpectedBalance(10), a.Balance));
        Assert.All(accounts, a => Assert.Equal(0, a.OutOfOrder));

        // Redelivery through the real route is still a no-op on SQLite.
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = reports.BaseUrl;
        await using var read = ledgerDb.Open();
        var first = read.Set<OutboxMessage>().OrderBy(m => m.Sequence).First();
        Assert.Equal("SUCCESS", (await sidecar.PostAsync(Events.CreditRoute, first.Payload, MessagingApp.Token)).Status);
        Assert.Equal(LedgerData.ExpectedBalance(10), (await LedgerData.AccountsAsync(reportsDb)).Single(a => a.Id == "acc-000").Balance);
    }
}
