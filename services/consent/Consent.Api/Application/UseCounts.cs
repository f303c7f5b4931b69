using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

/// <summary>Counts as the domain built them, with when they were taken.</summary>
public sealed record Counted<T>(T Counts, DateTime CountedAt);

/// <summary>
/// Counts of active uses (ADR 0040): a trust's, exact, for its own staff; the region's, with the trusts as rows and
/// small counts suppressed. Each is one grouped query per trust, whatever the number of uses: no use is evaluated
/// and no patient's records are loaded, so no patient is read and none is recorded as read.
/// </summary>
public sealed class UseCounts(ConsentDbContext db, PatientRecordsStore store, IServiceScopeFactory scopes, TimeProvider clock, ILogger<UseCounts> logger)
{
    /// <summary>The caller's trust's active uses, of one ward when <paramref name="wardCode"/> is given.</summary>
    public async Task<Outcome<Counted<ActiveUseCounts>>> TrustAsync(string? wardCode, CancellationToken ct = default)
    {
        string? ward = null;
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            ward = ConsentWard.Normalise(wardCode);
        }
        var groups = await GroupsAsync(ward, ct);
        return new Counted<ActiveUseCounts>(ActiveUseCounts.From(groups, ward), clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The region's active uses: each active known trust read in a scope of its own (so the tenant filter and row-level
    /// security apply, as the sweeps read), only its grouped counts leaving the scope; suppressed together with the
    /// trusts as rows at the strictest trust's threshold.
    /// </summary>
    public async Task<Outcome<Counted<RegionalUseCounts>>> RegionAsync(CancellationToken ct = default)
    {
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's counts are for a region token, which names no trust.");
        var trusts = await db.ActiveTrustCodesAsync(ct);
        var read = await scopes.ReadEachTrustAsync(trusts, async (services, _, token) =>
        {
            var counts = services.GetRequiredService<UseCounts>();
            return (Groups: await counts.GroupsAsync(null, token), Threshold: await counts.ThresholdAsync(token));
        }, ct);
        var rows = read.Select(r => (r.Trust, r.Result.Groups)).ToList();
        // Every trust's own threshold holds for its row: the region's is the strictest of them.
        var threshold = read.Select(r => r.Result.Threshold).Append(RegionalUseCounts.LowestSuppressionThreshold).Max();
        var built = RegionalUseCounts.Build(rows, threshold);
        logger.LogInformation("Regional active-use counts over {Trusts} trusts", rows.Count);
        return new Counted<RegionalUseCounts>(built, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// One query: the current trust's active uses grouped by ward, setting and basis, with how many of each group have
    /// their review overdue by <see cref="WardQueries.OverdueReviewsAsync"/>' rule (a next review date set and before
    /// now, on the stored column: no use is evaluated). Counted by the same grouped statement, so no second query.
    /// </summary>
    private async Task<IReadOnlyList<ActiveUseGroup>> GroupsAsync(string? ward, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.TechnologyUses.AsNoTracking().Where(u => u.Status == UseStatus.Active && u.LawfulBasisKind != LawfulBasisKind.None);
        if (ward is not null) query = query.Where(u => u.WardCode == ward);
        // Overdue or not is part of the group key (a plain GROUP BY on a CASE); summing a flag per group made EF send a
        // correlated subquery per group (the care plan is an owned type): still one statement, but twice the time.
        var rows = await query
            .GroupBy(u => new { u.WardCode, u.SettingCode, u.LawfulBasisKind, Overdue = u.CarePlan.NextReviewDate != null && u.CarePlan.NextReviewDate < now })
            .Select(g => new { g.Key.WardCode, g.Key.SettingCode, g.Key.LawfulBasisKind, g.Key.Overdue, Uses = g.Count() })
            .ToListAsync(ct);
        return rows.Select(r => new ActiveUseGroup(r.WardCode, r.SettingCode, r.LawfulBasisKind, r.Uses, r.Overdue ? r.Uses : 0)).ToList();
    }

    /// <summary>The current trust's suppression threshold (its trust policy's; the lowest when none is set).</summary>
    private async Task<int> ThresholdAsync(CancellationToken ct) => (await store.GetTrustAsync(ct)).Policy.SuppressionThreshold;
}
