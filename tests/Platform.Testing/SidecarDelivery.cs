using System.Net;
using Google.Protobuf;
using Platform.Messaging.CloudEvents;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// Plays Dapr's sidecar toward a service's real event routes over HTTP: subscription discovery and delivery of a
/// structured-mode CloudEvent, both carrying the app API token (<c>dapr-api-token</c>).
/// </summary>
public static class SidecarDelivery
{
    /// <summary>The token <see cref="ServiceFactory{TProgram}"/> configures as <c>Messaging:AppApiToken</c>.</summary>
    public const string AppApiToken = "test-app-api-token";

    /// <summary>The route the service's <c>GET /dapr/subscribe</c> names for <paramref name="topic"/> on the <c>pubsub</c> component.</summary>
    public static async Task<string> RouteForAsync(HttpClient http, string topic)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", AppApiToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var subscription = doc.RootElement.EnumerateArray().Single(s => s.GetProperty("topic").GetString() == topic);
        // Dapr.AspNetCore writes "pubsubName"; the sidecar (Go's encoding/json) reads the key in any case.
        Assert.Equal("pubsub", subscription.EnumerateObject().Single(p => p.Name.Equals("pubsubname", StringComparison.OrdinalIgnoreCase)).Value.GetString());
        return subscription.GetProperty("route").GetString()!;
    }

    /// <summary>Delivers a CloudEvent; returns the HTTP status and the reply's Dapr status (SUCCESS, RETRY, DROP) when there is one.</summary>
    public static async Task<(HttpStatusCode Code, string? Status)> DeliverAsync(HttpClient http, string route, string cloudEventJson, string? token = AppApiToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route)
        {
            Content = new StringContent(cloudEventJson, Encoding.UTF8, "application/cloudevents+json"),
        };
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? status = null;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var doc = JsonDocument.Parse(body);
            status = doc.RootElement.GetProperty("status").GetString();
        }
        return (response.StatusCode, status);
    }

    /// <summary>
    /// Publishes <paramref name="message"/> to the service as the sidecar would deliver it from its owner: a structured
    /// CloudEvent of the message's type, for <paramref name="tenant"/>, to the route the service subscribed for its topic.
    /// </summary>
    public static async Task<(HttpStatusCode Code, string? Status)> PublishAsync<T>(HttpClient http, T message, string tenant, string subject, string? id = null) where T : IMessage<T>
    {
        var name = EventName.For(message.Descriptor);
        var route = await RouteForAsync(http, name.Topic);
        var cloudEvent = new CloudEvent
        {
            Id = id ?? Guid.NewGuid().ToString(),
            Source = "/" + message.Descriptor.File.Package.Split('.')[1],
            Type = name.Type,
            Subject = tenant + "/" + subject,
            Time = DateTimeOffset.UtcNow,
            Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
        return await DeliverAsync(http, route, cloudEvent);
    }
}
