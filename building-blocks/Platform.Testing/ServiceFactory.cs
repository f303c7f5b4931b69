using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Testing;

/// <summary>
/// Hosts a service (its real Program) for functional tests on its own fresh database in the shared real PostgreSQL,
/// migrated at start-up as the schema owner and used at run time as the non-owner app role, with tokens from
/// <see cref="TestTokens"/>.
/// </summary>
public class ServiceFactory<TProgram> : WebApplicationFactory<TProgram> where TProgram : class
{
    private readonly string _serviceName;
    private readonly Dictionary<string, string?> _settings;

    private ServiceFactory(string serviceName, Dictionary<string, string?> settings)
    {
        _serviceName = serviceName;
        _settings = settings;
    }

    /// <summary>The PostgreSQL database this instance uses.</summary>
    public string Database { get; private init; } = "";

    public PostgresServer Postgres { get; private init; } = null!;

    public TestTokens Tokens => TestTokens.Shared;

    /// <summary>Starts the service on a new database; <paramref name="extra"/> adds or overrides configuration.</summary>
    public static async Task<ServiceFactory<TProgram>> StartOnPostgresAsync(string serviceName, IDictionary<string, string?>? extra = null)
    {
        var pg = await PostgresServer.SharedAsync();
        var db = await pg.CreateDatabaseAsync(serviceName);
        var settings = new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateAtStartup"] = "true",
            ["Database:AppRole"] = PostgresServer.AppRole,
            [$"ConnectionStrings:{serviceName}"] = pg.AppConnectionString(db),
            [$"ConnectionStrings:{serviceName}-owner"] = pg.OwnerConnectionString(db),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var factory = new ServiceFactory<TProgram>(serviceName, settings) { Database = db, Postgres = pg };
        _ = factory.Server; // start now, so migrations run before the first test call
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
    }

    /// <summary>An HTTP client carrying a valid token for a user of <paramref name="tenant"/>.</summary>
    public HttpClient ClientFor(string tenant, params string[] roles)
    {
        var client = CreateClient();
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

    /// <summary>The database name the service was given, for raw-SQL checks.</summary>
    public string ServiceName => _serviceName;
}
