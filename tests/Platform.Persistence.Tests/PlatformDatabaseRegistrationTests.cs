using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Persistence.Tests;

/// <summary>
/// <c>AddPlatformDatabase</c> registers the context code depends on (<c>TContext</c>) with a subclass per provider, and
/// EF applies to a context's options only the configurations registered for the subclass. A building block configures
/// <c>TContext</c> (Platform.Messaging adds its outbox writer that way, docs/decisions/0008), so those configurations
/// must reach the subclass on both providers, whether they are registered before or after the database. Until they
/// were forwarded, every service on PostgreSQL wrote its outbox rows through EF's change tracker and the writer's
/// one-statement path never ran (found in a profile of CheckUse with access records, tools/bench/README.md).
/// </summary>
public class PlatformDatabaseRegistrationTests
{
    public abstract class Notes(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant);

    public sealed class NotesSqlite(DbContextOptions<NotesSqlite> options, ITenantContext tenant) : Notes(options, tenant);

    public sealed class NotesPostgres(DbContextOptions<NotesPostgres> options, ITenantContext tenant) : Notes(options, tenant);

    /// <summary>Counts the commands of the contexts whose options carry it.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Commands;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Commands);
            return ValueTask.FromResult(result);
        }
    }

    public static TheoryData<string, bool> ProvidersAndOrder => new()
    {
        { "Sqlite", true }, { "Sqlite", false }, { "Postgres", true }, { "Postgres", false },
    };

    [Theory]
    [MemberData(nameof(ProvidersAndOrder))]
    public async Task A_configuration_registered_for_the_context_type_applies_to_the_providers_subclass(string provider, bool configuredFirst)
    {
        var connectionString = provider == "Sqlite"
            ? $"Data Source={Path.Combine(Path.GetTempPath(), $"registration-{Guid.NewGuid():N}.db")}"
            : await PostgresAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:notes"] = connectionString,
        });
        builder.Services.AddScoped<ITenantContext>(_ => new FixedTenant(null));
        var counter = new CommandCounter();
        if (configuredFirst) builder.Services.ConfigureDbContext<Notes>(o => o.AddInterceptors(counter));
        builder.AddPlatformDatabase<Notes, NotesSqlite, NotesPostgres>("notes");
        if (!configuredFirst) builder.Services.ConfigureDbContext<Notes>(o => o.AddInterceptors(counter));
        using var host = builder.Build();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Notes>();
        Assert.IsType(provider == "Sqlite" ? typeof(NotesSqlite) : typeof(NotesPostgres), db);
        await db.Database.ExecuteSqlRawAsync("SELECT 1");

        Assert.Equal(1, counter.Commands);
    }

    private static async Task<string> PostgresAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return server.OwnerConnectionString(await server.CreateDatabaseAsync("registration"));
    }
}
