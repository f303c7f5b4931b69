using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Tenancy;

/// <summary>What a sweep over trusts did: each trust's result, in trust order, and the trusts whose work failed.</summary>
public sealed record TrustSweepRun<T>(IReadOnlyList<(string Trust, T Result)> Results, IReadOnlyList<string> FailedTrusts);

/// <summary>
/// The one loop every background sweep runs over the trusts: each trust in its own DI scope acting for it (so the
/// tenant filter and row-level security apply) and in ordinal order; a trust whose work throws is logged with its
/// code and listed, and the other trusts are still swept. One trust's fault (its rows, its data, a trigger) must not
/// keep another trust's wards from their warnings or withdrawals. Cancellation ends the sweep at once.
/// </summary>
public static class TrustSweep
{
    public static async Task<TrustSweepRun<T>> ForEachTrustAsync<T>(
        this IServiceScopeFactory scopes,
        IEnumerable<string> trusts,
        Func<IServiceProvider, CancellationToken, Task<T>> work,
        ILogger logger,
        string sweepName,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trusts);
        ArgumentNullException.ThrowIfNull(work);
        var results = new List<(string, T)>();
        var failed = new List<string>();
        foreach (var trust in trusts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().Use(trust);
                results.Add((trust, await work(scope.ServiceProvider, ct)));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "{Sweep} failed for trust {Tenant}", sweepName, trust);
                failed.Add(trust);
            }
        }
        return new TrustSweepRun<T>(results, failed);
    }
}
