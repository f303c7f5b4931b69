using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

public sealed class ConsentScheduleOptions
{
    public const string Section = "Consent:Schedules";

    /// <summary>Run the review and blanket-use sweeps in the background (off in tests that drive them by hand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Which trusts have consent records here: the scheduled sweeps visit each.</summary>
public sealed class ConsentTrustDirectory
{
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    /// <summary>Notes the trust once per process; idempotent in the database, and safe when two registrations race.</summary>
    public async Task EnsureAsync(ConsentDbContext db, string tenant, DateTime now, CancellationToken ct)
    {
        if (_known.ContainsKey(tenant)) return;
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO consent_trusts (tenant_id, first_seen_at) VALUES ({0}, {1}) ON CONFLICT (tenant_id) DO NOTHING", [tenant, now], ct);
        _known[tenant] = true;
    }
}

/// <summary>What one sweep did, for logs and tests.</summary>
/// <param name="FailedTrusts">Trusts whose sweep failed (logged; tried again on the next tick), the others swept.</param>
public sealed record SweepResult(int Trusts, int OverdueReviewsRaised, int BlanketSignalsRaised, IReadOnlyList<string> FailedTrusts);

/// <summary>
/// The review scheduler and the scheduled blanket-use detection. Each sweep visits every trust, in its own tenant scope
/// (so row-level security applies), and raises each overdue review once per review date and each blanket-use finding
/// once. Overdue uses are denied by CheckUse after the trust's grace period whether or not a sweep has run; the
/// sweep raises the alert. Replicas sweep at the same time without raising anything twice: on PostgreSQL one replica
/// at a time takes a trust's overdue reviews (a transaction-scoped advisory lock; the others skip that trust until their
/// next sweep, which finds the reviews already raised), and a blanket-use finding is kept unique by its key.
/// </summary>
public sealed class ConsentScheduler(IServiceScopeFactory scopes, IOptions<ConsentScheduleOptions> options, TimeProvider clock, ILogger<ConsentScheduler> logger)
    : BackgroundService
{
    public static readonly Actor SchedulerActor = new("system:consent-scheduler", "system");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                var result = await SweepAsync(stoppingToken);
                if (result.OverdueReviewsRaised + result.BlanketSignalsRaised > 0 || result.FailedTrusts.Count > 0)
                    logger.LogInformation("Consent sweep over {Trusts} trusts: {Overdue} overdue reviews and {Signals} blanket-use signals raised; {Failed} trusts failed",
                        result.Trusts, result.OverdueReviewsRaised, result.BlanketSignalsRaised, result.FailedTrusts.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again; nothing was half-done, each trust's sweep is one unit of work.
                logger.LogError(ex, "Consent sweep failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep over every trust.</summary>
    public async Task<SweepResult> SweepAsync(CancellationToken ct = default)
    {
        List<string> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            tenants = await db.Trusts.AsNoTracking().OrderBy(t => t.TenantId).Select(t => t.TenantId).ToListAsync(ct);
        }
        // Each trust's reviews and signals are their own units of work: one trust's fault (its rows, a trigger) is
        // logged and retried next tick, and the other trusts' overdue reviews are still raised.
        var overdue = await scopes.ForEachTrustAsync(tenants, (s, token) => ActingAsScheduler(s, RaiseOverdueReviewsAsync, token), logger, "Consent review sweep", ct);
        var signals = await scopes.ForEachTrustAsync(tenants, (s, token) => ActingAsScheduler(s, RaiseBlanketSignalsAsync, token), logger, "Consent blanket-use sweep", ct);
        return new SweepResult(tenants.Count, overdue.Results.Sum(r => r.Result), signals.Results.Sum(r => r.Result),
            [.. overdue.FailedTrusts.Union(signals.FailedTrusts, StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    private static Task<int> ActingAsScheduler(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken ct)
    {
        services.GetRequiredService<ConsentEvents>().ActFor(SchedulerActor);
        return work(services, ct);
    }

    private async Task<int> RaiseOverdueReviewsAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<ConsentDbContext>();
        var store = services.GetRequiredService<PatientRecordsStore>();
        var events = services.GetRequiredService<ConsentEvents>();
        // On PostgreSQL the trust's reviews are taken under a lock held to the end of a transaction. SQLite, the
        // single-process embedded default, needs neither, and its transactions would hold the write lock while reading.
        await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        if (transaction is not null && !await TakeReviewSweepAsync(db, ct)) return 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var policy = (await store.GetTrustAsync(ct)).Policy;
        var due = await db.TechnologyUses
            .Where(u => (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended) && u.CarePlan.NextReviewDate != null && u.CarePlan.NextReviewDate <= now &&
                        (u.ReviewOverdueRaisedFor == null || u.ReviewOverdueRaisedFor != u.CarePlan.NextReviewDate))
            .ToListAsync(ct);
        var raised = new List<TechnologyUse>();
        foreach (var use in due)
        {
            if (use.TakeOverdueReview(policy, now) is not { } reviewDate) continue;
            events.ReviewOverdue(use, reviewDate, policy);
            raised.Add(use);
        }
        if (raised.Count == 0) return 0;
        await db.SaveChangesAsync(ct);
        foreach (var use in raised) store.InvalidatePatientAfterCommit(db, use.PatientId);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return raised.Count;
    }

    /// <summary>
    /// Whether this replica may raise the trust's overdue reviews now (PostgreSQL): a transaction-scoped advisory lock
    /// per trust. A replica that finds it held skips the trust (the holder raises them; each statement after the lock
    /// sees what an earlier holder committed), so two replicas never load the same due reviews and raise each twice.
    /// </summary>
    private static Task<bool> TakeReviewSweepAsync(ConsentDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<bool>(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('consent.review-sweep/' || {0}, 0)) AS \"Value\"", db.CurrentTenant!).SingleAsync(ct);

    private async Task<int> RaiseBlanketSignalsAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<ConsentDbContext>();
        var uses = services.GetRequiredService<TechnologyUseService>();
        var events = services.GetRequiredService<ConsentEvents>();
        var wards = await db.TechnologyUses.AsNoTracking()
            .Where(u => u.Status == UseStatus.Active || u.Status == UseStatus.Suspended)
            .Select(u => u.WardCode).Distinct().ToListAsync(ct);
        var raised = 0;
        foreach (var ward in wards.Order(StringComparer.Ordinal))
        {
            var detected = await uses.DetectBlanketUseAsync(ward, ct);
            if (detected.IsRefused || detected.Value.Length == 0) continue;
            var found = detected.Value.Select(signal => (Signal: signal, Key: ConsentEvents.SignalKey(signal))).ToList();
            // One look-up per ward for the findings already raised, not one per finding.
            var keys = found.Select(f => f.Key).ToList();
            var known = (await db.RaisedBlanketSignals.AsNoTracking().Where(r => keys.Contains(r.SignalKey)).Select(r => r.SignalKey).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var (signal, key) in found)
            {
                if (!known.Add(key)) continue;
                var record = new RaisedBlanketSignal
                {
                    Id = Guid.CreateVersion7(),
                    SignalKey = key,
                    Kind = signal.Kind,
                    WardCode = signal.WardCode,
                    TechnologyId = signal.TechnologyId,
                    UseCount = signal.UseCount,
                    UseIds = signal.UseIds.Select(id => id.ToString()).ToList(),
                    RaisedAt = clock.GetUtcNow().UtcDateTime,
                };
                db.RaisedBlanketSignals.Add(record);
                events.BlanketUseSignalRaised(record.Id, signal);
                try
                {
                    await db.SaveChangesAsync(ct);
                    raised++;
                    // Saved: stop tracking the record and its event, or every later save in this sweep would look
                    // them all over again (the first sweep of a large trust raised 4,932 findings in 91 s of CPU).
                    db.ChangeTracker.Clear();
                }
                catch (DbUpdateException)
                {
                    // Another replica raised the same finding first; anything else is a real fault.
                    if (!await AlreadyRaisedAsync(db, key, ct)) throw;
                }
            }
        }
        return raised;
    }

    private static async Task<bool> AlreadyRaisedAsync(ConsentDbContext db, string key, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.RaisedBlanketSignals.AsNoTracking().AnyAsync(r => r.SignalKey == key, ct);
    }
}
