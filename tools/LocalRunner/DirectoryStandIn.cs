using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Platform.Messaging.CloudEvents;
using Platform.Tools.LocalDelivery;
using Identity = Platform.Contracts.Identity.V1;
using WardSetting = Platform.Contracts.Common.V1.WardSetting;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// Stands in for the identity service's directory events until that service is hosted by the runner: publishes
/// identity.ward_registered.v1 as identity would, delivered as the local relays deliver every event (POST of the
/// CloudEvent to each app's subscribed route, with the run's app API token). A redelivery is a no-op for the
/// subscriber (same source and id), so seeding twice changes nothing.
/// </summary>
public static class DirectoryStandIn
{
    public static async Task PublishWardRegisteredAsync(LocalPlatform platform, string odsCode, string wardCode, string name, WardSetting setting, int beds, CancellationToken ct)
    {
        var message = new Identity.WardRegistered
        {
            WardCode = wardCode,
            Name = name,
            Setting = setting,
            Beds = beds,
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "local-runner", Role = "trust-admin" },
        };
        var name_ = EventName.For(Identity.WardRegistered.Descriptor);
        var json = new CloudEvent
        {
            // Stable per trust and ward, so the inbox takes a second run's delivery as the same event.
            Id = $"local-directory-{odsCode}-{wardCode}",
            Source = "/identity",
            Type = name_.Type,
            Subject = $"{odsCode}/{wardCode}",
            Time = DateTimeOffset.UtcNow,
            Tenant = odsCode,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();

        using var http = new HttpClient();
        // Event routes and the subscription list answer only the run's token, as they answer only Dapr's in Kubernetes.
        http.DefaultRequestHeaders.Add(SidecarWire.AppApiTokenHeader, platform.AppApiToken);
        foreach (var (spec, _) in platform.Running.Where(r => r.Spec.HasEvents))
        {
            var baseUrl = $"http://127.0.0.1:{platform.HttpPort(spec)}";
            var subscriptions = DaprSubscription.ParseList(await http.GetByteArrayAsync(baseUrl + "/dapr/subscribe", ct));
            foreach (var sub in subscriptions.Where(s => s.Topic == name_.Topic))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/" + sub.Route.TrimStart('/'))
                {
                    Content = new StringContent(json, Encoding.UTF8),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.MediaType) { CharSet = "utf-8" };
                using var response = await http.SendAsync(request, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode || !body.Contains("SUCCESS", StringComparison.Ordinal))
                    throw new InvalidOperationException($"{spec.Name} did not take the ward {odsCode}/{wardCode} from the directory: {(int)response.StatusCode} {body}");
            }
        }
    }
}
