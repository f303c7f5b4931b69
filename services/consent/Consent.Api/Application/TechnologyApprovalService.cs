using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>Who overrides procurement (ADR 0029) and why: the subject, the role they act in, and their reason.</summary>
public sealed record ApprovalOverride(string Subject, string Role, string? Reason);

public sealed record RecordTechnologyApproval(Guid TechnologyId, string? TechnologyName, string? SettingCode, bool IsSurveillance, bool ManagesSafetyRisk, DateTime? TrialEndsAt = null,
    bool ContinuousMonitoringOrRestrictive = false, bool MayBeLifeSustaining = false,
    MentalDisorderTreatmentRoute MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder);

/// <summary>
/// The consent service's copy of the trust's approvals (what procurement approved, per setting). Withdrawal suspends
/// every use it covered, in the same unit of work; a new approval resumes uses suspended only for that reason.
/// </summary>
public sealed class TechnologyApprovalService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TimeProvider clock, ILogger<TechnologyApprovalService> logger)
{
    /// <summary>
    /// The operator override (ADR 0029): an approval recorded by hand, with a reason, recorded on the approval and
    /// published as technology_approval_overridden. Only for a technology procurement registered in this trust (its
    /// technology_registered event); another trust's technology id, or a made-up one, is "not found" (OWASP API1).
    /// </summary>
    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<Guid> ResumedUseIds)>> RecordByOverrideAsync(RecordTechnologyApproval command, ApprovalOverride by,
        CancellationToken ct = default)
    {
        if (Validation.RequiredText("reason", by.Reason, ConsentDbContext.OverrideReasonLength) is { } noReason) return noReason;
        var recorded = await RecordAsync(command, ct, onlyRegistered: true, by);
        return recorded;
    }

    /// <summary>Procurement registered a technology in the event's trust; a redelivery changes nothing.</summary>
    public async Task LearnTechnologyAsync(Guid technologyId, string name, CancellationToken ct = default)
    {
        if (await db.Technologies.AnyAsync(t => t.Id == technologyId, ct)) return;
        db.Technologies.Add(new ConsentTechnology { Id = technologyId, Name = name.Trim(), LearnedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Technology {TechnologyId} learned from procurement's register", technologyId);
    }

    /// <summary>
    /// Records an approval. Procurement's approval events come here without <paramref name="onlyRegistered"/>: an
    /// approval may arrive before the registration it follows (they are different topics, delivered in no set order).
    /// </summary>
    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<Guid> ResumedUseIds)>> RecordAsync(RecordTechnologyApproval command, CancellationToken ct = default,
        bool onlyRegistered = false, ApprovalOverride? byOverride = null)
    {
        if (command.TechnologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology that was approved.");
        if (Validation.RequiredText("technology-name", command.TechnologyName, 200) is { } badName) return badName;
        if (Validation.Code("setting-code", command.SettingCode) is { } badSetting) return badSetting;
        if (onlyRegistered && !await db.Technologies.AnyAsync(t => t.Id == command.TechnologyId, ct))
            return Refusal.NotFound("technology.not-found", "No technology with this id in this trust's register (procurement registers technologies; consent learns of them from its events).");
        var setting = command.SettingCode!.Trim();
        if (await db.TechnologyApprovals.AnyAsync(a => a.TechnologyId == command.TechnologyId && a.SettingCode == setting && a.WithdrawnAt == null, ct))
            return Refusal.Exists("approval.already-approved", "This technology is already approved for this setting.");

        var now = clock.GetUtcNow().UtcDateTime;
        var approval = new TechnologyApproval
        {
            Id = Guid.CreateVersion7(),
            TechnologyId = command.TechnologyId,
            TechnologyName = command.TechnologyName!.Trim(),
            SettingCode = setting,
            IsSurveillance = command.IsSurveillance,
            ManagesSafetyRisk = command.ManagesSafetyRisk,
            ContinuousMonitoringOrRestrictive = command.ContinuousMonitoringOrRestrictive,
            MayBeLifeSustaining = command.MayBeLifeSustaining,
            MentalDisorderTreatmentRoute = command.MentalDisorderTreatmentRoute,
            TrialEndsAt = command.TrialEndsAt,
            ApprovedAt = now,
            OverrideApprovedBy = byOverride?.Subject,
            OverrideApprovedRole = byOverride?.Role,
            OverrideApprovalReason = byOverride?.Reason?.Trim(),
        };
        // Detention alone is never a basis for monitoring: the s63 route is refused for a technology that monitors or restricts.
        if (approval.Validate() is { } badFlags) return badFlags;
        db.TechnologyApprovals.Add(approval);
        var suspended = await db.TechnologyUses
            .Where(u => u.TechnologyId == command.TechnologyId && u.SettingCode == setting && u.Status == UseStatus.Suspended)
            .ToListAsync(ct);
        var resumed = suspended.Where(u => u.Resume(approval, now) is null).ToList();
        foreach (var use in resumed) events.UseResumed(use);
        if (byOverride is not null) events.ApprovalOverridden(approval, recorded: true, byOverride, resumed.Count);
        await db.SaveChangesAsync(ct);
        store.InvalidateTrustAfterCommit(db);
        foreach (var use in resumed) store.InvalidatePatientAfterCommit(db, use.PatientId);
        logger.LogInformation("Technology {TechnologyId} approved for setting {SettingCode}; {Count} uses resumed", approval.TechnologyId, approval.SettingCode, resumed.Count);
        return (approval, resumed.Select(u => u.Id).ToList());
    }

    /// <summary>
    /// The trust chooses, per approval, the route for treatment for mental disorder where Part 4 applies (the domain
    /// refuses s63 for a technology that monitors or restricts). Every patient with a live use of the technology in the
    /// approval's setting is re-evaluated against the approvals before and after, in the same unit of work.
    /// </summary>
    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<UseReevaluation> Reevaluated)>> ChooseMentalDisorderTreatmentRouteAsync(Guid approvalId,
        MentalDisorderTreatmentRoute route, ApprovalOverride by, CancellationToken ct = default)
    {
        var approval = await db.TechnologyApprovals.SingleOrDefaultAsync(a => a.Id == approvalId, ct);
        if (approval is null) return Refusal.NotFound("approval.not-found", "No technology approval with this id in this trust.");
        if (approval.WithdrawnAt is not null) return Refusal.Precondition("approval.already-withdrawn", "This approval has been withdrawn.");
        var now = clock.GetUtcNow().UtcDateTime;
        var trust = await store.GetTrustAsync(ct);
        var chosen = approval.ChooseMentalDisorderTreatmentRoute(route, by.Subject, now);
        if (chosen.IsRefused) return chosen.Refusal!;
        events.ApprovalRouteChosen(chosen.Value, by.Role);
        // The cached approvals are shared and never edited: the changed one replaces its copy in a new array.
        var after = trust.Approvals.Select(a => a.Id == approval.Id ? approval : a).ToArray();
        var patients = await db.TechnologyUses
            .Where(u => u.TechnologyId == approval.TechnologyId && u.SettingCode == approval.SettingCode && (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
            .Select(u => u.PatientId).Distinct().ToListAsync(ct);
        var changes = new List<UseReevaluation>();
        foreach (var patientId in patients)
        {
            if (await store.GetAsync(patientId, ct) is not { } records) continue;
            var changed = ConsentSignals.Reevaluate(records, trust.Approvals, after, trust.Policy, now);
            events.Reevaluated(changed, approval.Id, "approval_route_chosen");
            foreach (var change in changed)
            {
                // The route now lets a different basis stand (an s63 record already made, say): the use moves to it.
                if (change.RebaseTo is not { } basis) continue;
                var use = await db.TechnologyUses.SingleAsync(u => u.Id == change.Use.Id, ct);
                if (use.Rebase(basis) is null && use.Status == UseStatus.Active) events.UseAuthorised(use);
            }
            changes.AddRange(changed);
        }
        await db.SaveChangesAsync(ct);
        store.InvalidateTrustAfterCommit(db);
        foreach (var patientId in patients) store.InvalidatePatientAfterCommit(db, patientId);
        logger.LogInformation("Approval {ApprovalId}: treatment route {Before} -> {After}; {Count} uses re-evaluated", approval.Id, chosen.Value.Before, chosen.Value.After, changes.Count);
        return (approval, changes);
    }

    /// <summary>The operator override's withdrawal (ADR 0029): a reason required, recorded on the approval and published.</summary>
    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<Guid> SuspendedUseIds)>> WithdrawByOverrideAsync(Guid approvalId, ApprovalOverride by, CancellationToken ct = default)
    {
        if (Validation.RequiredText("reason", by.Reason, ConsentDbContext.OverrideReasonLength) is { } noReason) return noReason;
        var approval = await db.TechnologyApprovals.SingleOrDefaultAsync(a => a.Id == approvalId, ct);
        if (approval is null) return Refusal.NotFound("approval.not-found", "No technology approval with this id in this trust.");
        if (approval.WithdrawnAt is not null) return Refusal.Precondition("approval.already-withdrawn", "This approval has already been withdrawn.");
        var suspended = await WithdrawOneAsync(approval, ct);
        approval.OverrideWithdrawnBy = by.Subject;
        approval.OverrideWithdrawnRole = by.Role;
        approval.OverrideWithdrawalReason = by.Reason!.Trim();
        events.ApprovalOverridden(approval, recorded: false, by, suspended.Count);
        await SaveAndInvalidateAsync(suspended, ct);
        return (approval, suspended.Select(u => u.Id).ToList());
    }

    /// <summary>
    /// Procurement approved the technology for these settings: records each setting not already approved (a repeat is
    /// already done, so a redelivered event changes nothing). Returns how many settings were newly approved.
    /// </summary>
    public async Task<Outcome<int>> ApplyApprovedAsync(Guid technologyId, string? name, IReadOnlyCollection<string> settingCodes, bool surveillance, bool managesSafetyRisk,
        DateTime? trialEndsAt = null, bool continuousMonitoringOrRestrictive = false, CancellationToken ct = default)
    {
        if (settingCodes.Count == 0) return Refusal.Invalid("approval.settings-required", "An approval must name at least one setting.");
        var added = 0;
        foreach (var setting in settingCodes.Select(c => c.Trim()).Distinct(StringComparer.Ordinal))
        {
            var recorded = await RecordAsync(new RecordTechnologyApproval(technologyId, name, setting, surveillance, managesSafetyRisk, trialEndsAt,
                ContinuousMonitoringOrRestrictive: continuousMonitoringOrRestrictive), ct);
            if (recorded.IsRefused)
            {
                // A live approval for the setting takes the new one's end: a full approval after a trial lifts it.
                if (recorded.Refusal!.Rule == "approval.already-approved")
                {
                    await db.TechnologyApprovals.Where(a => a.TechnologyId == technologyId && a.SettingCode == setting && a.WithdrawnAt == null)
                        .ForEachAsync(a => a.TrialEndsAt = trialEndsAt, ct);
                    await db.SaveChangesAsync(ct);
                    store.InvalidateTrustAfterCommit(db);
                    continue;
                }
                return recorded.Refusal;
            }
            added++;
        }
        return added;
    }

    /// <summary>
    /// Procurement withdrew its approval for these settings (every setting when none is named): every live approval
    /// it covers is withdrawn and every use under them suspended, in this unit of work. Returns the suspended uses.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<Guid>>> ApplyWithdrawnAsync(Guid technologyId, IReadOnlyCollection<string> settingCodes, CancellationToken ct = default)
    {
        if (technologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology whose approval was withdrawn.");
        var settings = settingCodes.Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal);
        var live = await db.TechnologyApprovals.Where(a => a.TechnologyId == technologyId && a.WithdrawnAt == null).ToListAsync(ct);
        var suspended = new List<TechnologyUse>();
        foreach (var approval in live.Where(a => settings.Count == 0 || settings.Contains(a.SettingCode)))
            suspended.AddRange(await WithdrawOneAsync(approval, ct));
        await SaveAndInvalidateAsync(suspended, ct);
        return suspended.Select(u => u.Id).ToList();
    }

    private async Task SaveAndInvalidateAsync(IEnumerable<TechnologyUse> changed, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        store.InvalidateTrustAfterCommit(db);
        foreach (var use in changed) store.InvalidatePatientAfterCommit(db, use.PatientId);
    }

    private async Task<IReadOnlyList<TechnologyUse>> WithdrawOneAsync(TechnologyApproval approval, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        approval.WithdrawnAt = now;
        var uses = await db.TechnologyUses
            .Where(u => u.TechnologyId == approval.TechnologyId && u.SettingCode == approval.SettingCode && (u.Status == UseStatus.Active || u.Status == UseStatus.Proposed))
            .ToListAsync(ct);
        var changed = TechnologyUse.SuspendAllForWithdrawnApproval(uses, approval, now);
        foreach (var use in changed) events.UseSuspended(use);
        logger.LogInformation("Approval {ApprovalId} withdrawn; {Count} uses suspended", approval.Id, changed.Count);
        return changed;
    }
}
