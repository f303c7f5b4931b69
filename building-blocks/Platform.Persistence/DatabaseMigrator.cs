using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Platform.Persistence;

/// <summary>Applies a service's migrations: at start-up when configured, or from a deployment job.</summary>
public interface IDatabaseMigrator
{
    Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken);
}

internal sealed class DatabaseMigrator<TProviderContext>(DatabaseOptions options, string ownerConnectionString) : IDatabaseMigrator
    where TProviderContext : PlatformDbContext
{
    public async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<DatabaseMigrator<TProviderContext>>>();
        var context = (TProviderContext)scope.ServiceProvider.GetRequiredService(typeof(TProviderContext).BaseType!);
        // Migrations run as the schema owner; the app's own connection is a role that cannot change the schema.
        context.Database.SetConnectionString(ownerConnectionString);
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}", pending.Count, typeof(TProviderContext).Name, string.Join(", ", pending));
        }
        await context.Database.MigrateAsync(cancellationToken);

        if (options.Provider == DatabaseProvider.Postgres && !string.IsNullOrWhiteSpace(options.AppRole))
        {
            // A role name cannot be a bind parameter; it is quoted as an identifier instead.
            var role = new NpgsqlCommandBuilder().QuoteIdentifier(options.AppRole);
            var grants = $"GRANT USAGE ON SCHEMA public TO {role}; " +
                $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; " +
                $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};";
            await context.Database.ExecuteSqlRawAsync(grants, cancellationToken);
        }
    }
}
