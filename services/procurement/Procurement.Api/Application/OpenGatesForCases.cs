using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Application;

/// <summary>One query of a batch: a case id as the caller sent it and the kind of approval.</summary>
public sealed record OpenGatesQuery(string? CaseId, ApprovalKind Kind);

/// <summary>One answer of a batch: null gates when the trust has no such case.</summary>
public sealed record OpenGatesAnswer(Guid CaseId, ApprovalKind Kind, IReadOnlyList<OpenGate>? OpenGates);

/// <summary>
/// ListOpenGates for many cases at once (ADR 0043): every query checked before anything is read, then the cases loaded
/// together in three statements however many are asked for (their headers, their gate records, their approvals; the
/// tenant's query filter on each), and each answered by the domain exactly as <see cref="ProcurementCases.OpenGatesAsync"/> does.
/// </summary>
public sealed class OpenGatesForCases(ProcurementDbContext db, CaseStore store, TimeProvider clock)
{
    /// <summary>The most queries one call takes.</summary>
    public const int MaxQueries = 200;

    public async Task<Outcome<IReadOnlyList<OpenGatesAnswer>>> ListAsync(IReadOnlyList<OpenGatesQuery> queries, CancellationToken ct = default)
    {
        if (queries.Count == 0)
            return Refusal.Invalid("queries.required", "Ask for the open gates of at least one case.") with { Field = "queries" };
        if (queries.Count > MaxQueries)
            return Refusal.Invalid("queries.too-many", $"At most {MaxQueries} cases can be asked for at once; {queries.Count} were.") with { Field = "queries" };
        var parsed = new List<(Guid Id, ApprovalKind Kind)>(queries.Count);
        for (var i = 0; i < queries.Count; i++)
        {
            if (!Validation.TryParseId(queries[i].CaseId, out var id))
                return Refusal.Invalid("case-id.format", $"queries[{i}].case_id must be a UUID.") with { Field = $"queries[{i}].case_id" };
            if (Validation.Defined("kind", queries[i].Kind) is { } badKind)
                return badKind with { Message = $"queries[{i}].kind: {badKind.Message}", Field = $"queries[{i}].kind" };
            parsed.Add((id, queries[i].Kind));
        }

        var ids = parsed.Select(p => p.Id).Distinct().ToList();
        var headers = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        var loaded = (await store.LoadAllAsync(headers, ct)).ToDictionary(l => l.Value.Id);
        var now = clock.GetUtcNow().UtcDateTime;
        return parsed.Select(p => new OpenGatesAnswer(p.Id, p.Kind, loaded.TryGetValue(p.Id, out var c) ? c.Value.OpenGates(now, p.Kind) : null)).ToList();
    }
}
