using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Procurement.Api.Application;

/// <summary>A page of the region's approval counts: the trusts read, the technologies of the page, whether more follow.</summary>
public sealed record RegionalApprovalPage(IReadOnlyList<string> Trusts, IReadOnlyList<TechnologyApprovalCounts> Technologies, bool More);

/// <summary>
/// The region analyst's approval counts (ADR 0039): every technology of the region's active trusts, matched by name as
/// the regional outcome report matches them (ADR 0034), with how many procurement cases stand at each approval status
/// per setting type, over all trusts and per trust. Each trust is read in a DI scope acting for it
/// (<see cref="TenantContext.Use"/>), so the tenant filter and row-level security apply to every read, as evidence's
/// regional report and the sweeps (<c>TrustSweep</c>) read; only the counts leave the scope.
/// </summary>
public sealed class RegionalApprovals(ProcurementDbContext db, IServiceScopeFactory scopes, ILogger<RegionalApprovals> logger)
{
    public async Task<Outcome<RegionalApprovalPage>> CountAsync(string? technologyName, int pageSize, string? afterTechnologyName, CancellationToken ct = default)
    {
        var asked = RegionalNamePage.Read(technologyName, pageSize, afterTechnologyName);
        if (asked.IsRefused) return asked.Refusal!;
        var (key, afterKey, size) = asked.Value;
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's approval counts are for a region token, which names no trust.");

        var trusts = await db.ActiveTrustCodesAsync(ct);
        // A trust that cannot be read fails the answer: counts silently missing a trust would be wrong, not partial.
        var read = await scopes.ReadEachTrustAsync(trusts, (services, trust, token) =>
            TrustTechnologiesAsync(services.GetRequiredService<ProcurementDbContext>(), trust, key, token), ct);
        var registered = read.SelectMany(r => r.Result).ToList();
        var following = RegionalApprovalCounts.Build(registered)
            .Where(t => afterKey is null || string.CompareOrdinal(t.Key, afterKey) > 0).ToList();
        logger.LogInformation("Regional approval counts over {Trusts} trusts: {Technologies} technologies from the page's start", read.Count, following.Count);
        return new RegionalApprovalPage([.. read.Select(r => r.Trust)], following.Take(size).ToList(), following.Count > size);
    }

    // One trust's technologies (all, or those under one name) with each case's setting and status; read in its scope.
    private static async Task<List<TrustTechnology>> TrustTechnologiesAsync(ProcurementDbContext trustDb, string trust, string? key, CancellationToken ct)
    {
        if (trustDb.CurrentTenant != trust) throw new InvalidOperationException("A trust's register is read only in that trust's scope.");
        var technologies = (await trustDb.Technologies.AsNoTracking().Select(t => new { t.Id, t.Name }).ToListAsync(ct))
            .Where(t => key is null || RegionalNamePage.NameKey(t.Name) == key).ToList();
        if (technologies.Count == 0) return [];
        var ids = technologies.Select(t => t.Id).ToList();
        var cases = await trustDb.Cases.AsNoTracking().Where(c => ids.Contains(c.TechnologyId)).Select(c => new { c.Id, c.TechnologyId, c.SettingCode }).ToListAsync(ct);
        var caseIds = cases.Select(c => c.Id).ToList();
        // A case's status is its latest approval's (ProcurementCase.Status): withdrawn when that one was withdrawn.
        var latest = (await trustDb.Approvals.AsNoTracking().Where(a => caseIds.Contains(a.CaseId))
                .Select(a => new { a.CaseId, a.ApprovedAt, Withdrawn = a.WithdrawnAt != null }).ToListAsync(ct))
            .GroupBy(a => a.CaseId).ToDictionary(g => g.Key, g => g.MaxBy(a => a.ApprovedAt)!.Withdrawn);
        var byTechnology = cases.ToLookup(c => c.TechnologyId);
        return technologies.Select(t => new TrustTechnology(trust, t.Name,
            byTechnology[t.Id].Select(c => (c.SettingCode, RegionalApprovalCounts.StatusOf(latest.ContainsKey(c.Id), latest.GetValueOrDefault(c.Id)))).ToList())).ToList();
    }
}
