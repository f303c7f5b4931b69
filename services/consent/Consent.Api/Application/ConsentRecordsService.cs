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
public sealed partial class ConsentRecordsService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TimeProvider clock, ILogger<ConsentRecordsService> logger)
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
        // Capacity lost or regained changes what a check answers (a consented safety use enters its transition; a use
        // the patient objects to stops): each changed use is published, with the alert for a safety use that stopped.
        await ReevaluateAsync(records, records.With(capacity: assessment), assessment.Id, "capacity_assessed", now, ct);
        await SaveAsync(assessment.PatientId, ct);
        logger.LogInformation("Capacity assessment {AssessmentId} for patient {PatientId}: {Result}", assessment.Id, assessment.PatientId, result);
        return (assessment.Id, result);
    }

    public async Task<Outcome<Guid>> RecordGillickAssessmentAsync(GillickAssessment assessment, CancellationToken ct = default)
    {
        var opened = await OpenAsync(assessment.PatientId, "assessed-at", assessment.AssessedAt, t => assessment.AssessedAt = t, Now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var policy = (await store.GetTrustAsync(ct)).Policy;
        if (assessment.ValidateForRecording(policy) is { } refusal) return refusal;

        db.GillickAssessments.Add(assessment);
        events.GillickAssessed(assessment);
        await ReevaluateAsync(opened.Value, opened.Value.With(gillick: assessment), assessment.Id, "gillick_assessed", Now, ct);
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
        // A refusal (an objection, for a patient lacking capacity) can stop a use: published, with a safety alert.
        await ReevaluateAsync(records, records.With(ownConsent: consent), consent.Id, "consent_recorded", now, ct, rebase: false);
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
        await ReevaluateAsync(records, candidate, consent.Id, "consent_recorded", now, ct, rebase: false);
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
        await ReevaluateAsync(records, candidate, decision.Id, "best_interests_decision_recorded", now, ct, rebase: false);
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

    /// <summary>A best-interests decision ends (superseded, no longer needed): every use resting on it is re-evaluated at once.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> EndBestInterestsDecisionAsync(Guid decisionId, DateTime endedAt, string? because, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("ended-at", endedAt, now);
        if (at.IsRefused) return at.Refusal!;
        var decision = await db.BestInterestsDecisions.SingleOrDefaultAsync(d => d.Id == decisionId, ct);
        if (decision is null) return Refusal.NotFound("best-interests.not-found", "No best-interests decision with this id in this trust.");
        var before = await store.GetAsync(decision.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (decision.End(at.Value, because) is { } refusal) return refusal;
        events.BestInterestsDecisionEnded(decision);
        var after = Snapshot.Replacing(before, bestInterests: Snapshot.Replace(before.BestInterestsDecisions, decision, d => d.Id));
        var changes = await ReevaluateAsync(before, after, decision.Id, "best_interests_decision_ended", now, ct);
        await SaveAsync(decision.PatientId, ct);
        return (decision.Id, changes);
    }

    /// <summary>An LPA or deputyship revoked or ended (MCA ss13, 22, 16(8)), or an order ended: dependent uses re-evaluated at once.</summary>
    public Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> EndProxyAuthorityAsync(Guid authorityId, ProxyAuthorityEndReason reason, DateTime endedAt, string? reference, CancellationToken ct = default) =>
        ChangeAuthorityAsync(authorityId, "ended-at", endedAt, "proxy_authority_ended", (a, at) => a.End(reason, at, reference), events.ProxyAuthorityEnded, ct);

    public Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> SuspendProxyAuthorityAsync(Guid authorityId, DateTime from, string? reference, CancellationToken ct = default) =>
        ChangeAuthorityAsync(authorityId, "from", from, "proxy_authority_suspended", (a, at) => a.Suspend(at, reference), events.ProxyAuthoritySuspended, ct);

    public Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> LiftProxyAuthoritySuspensionAsync(Guid authorityId, DateTime at, CancellationToken ct = default) =>
        ChangeAuthorityAsync(authorityId, "at", at, "proxy_authority_suspension_lifted", (a, when) => a.LiftSuspension(when), events.ProxyAuthoritySuspensionLifted, ct);

    private async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> ChangeAuthorityAsync(Guid authorityId, string field, DateTime given,
        string cause, Func<ProxyAuthority, DateTime, Refusal?> change, Action<ProxyAuthority> publish, CancellationToken ct)
    {
        var now = Now;
        var at = Input.PastOrNow(field, given, now);
        if (at.IsRefused) return at.Refusal!;
        var authority = await db.ProxyAuthorities.SingleOrDefaultAsync(a => a.Id == authorityId, ct);
        if (authority is null) return Refusal.NotFound("proxy.not-found", "No proxy authority with this id in this trust.");
        var before = await store.GetAsync(authority.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (change(authority, at.Value) is { } refusal) return refusal;
        publish(authority);
        var after = Snapshot.Replacing(before, proxyAuthorities: Snapshot.Replace(before.ProxyAuthorities, authority, a => a.Id));
        var changes = await ReevaluateAsync(before, after, authority.Id, cause, now, ct);
        await SaveAsync(authority.PatientId, ct);
        logger.LogInformation("Proxy authority {AuthorityId} {Cause}; {Count} uses re-evaluated", authority.Id, cause, changes.Count);
        return (authority.Id, changes);
    }

    /// <summary>An advance decision to refuse (MCA ss24-26): while valid and applicable it blocks proxy and best-interests routes.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordAdvanceDecisionAsync(AdvanceDecision decision, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(decision.PatientId, "recorded-at", decision.RecordedAt, t => decision.RecordedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        var made = Input.PastOrNow("made-at", decision.MadeAt, now);
        if (decision.MadeAt != default && made.IsRefused) return made.Refusal!;
        if (FreeText.First(decision.Validate(), decision.ValidateText()) is { } refusal) return refusal;
        var before = opened.Value;
        db.AdvanceDecisions.Add(decision);
        events.AdvanceDecisionRecorded(decision);
        var changes = await ReevaluateAsync(before, before.With(advanceDecision: decision), decision.Id, "advance_decision_recorded", now, ct);
        await SaveAsync(decision.PatientId, ct);
        return (decision.Id, changes);
    }

    /// <summary>Found not valid (s25(2)) or, with <paramref name="inapplicability"/>, not applicable now (s25(4)).</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> FindAdvanceDecisionAsync(Guid id, AdvanceDecisionInvalidation invalidation,
        AdvanceDecisionInapplicability inapplicability, DateTime given, string? note, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("at", given, now);
        if (at.IsRefused) return at.Refusal!;
        var decision = await db.AdvanceDecisions.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (decision is null) return Refusal.NotFound("advance-decision.not-found", "No advance decision with this id in this trust.");
        var before = await store.GetAsync(decision.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        var refusal = inapplicability == AdvanceDecisionInapplicability.None
            ? decision.Invalidate(invalidation, at.Value, note)
            : decision.FindNotApplicable(inapplicability, at.Value, note);
        if (refusal is not null) return refusal;
        events.AdvanceDecisionInvalidated(decision);
        var after = Snapshot.Replacing(before, advanceDecisions: Snapshot.Replace(before.AdvanceDecisions, decision, d => d.Id));
        var changes = await ReevaluateAsync(before, after, decision.Id, "advance_decision_invalidated", now, ct);
        await SaveAsync(decision.PatientId, ct);
        return (decision.Id, changes);
    }

    /// <summary>Whether a refusal the patient made with capacity should stand if they later lose capacity.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> AnswerRefusalQuestionAsync(Guid consentId, bool stands, CancellationToken ct = default)
    {
        var now = Now;
        var consent = await db.OwnConsents.SingleOrDefaultAsync(c => c.Id == consentId, ct);
        if (consent is null) return Refusal.NotFound("consent.not-found", "No consent of the patient's own with this id in this trust.");
        var before = await store.GetAsync(consent.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (consent.AnswerRefusalQuestion(stands) is { } refusal) return refusal;
        events.RefusalQuestionAnswered(consent);
        var after = Snapshot.Replacing(before, ownConsents: Snapshot.Replace(before.OwnConsents, consent, c => c.Id));
        var changes = await ReevaluateAsync(before, after, consent.Id, "refusal_question_answered", now, ct);
        await SaveAsync(consent.PatientId, ct);
        return (consent.Id, changes);
    }

    /// <summary>
    /// The patient's Mental Health Act status from a time (the latest to begin is in force). Where Part 4 applies and a
    /// technology is treatment for mental disorder, MCA s28 removes the MCA routes; detention alone authorises nothing else.
    /// </summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordMentalHealthActStatusAsync(MentalHealthActRecord record, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(record.PatientId, "from", record.From, t => record.From = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        if (record.Validate() is { } refusal) return refusal;
        record.RecordedBy = record.RecordedBy.Trim();
        var before = opened.Value;
        db.MentalHealthActRecords.Add(record);
        events.MentalHealthActStatusRecorded(record);
        var after = Snapshot.Replacing(before, mentalHealthAct: [.. before.MentalHealthActRecords, record]);
        var changes = await ReevaluateAsync(before, after, record.Id, "mental_health_act_status_recorded", now, ct);
        await SaveAsync(record.PatientId, ct);
        logger.LogInformation("Mental Health Act status {Status} recorded for patient {PatientId}", record.Status, record.PatientId);
        return (record.Id, changes);
    }

    /// <summary>
    /// The responsible clinician's s63 record, only where the trust's approval (for the patient's ward setting) chose
    /// that route, the technology neither monitors nor restricts, and Part 4 applies (<see cref="Section63Record.ValidateFor"/>).
    /// </summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordSection63Async(Section63Record record, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(record.PatientId, "recorded-at", record.RecordedAt, t => record.RecordedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        if (record.TechnologyId == Guid.Empty) return TechnologyRequired;
        var before = opened.Value;
        var trust = await store.GetTrustAsync(ct);
        var setting = await SettingOfPatientsWardAsync(record.PatientId, ct);
        if (record.ValidateFor(before, TechnologyApproval.Select(trust.Approvals, record.TechnologyId, setting)) is { } refusal) return refusal;
        record.ResponsibleClinician = record.ResponsibleClinician.Trim();
        db.Section63Records.Add(record);
        events.Section63Recorded(record);
        var after = Snapshot.Replacing(before, section63: [.. before.Section63Records, record]);
        var changes = await ReevaluateAsync(before, after, record.Id, "section_63_recorded", now, ct);
        await SaveAsync(record.PatientId, ct);
        logger.LogInformation("s63 record {RecordId} for patient {PatientId}", record.Id, record.PatientId);
        return (record.Id, changes);
    }

    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> EndSection63Async(Guid recordId, DateTime endedAt, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("ended-at", endedAt, now);
        if (at.IsRefused) return at.Refusal!;
        var record = await db.Section63Records.SingleOrDefaultAsync(r => r.Id == recordId, ct);
        if (record is null) return Refusal.NotFound("section-63.not-found", "No s63 record with this id in this trust.");
        var before = await store.GetAsync(record.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (record.End(at.Value) is { } refusal) return refusal;
        events.Section63Ended(record);
        var after = Snapshot.Replacing(before, section63: Snapshot.Replace(before.Section63Records, record, r => r.Id));
        var changes = await ReevaluateAsync(before, after, record.Id, "section_63_ended", now, ct);
        await SaveAsync(record.PatientId, ct);
        return (record.Id, changes);
    }

    /// <summary>A patient registered with a band only: the date of birth makes the age move; only the threshold days are kept.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> UpdatePatientAgeAsync(Guid patientId, string? dateOfBirth, CancellationToken ct = default)
    {
        var now = Now;
        if (string.IsNullOrWhiteSpace(dateOfBirth) || !DateOnly.TryParseExact(dateOfBirth.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var born))
            return Refusal.Invalid("date-of-birth.format", "Date of birth must be a date as YYYY-MM-DD.");
        var patient = await db.Patients.SingleOrDefaultAsync(p => p.Id == patientId, ct);
        if (patient is null) return PatientRecordsStore.PatientNotFound;
        var before = await store.GetAsync(patientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (patient.RecordDateOfBirth(born, now) is { } refusal) return refusal;
        var after = Snapshot.Replacing(before, age: patient);
        events.PatientAgeRecorded(patient.Id, after.AgeBandAt(now));
        var changes = await ReevaluateAsync(before, after, patient.Id, "patient_age_recorded", now, ct);
        await SaveAsync(patient.Id, ct);
        logger.LogInformation("Age thresholds recorded for patient {PatientId}", patient.Id);
        return (patient.Id, changes);
    }

    /// <summary>The Article 8 balancing of a use already started; the check denies without it where it is required.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordHumanRightsBalancingAsync(Guid useId, HumanRightsBalancing? balancing, CancellationToken ct = default)
    {
        var now = Now;
        if (balancing is null) return Refusal.Invalid("human-rights.required", "Record the human-rights balancing (rights engaged, how balanced, legal advice).");
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return Refusal.NotFound("use.not-found", "No technology use with this id in this trust.");
        var before = await store.GetAsync(use.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (use.RecordHumanRightsBalancing(balancing) is { } refusal) return refusal;
        events.HumanRightsBalancingRecorded(use);
        var after = Snapshot.Replacing(before, uses: Snapshot.Replace(before.Uses, use, u => u.Id));
        var changes = await ReevaluateAsync(before, after, use.Id, "human_rights_balancing_recorded", now, ct);
        await SaveAsync(use.PatientId, ct);
        return (use.Id, changes);
    }

    /// <summary>The setting of the patient's ward, from the trust's ward directory (null: the ward is not in it).</summary>
    private async Task<string?> SettingOfPatientsWardAsync(Guid patientId, CancellationToken ct)
    {
        var ward = await db.Patients.AsNoTracking().Where(p => p.Id == patientId).Select(p => p.WardCode).SingleOrDefaultAsync(ct);
        if (ward is null) return null;
        return await db.Wards.AsNoTracking().Where(w => w.Code == ward).Select(w => w.SettingCode).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Every live use of the patient whose check changed with the record: one use_reevaluated each, a safety alert for a
    /// safety use that can no longer run, and a use that a different valid basis now covers moves to it.
    /// </summary>
    /// <remarks>With <paramref name="rebase"/> false the command has already moved its uses (<see cref="RebaseUsesAsync"/>).</remarks>
    private async Task<IReadOnlyList<UseReevaluation>> ReevaluateAsync(PatientConsentRecords before, PatientConsentRecords after, Guid cause, string causeName, DateTime now,
        CancellationToken ct, bool rebase = true)
    {
        var trust = await store.GetTrustAsync(ct);
        var changes = ConsentSignals.Reevaluate(before, after, trust.Approvals, trust.Policy, now);
        events.Reevaluated(changes, cause, causeName);
        if (!rebase) return changes;
        foreach (var change in changes)
        {
            if (change.RebaseTo is not { } basis) continue;
            var use = await db.TechnologyUses.SingleAsync(u => u.Id == change.Use.Id, ct);
            if (use.Rebase(basis) is null && use.Status == UseStatus.Active) events.UseAuthorised(use);
        }
        return changes;
    }

    private static readonly Refusal TechnologyRequired = Refusal.Invalid("technology-id.required", "Name the technology the decision is about.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // For the other part of this class (ConsentRecordsService.Objections.cs): primary-constructor parameters are in
    // scope only in the part that declares them.
    private ConsentDbContext Db => db;
    private PatientRecordsStore Store => store;
    private ConsentEvents Events => events;
    private ILogger Logger => logger;

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
