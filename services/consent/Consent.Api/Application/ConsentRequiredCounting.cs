using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

/// <summary>
/// Finds the current trust's live uses in "consent required" after capacity was regained: the one search behind
/// <see cref="WardQueries.ConsentRequiredAsync"/> (which sorts, pages and records each patient it shows) and the counts
/// (ADR 0045). The candidates are the live (active or suspended) uses on a proxy or best-interests basis; each is
/// decided by <see cref="ConsentRequiredRule.Evaluate"/> on its patient's records, loaded in bulk.
/// </summary>
public static class ConsentRequiredSearch
{
    /// <param name="ward">A ward code already checked and normalised, or null for the whole trust.</param>
    public static async Task<List<ConsentRequiredView>> FindAsync(ConsentDbContext db, PatientRecordsStore store, DateTime now, string? ward, CancellationToken ct)
    {
        var query = db.TechnologyUses.AsNoTracking()
            .Where(u => (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended) &&
                        (u.LawfulBasisKind == LawfulBasisKind.ProxyConsent || u.LawfulBasisKind == LawfulBasisKind.BestInterests));
        if (ward is not null) query = query.Where(u => u.WardCode == ward);
        var trust = await store.GetTrustAsync(ct);
        var live = await query.ToListAsync(ct);
        var snapshots = await store.GetManyAsync(live.Select(u => u.PatientId), ct);
        var found = new List<ConsentRequiredView>();
        foreach (var use in live)
        {
            ct.ThrowIfCancellationRequested();
            if (!snapshots.TryGetValue(use.PatientId, out var records)) continue;
            if (ConsentRequiredRule.Evaluate(records, use, trust.Approvals, trust.Policy, now) is { } state)
                found.Add(new ConsentRequiredView(use, state.ConsentRequiredBy, state.PastDue));
        }
        return found;
    }
}

/// <summary>
/// Counts of uses in "consent required" after capacity was regained (ADR 0045): a trust's, exact, for its own staff, live;
/// the region's are published once a day with the active-use counts and read from there (<see cref="PublishedUseCounts"/>). Each comes from <see cref="ConsentRequiredSearch"/>, the list's
/// own search, so a count equals the list paged to its end. A count names no patient and records no read (ADR 0040).
/// </summary>
public sealed class ConsentRequiredCounting(ConsentDbContext db, PatientRecordsStore store, TimeProvider clock)
{
    /// <summary>The caller's trust's uses in "consent required", of one ward when <paramref name="wardCode"/> is given.</summary>
    public async Task<Outcome<Counted<ConsentRequiredCounts>>> TrustAsync(string? wardCode, CancellationToken ct = default)
    {
        string? ward = null;
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            ward = ConsentWard.Normalise(wardCode);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await FindingsAsync(ward, now, ct);
        return new Counted<ConsentRequiredCounts>(ConsentRequiredCounts.From(found, ward), now);
    }

    /// <summary>
    /// The current trust's findings at <paramref name="now"/>: the trust's count, and the day's publication of the region's
    /// (<see cref="UseCountPublisher"/>, ADR 0045 as amended; the region reads only what was published, never this live).
    /// </summary>
    internal async Task<IReadOnlyList<ConsentRequiredFinding>> FindingsAsync(string? ward, DateTime now, CancellationToken ct) =>
        (await ConsentRequiredSearch.FindAsync(db, store, now, ward, ct)).Select(v => new ConsentRequiredFinding(v.Use.WardCode, v.Use.SettingCode, v.PastDue)).ToList();
}
