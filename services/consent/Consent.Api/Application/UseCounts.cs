using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>Counts as the domain built them, with when they were taken.</summary>
public sealed record Counted<T>(T Counts, DateTime CountedAt);

/// <summary>
/// Counts of active uses (ADR 0040): a trust's, exact and live, for its own staff; and the grouped rows the daily
/// publication takes of each trust for the region (<see cref="UseCountPublisher"/>, ADR 0047). Each is one grouped query per trust, whatever the number of uses: no use is evaluated
/// and no patient's records are loaded, so no patient is read and none is recorded as read.
/// </summary>
public sealed class UseCounts(ConsentDbContext db, PatientRecordsStore store, TimeProvider clock)
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
    /// One query: the current trust's active uses grouped by ward, setting and basis, with how many of each group have
    /// their review overdue by <see cref="WardQueries.OverdueReviewsAsync"/>' rule (a next review date set and before
    /// now, on the stored column: no use is evaluated). Counted by the same grouped statement, so no second query.
    /// </summary>
    /// <param name="overdueAt">The instant a review is overdue at: now, or a publication's reference instant (ADR 0047).</param>
    internal async Task<IReadOnlyList<ActiveUseGroup>> GroupsAsync(string? ward, CancellationToken ct, DateTime? overdueAt = null)
    {
        var now = overdueAt ?? clock.GetUtcNow().UtcDateTime;
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
    internal async Task<int> ThresholdAsync(CancellationToken ct) => (await store.GetTrustAsync(ct)).Policy.SuppressionThreshold;
}
