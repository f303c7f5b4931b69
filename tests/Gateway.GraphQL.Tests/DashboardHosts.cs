using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Platform.Audit.Api.Grpc;
using Platform.Consent.Api.Data;
using Platform.Consent.Api.Grpc;
using Platform.Evidence.Api.Grpc;
using Platform.Procurement.Api.Grpc;
using Platform.ServiceDefaults;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Counts the gRPC calls that reach a service, by method: what a dashboard query costs each service. Counted at the
/// front of the service's HTTP pipeline, before its authentication, call policy and roles, so that a call the service
/// itself refuses still counts: "no call was made" then means the gateway refused it, not the service.
/// </summary>
public sealed class CallCounter : IStartupFilter
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public int this[string method] => _calls.GetValueOrDefault(method);

    public int Total => _calls.Values.Sum();

    public void Reset() => _calls.Clear();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                var path = context.Request.Path.Value ?? "";
                _calls.AddOrUpdate(path[(path.LastIndexOf('/') + 1)..], 1, (_, n) => n + 1);
            }
            return following(context);
        });
        next(app);
    };
}

/// <summary>
/// The four services the dashboard reads, each its real app on its own PostgreSQL database, counting the calls it
/// answers; and gateways composed as the gateway composes itself (service defaults, AddPlatformGraphQL,
/// MapPlatformGraphQL) pointing at them.
/// </summary>
public sealed class DashboardHosts : IAsyncLifetime
{
    public CallCounter ConsentCalls { get; } = new();
    public CallCounter ProcurementCalls { get; } = new();
    public CallCounter EvidenceCalls { get; } = new();
    public CallCounter AuditCalls { get; } = new();

    public ServiceFactory<ConsentGrpcService> Consent { get; private set; } = null!;
    public ServiceFactory<ProcurementGrpcService> Procurement { get; private set; } = null!;
    public ServiceFactory<EvidenceGrpcService> Evidence { get; private set; } = null!;
    public ServiceFactory<AuditGrpcService> Audit { get; private set; } = null!;

    /// <summary>The gateway most tests use: Testing environment, default protections.</summary>
    public GatewayHost Gateway { get; private set; } = null!;

    private readonly List<GatewayHost> _gateways = [];

    public int CallsToAllServices => ConsentCalls.Total + ProcurementCalls.Total + EvidenceCalls.Total + AuditCalls.Total;

