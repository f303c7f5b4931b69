using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Application;

/// <summary>
/// Supplier-level evidence shared with the region: a trust's procurement lead shares the supplier part of a passed
/// gate, any trust lists it, and another trust's gate takes it in as a reviewed input (RecordGate's reuse). The
/// table is the region's, not a trust's: there is no tenant filter on it, so every write goes through the domain's
/// origin check here, and PostgreSQL's row-level security refuses another trust's insert or update a second time.
/// </summary>
public sealed class RegionalEvidence(ProcurementDbContext db, CaseStore store, ProcurementEvents events, TimeProvider clock, ILogger<RegionalEvidence> logger)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Outcome<SharedSupplierEvidence>> ShareAsync(string? caseId, GateKind gate, SupplierEvidenceKind kind, ProcurementActor actor, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(caseId, out var id)) return Refusal.Invalid("case-id.format", "Case id must be a UUID.");
        if (Validation.Defined("kind", kind) is { } badKind) return badKind;
        var loaded = await store.LoadAsync(id, ct);
        if (loaded is null) return Refusal.NotFound("case.not-found", "No procurement case with this id in this trust.");
        var technology = CaseStore.ToDomain(await db.Technologies.AsNoTracking().SingleAsync(t => t.Id == loaded.Value.TechnologyId, ct));
        var shared = SharedSupplierEvidence.Share(loaded.Value, technology, gate, kind, actor, Guid.CreateVersion7(), Now);
        if (shared.IsRefused) return shared;
        db.SharedEvidence.Add(ToRow(shared.Value));
        events.SupplierEvidenceShared(shared.Value, actor);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Shared {Kind} from case {CaseId} with the region as {SharedEvidenceId}", kind, id, shared.Value.Id);
        return shared;
    }

    public async Task<Outcome<SharedSupplierEvidence>> WithdrawAsync(string? sharedEvidenceId, ProcurementActor actor, CancellationToken ct = default)
    {
        var found = await FindAsync(sharedEvidenceId, ct);
        if (found.IsRefused) return found.Refusal!;
        var (row, shared) = found.Value;
        if (shared.Withdraw(db.CurrentTenant ?? "", actor, Now) is { } refused) return refused;
        row.WithdrawnAt = shared.WithdrawnAt;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Shared evidence {SharedEvidenceId} withdrawn by its origin trust", shared.Id);
        return shared;
    }

    /// <summary>What the region's trusts shared and still share, newest first; the supplier compared as the domain does (case and spaces aside).</summary>
    public async Task<IReadOnlyList<SharedSupplierEvidence>> ListAsync(string? supplier, CancellationToken ct = default)
    {
        var query = db.SharedEvidence.AsNoTracking().Where(s => s.WithdrawnAt == null);
        if (!string.IsNullOrWhiteSpace(supplier))
        {
            var wanted = supplier.Trim().ToUpperInvariant();
            query = query.Where(s => s.Supplier.ToUpper() == wanted);
        }
        var rows = await query.OrderByDescending(s => s.SharedAt).ThenBy(s => s.Id).Take(500).ToListAsync(ct);
        return rows.Select(ToDomain).ToList();
    }

    /// <summary>The shared evidence a RecordGate names for reuse, withdrawn or not (the domain refuses a withdrawn one, saying so).</summary>
    public async Task<Outcome<SharedSupplierEvidence>> ForReuseAsync(string? sharedEvidenceId, CancellationToken ct = default)
    {
        var found = await FindAsync(sharedEvidenceId, ct, tracked: false);
        return found.IsRefused ? found.Refusal! : found.Value.Shared;
    }

    private async Task<Outcome<(SharedSupplierEvidenceRow Row, SharedSupplierEvidence Shared)>> FindAsync(string? sharedEvidenceId, CancellationToken ct, bool tracked = true)
    {
        if (!Validation.TryParseId(sharedEvidenceId, out var id))
            return Refusal.Invalid("shared-evidence-id.format", "Shared evidence id must be a UUID.");
        var query = tracked ? db.SharedEvidence : db.SharedEvidence.AsNoTracking();
        var row = await query.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (row is null) return Refusal.NotFound("shared-evidence.not-found", "No supplier evidence with this id has been shared with the region.");
        return (row, ToDomain(row));
    }

    private static SharedSupplierEvidenceRow ToRow(SharedSupplierEvidence s) => new()
    {
        Id = s.Id,
        OriginTenantId = s.OriginTenantId,
        Supplier = s.Supplier,
        ProductName = s.ProductName,
        Kind = s.Kind,
        Content = EvidenceJson.Write(s.Content),
        AssessedAt = s.AssessedAt,
        ValidUntil = s.Content.ValidUntil,
        SharedAt = s.SharedAt,
        SharedBy = s.SharedBy,
        WithdrawnAt = s.WithdrawnAt,
    };

    private static SharedSupplierEvidence ToDomain(SharedSupplierEvidenceRow r) => new()
    {
        Id = r.Id,
        OriginTenantId = r.OriginTenantId,
        Supplier = r.Supplier,
        ProductName = r.ProductName,
        Content = EvidenceJson.ReadShared(r.Content),
        AssessedAt = r.AssessedAt,
        SharedAt = r.SharedAt,
        SharedBy = r.SharedBy,
        WithdrawnAt = r.WithdrawnAt,
    };
}
