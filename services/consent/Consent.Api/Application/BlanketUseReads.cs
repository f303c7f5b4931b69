using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

/// <summary>The region's signals for a month, with when they were counted.</summary>
public sealed record RegionalSignalsCounted(RegionalBlanketSignals Counts, string Period, DateTime PeriodStart, DateTime PeriodEnd, DateTime CountedAt);

/// <summary>
/// Blanket use (P2) for dashboards (issue 19, ADR 0044): live detection over many wards of the caller's trust at once,
/// and the region's stored signals of the last complete month as suppressed counts.
/// </summary>
public sealed class BlanketUseReads(ConsentDbContext db, PatientRecordsStore store, IServiceScopeFactory scopes, TimeProvider clock, ILogger<BlanketUseReads> logger)
{
    /// <summary>How many wards one call may name: a trust's dashboard asks for each of its wards (about 100 in the largest).</summary>
    public const int MaxWards = 200;

    /// <summary>
    /// <see cref="TechnologyUseService.DetectBlanketUseAsync"/> for each ward named, in the order named: the same inputs
    /// (the ward's patients counted, its active and suspended uses, the trust's policy, one instant) and the same
    /// detector, read by two queries for all the wards (patients grouped by ward; the wards' live uses) and the trust's
    /// cached settings, not by a set of queries per ward.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<(string Ward, BlanketUseSignal[] Signals)>>> DetectForWardsAsync(IReadOnlyList<string?> wardCodes, CancellationToken ct = default)
    {
        if (wardCodes.Count == 0) return Refusal.Invalid("ward-codes.required", "Ward codes are required: name 1 to 200 wards.");
        if (wardCodes.Count > MaxWards) return Refusal.Invalid("ward-codes.too-many", $"Ward codes: at most {MaxWards} wards a call ({wardCodes.Count} named).");
        for (var i = 0; i < wardCodes.Count; i++)
            if (Validation.Code("ward-codes", wardCodes[i]) is { } bad) return Refusal.Invalid(bad.Rule, $"{bad.Message} (ward_codes[{i}])");
        var asked = wardCodes.Select(ConsentWard.Normalise).ToList();
        var wards = asked.Distinct(StringComparer.Ordinal).ToList();

        var patients = await db.Patients.AsNoTracking().Where(p => wards.Contains(p.WardCode))
            .GroupBy(p => p.WardCode).Select(g => new { Ward = g.Key, Patients = g.Count() })
            .ToDictionaryAsync(x => x.Ward, x => x.Patients, StringComparer.Ordinal, ct);
        var live = (await db.TechnologyUses.AsNoTracking()
                .Where(u => wards.Contains(u.WardCode) && (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
                .ToListAsync(ct))
            .ToLookup(u => u.WardCode, StringComparer.Ordinal);
        var policy = (await store.GetTrustAsync(ct)).Policy;
        var now = clock.GetUtcNow().UtcDateTime;
        // The detector is pure and CPU-bound (about 2 ms a ward): the wards run on the cores at once, as the per-ward
        // calls this replaces did, rather than one after another on one thread.
        var found = wards.AsParallel().WithCancellation(ct)
            .Select(w => (Ward: w, Signals: BlanketUseDetector.Detect(w, patients.GetValueOrDefault(w), live[w], policy, now).ToArray()))
            .ToDictionary(x => x.Ward, x => x.Signals, StringComparer.Ordinal);
        return asked.Select(w => (w, found[w])).ToList();
    }

    /// <summary>
    /// The region's blanket-use signals raised in the last complete calendar month (UTC): each active known trust read
    /// in a scope of its own (tenant filter and row-level security), only its counts by kind and setting leaving the
    /// scope; suppressed together with the trusts as rows at the strictest trust's threshold (ADR 0019, 0040).
    /// </summary>
    public async Task<Outcome<RegionalSignalsCounted>> RegionAsync(CancellationToken ct = default)
    {
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's signals are for a region token, which names no trust.");
        var now = clock.GetUtcNow().UtcDateTime;
        var (period, start, end) = RegionalBlanketSignals.LastCompleteMonth(now);
        var trusts = await db.ActiveTrustCodesAsync(ct);
        var read = await scopes.ReadEachTrustAsync(trusts, async (services, _, token) =>
        {
            var reads = services.GetRequiredService<BlanketUseReads>();
            return (Groups: await reads.GroupsAsync(start, end, token), Threshold: await reads.ThresholdAsync(token));
        }, ct);
        var threshold = read.Select(r => r.Result.Threshold).Append(RegionalUseCounts.LowestSuppressionThreshold).Max();
        var built = RegionalBlanketSignals.Build(read.Select(r => (r.Trust, r.Result.Groups)).ToList(), threshold);
        logger.LogInformation("Regional blanket-use signals for {Period} over {Trusts} trusts", period, read.Count);
        return new RegionalSignalsCounted(built, period, start, end, now);
    }

    /// <summary>The current trust's suppression threshold (its trust policy's; the lowest when none is set).</summary>
    private async Task<int> ThresholdAsync(CancellationToken ct) => (await store.GetTrustAsync(ct)).Policy.SuppressionThreshold;

    /// <summary>
    /// The current trust's signals raised in [start, end) as distinct (kind, ward, technology), counted by kind and the
    /// ward's setting in the directory: one grouped query, and one for the settings of the wards it names.
    /// </summary>
    private async Task<IReadOnlyList<BlanketSignalGroup>> GroupsAsync(DateTime start, DateTime end, CancellationToken ct)
    {
        var byWard = await db.RaisedBlanketSignals.AsNoTracking()
            .Where(s => s.RaisedAt >= start && s.RaisedAt < end)
            .Select(s => new { s.Kind, s.WardCode, s.TechnologyId }).Distinct()
            .GroupBy(s => new { s.Kind, s.WardCode })
            .Select(g => new { g.Key.Kind, g.Key.WardCode, Signals = g.Count() })
            .ToListAsync(ct);
        if (byWard.Count == 0) return [];
        var wards = byWard.Select(w => w.WardCode).Distinct().ToList();
        var settings = await db.Wards.AsNoTracking().Where(w => wards.Contains(w.Code))
            .ToDictionaryAsync(w => w.Code, w => w.SettingCode, StringComparer.Ordinal, ct);
        return byWard
            .GroupBy(w => (w.Kind, Setting: settings.GetValueOrDefault(w.WardCode) ?? ""))
            .Select(g => new BlanketSignalGroup(g.Key.Kind, g.Key.Setting, g.Sum(x => x.Signals)))
            .ToList();
    }
}