    public void ResetCounts()
    {
        ConsentCalls.Reset();
        ProcurementCalls.Reset();
        EvidenceCalls.Reset();
        AuditCalls.Reset();
    }

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(
            Start<ConsentGrpcService>("consent", ConsentCalls),
            Start<ProcurementGrpcService>("procurement", ProcurementCalls),
            Start<EvidenceGrpcService>("evidence", EvidenceCalls),
            Start<AuditGrpcService>("audit", AuditCalls));
        Consent = (ServiceFactory<ConsentGrpcService>)started[0];
        Procurement = (ServiceFactory<ProcurementGrpcService>)started[1];
        Evidence = (ServiceFactory<EvidenceGrpcService>)started[2];
        Audit = (ServiceFactory<AuditGrpcService>)started[3];
        await Task.WhenAll(Consent.KnowTrustsAsync(Seed.AllTrusts), Procurement.KnowTrustsAsync(Seed.AllTrusts),
            Evidence.KnowTrustsAsync(Seed.AllTrusts), Audit.KnowTrustsAsync(Seed.AllTrusts));
        await KnowWardsAsync();
        Gateway = await StartGatewayAsync();
    }

    // Consent takes a ward only from the directory's ward events; here its rows are written as those events would.
    private async Task KnowWardsAsync()
    {
        foreach (var trust in Seed.AllTrusts)
        {
            await using var scope = Consent.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(trust);
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            db.Wards.AddRange(Seed.Wards.Select(w => new ConsentWard { TenantId = trust, Code = w, SettingCode = "acute-adult", Beds = 10, UpdatedAt = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        }
    }

    private static async Task<object> Start<T>(string name, CallCounter counter) where T : class =>
        // Consent's daily publication of the region's counts (ADR 0047) runs when a test publishes, not at start-up
        // (it would publish today before the tests' trusts exist).
        await ServiceFactory<T>.StartOnPostgresAsync(name, new Dictionary<string, string?> { ["Consent:UseCountPublication:Enabled"] = "false" }, services: s =>
        {
            s.AddSingleton<IStartupFilter>(counter);
        });

    /// <summary>Another gateway over the same services, with <paramref name="settings"/> and its own services on top.</summary>
    public async Task<GatewayHost> StartGatewayAsync(IDictionary<string, string?>? settings = null, string environment = "Testing",
        Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["GraphQL:Services:Consent"] = Consent.GrpcAddress.ToString(),
            ["GraphQL:Services:Procurement"] = Procurement.GrpcAddress.ToString(),
            ["GraphQL:Services:Evidence"] = Evidence.GrpcAddress.ToString(),
            ["GraphQL:Services:Audit"] = Audit.GrpcAddress.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var gateway = await GatewayHost.StartAsync(all, environment, services);
        lock (_gateways) _gateways.Add(gateway);
        return gateway;
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways) await gateway.DisposeAsync();
        await Consent.DisposeAsync();
        await Procurement.DisposeAsync();
        await Evidence.DisposeAsync();
        await Audit.DisposeAsync();
    }
}

/// <summary>A gateway app on a free loopback port, composed as gateway/Gateway composes its GraphQL.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?> settings, string environment, Action<IServiceCollection>? services)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ApplicationName = typeof(GatewayHost).Assembly.GetName().Name });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.AddServiceDefaults();
            builder.Services.AddPlatformGraphQL(builder.Configuration);
            services?.Invoke(builder.Services);
            var app = builder.Build();
            app.MapDefaultEndpoints();
            app.MapPlatformGraphQL();
            try
            {
                await app.StartAsync();
                return new GatewayHost(app, new Uri($"http://127.0.0.1:{port}"));
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>The roles of a trust's dashboard user who sees every panel: technologies, their evidence, ward signals and the audit log.</summary>
    public static readonly string[] DashboardRoles = ["procurement-lead", "ward-manager", "auditor"];

    /// <summary>An HTTP client with a token of <paramref name="tenant"/> (null: no token) in <paramref name="roles"/> (none: <see cref="DashboardRoles"/>).</summary>
    public HttpClient Client(string? tenant, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (tenant is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Shared.Mint(tenant, roles.Length == 0 ? DashboardRoles : roles));
        return client;
    }

    /// <summary>An HTTP client with a region client's token: no trust, <paramref name="roles"/> (none: region-analyst).</summary>
    public HttpClient RegionClient(params string[] roles)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Sending GraphQL requests as a client would, and reading what comes back.</summary>
public static class GraphQLHttp
{
    public const string ResponseType = "application/graphql-response+json";

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> PostAsync(this HttpClient client, string query,
        object? variables = null, string? operationName = null, object? extensions = null, string accept = ResponseType)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null) body["variables"] = JsonSerializer.SerializeToNode(variables);
        if (operationName is not null) body["operationName"] = operationName;
        if (extensions is not null) body["extensions"] = JsonSerializer.SerializeToNode(extensions);
        if (query is null) body.Remove("query");
        return await SendJsonAsync(client, body.ToJsonString(), accept);
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendJsonAsync(this HttpClient client, string json, string accept = ResponseType,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Accept.ParseAdd(accept);
        return await ReadAsync(await client.SendAsync(request));
    }

    private static async Task<(HttpResponseMessage Response, JsonNode? Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType is "application/json" or ResponseType;
        return (response, text.Length == 0 || !json ? null : JsonNode.Parse(text));
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> GetAsync(this HttpClient client, string query, object? variables = null,
        string? operationName = null, string accept = ResponseType)
    {
        var url = "/graphql?query=" + Uri.EscapeDataString(query);
        if (variables is not null) url += "&variables=" + Uri.EscapeDataString(JsonSerializer.Serialize(variables));
        if (operationName is not null) url += "&operationName=" + Uri.EscapeDataString(operationName);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(accept);
        return await ReadAsync(await client.SendAsync(request));
    }

    public static IReadOnlyList<string> ErrorCodes(this JsonNode? body) =>
        body?["errors"]?.AsArray().Select(e => e?["extensions"]?["code"]?.GetValue<string>() ?? "").ToList() ?? [];
}
