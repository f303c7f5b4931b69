using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;
using Platform.Grpc;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Startup;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Testing;

/// <summary>
/// Hosts a service (its real Program, on real Kestrel: HTTP/1.1 and h2c gRPC on free loopback ports) for functional
/// tests on its own fresh database in the shared real PostgreSQL, migrated at start-up as the schema owner and used at
/// run time as the non-owner app role, with tokens from <see cref="TestTokens"/>.
/// </summary>
public class ServiceFactory<TProgram> : WebApplicationFactory<TProgram> where TProgram : class
{
    /// <summary>The token event deliveries must carry in <c>dapr-api-token</c>, as Dapr's sidecar does.</summary>
    public const string AppApiToken = SidecarDelivery.AppApiToken;

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly List<ServiceProvider> _clientServices = [];
    private readonly Dictionary<string, object> _clients = [];

    private ServiceFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        _settings = settings;
        _services = services;
    }

    /// <summary>The PostgreSQL database this instance uses.</summary>
    public string Database { get; private init; } = "";

    public PostgresServer Postgres { get; private init; } = null!;

    /// <summary>
    /// Runs <paramref name="sql"/> as the database's owner, past row-level security and the app's grants: for a test
    /// that plants a fault (a trigger refusing one trust's rows) or tampers with stored rows.
    /// </summary>
    public async Task OwnerSqlAsync(string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(Postgres.OwnerConnectionString(Database));
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public TestTokens Tokens => TestTokens.Shared;

    /// <summary>
    /// Starts the service on a new database; <paramref name="extra"/> adds or overrides configuration, and
    /// <paramref name="services"/> adds to the app's services after its own (a test's telemetry exporter, say).
    /// <paramref name="addressed"/> adds configuration that names the service's own HTTP address (the identity
    /// service's issuer and JWKS URL), once its port is chosen.
    /// </summary>
    public static async Task<ServiceFactory<TProgram>> StartOnPostgresAsync(string serviceName, IDictionary<string, string?>? extra = null,
        Action<IServiceCollection>? services = null, Func<Uri, IDictionary<string, string?>>? addressed = null)
    {
        var pg = await PostgresServer.SharedAsync();
        var db = await pg.CreateDatabaseAsync(serviceName);
        // FreePort hands out a port that another process (a parallel test project) may bind first: retry with new ports.
        for (var attempt = 1; ; attempt++)
        {
            var httpPort = FreePort.Next();
            var grpcPort = FreePort.Next();
            var settings = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
            {
                ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
                ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
                ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
                ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
                ["Database:Provider"] = "Postgres",
                ["Database:MigrateAtStartup"] = "true",
                ["Database:AppRole"] = PostgresServer.AppRole,
                [$"ConnectionStrings:{serviceName}"] = pg.AppConnectionString(db),
                [$"ConnectionStrings:{serviceName}-owner"] = pg.OwnerConnectionString(db),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Messaging:AppApiToken"] = AppApiToken,
            };
            foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
            foreach (var (k, v) in addressed?.Invoke(new Uri($"http://127.0.0.1:{httpPort}")) ?? new Dictionary<string, string?>()) settings[k] = v;
            var factory = new ServiceFactory<TProgram>(settings, services)
            {
                Database = db,
                Postgres = pg,
                HttpAddress = new Uri($"http://127.0.0.1:{httpPort}"),
                GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}"),
            };
            factory.UseKestrel();
            try
            {
                factory.StartServer(); // start now, so migrations run before the first test call
                // As an orchestrator waits for readiness: the start-up warm-up (the EF model, the first connection, a
                // query per table compiled) has run before the first test call, so /health/ready answers ready.
                if (factory.Services.GetService<StartupWarmup>() is { } warmup) await warmup.Completion.WaitAsync(TimeSpan.FromMinutes(3));
                await factory.KnowTrustsAsync(DefaultKnownTrusts);
                return factory;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && attempt < 5)
            {
                await factory.DisposeAsync();
            }
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        if (_services is not null) builder.ConfigureTestServices(_services);
    }

    /// <summary>
    /// The trusts a service under test knows from the start (as if the directory had onboarded them), so tests may act
    /// for them with tokens. A trust outside this list (ZZZ) is one the service has never heard of.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultKnownTrusts = ["RX3", "RTQ", "RX4", "RV9", "RW1", "GRP1", "GRP2", "DLQ1", "DLQ2", "DLQ3"];

    /// <summary>
    /// Records <paramref name="odsCodes"/> as onboarded, active trusts in a service that keeps known trusts
    /// (Platform.KnownTrusts), as the directory's trust_onboarded events would; a service without them is left alone.
    /// </summary>
    public async Task KnowTrustsAsync(IEnumerable<string> odsCodes)
    {
        await using var scope = Services.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<KnownTrustRecorder>() is not { } recorder) return;
        foreach (var ods in odsCodes) await recorder.RecordAsync(new KnownTrustChange(ods, $"Test trust {ods}", Active: true), default);
    }

    private readonly HashSet<string> _known = [];

    // A user of a trust presupposes the trust was onboarded: the helpers that call as one make it known first. A test
    // of an unknown trust mints its token with Tokens.Mint directly.
    private void KnowTrust(string tenant)
    {
        lock (_known)
        {
            if (!Platform.Domain.OdsCode.IsValid(tenant) || !_known.Add(tenant)) return;
        }
        // Outside the caller's trace, if it has one: onboarding is not part of the call a test traces.
        var ambient = System.Diagnostics.Activity.Current;
        System.Diagnostics.Activity.Current = null;
        try
        {
            KnowTrustsAsync([tenant]).GetAwaiter().GetResult();
        }
        finally
        {
            System.Diagnostics.Activity.Current = ambient;
        }
    }

    /// <summary>The HTTP/1.1 endpoint (REST, health, event routes).</summary>
    public Uri HttpAddress { get; private init; } = null!;

    /// <summary>The h2c gRPC endpoint.</summary>
    public Uri GrpcAddress { get; private init; } = null!;

    /// <summary>An HTTP client with no token.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress };

    /// <summary>The deadline every test call has unless it sets its own.</summary>
    public static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A generated gRPC client (e.g. <c>ConsentService.ConsentServiceClient</c>), made by Grpc.Net.ClientFactory as the
    /// platform makes its clients, calling as a user of <paramref name="tenant"/> (default role clinician) with a token
    /// minted for each call, every call with a <see cref="CallDeadline"/> deadline unless it sets its own. One client
    /// (and connection) per type and identity, shared by the tests of this instance.
    /// </summary>
    public TClient GrpcClient<TClient>(string tenant, params string[] roles) where TClient : ClientBase<TClient>
    {
        KnowTrust(tenant);
        var key = $"{typeof(TClient).FullName}|{tenant}|{string.Join(',', roles)}";
        lock (_clients)
        {
            if (!_clients.TryGetValue(key, out var client))
            {
                client = CreateGrpcClient<TClient>(() => Tokens.Mint(tenant, roles.Length == 0 ? null : roles));
                _clients[key] = client;
            }

            return (TClient)client;
        }
    }

    /// <summary>A generated gRPC client of its own that sends <paramref name="token"/> as its bearer token, or no token at all when null.</summary>
    public TClient GrpcClientWithToken<TClient>(string? token) where TClient : ClientBase<TClient> =>
        CreateGrpcClient<TClient>(token is null ? null : () => token);

    private TClient CreateGrpcClient<TClient>(Func<string>? token) where TClient : ClientBase<TClient>
    {
        var services = new ServiceCollection();
        var client = services.AddPlatformGrpcClient<TClient>(GrpcAddress, CallDeadline);
        if (token is not null)
        {
            client.AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {token()}");
                return Task.CompletedTask;
            });
        }

        var provider = services.BuildServiceProvider();
        lock (_clientServices) _clientServices.Add(provider);
        return provider.GetRequiredService<TClient>();
    }

    public override async ValueTask DisposeAsync()
    {
        ServiceProvider[] clients;
        lock (_clientServices) clients = [.. _clientServices];
        foreach (var provider in clients) await provider.DisposeAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>An HTTP client carrying a valid token for a user of <paramref name="tenant"/>.</summary>
    public HttpClient ClientFor(string tenant, params string[] roles)
    {
        KnowTrust(tenant);
        var client = CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(tenant, roles.Length == 0 ? null : roles));
        return client;
    }

    /// <summary>Runs <paramref name="work"/> in a DI scope acting for <paramref name="tenant"/>, as an event handler or gRPC call would.</summary>
    public async Task<T> InTenantAsync<T>(string tenant, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
        return await work(scope.ServiceProvider);
    }

}
