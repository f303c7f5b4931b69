using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Platform.Messaging.CloudEvents;
using Platform.Testing;
using Xunit;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The identity service's ward directory, as consent learns it: identity.ward_registered.v1 / ward_changed.v1 delivered
/// the way Dapr's sidecar delivers them. Wards are the only source of a ward's setting, so a test registers its wards
/// here before it registers patients on them.
/// </summary>
public static class WardDirectoryEvents
{
    private static readonly ConcurrentDictionary<(object App, string Tenant, string Ward), string> s_registered = new();

    /// <summary>Registers the ward (once per app, trust and code) with its setting; a ward already registered keeps the one it has.</summary>
    public static async Task EnsureAsync(ServiceFactory<Program> app, string tenant, string ward, string setting = ConsentClient.Setting)
    {
        if (s_registered.ContainsKey((app, tenant, ward.Trim().ToUpperInvariant()))) return;
        var (code, status) = await RegisterAsync(app, tenant, ward, setting);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), (code, status));
    }

    public static async Task<(HttpStatusCode Code, string? Status)> RegisterAsync(ServiceFactory<Program> app, string tenant, string ward, string setting, string? eventId = null)
    {
        var result = await DeliverAsync(app, new Identity.WardRegistered
        {
            WardCode = ward,
            Name = "Ward " + ward,
            SettingCode = setting,
            Beds = 20,
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" },
        }, tenant, eventId ?? Guid.NewGuid().ToString());
        if (result.Status == "SUCCESS") s_registered[(app, tenant, ward.Trim().ToUpperInvariant())] = setting;
        return result;
    }

    public static async Task<(HttpStatusCode Code, string? Status)> ChangeAsync(ServiceFactory<Program> app, string tenant, string ward, string setting, bool closed = false)
    {
        var result = await DeliverAsync(app, new Identity.WardChanged
        {
            WardCode = ward,
            Name = "Ward " + ward,
            SettingCode = setting,
            Beds = 20,
            Closed = closed,
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" },
        }, tenant, Guid.NewGuid().ToString());
        if (result.Status == "SUCCESS") s_registered[(app, tenant, ward.Trim().ToUpperInvariant())] = closed ? "" : setting;
        return result;
    }

    public static async Task<(HttpStatusCode Code, string? Status)> DeliverAsync<T>(ServiceFactory<Program> app, T message, string tenant, string id) where T : IMessage<T>
    {
        using var http = app.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, EventName.For(message.Descriptor).Topic);
        var cloudEvent = new CloudEvent
        {
            Id = id,
            Source = "/identity",
            Type = EventName.For(message.Descriptor).Type,
            Subject = tenant + "/" + ward(message),
            Time = DateTimeOffset.UtcNow,
            Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
        return await SidecarDelivery.DeliverAsync(http, route, cloudEvent);

        static string ward(T m) => m switch
        {
            Identity.WardRegistered r => r.WardCode,
            Identity.WardChanged c => c.WardCode,
            _ => "",
        };
    }
}
