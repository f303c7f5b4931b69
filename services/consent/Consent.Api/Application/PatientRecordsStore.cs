using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

/// <summary>
/// What the use check needs about the trust as a whole: its approvals and its policy. Which approval decides a use is
/// the domain's rule (<see cref="TechnologyApproval.Select"/>), applied to <see cref="Approvals"/>.
/// </summary>
public sealed record TrustConsentSettings(TechnologyApproval[] Approvals, TrustPolicy Policy);

/// <summary>
/// Process-wide cache of per-patient snapshots and per-trust settings, keyed by tenant. Entries are whole immutable
/// objects replaced on change, so a reader never sees a half-updated snapshot. Each key carries a generation: a load
/// that raced with a write is returned but not cached, so a stale snapshot never outlives the write's invalidation.
/// </summary>
public sealed class ConsentRecordsCache
{
    private sealed record Entry<T>(long Generation, T? Value) where T : class;

    private readonly ConcurrentDictionary<(string Tenant, Guid Patient), Entry<PatientConsentRecords>> _patients = new();
    private readonly ConcurrentDictionary<string, Entry<TrustConsentSettings>> _trusts = new(StringComparer.Ordinal);

    internal bool TryGetPatient(string tenant, Guid patientId, out PatientConsentRecords records, out long generation) =>
        TryGet(_patients, (tenant, patientId), out records, out generation);

    internal void StorePatient(string tenant, Guid patientId, long generation, PatientConsentRecords records) =>
        Store(_patients, (tenant, patientId), generation, records);

    internal void InvalidatePatient(string tenant, Guid patientId) => Invalidate(_patients, (tenant, patientId));

    internal bool TryGetTrust(string tenant, out TrustConsentSettings settings, out long generation) =>
        TryGet(_trusts, tenant, out settings, out generation);

    internal void StoreTrust(string tenant, long generation, TrustConsentSettings settings) => Store(_trusts, tenant, generation, settings);

    internal void InvalidateTrust(string tenant) => Invalidate(_trusts, tenant);

    private static bool TryGet<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key, out T value, out long generation)
        where TKey : notnull where T : class
    {
        // Only read here: ids that name nothing (another trust's, or made up) must not grow the map.
        if (!map.TryGetValue(key, out var entry))
        {
            generation = 0;
            value = null!;
            return false;
        }
        generation = entry.Generation;
        value = entry.Value!;
        return entry.Value is not null;
    }

    private static void Store<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key, long generation, T value)
        where TKey : notnull where T : class
    {
        if (!map.TryGetValue(key, out var current))
        {
            // An invalidation since the read would have added an entry with a later generation.
            if (generation == 0) map.TryAdd(key, new Entry<T>(0, value));
            return;
        }
        if (current.Generation == generation && current.Value is null)
            map.TryUpdate(key, new Entry<T>(generation, value), current);
    }

    private static void Invalidate<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key) where TKey : notnull where T : class =>
        map.AddOrUpdate(key, static _ => new Entry<T>(1, null), static (_, e) => new Entry<T>(e.Generation + 1, null));
}

/// <summary>
/// Loads a patient's <see cref="PatientConsentRecords"/> snapshot (and the trust's approvals and policy) for the
/// current tenant, from the cache when it can. Every write for a patient must call <see cref="InvalidatePatient"/>
/// after it commits; CheckUse is the hot path and reads only from here.
/// </summary>
/// <remarks>The context is resolved only on a miss, so a warm CheckUse never constructs a <see cref="ConsentDbContext"/>.</remarks>
public sealed class PatientRecordsStore(IServiceProvider services, ConsentRecordsCache cache, ITenantContext tenant)
{
    /// <summary>What every method answers for a patient id this trust does not hold (another trust's, or made up).</summary>
    public static readonly Refusal PatientNotFound = Refusal.NotFound("patient.not-found", "No patient with this id in this trust.");

    private ConsentDbContext? _db;
    private ConsentDbContext db => _db ??= services.GetRequiredService<ConsentDbContext>();

    private string Tenant => tenant.TenantId ?? throw new TenantIsolationException("No tenant is set: consent records cannot be read outside a tenant's scope.");

    /// <summary>The snapshot, or null when the trust has no such patient.</summary>
    public async Task<PatientConsentRecords?> GetAsync(Guid patientId, CancellationToken ct = default)
    {
        var current = Tenant;
        if (cache.TryGetPatient(current, patientId, out var cached, out var generation)) return cached;
        var records = await LoadAsync(patientId, ct);
        if (records is not null) cache.StorePatient(current, patientId, generation, records);
        return records;
    }

