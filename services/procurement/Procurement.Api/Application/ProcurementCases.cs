using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;
using Domain = Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Application;

/// <summary>RecordGate's reuse: the shared evidence to take in and how this trust reviewed it.</summary>
public sealed record ReuseCommand(string? SharedEvidenceId, string? ReviewNote);

public sealed record OpenCaseCommand(string? TechnologyId, string? SettingCode, string? SettingDescription, StatedPurpose Purpose);

/// <summary>An approval refused because gates are open carries them, so the caller can list every one by code.</summary>
public sealed record ApprovalAttempt(Outcome<Approval> Outcome, IReadOnlyList<OpenGate> OpenGates);

/// <summary>What the expiry review changed in one trust.</summary>
public sealed record ExpirySweepResult(int CasesReviewed, int GatesReopened, int ApprovalsWithdrawn);

/// <summary>
/// The trust's procurement cases: opening one per technology and setting, recording gates, approving and withdrawing.
/// The rules are Procurement.Domain's; this loads, saves, and publishes what changed in the same transaction.
/// </summary>
public sealed class ProcurementCases(ProcurementDbContext db, CaseStore store, ProcurementEvents events, RegionalEvidence region, SettingDirectory settings, TimeProvider clock, ILogger<ProcurementCases> logger)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Outcome<LoadedCase>> OpenAsync(OpenCaseCommand command, ProcurementActor actor, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(command.TechnologyId, out var technologyId))
            return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        var technology = await db.Technologies.AsNoTracking().SingleOrDefaultAsync(t => t.Id == technologyId, ct);
        if (technology is null) return Refusal.NotFound("technology.not-found", "No technology with this id in this trust.");
        var existing = await db.Cases.AsNoTracking().Where(c => c.TechnologyId == technologyId)
            .Select(c => new ProcurementCase { Id = c.Id, TechnologyId = c.TechnologyId, SettingCode = c.SettingCode }).ToListAsync(ct);
        var now = Now;
        var opened = ProcurementCase.Open(new OpenCaseRequest(technologyId, command.SettingCode, command.SettingDescription, command.Purpose),
            CaseStore.ToDomain(technology), existing, actor, Guid.CreateVersion7(), now);
        if (opened.IsRefused) return opened.Refusal!;
        var value = opened.Value;
        // A setting type the trust's directory holds, so the approval names wards consent can match it to.
        if (await settings.RequireKnownAsync(value.SettingCode, ct) is { } unknownSetting) return unknownSetting;
        var loaded = store.Add(value);
        await NoteTrustAsync(value.TenantId, now, ct);
        events.CaseOpened(value, actor);

        // An appraisal the evidence service completed before the case opened: the gate rests on the latest one.
        var appraisal = await db.AppraisalsReceived.AsNoTracking()
            .Where(a => a.TechnologyId == technologyId && a.SettingCode == value.SettingCode)
            .OrderByDescending(a => a.CompletedAt).FirstOrDefaultAsync(ct);
        if (appraisal is not null)
            RecordAppraisal(loaded, CaseStore.ToDomain(technology), appraisal, await PolicyAsync(ct), now);

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.Cases.AsNoTracking().AnyAsync(c => c.TechnologyId == technologyId && c.SettingCode == value.SettingCode, ct)) throw;
            return Refusal.Exists("case.exists-for-setting", $"This technology already has a procurement case for the '{value.SettingCode}' setting: continue that case.");
        }
        logger.LogInformation("Opened procurement case {CaseId} for technology {TechnologyId} in setting {SettingCode}", value.Id, technologyId, value.SettingCode);
        return loaded;
    }

    public async Task<Outcome<LoadedCase>> GetAsync(string? caseId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(caseId, out var id)) return Refusal.Invalid("case-id.format", "Case id must be a UUID.");
        var loaded = await store.LoadAsync(id, ct);
        return loaded is null ? Refusal.NotFound("case.not-found", "No procurement case with this id in this trust.") : loaded;
    }

    public async Task<Outcome<IReadOnlyList<LoadedCase>>> ListAsync(string? technologyId, CancellationToken ct = default)
    {
        var query = db.Cases.AsNoTracking();
        if (!string.IsNullOrEmpty(technologyId))
        {
            if (!Validation.TryParseId(technologyId, out var id)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
            query = query.Where(c => c.TechnologyId == id);
        }
        var headers = await query.OrderBy(c => c.OpenedAt).ThenBy(c => c.Id).Take(500).ToListAsync(ct);
        return Outcome(await store.LoadAllAsync(headers, ct));
    }

    public async Task<Outcome<IReadOnlyList<OpenGate>>> OpenGatesAsync(string? caseId, ApprovalKind kind, CancellationToken ct = default)
    {
        if (Validation.Defined("kind", kind) is { } badKind) return badKind;
        var loaded = await GetAsync(caseId, ct);
        if (loaded.IsRefused) return loaded.Refusal!;
        return Outcome(loaded.Value.Value.OpenGates(Now, kind));
    }

    /// <summary>
    /// Records a gate. With <paramref name="reuse"/> the supplier-level part comes from evidence another trust shared,
    /// taken in as a reviewed input recording its origin; a shared ESF appraisal needs no evidence of the caller's own
    /// (<paramref name="evidence"/> null), since the evidence-appraisal gate is otherwise never recorded by hand.
    /// </summary>
    public async Task<Outcome<GateRecord>> RecordGateAsync(string? caseId, GateEvidence? evidence, string? evidenceReference, ReuseCommand? reuse, ProcurementActor actor,
        CancellationToken ct = default)
    {
        if (reuse is null && evidence is EvidenceAppraisalEvidence)
            return Refusal.Invalid("gate.appraisal-from-evidence-service",
                "The evidence appraisal gate is recorded from the evidence service's completed appraisal, not by hand.");
        if (reuse is null && evidence is null) return Refusal.Invalid("gate.evidence-required", "Submit the gate's evidence.");
        var loaded = await GetAsync(caseId, ct);
        if (loaded.IsRefused) return loaded.Refusal!;
        var @case = loaded.Value;
        SharedSupplierEvidence? shared = null;
        if (reuse is not null)
        {
            var found = await region.ForReuseAsync(reuse.SharedEvidenceId, ct);
            if (found.IsRefused) return found.Refusal!;
            shared = found.Value;
            if (evidence is null)
            {
                if (shared.Kind != SupplierEvidenceKind.EsfAppraisal)
                    return Refusal.Invalid("gate.evidence-required",
                        "Submit the gate's evidence: only a shared ESF appraisal is taken in without the trust's own part of the gate.");
                evidence = new EvidenceAppraisalEvidence { TechnologyId = @case.Value.TechnologyId };
            }
            else if (evidence is EvidenceAppraisalEvidence)
            {
                return Refusal.Invalid("gate.appraisal-from-evidence-service",
                    "The evidence appraisal gate takes a shared ESF appraisal as it is: send the reuse without evidence of your own.");
            }
        }
        var technology = await TechnologyAsync(@case.Value.TechnologyId, ct);
        var recorded = @case.Value.RecordGate(new GateSubmission(evidence!, evidenceReference, shared, reuse?.ReviewNote), technology, actor, await PolicyAsync(ct),
            Guid.CreateVersion7(), Now);
        if (recorded.IsRefused) return recorded;
        store.Update(@case);
        events.GateRecorded(@case.Value, recorded.Value, actor);
        if (recorded.Value.Reuse is not null) events.SupplierEvidenceReused(@case.Value, recorded.Value, actor);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Gate {Gate} recorded on case {CaseId}: {Outcome} (reused from {Origin})", recorded.Value.Gate, @case.Value.Id, recorded.Value.Outcome,
            recorded.Value.Reuse?.OriginTenantId ?? "none");
        return recorded;
    }

    public async Task<ApprovalAttempt> ApproveAsync(string? caseId, ApprovalRequest request, ProcurementActor actor, CancellationToken ct = default)
    {
        var loaded = await GetAsync(caseId, ct);
        if (loaded.IsRefused) return new(loaded.Refusal!, []);
        var @case = loaded.Value;
        var now = Now;
        var technology = await TechnologyAsync(@case.Value.TechnologyId, ct);
        var approved = @case.Value.Approve(request, technology, actor, await PolicyAsync(ct), Guid.CreateVersion7(), now);
        if (approved.IsRefused)
            return new(approved, approved.Refusal!.Rule == "approval.gates-open" ? @case.Value.OpenGates(now, request.Kind) : []);
        store.Update(@case);
        events.Approved(@case.Value, approved.Value, technology, actor);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Case {CaseId} approved ({Kind}) for setting {SettingCode}", @case.Value.Id, approved.Value.Kind, approved.Value.SettingCode);
        return new(approved, []);
    }

    public async Task<Outcome<Approval>> WithdrawAsync(string? caseId, string? reason, ProcurementActor actor, CancellationToken ct = default) =>
        await WithdrawWithAsync(caseId, actor, c => Task.FromResult(c.Withdraw(reason, actor, Now)), ct);

    public async Task<Outcome<Approval>> WithdrawForLackOfBenefitAsync(string? caseId, string? flagId, string? reason, ProcurementActor actor, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(flagId, out var flag)) return Refusal.Invalid("flag-id.format", "Flag id must be a UUID.");
        return await WithdrawWithAsync(caseId, actor, async c =>
        {
            var received = await db.OutcomeFlagsReceived.AsNoTracking().SingleOrDefaultAsync(f => f.FlagId == flag, ct);
            if (received is null)
                return Refusal.NotFound("outcome-flag.not-found", "This trust has received no no-benefit flag with this id from the evidence service.");
            return c.WithdrawForLackOfBenefit(new NoBenefitFinding(received.FlagId, received.TechnologyId, received.SettingCode, received.Instrument, received.RaisedAt), reason, actor, Now);
        }, ct);
    }

    private async Task<Outcome<Approval>> WithdrawWithAsync(string? caseId, ProcurementActor actor, Func<ProcurementCase, Task<Outcome<ApprovalWithdrawal>>> withdraw, CancellationToken ct)
    {
        var loaded = await GetAsync(caseId, ct);
        if (loaded.IsRefused) return loaded.Refusal!;
        var @case = loaded.Value;
        var withdrawn = await withdraw(@case.Value);
        if (withdrawn.IsRefused) return withdrawn.Refusal!;
        store.Update(@case);
        events.Withdrawn(@case.Value, withdrawn.Value, ProcurementEvents.Actor(actor));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Approval {ApprovalId} withdrawn ({Cause}) on case {CaseId}", withdrawn.Value.ApprovalId, withdrawn.Value.Cause, @case.Value.Id);
        return @case.Value.CurrentApproval!;
    }

    public async Task<IReadOnlyList<OutcomeFlagReceived>> ListOutcomeFlagsAsync(Guid? technologyId, CancellationToken ct = default)
    {
        var query = db.OutcomeFlagsReceived.AsNoTracking();
        if (technologyId is { } id) query = query.Where(f => f.TechnologyId == id);
        return await query.OrderByDescending(f => f.RaisedAt).Take(500).ToListAsync(ct);
    }

    public async Task<ProcurementPolicy> PolicyAsync(CancellationToken ct = default)
    {
        var row = await db.Policies.AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null
            ? ProcurementPolicy.Default
            : new ProcurementPolicy
            {
                ExpiryGracePeriod = TimeSpan.FromDays(row.ExpiryGraceDays),
                MaxTrialLength = TimeSpan.FromDays(row.MaxTrialDays),
                MaxEhiaReviewInterval = TimeSpan.FromDays(row.MaxEhiaReviewDays),
                MaxRefresherIntervalMonths = row.MaxRefresherMonths,
                MinimumUsabilityScorePercent = row.MinUsabilityScorePercent,
            };
    }

    public async Task<Outcome<ProcurementPolicy>> SetPolicyAsync(ProcurementPolicy policy, CancellationToken ct = default)
    {
        if (policy.Validate() is { } refusal) return refusal;
        var row = await db.Policies.SingleOrDefaultAsync(ct);
        if (row is null) db.Policies.Add(row = new ProcurementPolicyRow());
        row.ExpiryGraceDays = (int)policy.ExpiryGracePeriod.TotalDays;
        row.MaxTrialDays = (int)policy.MaxTrialLength.TotalDays;
        row.MaxEhiaReviewDays = (int)policy.MaxEhiaReviewInterval.TotalDays;
        row.MaxRefresherMonths = policy.MaxRefresherIntervalMonths;
        row.MinUsabilityScorePercent = policy.MinimumUsabilityScorePercent;
        await db.SaveChangesAsync(ct);
        return policy;
    }

    /// <summary>
    /// The evidence service completed an appraisal: kept, and recorded as the evidence-appraisal gate of this trust's
    /// case for the technology and setting when there is one (a case opened later takes it when it opens).
    /// </summary>
    public async Task<Outcome<bool>> ReceiveAppraisalAsync(AppraisalReceived appraisal, CancellationToken ct = default)
    {
        if (await db.AppraisalsReceived.AnyAsync(a => a.AppraisalId == appraisal.AppraisalId, ct)) return false;
        db.AppraisalsReceived.Add(appraisal);
        var header = await db.Cases.SingleOrDefaultAsync(c => c.TechnologyId == appraisal.TechnologyId && c.SettingCode == appraisal.SettingCode, ct);
        var recorded = false;
        if (header is not null)
        {
            var loaded = (await store.LoadAllAsync([header], ct))[0];
            var outcome = RecordAppraisal(loaded, await TechnologyAsync(header.TechnologyId, ct), appraisal, await PolicyAsync(ct), Now);
            if (outcome is { } refusal) return refusal;
            recorded = true;
        }
        await db.SaveChangesAsync(ct);
        return recorded;
    }

    private Refusal? RecordAppraisal(LoadedCase loaded, Domain.Technology technology, AppraisalReceived appraisal, ProcurementPolicy policy, DateTime now)
    {
        var reviewer = new ProcurementActor(appraisal.ReviewerSubject, ProcurementRole.EvidenceReviewer);
        var evidence = new EvidenceAppraisalEvidence
        {
            AppraisalId = appraisal.AppraisalId,
            TechnologyId = appraisal.TechnologyId,
            SettingCode = appraisal.SettingCode,
            Tier = appraisal.Tier,
            Conclusion = appraisal.Conclusion,
            CompletedAt = appraisal.CompletedAt,
        };
        var recorded = loaded.Value.RecordGate(new GateSubmission(evidence, $"evidence-appraisal:{appraisal.AppraisalId}"), technology, reviewer, policy, Guid.CreateVersion7(), now);
        if (recorded.IsRefused) return recorded.Refusal;
        store.Update(loaded);
        events.GateRecorded(loaded.Value, recorded.Value, reviewer);
        return null;
    }

    /// <summary>A no-benefit flag from the evidence service, kept for the procurement lead; withdrawal stays a human act.</summary>
    public async Task<bool> ReceiveNoBenefitFlagAsync(OutcomeFlagReceived flag, CancellationToken ct = default)
    {
        if (await db.OutcomeFlagsReceived.AnyAsync(f => f.FlagId == flag.FlagId, ct)) return false;
        db.OutcomeFlagsReceived.Add(flag);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Reviews every case of the trust with evidence that has run out or a trial that has ended: reopens gates,
    /// withdraws approvals past the grace period, and publishes each change with it, in one transaction.
    /// </summary>
    public async Task<ExpirySweepResult> ReviewExpiriesAsync(CancellationToken ct = default)
    {
        var now = Now;
        var expiring = db.GateRecords.Where(r => r.ExpiresAt != null && r.ExpiresAt <= now).Select(r => r.CaseId);
        var trialsEnded = db.Approvals.Where(a => a.WithdrawnAt == null && a.SupersededAt == null && a.TrialEndsOn != null && a.TrialEndsOn <= now).Select(a => a.CaseId);
        var headers = await db.Cases.Where(c => expiring.Contains(c.Id) || trialsEnded.Contains(c.Id)).ToListAsync(ct);
        if (headers.Count == 0) return new(0, 0, 0);
        var policy = await PolicyAsync(ct);
        int reopened = 0, withdrawn = 0;
        foreach (var loaded in await store.LoadAllAsync(headers, ct))
        {
            var review = loaded.Value.ReviewExpiries(policy, now);
            if (!review.ChangedAnything) continue;
            store.Update(loaded);
            foreach (var expiry in review.Reopened) events.GateExpired(loaded.Value, expiry, review.WithdrawalDueAt);
            if (review.Withdrawal is { } withdrawal) events.Withdrawn(loaded.Value, withdrawal, ProcurementEvents.ExpiryReview);
            reopened += review.Reopened.Count;
            withdrawn += review.Withdrawal is null ? 0 : 1;
        }
        await db.SaveChangesAsync(ct);
        return new(headers.Count, reopened, withdrawn);
    }

    private async Task<Domain.Technology> TechnologyAsync(Guid id, CancellationToken ct) =>
        CaseStore.ToDomain(await db.Technologies.AsNoTracking().SingleAsync(t => t.Id == id, ct));

    private async Task NoteTrustAsync(string tenant, DateTime now, CancellationToken ct)
    {
        if (await db.Trusts.AsNoTracking().AnyAsync(t => t.TenantId == tenant, ct)) return;
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO procurement_trusts (tenant_id, first_seen_at) VALUES ({0}, {1}) ON CONFLICT (tenant_id) DO NOTHING", [tenant, now], ct);
    }

    private static Outcome<T> Outcome<T>(T value) => value;
}
