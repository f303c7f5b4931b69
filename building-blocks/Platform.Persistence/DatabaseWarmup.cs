using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Persistence;

/// <summary>
/// The database's share of a service's first requests, done at start-up before readiness reports ready (a step of
/// Platform.ServiceDefaults' start-up warm-up, added by AddPlatformDatabase): the context's EF model is built, the
/// first physical connection is opened and left in the pool (Npgsql loads the server's types on it; the tenant
/// interceptor runs on it), and one query is compiled and run, which JIT-compiles EF's LINQ-to-SQL pipeline and its
/// reader once for the process (each of the service's own queries still compiles on its first use). The query asks
/// for no row (<c>LIMIT 0</c>) with no tenant (the query filters and row-level security would show none anyway): the
/// warm-up reads no data.
/// </summary>
internal static class DatabaseWarmup
{
    private static readonly MethodInfo s_none = typeof(DatabaseWarmup).GetMethod(nameof(NoneAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task RunAsync<TContext>(IServiceProvider services, CancellationToken cancellationToken) where TContext : DbContext
    {
        var context = services.GetRequiredService<TContext>();
        var table = context.Model.GetEntityTypes()
            .Where(e => !e.IsOwned() && !e.HasSharedClrType && e.GetTableName() is not null && e.BaseType is null)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (table is not null) await (Task)s_none.MakeGenericMethod(table.ClrType).Invoke(null, [context, cancellationToken])!;
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    private static Task<List<T>> NoneAsync<T>(DbContext context, CancellationToken cancellationToken) where T : class =>
        context.Set<T>().AsNoTracking().Take(0).ToListAsync(cancellationToken);
}
