using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>
/// Records the facts a lawful basis rests on: capacity and Gillick assessments, proxy authorities, consents and
/// best-interests decisions. Each command is checked by the domain before anything is written, then saved in one
/// unit of work, then the patient's cached snapshot is dropped.
/// </summary>
public sealed class ConsentRecordsService(ConsentDbContext db, PatientRecordsStore store, TimeProvider clock, ILogger<ConsentRecordsService> logger)
{
    private static readonly Refusal PatientNotFound = Refusal.NotFound("patient.not-found", "No patient with this id in this trust.");

    public async Task<Outcome<(Guid Id, CapacityResult Result)>> RecordCapacityAssessmentAsync(CapacityAssessment assessment, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("assessed-at", assessment.AssessedAt, now);
        if (at.IsRefused) return at.Refusal!;
        assessment.AssessedAt = at.Value;
        var records = await store.GetAsync(assessment.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (assessment.ValidateFor(records.AgeBand) is { } refusal) return refusal;

        db.CapacityAssessments.Add(assessment);
        await SaveAsync(assessment.PatientId, ct);
        var result = assessment.Result().Value;
        logger.LogInformation("Capacity assessment {AssessmentId} for patient {PatientId}: {Result}", assessment.Id, assessment.PatientId, result);
        return (assessment.Id, result);
    }

    public async Task<Outcome<Guid>> RecordGillickAssessmentAsync(GillickAssessment assessment, CancellationToken ct = default)
    {
        var at = Input.PastOrNow("assessed-at", assessment.AssessedAt, Now);
        if (at.IsRefused) return at.Refusal!;
        assessment.AssessedAt = at.Value;
        var records = await store.GetAsync(assessment.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (assessment.Validate() is { } refusal) return refusal;

        db.GillickAssessments.Add(assessment);
        await SaveAsync(assessment.PatientId, ct);
        return assessment.Id;
    }

    /// <summary>An authority is registered only once it can be relied on: complete, verified and lawful for the patient's age.</summary>
    public async Task<Outcome<Guid>> RegisterProxyAuthorityAsync(ProxyAuthority authority, CancellationToken ct = default)
    {
        var now = Now;
        var records = await store.GetAsync(authority.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (string.IsNullOrWhiteSpace(authority.Relationship))
            return Refusal.Invalid("proxy.relationship-missing", "Record the holder's relationship or role (never a name).");
        if (authority.ValidNow(records.AgeBand, now) is { } refusal) return refusal;

        db.ProxyAuthorities.Add(authority);
        await SaveAsync(authority.PatientId, ct);
        return authority.Id;
    }

    /// <summary>
    /// The patient's own decision is always recorded once complete. A proxy's consent is recorded only if the lawful-basis
    /// table accepts it with the patient's other records: nobody decides for a person who can decide for themselves.
    /// </summary>
    public async Task<Outcome<Guid>> RecordOwnConsentAsync(OwnConsent consent, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("recorded-at", consent.RecordedAt, now);
        if (at.IsRefused) return at.Refusal!;
        consent.RecordedAt = at.Value;
        var records = await store.GetAsync(consent.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (consent.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (consent.Validate() is { } refusal) return refusal;

        db.OwnConsents.Add(consent);
        await RebaseUsesAsync(With(records, ownConsent: consent), consent.TechnologyId, now, ct);
        await SaveAsync(consent.PatientId, ct);
        return consent.Id;
    }

    public async Task<Outcome<Guid>> RecordProxyConsentAsync(ProxyConsent consent, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("recorded-at", consent.RecordedAt, now);
        if (at.IsRefused) return at.Refusal!;
        consent.RecordedAt = at.Value;
        var records = await store.GetAsync(consent.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (consent.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (consent.Validate() is { } refusal) return refusal;
        if (Array.Find(records.ProxyAuthorities, a => a.Id == consent.ProxyAuthorityId) is null)
            return Refusal.NotFound("proxy.not-found", "No proxy authority with this id is registered for this patient.");

        // A proxy's refusal always stands and is recorded; consent must be one the table accepts.
        var candidate = With(records, proxyConsent: consent);
        if (consent.Decision == ConsentDecision.Given)
        {
            var policy = (await store.GetTrustAsync(ct)).Policy;
            var basis = LawfulBasisRules.Evaluate(candidate, consent.TechnologyId, policy, now);
            if (basis.IsRefused) return basis.Refusal!;
        }

        db.ProxyConsents.Add(consent);
        await RebaseUsesAsync(candidate, consent.TechnologyId, now, ct);
        await SaveAsync(consent.PatientId, ct);
        return consent.Id;
    }

    /// <summary>A best-interests decision needs its full MCA s4 checklist, and a decision for use must be one the table accepts.</summary>
    public async Task<Outcome<Guid>> RecordBestInterestsDecisionAsync(BestInterestsDecision decision, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("decided-at", decision.DecidedAt, now);
        if (at.IsRefused) return at.Refusal!;
        decision.DecidedAt = at.Value;
        var records = await store.GetAsync(decision.PatientId, ct);
        if (records is null) return PatientNotFound;
        if (decision.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (decision.Validate() is { } refusal) return refusal;
        var candidate = With(records, bestInterests: decision);
        if (decision.UseIsInBestInterests)
        {
            var policy = (await store.GetTrustAsync(ct)).Policy;
            var basis = LawfulBasisRules.Evaluate(candidate, decision.TechnologyId, policy, now);
            if (basis.IsRefused) return basis.Refusal!;
        }

        db.BestInterestsDecisions.Add(decision);
        await RebaseUsesAsync(candidate, decision.TechnologyId, now, ct);
        await SaveAsync(decision.PatientId, ct);
        return decision.Id;
    }

    /// <summary>Withdraws an own or proxy consent; every use resting on it ends at once, in the same unit of work.</summary>
    public async Task<Outcome<IReadOnlyList<Guid>>> WithdrawConsentAsync(Guid consentId, CancellationToken ct = default)
    {
        var now = Now;
        Guid patientId;
        var own = await db.OwnConsents.SingleOrDefaultAsync(c => c.Id == consentId, ct);
        if (own is not null)
        {
            own.Withdraw(now);
            patientId = own.PatientId;
        }
        else
        {
            var proxy = await db.ProxyConsents.SingleOrDefaultAsync(c => c.Id == consentId, ct);
            if (proxy is null) return Refusal.NotFound("consent.not-found", "No consent with this id in this trust.");
            proxy.Withdraw(now);
            patientId = proxy.PatientId;
        }
        var uses = await db.TechnologyUses.Where(u => u.PatientId == patientId && u.LawfulBasisRecordId == consentId).ToListAsync(ct);
        var ended = TechnologyUse.EndAllOnWithdrawnConsent(uses, consentId, now);
        await SaveAsync(patientId, ct);
        logger.LogInformation("Consent {ConsentId} withdrawn; {Count} uses ended", consentId, ended.Count);
        return ended.Select(u => u.Id).ToList();
    }

    private static readonly Refusal TechnologyRequired = Refusal.Invalid("technology-id.required", "Name the technology the decision is about.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task SaveAsync(Guid patientId, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        store.InvalidatePatient(patientId);
    }

    /// <summary>
    /// A new record can put a different basis in force (the patient's own consent after capacity is regained, say):
    /// the patient's live uses of that technology move to it in the same unit of work, so that withdrawing the new
    /// consent ends them.
    /// </summary>
    private async Task RebaseUsesAsync(PatientConsentRecords candidate, Guid technologyId, DateTime now, CancellationToken ct)
    {
        var policy = (await store.GetTrustAsync(ct)).Policy;
        var basis = LawfulBasisRules.Evaluate(candidate, technologyId, policy, now);
        if (basis.IsRefused || basis.Value.Status != LawfulBasisStatus.Valid) return;
        if (!Array.Exists(candidate.Uses, u => u.TechnologyId == technologyId && u.Status is UseStatus.Active or UseStatus.Suspended && u.LawfulBasisRecordId != basis.Value.RecordId))
            return;
        var uses = await db.TechnologyUses
            .Where(u => u.PatientId == candidate.PatientId && u.TechnologyId == technologyId && (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
            .ToListAsync(ct);
        foreach (var use in uses)
            if (use.LawfulBasisRecordId != basis.Value.RecordId && use.Rebase(basis.Value) is null)
                logger.LogInformation("Use {UseId} now rests on {Basis} {RecordId}", use.Id, basis.Value.Kind, basis.Value.RecordId);
    }

    private static PatientConsentRecords With(PatientConsentRecords records, OwnConsent? ownConsent = null, ProxyConsent? proxyConsent = null, BestInterestsDecision? bestInterests = null) => new()
    {
        PatientId = records.PatientId,
        AgeBand = records.AgeBand,
        CapacityAssessments = records.CapacityAssessments,
        GillickAssessments = records.GillickAssessments,
        OwnConsents = ownConsent is null ? records.OwnConsents : [.. records.OwnConsents, ownConsent],
        ProxyAuthorities = records.ProxyAuthorities,
        ProxyConsents = proxyConsent is null ? records.ProxyConsents : [.. records.ProxyConsents, proxyConsent],
        BestInterestsDecisions = bestInterests is null ? records.BestInterestsDecisions : [.. records.BestInterestsDecisions, bestInterests],
        Uses = records.Uses,
    };
}
