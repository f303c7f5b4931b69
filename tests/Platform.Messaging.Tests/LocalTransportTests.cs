using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Messaging.Contracts.V1;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Platform.Testing;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>The local runner's transport (tools/LocalDelivery): the relay delivers straight to the subscribers' Dapr routes.</summary>
public class LocalTransportTests
{
    internal static Dictionary<string, string?> LocalPublisher(params string[] subscribers)
    {
        var config = new Dictionary<string, string?> { ["Messaging:Local:MaxDeliveryAttempts"] = "3" };
        for (var i = 0; i < subscribers.Length; i++) config[$"Messaging:Local:Subscribers:{i}"] = subscribers[i];
        return config;
    }

    internal static readonly Dictionary<string, string?> SubscriberOnly = new() { ["Messaging:Relay:Enabled"] = "false" };

    [Fact]
    public async Task Local_transport_discovers_routes_and_delivers_to_every_subscriber_of_the_topic()
    {
        var reportsDb = await TestDb.PostgresAsync();
        var auditDb = await TestDb.PostgresAsync();
        await using var reports = await MessagingApp.StartAsync("reports", reportsDb, SubscriberOnly);
        await using var audit = await MessagingApp.StartAsync("audit", auditDb, SubscriberOnly);
        var ledgerDb = await TestDb.PostgresAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb, LocalPublisher(reports.BaseUrl, audit.BaseUrl), handlers: false);

        await ledger.PublishAsync([.. LedgerData.Credits(accounts: 5, perAccount: 3), new NoteAdded { AccountId = "acc-000", Text = "hello" }]);

        foreach (var db in new[] { reportsDb, auditDb })
        {
            await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()) == 16, "both subscribers have all 16 events");
            var accounts = await LedgerData.AccountsAsync(db);
            Assert.Equal(5, accounts.Count);
            Assert.All(accounts, a => Assert.Equal(LedgerData.ExpectedBalance(3), a.Balance));
            Assert.All(accounts, a => Assert.Equal(0, a.OutOfOrder));
            Assert.Equal("hello", (await db.Open().Notes.SingleAsync()).Text);
        }
        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(ledgerDb, c => c.Set<OutboxMessage>().Where(m => m.SentAt == null)) == 0, "the outbox is drained");
    }

    [Fact]
    public async Task A_subscriber_that_keeps_answering_retry_gets_the_event_on_its_dead_letter_route_and_an_operator_replays_it()
    {
        var reportsDb = await TestDb.PostgresAsync();
        await using var reports = await MessagingApp.StartAsync("reports", reportsDb, new() { ["Messaging:Relay:Enabled"] = "false" });
        reports.Faults.FailingAccounts["acc-x"] = true;
        var ledgerDb = await TestDb.PostgresAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb, LocalPublisher(reports.BaseUrl), handlers: false);

        await ledger.PublishAsync([new AmountCredited { AccountId = "acc-x", Amount = 9, Seq = 1 }], tenant: "RRP");

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(reportsDb, c => c.Set<DeadLetter>()) == 1, "the event is dead-lettered");
        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(ledgerDb, c => c.Set<OutboxMessage>().Where(m => m.SentAt != null)) == 1, "it left the outbox");
        Assert.Equal(3, reports.Faults.HandlerCalls);

        await using var scope = reports.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<IDeadLetterService>();
        var letter = Assert.Single(await service.ListAsync(new DeadLetterQuery(Tenant: "RRP")));
        Assert.Empty(await service.ListAsync(new DeadLetterQuery(Tenant: "RX4")));
        Assert.Equal("platform.ledger.amount_credited.v1", letter.Type);

        // Still failing: the replay fails, the letter stays, and the attempt is audited.
        Assert.Equal(ReplayOutcome.Failed, (await service.ReplayAsync(letter.Id, "operator-1")).Outcome);
        reports.Faults.FailingAccounts.Clear();
        Assert.Equal(ReplayOutcome.Handled, (await service.ReplayAsync(letter.Id, "operator-1")).Outcome);
        Assert.Equal(ReplayOutcome.AlreadyReplayed, (await service.ReplayAsync(letter.Id, "operator-1")).Outcome);
        Assert.Equal(ReplayOutcome.NotFound, (await service.ReplayAsync(Guid.NewGuid(), "operator-1")).Outcome);

        Assert.Equal(9, Assert.Single(await LedgerData.AccountsAsync(reportsDb)).Balance);
        Assert.Empty(await service.ListAsync(new DeadLetterQuery()));
        var replayed = Assert.Single(await service.ListAsync(new DeadLetterQuery(IncludeReplayed: true)));
        Assert.Equal("operator-1", replayed.ReplayedBy);
        Assert.Equal(2, replayed.ReplayAttempts);

        await using var read = reportsDb.Open();
        var audits = await read.Set<OutboxMessage>().Where(m => m.Type == "platform.messaging.dead_letter_replayed.v1").OrderBy(m => m.Sequence).ToListAsync();
        Assert.Equal(2, audits.Count);
        Assert.All(audits, a => Assert.Equal("RRP", a.Tenant));
        Assert.All(audits, a => Assert.Equal("messaging.dead_letter_replayed.v1", a.Topic));
        var outcomes = audits.Select(a => Google.Protobuf.JsonParser.Default.Parse<DeadLetterReplayed>(
            System.Text.Json.JsonDocument.Parse(a.Payload).RootElement.GetProperty("data").GetRawText())).ToList();
        Assert.Equal(["failed", "handled"], outcomes.Select(o => o.Outcome));
        Assert.All(outcomes, o => Assert.Equal("operator-1", o.ReplayedBy));
    }

    [Fact]
    public async Task Readiness_reports_the_backlog_and_the_meter_exposes_it_as_a_gauge()
    {
        var down = FreePort.Next(); // nothing listens here: the subscriber is down
        var ledgerDb = await TestDb.PostgresAsync();
        await using var ledger = await MessagingApp.StartAsync("ledger", ledgerDb,
            new(LocalPublisher($"http://127.0.0.1:{down}")) { ["Messaging:Relay:DegradedBacklogAge"] = "00:00:00.001" }, handlers: false);
        var metrics = ledger.Services.GetRequiredService<MessagingMetrics>();

        await ledger.PublishAsync(LedgerData.Credits(accounts: 4, perAccount: 2));

        var health = ledger.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        var entry = report.Entries["messaging"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(8L, entry.Data["outbox_backlog"]);
        Assert.Equal(0L, entry.Data["dead_letters"]);

        await Eventually.HoldsAsync(() => Task.FromResult(metrics.Backlog == 8), "the relay counts the backlog");
        long observed = -1;
        var factory = ledger.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName && instrument.Meter.Scope == factory && instrument.Name == "platform.messaging.outbox.backlog") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed = value);
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(8, observed);
    }
}
