using Microsoft.Extensions.DependencyInjection;
using Platform.ServiceDefaults.Tenancy;
using Xunit;

namespace Platform.Persistence.Tests;

/// <summary>
/// A region caller's answer reads each trust in a scope acting for that trust, a few at once, and fails whole when one
/// trust cannot be read (ADR 0034; issue 19's regional counts). Reads are held on gates the test opens, so how many run
/// at once is counted, not timed.
/// </summary>
public class TrustReadsTests
{
    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddScoped<CurrentRequest>();
        services.AddScoped<TenantContext>();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Each_trust_is_read_once_in_its_own_scope_at_most_the_limit_at_once_and_the_results_come_in_trust_order()
    {
        await using var provider = Services();
        var trusts = new[] { "RX9", "RA1", "RM3", "RA1", "RB2", "RZ8", "RC5" };
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var threeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, most = 0, started = 0;
        var seen = new System.Collections.Concurrent.ConcurrentBag<(string Trust, string? Scope)>();

        var reading = provider.GetRequiredService<IServiceScopeFactory>().ReadEachTrustAsync(trusts, async (services, trust, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (Interlocked.Increment(ref started) == 3) threeStarted.SetResult();
            seen.Add((trust, services.GetRequiredService<TenantContext>().TenantId));
            await gate.Task.WaitAsync(token);
            Interlocked.Decrement(ref running);
            return "read " + trust;
        }, CancellationToken.None, readsAtOnce: 3);

        // Three reads start and wait on the gate; no fourth starts while they hold it. (The wait's bound only turns a
        // limit below three into a failure instead of a hang; nothing is timed.)
        await threeStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, Volatile.Read(ref running));
        gate.SetResult();
        var results = await reading;

        Assert.Equal(3, most);
        Assert.Equal(["RA1", "RB2", "RC5", "RM3", "RX9", "RZ8"], results.Select(r => r.Trust));
        Assert.All(results, r => Assert.Equal("read " + r.Trust, r.Result));
        Assert.Equal(6, seen.Count);
        Assert.All(seen, s => Assert.Equal(s.Trust, s.Scope));
    }

    [Fact]
    public async Task One_trust_that_cannot_be_read_fails_the_whole_answer()
    {
        await using var provider = Services();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.GetRequiredService<IServiceScopeFactory>().ReadEachTrustAsync(["RA1", "RB2", "RC5"], (_, trust, _) =>
                trust == "RB2" ? Task.FromException<int>(new InvalidOperationException("RB2's database refused")) : Task.FromResult(1),
                CancellationToken.None));
        Assert.Equal("RB2's database refused", failure.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
