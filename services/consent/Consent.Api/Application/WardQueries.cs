using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.Persistence;

namespace Platform.Consent.Api.Application;

/// <summary>A use as a ward sees it: its state, and what a check would answer now.</summary>
public sealed record UseView(TechnologyUse Use, UseCheckResult? Check, bool ReviewOverdue);

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);

/// <summary>A live use on a proxy or best-interests basis whose patient regained capacity: their own consent is due.</summary>
public sealed record ConsentRequiredView(TechnologyUse Use, DateTime ConsentRequiredBy, bool PastDue);

/// <summary>
/// The queries a ward runs on: uses by patient or ward, overdue reviews, consent required after capacity was regained,
/// and the blanket-use signals raised. Keyset (cursor) paging: a token names the last row of the page by its sort key
/// and id, so rows added meanwhile never shift a page. Everything is the caller's trust's only (the tenant filter).
/// A page of uses is patients' data: each patient on it is recorded as read (one record each, one commit per page).
/// </summary>
public sealed class WardQueries(ConsentDbContext db, PatientRecordsStore store, AccessLog access, TimeProvider clock)
{
    private static readonly Refusal BadToken = Refusal.Invalid("page-token.format", "Page token is not one this service issued.");

    public async Task<Outcome<Page<UseView>>> UsesAsync(string? patientId, string? wardCode, IReadOnlyCollection<UseStatus> statuses, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        var byPatient = !string.IsNullOrWhiteSpace(patientId);
        var byWard = !string.IsNullOrWhiteSpace(wardCode);
        if (byPatient == byWard) return Refusal.Invalid("list-uses.scope", "Name exactly one of a patient id and a ward code.");
        if (!TryCursor(pageSize, pageToken, out var size, out var after, out var refusal)) return refusal!;
        var query = db.TechnologyUses.AsNoTracking();
        if (byPatient)
        {
            var id = Input.Id("patient-id", patientId);
            if (id.IsRefused) return id.Refusal!;
            var patient = id.Value;
            if (!await db.Patients.AnyAsync(p => p.Id == patient, ct)) return PatientRecordsStore.PatientNotFound;
            query = query.Where(u => u.PatientId == patient);
        }
        else
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            var ward = ConsentWard.Normalise(wardCode);
            query = query.Where(u => u.WardCode == ward);
        }
        if (statuses.Count > 0) query = query.Where(u => statuses.Contains(u.Status));
        if (after is var (ticks, lastId))
        {
            var at = new DateTime(ticks, DateTimeKind.Utc);
            query = query.Where(u => u.ProposedAt > at || (u.ProposedAt == at && u.Id.CompareTo(lastId) > 0));
        }
        var rows = await query.OrderBy(u => u.ProposedAt).ThenBy(u => u.Id).Take(size + 1).ToListAsync(ct);
        var page = rows.Take(size).ToList();
        var views = await ViewsAsync(page, ct);
        await RecordReadsAsync(page.Select(u => u.PatientId), "uses", ct);
        return new Page<UseView>(views, rows.Count > size ? Cursor(page[^1].ProposedAt, page[^1].Id) : null);
    }

    /// <summary>Live uses past their review date, the longest overdue first.</summary>
    public async Task<Outcome<Page<UseView>>> OverdueReviewsAsync(string? wardCode, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        if (!TryCursor(pageSize, pageToken, out var size, out var after, out var refusal)) return refusal!;
        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.TechnologyUses.AsNoTracking()
            .Where(u => (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended) && u.CarePlan.NextReviewDate != null && u.CarePlan.NextReviewDate < now);
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            var ward = ConsentWard.Normalise(wardCode);
            query = query.Where(u => u.WardCode == ward);
        }
        if (after is var (ticks, lastId))
        {
            DateTime? at = new DateTime(ticks, DateTimeKind.Utc);
            query = query.Where(u => u.CarePlan.NextReviewDate > at || (u.CarePlan.NextReviewDate == at && u.Id.CompareTo(lastId) > 0));
        }
        var rows = await query.OrderBy(u => u.CarePlan.NextReviewDate).ThenBy(u => u.Id).Take(size + 1).ToListAsync(ct);
        var page = rows.Take(size).ToList();
        var views = await ViewsAsync(page, ct);
        await RecordReadsAsync(page.Select(u => u.PatientId), "overdue-reviews", ct);
        return new Page<UseView>(views, rows.Count > size ? Cursor(page[^1].CarePlan.NextReviewDate!.Value, page[^1].Id) : null);
    }

    /// <summary>
    /// Live uses resting on a proxy or best-interests decision while the patient has regained capacity: the patient's own
    /// consent is due by a deadline (or already past it, when the check denies), soonest first.
    /// </summary>
    public async Task<Outcome<Page<ConsentRequiredView>>> ConsentRequiredAsync(string? wardCode, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        if (!TryCursor(pageSize, pageToken, out var size, out var after, out var refusal)) return refusal!;
        string? ward = null;
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            ward = ConsentWard.Normalise(wardCode);
        }
        // The one search the counts use too (ADR 0045): candidates, bulk-loaded records, ConsentRequiredRule.
        var found = await ConsentRequiredSearch.FindAsync(db, store, clock.GetUtcNow().UtcDateTime, ward, ct);
        // Past due first (the check denies already), then by deadline; the cursor holds the sort key of the last row.
        var ordered = found.OrderBy(v => v.PastDue ? 0 : 1).ThenBy(v => v.PastDue ? 0 : v.ConsentRequiredBy.Ticks).ThenBy(v => v.Use.Id)
            .Select(v => (Key: v.PastDue ? 0 : v.ConsentRequiredBy.Ticks, View: v));
        if (after is var (ticks, lastId)) ordered = ordered.Where(x => x.Key > ticks || (x.Key == ticks && x.View.Use.Id.CompareTo(lastId) > 0));
        var rows = ordered.Take(size + 1).ToList();
        var page = rows.Take(size).ToList();
        await RecordReadsAsync(page.Select(x => x.View.Use.PatientId), "consent-required", ct);
        return new Page<ConsentRequiredView>(page.Select(x => x.View).ToList(), rows.Count > size ? Cursor(new DateTime(page[^1].Key, DateTimeKind.Utc), page[^1].View.Use.Id) : null);
    }

    /// <summary>Blanket-use signals raised by the sweep, newest first.</summary>
    public async Task<Outcome<Page<RaisedBlanketSignal>>> BlanketSignalsAsync(string? wardCode, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        if (!TryCursor(pageSize, pageToken, out var size, out var after, out var refusal)) return refusal!;
        var query = db.RaisedBlanketSignals.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
            var ward = ConsentWard.Normalise(wardCode);
            query = query.Where(s => s.WardCode == ward);
        }
        if (after is var (ticks, lastId))
        {
            var at = new DateTime(ticks, DateTimeKind.Utc);
            query = query.Where(s => s.RaisedAt < at || (s.RaisedAt == at && s.Id.CompareTo(lastId) < 0));
        }
        var rows = await query.OrderByDescending(s => s.RaisedAt).ThenByDescending(s => s.Id).Take(size + 1).ToListAsync(ct);
        var page = rows.Take(size).ToList();
        return new Page<RaisedBlanketSignal>(page, rows.Count > size ? Cursor(page[^1].RaisedAt, page[^1].Id) : null);
    }

    private Task RecordReadsAsync(IEnumerable<Guid> patientIds, string view, CancellationToken ct)
    {
        access.ReadEach(patientIds, patient => $"{patient}/{view}", AccessLog.ConsentType);
        return access.CommitAsync(ct);
    }

    private async Task<List<UseView>> ViewsAsync(List<TechnologyUse> uses, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var trust = await store.GetTrustAsync(ct);
        var views = new List<UseView>(uses.Count);
        var snapshots = await store.GetManyAsync(uses.Where(u => u.Status is UseStatus.Active or UseStatus.Suspended).Select(u => u.PatientId), ct);
        foreach (var use in uses)
        {
            UseCheckResult? check = null;
            if (use.Status is UseStatus.Active or UseStatus.Suspended && snapshots.TryGetValue(use.PatientId, out var records))
                check = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, trust.Approvals, trust.Policy, now);
            var overdue = use.Status is UseStatus.Active or UseStatus.Suspended && use.CarePlan.NextReviewDate is { } due && due < now;
            views.Add(new UseView(use, check, overdue));
        }
        return views;
    }

    private static bool TryCursor(int requestedSize, string? token, out int size, out (long Ticks, Guid Id)? after, out Refusal? refusal)
    {
        after = null;
        refusal = null;
        size = requestedSize == 0 ? Paging.DefaultSize : requestedSize;
        if (size is < 1 or > Paging.MaxSize)
        {
            refusal = Refusal.Invalid("page-size.range", $"Page size must be between 1 and {Paging.MaxSize}.");
            return false;
        }
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 3 && parts[0] == "k" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
                ticks <= DateTime.MaxValue.Ticks && Guid.TryParse(parts[2], out var id))
            {
                after = (ticks, id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        refusal = BadToken;
        return false;
    }

    private static string Cursor(DateTime at, Guid id) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"k:{at.Ticks}:{id}")));
}
