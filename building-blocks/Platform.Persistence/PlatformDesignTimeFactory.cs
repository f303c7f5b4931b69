using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Persistence;

/// <summary>
/// Base of a service's design-time factories: <c>dotnet ef</c> builds a provider's context through one without
/// starting the app (<c>dotnet ef migrations add X --context ConsentPostgresDbContext</c>). The provider is configured
/// by <see cref="PersistenceExtensions.UsePlatformProvider"/>, as at run time, so the generated migrations and model
/// snapshot are those of the model the app runs.
/// </summary>
/// <remarks>
/// Adding, listing and scripting migrations never connects. The connection string here is only a default for the
/// commands that do (<c>database update</c>, a migrations bundle), which take the real one with <c>--connection</c>.
/// </remarks>
public abstract class PlatformDesignTimeFactory<TContext>(
    DatabaseProvider provider, string database, Func<DbContextOptions<TContext>, ITenantContext, TContext> create)
    : IDesignTimeDbContextFactory<TContext>
    where TContext : PlatformDbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var connectionString = provider == DatabaseProvider.Postgres ? $"Host=localhost;Database={database}" : $"Data Source={database}.db";
        var options = new DbContextOptionsBuilder<TContext>().UsePlatformProvider(provider, connectionString);
        return create((DbContextOptions<TContext>)options.Options, NoTenant.Instance);
    }

    // The tool works on the schema, never on a tenant's rows.
    private sealed class NoTenant : ITenantContext
    {
        public static readonly NoTenant Instance = new();

        public string? TenantId => null;
    }
}
