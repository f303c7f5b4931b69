using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

/// <summary>
/// Plays the Dapr sidecars and the broker between services hosted in one test: each service's own outbox is read
/// (each row's payload is the CloudEvent exactly as its relay hands it to the sidecar's publish API), and every event is
/// delivered, as the sidecar delivers it, to the route of every other hosted service that subscribed to its topic (from
/// that service's <c>GET /dapr/subscribe</c>), until no service has written anything new. The services' own relays
/// are switched off (<see cref="OwnRelayOff"/>), so every event moves only when a test says so, on any clock.
/// </summary>
public sealed class SidecarRelay : IAsyncDisposable
{
    /// <summary>Configuration that stops a service's own outbox relay: this relay carries its events instead.</summary>
    public static readonly KeyValuePair<string, string?> OwnRelayOff = new("Messaging:Relay:Enabled", "false");

    /// <summary>One delivery: which service published the event on which topic, who received it, and what it answered.</summary>
    public sealed record Delivery(string From, string Topic, string Type, string To, HttpStatusCode Code, string? Status);

    private sealed record Hosted(string Name, HttpClient Http, Func<string, Task<List<OutboxMessage>>> Outbox, Dictionary<string, string> Routes);

    private readonly List<Hosted> _services = [];
    private readonly HashSet<Guid> _relayed = [];

    /// <summary>Every delivery made so far, in order.</summary>
    public List<Delivery> Deliveries { get; } = [];

    /// <summary>Joins a hosted service: its subscriptions are read now, and its outbox (a <typeparamref name="TDbContext"/>) from then on.</summary>
    public async Task AddAsync<TProgram, TDbContext>(string name, ServiceFactory<TProgram> app) where TProgram : class where TDbContext : DbContext
    {
        var http = app.CreateHttpClient();
        var routes = await SubscriptionsAsync(http);
        _services.Add(new Hosted(name, http, tenant => app.InTenantAsync(tenant, sp => sp.GetRequiredService<TDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Tenant == tenant).OrderBy(m => m.Sequence).ToListAsync()), routes));
    }

    /// <summary>
    /// Delivers every event the hosted services wrote for <paramref name="tenant"/> and have not had relayed, then the
    /// events their handling wrote, until none is new. Each delivery must be taken (SUCCESS): a refused one fails the test
    /// here, naming the event and the service that refused it. Returns the deliveries this call made.
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> RelayUntilQuietAsync(string tenant)
    {
        var start = Deliveries.Count;
        while (true)
        {
            var pending = new List<(Hosted From, OutboxMessage Row)>();
            foreach (var service in _services)
                pending.AddRange((await service.Outbox(tenant)).Where(r => !_relayed.Contains(r.Id)).Select(r => (service, r)));
            if (pending.Count == 0) return Deliveries[start..];
            foreach (var (from, row) in pending)
            {
                _relayed.Add(row.Id);
                await DeliverAsync(from.Name, row.Topic, row.Type, row.Payload);
            }
        }
    }

    /// <summary>
    /// Delivers an event of a service this test does not host (the identity directory's ward events) to every hosted
    /// subscriber of its topic, as the sidecar would deliver it from its publisher.
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> PublishAsAsync<T>(string publisher, T message, string tenant, string subject, DateTimeOffset time) where T : IMessage<T>
    {
        var start = Deliveries.Count;
        var name = EventName.For(message.Descriptor);
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(), Source = "/" + publisher, Type = name.Type, Subject = subject, Time = time, Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
        await DeliverAsync(publisher, name.Topic, name.Type, cloudEvent);
        return Deliveries[start..];
    }

    private async Task DeliverAsync(string from, string topic, string type, string cloudEvent)
    {
        foreach (var to in _services.Where(s => s.Name != from && s.Routes.ContainsKey(topic)))
        {
            var (code, status) = await SidecarDelivery.DeliverAsync(to.Http, to.Routes[topic], cloudEvent);
            var delivery = new Delivery(from, topic, type, to.Name, code, status);
            Deliveries.Add(delivery);
            Assert.True(code == HttpStatusCode.OK && status == "SUCCESS", $"{to.Name} did not take {from}'s {type}: {delivery}");
        }
    }

    // Topic to route, as the sidecar reads them at start-up (Dapr.AspNetCore lists routes without their leading slash).
    private static async Task<Dictionary<string, string>> SubscriptionsAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", SidecarDelivery.AppApiToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("topic").GetString()!, s => "/" + s.GetProperty("route").GetString()!.TrimStart('/'));
    }

    public ValueTask DisposeAsync()
    {
        foreach (var service in _services) service.Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
