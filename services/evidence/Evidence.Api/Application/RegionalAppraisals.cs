using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Evidence.Api.Application;

/// <summary>A page of the region's appraisals: the trusts read, the technologies of the page, whether more follow.</summary>
public sealed record RegionalAppraisalPage(IReadOnlyList<string> Trusts, IReadOnlyList<TechnologyAppraisals> Technologies, bool More);

/// <summary>
/// The region analyst's appraisals (ADR 0046): every technology of the region's active trusts, matched by name as the
/// regional outcome report matches them (ADR 0034), with, per ward setting type, how many trusts appraised it and how
/// their current appraisals divide by conclusion and ESF tier, over all trusts and per trust. Each trust is read in a
/// DI scope acting for it (<see cref="TenantContext.Use"/>), so the tenant filter and row-level security apply to
/// every read, as the regional outcome report reads; two queries per trust, and only tiers, conclusions, setting codes
/// and days leave the scope.
/// </summary>
public sealed class RegionalAppraisals(EvidenceDbContext db, IServiceScopeFactory scopes, ILogger<RegionalAppraisals> logger)
{
    public async Task<Outcome<RegionalAppraisalPage>> ListAsync(string? technologyName, int pageSize, string? afterTechnologyName, CancellationToken ct = default)
    {
        var asked = RegionalNamePage.Read(technologyName, pageSize, afterTechnologyName);
        if (asked.IsRefused) return asked.Refusal!;
        var (key, afterKey, size) = asked.Value;
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's appraisals are for a region token, which names no trust.");

        var trusts = await db.ActiveTrustCodesAsync(ct);
        // A trust that cannot be read fails the answer: counts silently missing a trust would be wrong, not partial.
        var read = await scopes.ReadEachTrustAsync(trusts, (services, trust, token) =>
            TrustAppraisalsAsync(services.GetRequiredService<EvidenceDbContext>(), trust, key, token), ct);
        var registered = read.SelectMany(r => r.Result).ToList();
        var following = RegionalAppraisalCounts.Build(registered)
            .Where(t => afterKey is null || string.CompareOrdinal(t.Key, afterKey) > 0).ToList();
        logger.LogInformation("Regional appraisals over {Trusts} trusts: {Technologies} technologies from the page's start", read.Count, following.Count);
        return new RegionalAppraisalPage([.. read.Select(r => r.Trust)], following.Take(size).ToList(), following.Count > size);
    }

    // One trust's technologies (all, or those under one name) with their current appraisals; read in its scope, two queries.
    private static async Task<List<TrustAppraisedTechnology>> TrustAppraisalsAsync(EvidenceDbContext trustDb, string trust, string? key, CancellationToken ct)
    {
        if (trustDb.CurrentTenant != trust) throw new InvalidOperationException("A trust's appraisals are read only in that trust's scope.");
        var technologies = trustDb.Technologies.AsNoTracking();
        // Matched as the regional outcome report matches (OutcomeReports.TrustRowsForRegionAsync): trimmed, lower case.
        if (key is not null) technologies = technologies.Where(t => t.Name.Trim().ToLower() == key);
        var named = await technologies.Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        if (named.Count == 0) return [];
        var ids = named.Select(t => t.Id).ToList();
        // The current appraisal of each technology and setting: none completed later supersedes it. Only the tier, the
        // conclusion and the time are read: never the reviewer, the reasoning or the standards' notes.
        var current = (await trustDb.Appraisals.AsNoTracking()
                .Where(a => ids.Contains(a.TechnologyId)
                    && !trustDb.Appraisals.Any(later => later.TechnologyId == a.TechnologyId && later.SettingCode == a.SettingCode && later.CompletedAt > a.CompletedAt))
                .Select(a => new { a.Id, a.TechnologyId, a.SettingCode, a.Tier, a.Conclusion, a.CompletedAt })
                .ToListAsync(ct))
            // Two completed in the same microsecond: the greater id is the later, as ListAppraisals orders them.
            .GroupBy(a => (a.TechnologyId, a.SettingCode)).Select(g => g.MaxBy(a => a.Id)!)
            .ToLookup(a => a.TechnologyId);
        return named.Select(t => new TrustAppraisedTechnology(trust, t.Name,
            current[t.Id].Select(a => new CurrentAppraisal(a.SettingCode, a.Tier, a.Conclusion, DateOnly.FromDateTime(a.CompletedAt))).ToList())).ToList();
    }
}
