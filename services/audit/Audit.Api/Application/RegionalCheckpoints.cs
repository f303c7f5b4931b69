using Microsoft.EntityFrameworkCore;
using Platform.Audit.Api.Data;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Audit.Api.Application;

/// <summary>One trust's latest checkpoint as the region sees it: null size and time when its log has none yet.</summary>
public sealed record TrustCheckpoint(string OdsCode, long? TreeSize, DateTime? SignedAt, int Cosignatures);

/// <summary>
/// The region analyst's audit volume and checkpoint status (ADR 0042, issue 19): for each of the region's active known
/// trusts, its log's latest checkpoint (size, signing time, how many witnesses cosigned it). Each trust is read in a DI
/// scope acting for it (<see cref="TrustReads.ReadEachTrustAsync{T}"/>), so the tenant filter and row-level security
/// apply to every read, as procurement's regional approval counts read (ADR 0039); only the metadata leaves the scope.
/// </summary>
public sealed class RegionalCheckpoints(AuditDbContext db, IServiceScopeFactory scopes, ILogger<RegionalCheckpoints> logger)
{
    public async Task<Outcome<IReadOnlyList<TrustCheckpoint>>> ReadAsync(CancellationToken ct = default)
    {
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's checkpoints are for a region token, which names no trust.");

        var trusts = await db.ActiveTrustCodesAsync(ct);
        // A trust that cannot be read fails the answer: a status silently missing a trust would be wrong, not partial.
        var read = await scopes.ReadEachTrustAsync(trusts, (services, trust, token) =>
            LatestAsync(services.GetRequiredService<AuditDbContext>(), trust, token), ct);
        logger.LogInformation("Regional checkpoints over {Trusts} trusts", read.Count);
        return read.Select(r => r.Result).ToList();
    }

    // One trust's latest checkpoint and its cosignatures; read in the trust's scope.
    private static async Task<TrustCheckpoint> LatestAsync(AuditDbContext trustDb, string trust, CancellationToken ct)
    {
        if (trustDb.CurrentTenant != trust) throw new InvalidOperationException("A trust's log is read only in that trust's scope.");
        var latest = await trustDb.Checkpoints.AsNoTracking().OrderByDescending(c => c.TreeSize)
            .Select(c => new { c.TreeSize, c.SignedAt }).FirstOrDefaultAsync(ct);
        if (latest is null) return new TrustCheckpoint(trust, null, null, 0);
        var cosignatures = await trustDb.Cosignatures.AsNoTracking().CountAsync(c => c.TreeSize == latest.TreeSize, ct);
        return new TrustCheckpoint(trust, latest.TreeSize, DateTime.SpecifyKind(latest.SignedAt, DateTimeKind.Utc), cosignatures);
    }
}
