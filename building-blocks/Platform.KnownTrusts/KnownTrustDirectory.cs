using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.KnownTrusts;

/// <summary>
/// The trusts this service knows, read from its database and held in memory. Every check reads the snapshot in
/// memory; the snapshot is reread when older than <see cref="RefreshInterval"/> (so a trust suspended through another
/// replica is refused here within it), after this replica applied an event (<see cref="Invalidate"/>), and when a
/// token names a trust the snapshot lacks, at most once per <see cref="MissRereadInterval"/> (so a newly onboarded
/// trust is accepted at once, and a flood of tokens for made-up trusts costs one query a second).
/// </summary>
public sealed class KnownTrustDirectory
{
    /// <summary>The oldest a snapshot may be before a check rereads it.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often a trust missing from the snapshot may cause a reread.</summary>
    public static readonly TimeSpan MissRereadInterval = TimeSpan.FromSeconds(1);

    private readonly IServiceScopeFactory _scopes;
    private readonly Type _context;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _snapshot;
    private volatile bool _stale;

    private sealed record Snapshot(FrozenDictionary<string, bool> Trusts, DateTimeOffset ReadAt);

    internal KnownTrustDirectory(IServiceScopeFactory scopes, Type context, TimeProvider clock)
    {
        _scopes = scopes;
        _context = context;
        _clock = clock;
    }

    /// <summary>Whether tokens naming <paramref name="odsCode"/> are accepted here.</summary>
    public ValueTask<KnownTrustState> StateAsync(string odsCode, CancellationToken ct) =>
        TryGetState(odsCode, out var state, out var seen) ? ValueTask.FromResult(state) : RereadAndGetStateAsync(odsCode, seen, ct);

    /// <summary>
    /// The state of <paramref name="odsCode"/> from the snapshot in memory when no reread is due (the check of almost
    /// every call, with no async frame); false when <see cref="StateAsync"/> must reread the table first.
    /// </summary>
    public bool TryGetState(string odsCode, out KnownTrustState state) => TryGetState(odsCode, out state, out _);

    private bool TryGetState(string odsCode, out KnownTrustState state, out Snapshot? snapshot)
    {
        snapshot = _snapshot;
        state = KnownTrustState.Unknown;
        if (snapshot is null || _stale) return false;
        var age = _clock.GetUtcNow() - snapshot.ReadAt;
        if (age > RefreshInterval) return false;
        if (snapshot.Trusts.TryGetValue(odsCode, out var active))
        {
            state = active ? KnownTrustState.Active : KnownTrustState.Suspended;
            return true;
        }
        return age <= MissRereadInterval;
    }

    private async ValueTask<KnownTrustState> RereadAndGetStateAsync(string odsCode, Snapshot? seen, CancellationToken ct)
    {
        var snapshot = await RereadAsync(seen, ct);
        return snapshot.Trusts.TryGetValue(odsCode, out var active) ? active ? KnownTrustState.Active : KnownTrustState.Suspended : KnownTrustState.Unknown;
    }

    /// <summary>Makes the next check reread the table (after this replica applied a directory event).</summary>
    public void Invalidate() => _stale = true;

    private async Task<Snapshot> RereadAsync(Snapshot? seen, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // Another check may have reread while this one waited.
            if (_snapshot is { } current && !ReferenceEquals(current, seen) && !_stale) return current;
            _stale = false;
            await using var scope = _scopes.CreateAsyncScope();
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(_context);
            var rows = await db.Set<KnownTrust>().AsNoTracking().Select(t => new { t.OdsCode, t.Active }).ToListAsync(ct);
            var snapshot = new Snapshot(rows.ToFrozenDictionary(r => r.OdsCode, r => r.Active, StringComparer.Ordinal), _clock.GetUtcNow());
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }
}
