using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

public sealed record RecordTechnologyApproval(Guid TechnologyId, string? TechnologyName, string? SettingCode, bool IsSurveillance, bool ManagesSafetyRisk);

/// <summary>
/// The consent service's copy of the trust's approvals (what procurement approved, per setting). Withdrawal suspends
/// every use it covered, in the same unit of work; a new approval resumes uses suspended only for that reason.
/// </summary>
public sealed class TechnologyApprovalService(ConsentDbContext db, PatientRecordsStore store, TimeProvider clock, ILogger<TechnologyApprovalService> logger)
{
    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<Guid> ResumedUseIds)>> RecordAsync(RecordTechnologyApproval command, CancellationToken ct = default)
    {
        if (command.TechnologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology that was approved.");
        if (Validation.RequiredText("technology-name", command.TechnologyName, 200) is { } badName) return badName;
        if (Validation.Code("setting-code", command.SettingCode) is { } badSetting) return badSetting;
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
            ApprovedAt = now,
        };
        db.TechnologyApprovals.Add(approval);
        var suspended = await db.TechnologyUses
            .Where(u => u.TechnologyId == command.TechnologyId && u.SettingCode == setting && u.Status == UseStatus.Suspended)
            .ToListAsync(ct);
        var resumed = suspended.Where(u => u.Resume(approval, now) is null).ToList();
        await db.SaveChangesAsync(ct);
        store.InvalidateTrust();
        foreach (var use in resumed) store.InvalidatePatient(use.PatientId);
        return (approval, resumed.Select(u => u.Id).ToList());
    }

    public async Task<Outcome<(TechnologyApproval Approval, IReadOnlyList<Guid> SuspendedUseIds)>> WithdrawAsync(Guid approvalId, CancellationToken ct = default)
    {
        var approval = await db.TechnologyApprovals.SingleOrDefaultAsync(a => a.Id == approvalId, ct);
        if (approval is null) return Refusal.NotFound("approval.not-found", "No technology approval with this id in this trust.");
        if (approval.WithdrawnAt is not null) return Refusal.Precondition("approval.already-withdrawn", "This approval has already been withdrawn.");

        var now = clock.GetUtcNow().UtcDateTime;
        approval.WithdrawnAt = now;
        var uses = await db.TechnologyUses
            .Where(u => u.TechnologyId == approval.TechnologyId && u.SettingCode == approval.SettingCode && (u.Status == UseStatus.Active || u.Status == UseStatus.Proposed))
            .ToListAsync(ct);
        var changed = TechnologyUse.SuspendAllForWithdrawnApproval(uses, approval, now);
        await db.SaveChangesAsync(ct);
        store.InvalidateTrust();
        foreach (var use in changed) store.InvalidatePatient(use.PatientId);
        logger.LogInformation("Approval {ApprovalId} withdrawn; {Count} uses suspended", approval.Id, changed.Count);
        return (approval, changed.Select(u => u.Id).ToList());
    }
}
