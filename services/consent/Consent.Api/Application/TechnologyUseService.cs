using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>What ProposeUse carries besides the request itself: the care plan and balancing records to complete.</summary>
public sealed record UseDetails(bool PatientObjects, CarePlanRecord CarePlan, HumanRightsBalancing? HumanRights, SafetyProportionality? Safety);

/// <summary>A care-plan record with its use and the plain-language patient copy.</summary>
public sealed record CarePlanView(TechnologyUse Use, string PatientCopy);

/// <summary>
/// Technology uses: propose, activate on the lawful basis the records establish now, review, end, the care-plan record
/// and blanket-use detection. The check itself is <see cref="UseChecker"/>.
/// </summary>
public sealed class TechnologyUseService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TimeProvider clock, ILogger<TechnologyUseService> logger)
{
    private static readonly Refusal UseNotFound = Refusal.NotFound("use.not-found", "No technology use with this id in this trust.");

    public async Task<Outcome<TechnologyUse>> ProposeAsync(TechnologyUseRequest request, UseDetails details, CancellationToken ct = default)
    {
        var now = Now;
        var trust = await store.GetTrustAsync(ct);
        var approval = TechnologyApproval.Select(trust.Approvals, request.TechnologyId, request.SettingCode?.Trim());
        // The domain refuses blanket and P5 requests first, before anything about the patients is looked up.
        var proposed = TechnologyUse.Propose(request with { SettingCode = request.SettingCode?.Trim() }, approval, Guid.CreateVersion7(), Guid.CreateVersion7(), now);
        if (proposed.IsRefused) return proposed;
        var use = proposed.Value;
        if (Validation.Code("ward-code", use.WardCode) is { } badWard) return badWard;
        if (Validation.Code("setting-code", use.SettingCode) is { } badSetting) return badSetting;

        var records = await store.GetAsync(use.PatientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        if (Array.Exists(records.Uses, u => u.TechnologyId == use.TechnologyId && u.WardCode == use.WardCode && u.Status is UseStatus.Proposed or UseStatus.Active or UseStatus.Suspended))
            return Refusal.Exists("use.already-exists", "This technology is already proposed or in use for this patient on this ward: review or end that use instead.");

        var plan = details.CarePlan;
        if (FreeText.First(plan.ValidateText(), details.HumanRights?.ValidateText(), details.Safety?.ValidateText()) is { } badText) return badText;
        if (!Purposes.IsAcceptable(plan.DataUsePurposes)) return Refusal.Precondition("use.data-use-purpose-not-accepted",
            "The care plan's data-use purposes may list only accepted purposes (P5).");
        use.CarePlan.DataUsePurposes = plan.DataUsePurposes;
        use.CarePlan.Reason = plan.Reason;
        use.CarePlan.WhenAndHowUsed = plan.WhenAndHowUsed;
        use.CarePlan.InformationGiven = plan.InformationGiven;
        use.CarePlan.InformationFormat = plan.InformationFormat;
        use.CarePlan.DecisionMakingProcess = plan.DecisionMakingProcess;
        use.CarePlan.DataUse = plan.DataUse;
        use.CarePlan.NextReviewDate = plan.NextReviewDate;
        use.CarePlan.ReviewCovers = plan.ReviewCovers;
        use.CarePlan.HowToWithdraw = plan.HowToWithdraw;
        use.PatientObjects = details.PatientObjects;
        use.HumanRights = details.HumanRights;
        use.Safety = details.Safety;

        db.TechnologyUses.Add(use);
        await SaveAsync(use.PatientId, ct);
        logger.LogInformation("Use {UseId} proposed for patient {PatientId}", use.Id, use.PatientId);
        return use;
    }

    /// <summary>Starts a proposed use on the basis the patient's records establish now; any refusal leaves it proposed.</summary>
    public async Task<Outcome<TechnologyUse>> ActivateAsync(Guid useId, CancellationToken ct = default)
    {
        var now = Now;
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return UseNotFound;
        var records = await store.GetAsync(use.PatientId, ct);
        if (records is null) return PatientRecordsStore.PatientNotFound;
        var trust = await store.GetTrustAsync(ct);
        var approval = TechnologyApproval.Select(trust.Approvals, use.TechnologyId, use.SettingCode);
        var basis = LawfulBasisRules.Evaluate(records, use.TechnologyId, trust.Policy, now, approval, use);
        if (basis.IsRefused) return basis.Refusal!;
        if (use.Activate(basis.Value, approval, trust.Policy, now, records) is { } refusal) return refusal;
        events.UseAuthorised(use);
        await SaveAsync(use.PatientId, ct);
        logger.LogInformation("Use {UseId} activated on {Basis}", use.Id, use.LawfulBasisKind);
        return use;
    }

    public async Task<Outcome<TechnologyUse>> RecordReviewAsync(Guid useId, DateTime reviewedAt, DateTime nextReviewDate, string? reviewCovers, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("reviewed-at", reviewedAt, now);
        if (at.IsRefused) return at.Refusal!;
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return UseNotFound;
        var trust = await store.GetTrustAsync(ct);
        if (use.RecordReview(at.Value, nextReviewDate, reviewCovers ?? "", trust.Policy) is { } refusal) return refusal;
        await SaveAsync(use.PatientId, ct);
        return use;
    }

    public async Task<Outcome<TechnologyUse>> EndAsync(Guid useId, UseEndReason reason, CancellationToken ct = default)
    {
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return UseNotFound;
        if (use.End(reason, Now) is { } refusal) return refusal;
        events.UseEnded(use);
        await SaveAsync(use.PatientId, ct);
        return use;
    }

    public async Task<Outcome<CarePlanView>> GetCarePlanAsync(Guid carePlanRecordId, CancellationToken ct = default)
    {
        var use = await db.TechnologyUses.AsNoTracking().SingleOrDefaultAsync(u => u.CarePlan.Id == carePlanRecordId, ct);
        if (use is null) return Refusal.NotFound("care-plan.not-found", "No care-plan record with this id in this trust.");
        // The copy says what really happens if the patient says no, in the trust's own hours.
        var policy = (await store.GetTrustAsync(ct)).Policy;
        return new CarePlanView(use, use.PatientCopy(policy));
    }

    /// <summary>Runs the blanket-use detector over one ward's live uses and its current patient count.</summary>
    public async Task<Outcome<BlanketUseSignal[]>> DetectBlanketUseAsync(string? wardCode, CancellationToken ct = default)
    {
        if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
        var ward = wardCode!.Trim();
        var patientsOnWard = await db.Patients.CountAsync(p => p.WardCode == ward, ct);
        var live = await db.TechnologyUses.AsNoTracking()
            .Where(u => u.WardCode == ward && (u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
            .ToListAsync(ct);
        var policy = (await store.GetTrustAsync(ct)).Policy;
        return BlanketUseDetector.Detect(ward, patientsOnWard, live, policy, Now).ToArray();
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task SaveAsync(Guid patientId, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        store.InvalidatePatientAfterCommit(db, patientId);
    }
}
