using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Platform.ServiceDefaults.Startup;

namespace Platform.Persistence;

/// <summary>Which database engine a service runs on.</summary>
public enum DatabaseProvider
{
    /// <summary>The embedded default: a file per service, for local runs and demos.</summary>
    Sqlite,
    /// <summary>Production.</summary>
    Postgres,
}

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up (with the owner connection when one is configured).</summary>
    public bool MigrateAtStartup { get; set; }

    /// <summary>PostgreSQL: the role the app connects as; granted DML on the service's tables after migrating.</summary>
    public string? AppRole { get; set; }

    /// <summary>SQLite: the folder for database files when no connection string is given.</summary>
    public string DataDirectory { get; set; } = "data";
}

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the configured provider. Each provider has its own migrations,
    /// held by a subclass (<typeparamref name="TSqlite"/>, <typeparamref name="TPostgres"/>) in the service's assembly;
    /// code depends only on <typeparamref name="TContext"/>.
    /// Connection strings: <c>ConnectionStrings:{name}</c> (the app role) and, for migrations,
    /// <c>ConnectionStrings:{name}-owner</c> (the schema owner; defaults to the first).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformDatabase<TContext, TSqlite, TPostgres>(this IHostApplicationBuilder builder, string name)
        where TContext : PlatformDbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString(name);
        var ownerConnectionString = builder.Configuration.GetConnectionString(name + "-owner") ?? connectionString;
        builder.Services.AddSingleton(options);

        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    Directory.CreateDirectory(options.DataDirectory);
                    connectionString = $"Data Source={Path.Combine(options.DataDirectory, name + ".db")}";
                    ownerConnectionString = connectionString;
                }
                builder.Services.AddDbContext<TContext, TSqlite>(o => o.UsePlatformProvider(DatabaseProvider.Sqlite, connectionString),
                    optionsLifetime: ServiceLifetime.Singleton);
                builder.Services.AddSingleton<IDatabaseMigrator>(new DatabaseMigrator<TSqlite>(options, ownerConnectionString!));
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidOperationException($"Database:Provider is Postgres but ConnectionStrings:{name} is not set.");
                var appConnectionString = PostgresConnections.WithPlatformDefaults(connectionString);
                builder.Services.AddDbContext<TContext, TPostgres>(o => o
                    .UsePlatformProvider(DatabaseProvider.Postgres, appConnectionString)
                    .AddInterceptors(new TenantConnectionInterceptor()),
                    // Built once, not per request: the options (and EF's lookup of its services by them) are the same for every scope.
                    optionsLifetime: ServiceLifetime.Singleton);
                builder.Services.AddSingleton<IDatabaseMigrator>(new DatabaseMigrator<TPostgres>(options, ownerConnectionString!));
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{options.Provider}'.");
        }

        // EF applies to a context's options only the configurations registered for its implementation type; building
        // blocks configure the type code depends on (Platform.Messaging adds its outbox writer to TContext's options), so
        // those configurations are forwarded to both provider subclasses, whichever registers first.
        builder.Services.AddSingleton<IDbContextOptionsConfiguration<TSqlite>, ForwardedOptionsConfiguration<TContext, TSqlite>>();
        builder.Services.AddSingleton<IDbContextOptionsConfiguration<TPostgres>, ForwardedOptionsConfiguration<TContext, TPostgres>>();
        builder.Services.AddPersistenceTelemetry();
        if (options.MigrateAtStartup) builder.Services.AddHostedService<MigrateAtStartup>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck<TContext>>("database", tags: ["ready"]);
        // The model built, the first connection opened and a query per table compiled before readiness says ready
        // (after the migration above: the warm-up runs once every hosted service has started).
        builder.Services.AddStartupWarmupRunner(builder.Configuration);
        builder.Services.AddStartupWarmup($"database {name}", DatabaseWarmup.RunAsync<TContext>);
        return builder;
    }

    /// <summary>
    /// Puts <paramref name="options"/> on <paramref name="provider"/>, exactly as the app does at run time. The
    /// design-time factories (<see cref="PlatformDesignTimeFactory{TContext}"/>) go through here too, so the model the
    /// migrations are generated from is the model the app runs.
    /// </summary>
    public static DbContextOptionsBuilder UsePlatformProvider(this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString) =>
        provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString),
            DatabaseProvider.Postgres => options.UseNpgsql(connectionString),
            _ => throw new InvalidOperationException($"Unknown Database:Provider '{provider}'."),
        };

    private sealed class MigrateAtStartup(IDatabaseMigrator migrator, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(services, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Connection-string defaults every service's PostgreSQL app connection gets unless its configuration says otherwise.</summary>
public static class PostgresConnections
{
    /// <summary>
    /// Turns on Npgsql's automatic preparation (<c>Max Auto Prepare</c> 64, after 2 uses) when the connection string
    /// leaves it off: a service runs the same few statements all day (tenant setting, lookups, inserts, the outbox row),
    /// and a prepared statement skips PostgreSQL's parse and plan on each of them. Prepared statements live on the
    /// physical connection, so they survive pooling; an explicit <c>Max Auto Prepare=0</c> keeps them off.
    /// </summary>
    public static string WithPlatformDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare")) return connectionString;
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        csb.MaxAutoPrepare = 64;
        csb.AutoPrepareMinUsages = 2;
        return csb.ConnectionString;
    }
}

/// <summary>Ready when the database answers and no migration is pending.</summary>
internal sealed class DatabaseReadyCheck<TContext>(TContext context) : IHealthCheck where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext ctx, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await context.Database.CanConnectAsync(cancellationToken)) return HealthCheckResult.Unhealthy("The database does not answer.");
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{pending} migration(s) not applied.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database check failed: " + e.GetType().Name);
        }
    }
}

/// <summary>Applies the options configurations registered for <typeparamref name="TContext"/> to its subclass <typeparamref name="TImplementation"/>.</summary>
internal sealed class ForwardedOptionsConfiguration<TContext, TImplementation>(IServiceProvider services) : IDbContextOptionsConfiguration<TImplementation>
    where TContext : DbContext
    where TImplementation : TContext
{
    public void Configure(IServiceProvider serviceProvider, DbContextOptionsBuilder optionsBuilder)
    {
        foreach (var configuration in services.GetServices<IDbContextOptionsConfiguration<TContext>>()) configuration.Configure(serviceProvider, optionsBuilder);
    }
}
