using Microsoft.Extensions.DependencyInjection;

namespace Platform.ServiceDefaults.Tenancy;

/// <summary>
/// How a region caller's answer reads several trusts (ADR 0034): each trust in its own DI scope acting for it, so the
/// tenant filter and row-level security apply to every read, and only what the read returns leaves the scope. Unlike
/// <see cref="TrustSweep"/> (background work, which logs a failing trust and goes on), an answer fails as a whole when
/// one trust cannot be read: counts silently missing a trust would be wrong, not partial. Up to
/// <c>readsAtOnce</c> trusts are read at once, so a region of a few hundred trusts answers within a call's deadline
/// (one after another, each trust's round trips add up: issue 19, 200 trusts under load took over 5 s).
/// </summary>
public static class TrustReads
{
    /// <summary>How many trusts a regional answer reads at once unless told otherwise.</summary>
    public const int DefaultReadsAtOnce = 4;

    /// <summary>Reads each of <paramref name="trusts"/> (distinct) with <paramref name="read"/> (given the scope and the trust it acts for); the results in ordinal trust order.</summary>
    public static async Task<IReadOnlyList<(string Trust, T Result)>> ReadEachTrustAsync<T>(
        this IServiceScopeFactory scopes,
        IEnumerable<string> trusts,
        Func<IServiceProvider, string, CancellationToken, Task<T>> read,
        CancellationToken ct,
        int readsAtOnce = DefaultReadsAtOnce)
    {
        ArgumentNullException.ThrowIfNull(trusts);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(readsAtOnce, 1);
        var ordered = trusts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var results = new T[ordered.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, ordered.Length), new ParallelOptions { MaxDegreeOfParallelism = readsAtOnce, CancellationToken = ct },
            async (i, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().Use(ordered[i]);
                results[i] = await read(scope.ServiceProvider, ordered[i], token);
            });
        return [.. ordered.Select((trust, i) => (trust, results[i]))];
    }
}