    /// <summary>
    /// The snapshots of those of <paramref name="patientIds"/> the trust holds, from the cache when it can. The misses
    /// are loaded together, one query per record kind for up to <see cref="LoadTogether"/> patients at a time, not one
    /// round of fifteen queries per patient: a trust-wide list on a cold cache (the first dashboard after start-up) asked
    /// thousands of patients one by one and outlived the gateway's deadline (issue 19). Cached as <see cref="GetAsync"/>
    /// caches: a load that raced with a write is returned but not cached.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, PatientConsentRecords>> GetManyAsync(IEnumerable<Guid> patientIds, CancellationToken ct = default)
    {
        var current = Tenant;
        var found = new Dictionary<Guid, PatientConsentRecords>();
        var missing = new Dictionary<Guid, long>();
        foreach (var id in patientIds)
        {
            if (found.ContainsKey(id) || missing.ContainsKey(id)) continue;
            if (cache.TryGetPatient(current, id, out var cached, out var generation)) found[id] = cached;
            else missing[id] = generation;
        }
        if (missing.Count == 0) return found;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var ids in missing.Keys.Chunk(LoadTogether))
                foreach (var records in await LoadManyOpenAsync(ids, ct))
                {
                    cache.StorePatient(current, records.PatientId, missing[records.PatientId], records);
                    found[records.PatientId] = records;
                }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return found;
    }

    /// <summary>How many patients' records one query of <see cref="GetManyAsync"/> asks for.</summary>
    public const int LoadTogether = 500;

    public void InvalidatePatient(Guid patientId) => cache.InvalidatePatient(Tenant, patientId);

    public async Task<TrustConsentSettings> GetTrustAsync(CancellationToken ct = default)
    {
        var current = Tenant;
        if (cache.TryGetTrust(current, out var cached, out var generation)) return cached;
        var approvals = await db.TechnologyApprovals.AsNoTracking().ToArrayAsync(ct);
        var policy = await db.TrustPolicies.AsNoTracking().SingleOrDefaultAsync(ct);
        // A row stored before the platform's limits were set (or lowered) cannot hold enforcement off.
        var settings = new TrustConsentSettings(approvals, policy?.ToPolicy().WithinPlatformLimits() ?? TrustPolicy.Default);
        cache.StoreTrust(current, generation, settings);
        return settings;
    }

    public void InvalidateTrust() => cache.InvalidateTrust(Tenant);

    private async Task<PatientConsentRecords?> LoadAsync(Guid patientId, CancellationToken ct)
    {
        // One connection for the fifteen queries: otherwise each takes one from the pool and returns it, and on
        // PostgreSQL each open also costs a round trip to set the tenant for row-level security. Reference-counted by
        // EF, so a connection a caller already holds open (a transaction) stays open.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await LoadOpenAsync(patientId, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<PatientConsentRecords?> LoadOpenAsync(Guid patientId, CancellationToken ct)
    {
        var patient = await s_patient(db, patientId, ct);
        if (patient is null) return null;
        // One query per record kind; all untracked, so the snapshot shares nothing with any unit of work. Compiled
        // once (the tenant filter still applies, bound to this context): a miss skips building and looking up eight
        // expression trees.
        return new PatientConsentRecords
        {
            PatientId = patient.Id,
            AgeBand = patient.AgeBand,
            Turns16On = patient.Turns16On,
            Turns18On = patient.Turns18On,
            CapacityAssessments = await ReadAllAsync(s_capacity(db, patientId), ct),
            GillickAssessments = await ReadAllAsync(s_gillick(db, patientId), ct),
            OwnConsents = await ReadAllAsync(s_ownConsents(db, patientId), ct),
            ProxyAuthorities = await ReadAllAsync(s_proxyAuthorities(db, patientId), ct),
            ProxyConsents = await ReadAllAsync(s_proxyConsents(db, patientId), ct),
            BestInterestsDecisions = await ReadAllAsync(s_bestInterests(db, patientId), ct),
            Uses = await ReadAllAsync(s_uses(db, patientId), ct),
            AdvanceDecisions = await ReadAllAsync(s_advanceDecisions(db, patientId), ct),
            Objections = await ReadAllAsync(s_objections(db, patientId), ct),
            DeprivationOfLibertyScreens = await ReadAllAsync(s_screens(db, patientId), ct),
            CourtOrders = await ReadAllAsync(s_courtOrders(db, patientId), ct),
            ParentalControlFindings = await ReadAllAsync(s_parentalControl(db, patientId), ct),
            MentalHealthActRecords = await ReadAllAsync(s_mentalHealthAct(db, patientId), ct),
            Section63Records = await ReadAllAsync(s_section63(db, patientId), ct),
        };
    }

    // The same snapshot as LoadOpenAsync's, for many patients: each record kind in one query, grouped by patient. A
    // record kind added to the snapshot goes into both loads.
    private async Task<List<PatientConsentRecords>> LoadManyOpenAsync(Guid[] ids, CancellationToken ct)
    {
        var patients = await db.Patients.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        if (patients.Count == 0) return [];
        var capacity = (await db.CapacityAssessments.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var gillick = (await db.GillickAssessments.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var ownConsents = (await db.OwnConsents.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var proxyAuthorities = (await db.ProxyAuthorities.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var proxyConsents = (await db.ProxyConsents.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var bestInterests = (await db.BestInterestsDecisions.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var uses = (await db.TechnologyUses.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var advanceDecisions = (await db.AdvanceDecisions.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var objections = (await db.PatientObjections.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var screens = (await db.DeprivationOfLibertyScreens.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var courtOrders = (await db.CourtOrders.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var parentalControl = (await db.ParentalControlFindings.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var mentalHealthAct = (await db.MentalHealthActRecords.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        var section63 = (await db.Section63Records.AsNoTracking().Where(x => ids.Contains(x.PatientId)).ToListAsync(ct)).ToLookup(x => x.PatientId);
        return patients.Select(patient => new PatientConsentRecords
        {
            PatientId = patient.Id,
            AgeBand = patient.AgeBand,
            Turns16On = patient.Turns16On,
            Turns18On = patient.Turns18On,
            CapacityAssessments = [.. capacity[patient.Id]],
            GillickAssessments = [.. gillick[patient.Id]],
            OwnConsents = [.. ownConsents[patient.Id]],
            ProxyAuthorities = [.. proxyAuthorities[patient.Id]],
            ProxyConsents = [.. proxyConsents[patient.Id]],
            BestInterestsDecisions = [.. bestInterests[patient.Id]],
            Uses = [.. uses[patient.Id]],
            AdvanceDecisions = [.. advanceDecisions[patient.Id]],
            Objections = [.. objections[patient.Id]],
            DeprivationOfLibertyScreens = [.. screens[patient.Id]],
            CourtOrders = [.. courtOrders[patient.Id]],
            ParentalControlFindings = [.. parentalControl[patient.Id]],
            MentalHealthActRecords = [.. mentalHealthAct[patient.Id]],
            Section63Records = [.. section63[patient.Id]],
        }).ToList();
    }

    private static async Task<T[]> ReadAllAsync<T>(IAsyncEnumerable<T> rows, CancellationToken ct)
    {
        var list = new List<T>();
        await foreach (var row in rows.WithCancellation(ct)) list.Add(row);
        return list.ToArray();
    }

    private static readonly Func<ConsentDbContext, Guid, CancellationToken, Task<Patient?>> s_patient =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id, CancellationToken ct) => db.Patients.AsNoTracking().SingleOrDefault(p => p.Id == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<CapacityAssessment>> s_capacity =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.CapacityAssessments.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<GillickAssessment>> s_gillick =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.GillickAssessments.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<OwnConsent>> s_ownConsents =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.OwnConsents.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<ProxyAuthority>> s_proxyAuthorities =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.ProxyAuthorities.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<ProxyConsent>> s_proxyConsents =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.ProxyConsents.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<BestInterestsDecision>> s_bestInterests =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.BestInterestsDecisions.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<AdvanceDecision>> s_advanceDecisions =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.AdvanceDecisions.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<PatientObjection>> s_objections =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.PatientObjections.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<DeprivationOfLibertyScreen>> s_screens =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.DeprivationOfLibertyScreens.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<CourtOrder>> s_courtOrders =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.CourtOrders.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<ZoneOfParentalControlFinding>> s_parentalControl =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.ParentalControlFindings.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<MentalHealthActRecord>> s_mentalHealthAct =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.MentalHealthActRecords.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<Section63Record>> s_section63 =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.Section63Records.AsNoTracking().Where(x => x.PatientId == id));
    private static readonly Func<ConsentDbContext, Guid, IAsyncEnumerable<TechnologyUse>> s_uses =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid id) => db.TechnologyUses.AsNoTracking().Where(x => x.PatientId == id));
}
