using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;
using Platform.Messaging.Tests.Ledger.V1;
using Platform.Messaging.Tests.Support;
using Xunit;

namespace Platform.Messaging.Tests;

/// <summary>
/// The Dapr contract on loopback: a fake sidecar plays Dapr's documented role (its gRPC publish API toward Dapr.Client,
/// its HTTP delivery toward the app) against the real publisher relay and the real Dapr.AspNetCore subscription endpoints.
/// </summary>
public class DaprContractTests
{
    private static Dictionary<string, string?> DaprPublisher(FakeDaprSidecar sidecar) => new()
    {
        ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint,
        ["Messaging:Dapr:TtlInSeconds"] = "3600",
    };

    [Fact]
    public async Task Relay_publishes_a_structured_cloudevent_through_dapr_client_and_marks_it_sent_when_the_sidecar_takes_it()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        var db = await TestDb.PostgresAsync();
        await using var publisher = await MessagingApp.StartAsync("ledger", db, DaprPublisher(sidecar), handlers: false);

        await publisher.PublishAsync([new AmountCredited { AccountId = "acc-1", Amount = 7, Seq = 1 }]);

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(db, c => c.Set<OutboxMessage>().Where(m => m.SentAt != null)) == 1, "the row is marked sent");
        var request = Assert.Single(sidecar.Published);
        Assert.Equal("pubsub", request.PubSub);
        Assert.Equal("ledger.amount_credited.v1", request.Topic);
        Assert.Equal("false", request.Metadata["rawPayload"]);
        Assert.Equal("3600", request.Metadata["ttlInSeconds"]);
        Assert.Equal("application/cloudevents+json", request.ContentType);
        using var doc = JsonDocument.Parse(request.Body);
        Assert.Equal("platform.ledger.amount_credited.v1", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("RX4", doc.RootElement.GetProperty("tenant").GetString());
        Assert.Equal("7", doc.RootElement.GetProperty("data").GetProperty("amount").GetString());
        await using var read = db.Open();
        Assert.Equal((await read.Set<OutboxMessage>().SingleAsync()).Payload, request.Body); // the envelope is ours, byte for byte
    }

    [Fact]
    public async Task A_sidecar_failure_keeps_the_event_pending_and_it_is_published_again_until_the_sidecar_takes_it()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.PublishStatus = n => n <= 2 ? global::Grpc.Core.StatusCode.Unavailable : global::Grpc.Core.StatusCode.OK;
        var db = await TestDb.PostgresAsync();
        await using var publisher = await MessagingApp.StartAsync("ledger", db, DaprPublisher(sidecar), handlers: false);

        await publisher.PublishAsync([new AmountCredited { AccountId = "acc-1", Amount = 7, Seq = 1 }]);

        await Eventually.HoldsAsync(async () => await LedgerData.CountAsync(db, c => c.Set<OutboxMessage>().Where(m => m.SentAt != null)) == 1, "the row is marked sent");
        Assert.Equal(3, sidecar.Published.Count);
        Assert.Single(sidecar.Published.Select(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("id").GetString()).Distinct());
        await using var read = db.Open();
        Assert.Equal(2, (await read.Set<OutboxMessage>().SingleAsync()).Attempts);
    }

    [Fact]
    public async Task Subscription_discovery_lists_pubsubname_topic_route_and_dead_letter_topic()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{subscriber.BaseUrl}/dapr/subscribe");
        request.Headers.Add("dapr-api-token", MessagingApp.Token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entries = doc.RootElement.EnumerateArray().ToList();
        var credit = entries.Single(e => e.GetProperty("topic").GetString() == "ledger.amount_credited.v1");
        // Dapr.AspNetCore writes "pubsubName" and the route without its leading slash; the sidecar reads both.
        Assert.Equal("pubsub", credit.GetProperty("pubsubName").GetString());
        Assert.Equal("events/ledger.amount_credited.v1", credit.GetProperty("route").GetString());
        Assert.Equal("reports.dead_letter.v1", credit.GetProperty("deadLetterTopic").GetString());
        Assert.Contains(entries, e => e.GetProperty("topic").GetString() == "ledger.note_added.v1");
        var deadLetter = entries.Single(e => e.GetProperty("topic").GetString() == "reports.dead_letter.v1");
        Assert.Equal("events/dead-letter", deadLetter.GetProperty("route").GetString());
        Assert.False(deadLetter.TryGetProperty("deadLetterTopic", out _));
    }

    [Fact]
    public async Task Event_routes_refuse_a_delivery_without_the_app_api_token()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;

        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), token: null)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), token: "guess")).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync("/events/dead-letter", Events.Credit("acc-1", 5, 1), token: null)).Code);
        sidecar.AppToken = "guess";
        await Assert.ThrowsAsync<HttpRequestException>(sidecar.DiscoverAsync);
        Assert.Empty(await LedgerData.AccountsAsync(db));
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<DeadLetter>()));
    }

    [Fact]
    public async Task Only_the_exact_app_api_token_is_accepted()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;

        // Not a prefix of it, not it extended, not it in another case, not empty.
        foreach (var nearMiss in new[] { MessagingApp.Token[..^1], MessagingApp.Token + "0", MessagingApp.Token.ToUpperInvariant(), "" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), token: nearMiss)).Code);
        }
        Assert.Empty(await LedgerData.AccountsAsync(db));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), MessagingApp.Token));
    }

    [Fact]
    public async Task With_no_app_api_token_configured_every_delivery_is_refused()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db,
            new() { ["Messaging:Relay:Enabled"] = "false", ["Messaging:AppApiToken"] = "" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;

        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), token: "")).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sidecar.PostAsync(Events.CreditRoute, Events.Credit("acc-1", 5, 1), token: MessagingApp.Token)).Code);
        Assert.Empty(await LedgerData.AccountsAsync(db));
    }

    [Fact]
    public void A_second_handler_for_the_same_event_type_is_refused_at_registration()
    {
        var services = new ServiceCollection();
        services.AddEventHandler<AmountCredited, AmountCreditedHandler>();
        var e = Assert.Throws<InvalidOperationException>(() => services.AddEventHandler<AmountCredited, AmountCreditedHandler>());
        Assert.Contains("platform.ledger.amount_credited.v1", e.Message);
    }

    [Fact]
    public async Task Event_routes_work_behind_a_fallback_policy_that_requires_an_authenticated_user()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" },
            configure: b =>
            {
                b.Services.AddAuthentication("Nobody").AddScheme<AuthenticationSchemeOptions, NobodyAuthentication>("Nobody", null);
                b.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            },
            beforeMap: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/private", () => "secret");
            });
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{subscriber.BaseUrl}/private")).StatusCode);

        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        Assert.Equal("SUCCESS", await sidecar.DeliverAsync("ledger.amount_credited.v1", Events.Credit("acc-1", 5, 1)));
        Assert.Equal(5, (await LedgerData.AccountsAsync(db)).Single().Balance);
    }

    [Fact]
    public async Task Published_event_reaches_the_subscriber_through_the_sidecar_with_its_tenant()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        var subscriberDb = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", subscriberDb, new() { ["Messaging:Relay:Enabled"] = "false" });
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        var publisherDb = await TestDb.PostgresAsync();
        await using var publisher = await MessagingApp.StartAsync("ledger", publisherDb, DaprPublisher(sidecar), handlers: false);

        await publisher.PublishAsync(LedgerData.Credits(accounts: 3, perAccount: 4), tenant: "RRP");

        await Eventually.HoldsAsync(async () => (await LedgerData.AccountsAsync(subscriberDb)).Sum(a => a.Credits) == 12, "all 12 credits are handled");
        var accounts = await LedgerData.AccountsAsync(subscriberDb);
        Assert.All(accounts, a => Assert.Equal(LedgerData.ExpectedBalance(4), a.Balance));
        Assert.All(accounts, a => Assert.Equal("RRP", a.Tenant));
        Assert.All(accounts, a => Assert.Equal(0, a.OutOfOrder));
        Assert.All(sidecar.Outcomes, o => Assert.Equal("SUCCESS", o.Outcome));
        Assert.All(subscriber.Faults.Envelopes, e => Assert.Equal("/ledger", e.Source));
    }

    [Fact]
    public async Task A_single_delivery_unwrapped_by_use_cloud_events_reaches_the_handler_with_its_whole_envelope()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        var time = new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.Zero);
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        // A subject the publisher's JSON writer escapes (+, <, é), to prove the forwarded attributes are decoded.
        var credit = new Platform.Messaging.CloudEvents.CloudEvent
        {
            Id = "evt-env-1", Source = "/ledger", Type = "platform.ledger.amount_credited.v1", Subject = "acc+<é>", Time = time,
            Tenant = "RRP", TraceParent = traceParent, DataJson = """{"accountId":"acc+<é>","amount":"5","seq":1}""",
        }.ToJson();

        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));

        var envelope = Assert.Single(subscriber.Faults.Envelopes);
        Assert.Equal(("evt-env-1", "/ledger", "platform.ledger.amount_credited.v1", "acc+<é>", "RRP", time, traceParent),
            (envelope.Id, envelope.Source, envelope.Type, envelope.Subject, envelope.Tenant, envelope.Time, envelope.TraceParent));
        var account = Assert.Single(await LedgerData.AccountsAsync(db));
        Assert.Equal(("acc+<é>", "RRP", 5L), (account.Id, account.Tenant, account.Balance));
        await using var read = db.Open();
        var inbox = await read.Set<InboxMessage>().SingleAsync(); // the redelivery was deduplicated on source and id
        Assert.Equal(("/ledger", "evt-env-1"), (inbox.Source, inbox.EventId));
    }

    [Fact]
    public async Task Redelivered_event_is_a_no_op_success()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        var credit = Events.Credit("acc-1", 10, 1);

        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));

        var account = Assert.Single(await LedgerData.AccountsAsync(db));
        Assert.Equal(10, account.Balance);
        Assert.Equal(1, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));
    }

    [Fact]
    public async Task Transient_fault_answers_retry_writes_nothing_and_the_sidecar_redelivery_succeeds()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        var credit = Events.Credit("acc-1", 10, 1);
        subscriber.Faults.FailingAccounts["acc-1"] = true;

        Assert.Equal((HttpStatusCode.OK, "RETRY"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));
        Assert.Empty(await LedgerData.AccountsAsync(db));
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<InboxMessage>()));

        subscriber.Faults.FailingAccounts.Clear();
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await sidecar.PostAsync(Events.CreditRoute, credit, MessagingApp.Token));
        Assert.Equal(10, Assert.Single(await LedgerData.AccountsAsync(db)).Balance);
    }

    [Fact]
    public async Task Malformed_unknown_tenantless_and_rejected_events_are_dropped_with_a_dead_letter_never_404()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        var badData = new Platform.Messaging.CloudEvents.CloudEvent
        {
            Id = "bad-1", Source = "/ledger", Type = "platform.ledger.amount_credited.v1", Tenant = "RX4",
            DataJson = """{"accountId":"acc-1","amount":"lots"}""",
        }.ToJson();
        var cases = new (string Route, string Body)[]
        {
            (Events.CreditRoute, """{"specversion":"1.0","type":"platform.ledger.amount_credited.v1"}"""),
            (Events.CreditRoute, Events.Of(new AccountClosed { AccountId = "acc-1" }, "acc-1")),
            (Events.CreditRoute, Events.Credit("acc-1", 1, 1, tenant: null!)),
            (Events.CreditRoute, badData),
            (Events.NoteRoute, Events.Note("acc-1", "poison")),
        };
        foreach (var (route, body) in cases)
        {
            Assert.Equal((HttpStatusCode.OK, "DROP"), await sidecar.PostAsync(route, body, MessagingApp.Token));
        }
        // A body that is not JSON at all: Dapr.AspNetCore's UseCloudEvents cannot unwrap it and fails the request (500,
        // which Dapr retries; never 404). Dapr itself never sends one: it builds the envelope. In a bulk delivery it is
        // one entry among others, and dropped with a dead letter.
        var (notJsonCode, _) = await sidecar.PostAsync(Events.CreditRoute, "{ this is not json", MessagingApp.Token);
        Assert.Equal(HttpStatusCode.InternalServerError, notJsonCode);
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Set<DeadLetter>().Where(d => d.Payload == "{ this is not json")));
        Assert.Equal("DROP", (await sidecar.PostBulkAsync(Events.CreditRoute, "ledger.amount_credited.v1", [("e1", "{ this is not json")], MessagingApp.Token)).Statuses["e1"]);
        Assert.Empty(await LedgerData.AccountsAsync(db));
        Assert.Equal(0, await LedgerData.CountAsync(db, c => c.Notes));
        await using var read = db.Open();
        var letters = await read.Set<DeadLetter>().OrderBy(d => d.ReceivedAt).ToListAsync();
        Assert.Equal(cases.Length + 1, letters.Count);
        Assert.Contains(letters, d => d.Reason.StartsWith("malformed") && d.Payload.Contains("platform.ledger.amount_credited.v1"));
        Assert.Contains(letters, d => d.Reason.Contains("no handler for event type 'platform.ledger.account_closed.v1'"));
        Assert.Contains(letters, d => d.Reason.Contains("no tenant"));
        Assert.Contains(letters, d => d.Reason.Contains("rejected by handler"));
        Assert.Equal("{ this is not json", letters[^1].Payload);
    }

    [Fact]
    public async Task An_event_the_sidecar_cannot_deliver_after_its_retries_lands_in_the_dead_letter_store()
    {
        var db = await TestDb.PostgresAsync();
        await using var subscriber = await MessagingApp.StartAsync("reports", db, new() { ["Messaging:Relay:Enabled"] = "false" });
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.AppBaseUrl = subscriber.BaseUrl;
        subscriber.Faults.FailingAccounts["acc-9"] = true;

        Assert.Equal("DEAD_LETTERED", await sidecar.DeliverAsync("ledger.amount_credited.v1", Events.Credit("acc-9", 3, 1)));

        await using var read = db.Open();
        var letter = Assert.Single(await read.Set<DeadLetter>().ToListAsync());
        Assert.Equal("reports.dead_letter.v1", letter.Topic);
        Assert.Equal("platform.ledger.amount_credited.v1", letter.Type);
        Assert.Equal("RX4", letter.Tenant);
        Assert.Equal("delivery attempts exhausted", letter.Reason);
        Assert.Equal(3, subscriber.Faults.HandlerCalls);
    }

    private sealed class NobodyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
