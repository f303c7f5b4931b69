using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Platform.Messaging.CloudEvents;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// "Only known trusts, one at a time", as a caller of any service meets it over HTTP: a token of a trust the directory
/// never onboarded, or naming two trusts, or none, is refused with 403 problem details that say why; a token from
/// another issuer is 401; and a trust the directory onboards (its trust_onboarded event delivered as Dapr would) is
/// accepted from then on, and refused again once suspended (trust_changed).
/// </summary>
public static class KnownTrustChecks
{
    public static async Task UnknownDoubleAndForeignTokensAreRefusedAsync<TProgram>(ServiceFactory<TProgram> app) where TProgram : class
    {
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(app, app.Tokens.Mint("RX3"))).Status);

        var unknown = await MeAsync(app, app.Tokens.Mint("ZZZ"));
        Assert.Equal(HttpStatusCode.Forbidden, unknown.Status);
        Assert.Contains("ZZZ is not a trust of this region", unknown.Detail);

        var two = await MeAsync(app, app.Tokens.MintForTrusts(["RX3", "RTQ"]));
        Assert.Equal(HttpStatusCode.Forbidden, two.Status);
        Assert.Contains("names 2 trusts", two.Detail);

        var none = await MeAsync(app, app.Tokens.MintForTrusts([]));
        Assert.Equal(HttpStatusCode.Forbidden, none.Status);
        Assert.Contains("names no trust", none.Detail);

        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(app, app.Tokens.Mint("RX3", issuer: "https://someone-else.example/"))).Status);
    }

    public static async Task ATrustIsKnownFromItsOnboardingEventUntilSuspendedAsync<TProgram>(ServiceFactory<TProgram> app, string odsCode) where TProgram : class
    {
        var token = app.Tokens.Mint(odsCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(app, token)).Status);

        using var http = app.CreateHttpClient();
        var onboarded = await SidecarDelivery.RouteForAsync(http, "identity.trust_onboarded.v1");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, onboarded,
            Event("platform.identity.trust_onboarded.v1", odsCode, $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust"}""").ToJson()));
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(app, token)).Status);

        var changed = await SidecarDelivery.RouteForAsync(http, "identity.trust_changed.v1");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, changed,
            Event("platform.identity.trust_changed.v1", odsCode, $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust","status":"TRUST_STATUS_SUSPENDED"}""").ToJson()));
        var suspended = await MeAsync(app, token);
        Assert.Equal(HttpStatusCode.Forbidden, suspended.Status);
        Assert.Contains("suspended", suspended.Detail);

        // An event about one trust written for another is not the directory's: dropped, and nothing changes.
        Assert.Equal((HttpStatusCode.OK, "DROP"), await SidecarDelivery.DeliverAsync(http, onboarded,
            Event("platform.identity.trust_onboarded.v1", "RX3", $$"""{"odsCode":"{{odsCode}}","name":"Moorside Trust"}""").ToJson()));
        Assert.Equal(HttpStatusCode.Forbidden, (await MeAsync(app, token)).Status);
    }

    /// <summary>
    /// The same over gRPC: a call to <paramref name="method"/> (e.g. /platform.consent.v1.ConsentService/ListPatients)
    /// with a token of an unknown trust, or of a suspended one, ends PERMISSION_DENIED with the reason as its message.
    /// </summary>
    public static async Task UnknownAndSuspendedTrustsAreRefusedOverGrpcAsync<TProgram>(ServiceFactory<TProgram> app, string method, string suspendedOdsCode) where TProgram : class
    {
        var unknown = await CallAsync(app, method, app.Tokens.Mint("ZZZ"));
        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, unknown.StatusCode);
        Assert.Contains("ZZZ is not a trust of this region", unknown.Status.Detail);

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<KnownTrusts.KnownTrustRecorder>().RecordAsync(new KnownTrusts.KnownTrustChange(suspendedOdsCode, "Suspended Trust", Active: false), default);
        var suspended = await CallAsync(app, method, app.Tokens.Mint(suspendedOdsCode));
        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, suspended.StatusCode);
        Assert.Contains($"Trust {suspendedOdsCode} is suspended", suspended.Status.Detail);
    }

    // Authorization runs before the method, so an empty request body is enough to meet it.
    private static async Task<global::Grpc.Core.RpcException> CallAsync<TProgram>(ServiceFactory<TProgram> app, string method, string token) where TProgram : class
    {
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(app.GrpcAddress);
        var parts = method.Trim('/').Split('/');
        var bytes = global::Grpc.Core.Marshallers.Create<byte[]>(b => b, b => b);
        var call = new global::Grpc.Core.Method<byte[], byte[]>(global::Grpc.Core.MethodType.Unary, parts[0], parts[1], bytes, bytes);
        var headers = new global::Grpc.Core.Metadata { { "Authorization", $"Bearer {token}" } };
        return await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(call, null, new global::Grpc.Core.CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), []).ResponseAsync);
    }

    private static CloudEvent Event(string type, string tenant, string data) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Source = "/identity",
        Type = type,
        Subject = tenant,
        Time = DateTimeOffset.UtcNow,
        Tenant = tenant,
        DataJson = data,
    };

    private static async Task<(HttpStatusCode Status, string Detail)> MeAsync<TProgram>(ServiceFactory<TProgram> app, string token) where TProgram : class
    {
        using var http = app.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/me");
        var body = await response.Content.ReadAsStringAsync();
        var detail = response.IsSuccessStatusCode || body.Length == 0 ? "" : JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString() ?? "";
        return (response.StatusCode, detail);
    }
}
