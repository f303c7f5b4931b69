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
public sealed class ConsentRecordsService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TimeProvider clock, ILogger<ConsentRecordsService> logger)
{
    public async Task<Outcome<(Guid Id, CapacityResult Result)>> RecordCapacityAssessmentAsync(CapacityAssessment assessment, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(assessment.PatientId, "assessed-at", assessment.AssessedAt, t => assessment.AssessedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var records = opened.Value;
        if (assessment.ValidateFor(records.AgeBandAt(now)) is { } refusal) return refusal;
        if (assessment.ValidateText() is { } badText) return badText;

        db.CapacityAssessments.Add(assessment);
        var result = assessment.Result().Value;
        var consentRequired = await RaiseConsentRequiredAsync(records.With(capacity: assessment), assessment.Id, now, ct);
        events.CapacityAssessed(assessment, result, consentRequired);
        await SaveAsync(assessment.PatientId, ct);
        logger.LogInformation("Capacity assessment {AssessmentId} for patient {PatientId}: {Result}", assessment.Id, assessment.PatientId, result);
        return (assessment.Id, result);
    }

    public async Task<Outcome<Guid>> RecordGillickAssessmentAsync(GillickAssessment assessment, CancellationToken ct = default)
    {
        var opened = await OpenAsync(assessment.PatientId, "assessed-at", assessment.AssessedAt, t => assessment.AssessedAt = t, Now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        // The reasons and reassess-by date (GillickAssessment.ValidateForRecording) are required once the API carries
        // them (docs/consent-api-followup.md); until then a finding without a reassess-by date is stale after the trust's limit.
        if (FreeText.First(assessment.Validate(), assessment.ValidateText()) is { } refusal) return refusal;

        db.GillickAssessments.Add(assessment);
        events.GillickAssessed(assessment);
        await SaveAsync(assessment.PatientId, ct);
        return assessment.Id;
    }

    /// <summary>An authority is registered only once it can be relied on: complete, verified and lawful for the patient's age.</summary>
    public async Task<Outcome<Guid>> RegisterProxyAuthorityAsync(ProxyAuthority authority, CancellationToken ct = default)
    {
        var now = Now;
        var records = await store.GetAsync(authority.PatientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        if (string.IsNullOrWhiteSpace(authority.Relationship))
            return Refusal.Invalid("proxy.relationship-missing", "Record the holder's relationship or role (never a name).");
        if (authority.ValidateText() is { } badText) return badText;
        if (authority.ValidNow(records.AgeBandAt(now), now) is { } refusal) return refusal;

        db.ProxyAuthorities.Add(authority);
        events.ProxyAuthorityRegistered(authority);
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
        var opened = await OpenAsync(consent.PatientId, "recorded-at", consent.RecordedAt, t => consent.RecordedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var records = opened.Value;
        if (consent.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (FreeText.First(consent.Validate(), consent.ValidateText()) is { } refusal) return refusal;

        db.OwnConsents.Add(consent);
        events.OwnConsentRecorded(consent);
        await RebaseUsesAsync(records.With(ownConsent: consent), consent.TechnologyId, now, ct);
        await SaveAsync(consent.PatientId, ct);
        return consent.Id;
    }

    public async Task<Outcome<Guid>> RecordProxyConsentAsync(ProxyConsent consent, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(consent.PatientId, "recorded-at", consent.RecordedAt, t => consent.RecordedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var records = opened.Value;
        if (consent.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (FreeText.First(consent.Validate(), consent.ValidateText()) is { } refusal) return refusal;
        if (Array.Find(records.ProxyAuthorities, a => a.Id == consent.ProxyAuthorityId) is not { } authority)
            return Refusal.NotFound("proxy.not-found", "No proxy authority with this id is registered for this patient.");

        // A proxy's refusal always stands and is recorded; consent must be one the table would rest a use on now.
        var candidate = records.With(proxyConsent: consent);
        if (consent.Decision == ConsentDecision.Given)
        {
            var trust = await store.GetTrustAsync(ct);
            if (LawfulBasisRules.RefusalForNewDecision(candidate, consent.TechnologyId, LawfulBasisKind.ProxyConsent, authority.Kind, trust.Policy, now,
                    TechnologyApproval.Select(trust.Approvals, consent.TechnologyId, null)) is { } forbidden)
                return forbidden;
        }

        db.ProxyConsents.Add(consent);
        events.ProxyConsentRecorded(consent, authority.Kind);
        await RebaseUsesAsync(candidate, consent.TechnologyId, now, ct);
        await SaveAsync(consent.PatientId, ct);
        return consent.Id;
    }

    /// <summary>A best-interests decision needs its full MCA s4 checklist, and a decision for use must be one the table accepts.</summary>
    public async Task<Outcome<Guid>> RecordBestInterestsDecisionAsync(BestInterestsDecision decision, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(decision.PatientId, "decided-at", decision.DecidedAt, t => decision.DecidedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var records = opened.Value;
        if (decision.TechnologyId == Guid.Empty) return TechnologyRequired;
        if (FreeText.First(decision.Validate(), decision.ValidateText()) is { } refusal) return refusal;
        var candidate = records.With(bestInterests: decision);
        if (decision.UseIsInBestInterests)
        {
            var trust = await store.GetTrustAsync(ct);
            if (LawfulBasisRules.RefusalForNewDecision(candidate, decision.TechnologyId, LawfulBasisKind.BestInterests, ProxyKind.Unspecified, trust.Policy, now,
                    TechnologyApproval.Select(trust.Approvals, decision.TechnologyId, null)) is { } forbidden)
                return forbidden;
        }

        db.BestInterestsDecisions.Add(decision);
        events.BestInterestsDecisionRecorded(decision);
        await RebaseUsesAsync(candidate, decision.TechnologyId, now, ct);
        await SaveAsync(decision.PatientId, ct);
        return decision.Id;
    }

    /// <summary>Withdraws an own or proxy consent; every use resting on it ends at once, in the same unit of work.</summary>
    public async Task<Outcome<IReadOnlyList<Guid>>> WithdrawConsentAsync(Guid consentId, CancellationToken ct = default)
    {
        var now = Now;
        Guid patientId, technologyId;
        var own = await db.OwnConsents.SingleOrDefaultAsync(c => c.Id == consentId, ct);
        if (own is not null)
        {
            own.Withdraw(now);
            (patientId, technologyId) = (own.PatientId, own.TechnologyId);
        }
        else
        {
            var proxy = await db.ProxyConsents.SingleOrDefaultAsync(c => c.Id == consentId, ct);
            if (proxy is null) return Refusal.NotFound("consent.not-found", "No consent with this id in this trust.");
            proxy.Withdraw(now);
            (patientId, technologyId) = (proxy.PatientId, proxy.TechnologyId);
        }
        var uses = await db.TechnologyUses.Where(u => u.PatientId == patientId && u.LawfulBasisRecordId == consentId).ToListAsync(ct);
        var ended = TechnologyUse.EndAllOnWithdrawnConsent(uses, consentId, now);
        events.ConsentWithdrawn(consentId, patientId, technologyId, own is not null, ended);
        foreach (var use in ended) events.UseEnded(use);
        await SaveAsync(patientId, ct);
        logger.LogInformation("Consent {ConsentId} withdrawn; {Count} uses ended", consentId, ended.Count);
        return ended.Select(u => u.Id).ToList();
    }

    private static readonly Refusal TechnologyRequired = Refusal.Invalid("technology-id.required", "Name the technology the decision is about.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The opening every dated record shares: the time it names (<paramref name="field"/>) is not in the future and is
    /// stored back through <paramref name="setTime"/> (now, when none was given); then the patient must be one this trust holds.
    /// </summary>
    private async Task<Outcome<PatientConsentRecords>> OpenAsync(Guid patientId, string field, DateTime at, Action<DateTime> setTime, DateTime now, CancellationToken ct)
    {
        var checkedAt = Input.PastOrNow(field, at, now);
        if (checkedAt.IsRefused) return checkedAt.Refusal!;
        setTime(checkedAt.Value);
        var records = await store.GetAsync(patientId, ct);
        return records is null ? PatientRecordsStore.PatientNotFound : records;
    }

    private async Task SaveAsync(Guid patientId, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        store.InvalidatePatientAfterCommit(db, patientId);
    }

    /// <summary>
    /// Capacity regained (P2: raise it, don't silently continue): each live use resting on proxy consent or best
    /// interests that the records with the new assessment put in "consent required" gets its own event.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> RaiseConsentRequiredAsync(PatientConsentRecords candidate, Guid assessmentId, DateTime now, CancellationToken ct)
    {
        var raised = new List<Guid>();
        var trust = await store.GetTrustAsync(ct);
        foreach (var use in candidate.Uses)
        {
            if (use.Status is not (UseStatus.Active or UseStatus.Suspended)) continue;
            if (use.LawfulBasisKind is not (LawfulBasisKind.ProxyConsent or LawfulBasisKind.BestInterests)) continue;
            var basis = LawfulBasisRules.Decide(candidate, use.TechnologyId, trust.Policy, now, TechnologyApproval.Select(trust.Approvals, use.TechnologyId, use.SettingCode), use);
            // Capacity found longer ago than the grace period (an assessment recorded late): consent was due already.
            var pastDue = basis.IsRefused && basis.DenyKind == UseDenyReasons.ConsentRequiredAfterCapacityRegained;
            if (!pastDue && (basis.IsRefused || basis.Basis.Status != LawfulBasisStatus.ConsentRequired)) continue;
            events.UseConsentRequired(use, pastDue ? now : basis.Basis.ConsentRequiredBy, assessmentId);
            raised.Add(use.Id);
        }
        return raised;
    }

    /// <summary>
    /// A new record can put a different basis in force (the patient's own consent after capacity is regained, say):
    /// the patient's live uses of that technology move to it in the same unit of work, so that withdrawing the new
    /// consent ends them.
    /// </summary>
    private async Task RebaseUsesAsync(PatientConsentRecords candidate, Guid technologyId, DateTime now, CancellationToken ct)
    {
        var trust = await store.GetTrustAsync(ct);
        var basis = LawfulBasisRules.Evaluate(candidate, technologyId, trust.Policy, now, TechnologyApproval.Select(trust.Approvals, technologyId, null), null);
        if (basis.IsRefused || basis.Value.Status != LawfulBasisStatus.Valid) return;
        if (!Array.Exists(candidate.Uses, u => u.TechnologyId == technologyId && u.Status is UseStatus.Active or UseStatus.Suspended && u.LawfulBasisRecordId != basis.Value.RecordId))
            return;
        var uses = await db.TechnologyUses
            .Where(u => u.PatientId == candidate.PatientId && u.TechnologyId == technologyId && (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
            .ToListAsync(ct);
        foreach (var use in uses)
        {
            if (use.LawfulBasisRecordId == basis.Value.RecordId || use.Rebase(basis.Value) is not null) continue;
            // Authorised again, on the new basis: consumers tracking a use's basis see the move.
            if (use.Status == UseStatus.Active) events.UseAuthorised(use);
            logger.LogInformation("Use {UseId} now rests on {Basis} {RecordId}", use.Id, basis.Value.Kind, basis.Value.RecordId);
        }
    }
}
