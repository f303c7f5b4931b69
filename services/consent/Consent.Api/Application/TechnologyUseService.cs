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
/// A care-plan record as read: the view, the patient copy as a PDF when it was asked for (in <paramref name="Layout"/>,
/// from the format recorded on the care plan), and the format staff must arrange when it cannot be generated.
/// </summary>
public sealed record CarePlanRead(CarePlanView View, byte[]? Pdf, PatientCopyLayout Layout, AccessibleFormat ToArrange);

/// <summary>
/// Technology uses: propose, activate on the lawful basis the records establish now, review, end, the care-plan record
/// and blanket-use detection. The check itself is <see cref="UseChecker"/>.
/// </summary>
public sealed class TechnologyUseService(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, WardDirectory wards, AccessLog access, TimeProvider clock, ILogger<TechnologyUseService> logger)
{
    private const string NoApprovalRule = "use.no-approval-for-setting";

    private static readonly Refusal UseNotFound = Refusal.NotFound("use.not-found", "No technology use with this id in this trust.");

    public async Task<Outcome<TechnologyUse>> ProposeAsync(TechnologyUseRequest request, UseDetails details, CancellationToken ct = default)
    {
        var now = Now;
        // The domain refuses blanket and P5 requests first, by name, before the ward or the patients are looked up;
        // asked with no setting, only the approval can be missing once the request's shape is right.
        var shape = TechnologyUse.Propose(request with { SettingCode = "-" }, null, Guid.Empty, Guid.Empty, now);
        if (shape.IsRefused && shape.Refusal!.Rule != NoApprovalRule) return shape;
        // The setting is the ward's, from the trust's ward directory; whatever setting the caller sent is not used.
        var ward = await wards.OpenWardAsync("ward-code", request.WardCode, ct);
        if (ward.IsRefused) return ward.Refusal!;
        var trust = await store.GetTrustAsync(ct);
        var approval = TechnologyApproval.Select(trust.Approvals, request.TechnologyId, ward.Value.SettingCode);
        var proposed = TechnologyUse.Propose(request with { WardCode = ward.Value.Code, SettingCode = ward.Value.SettingCode }, approval, Guid.CreateVersion7(), Guid.CreateVersion7(), now);
        if (proposed.IsRefused) return proposed;
        var use = proposed.Value;

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
        events.UseProposed(use);
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

    /// <summary>
    /// Corrects a proposed use before it starts (issue 17), rather than ending it with a misleading reason: the domain
    /// checks the corrected use against the approval for its setting now; the event names the parts corrected.
    /// </summary>
    public async Task<Outcome<TechnologyUse>> CorrectAsync(Guid useId, UseCorrection correction, CancellationToken ct = default)
    {
        var now = Now;
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return UseNotFound;
        var before = await store.GetAsync(use.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        var trust = await store.GetTrustAsync(ct);
        if (use.Correct(correction, TechnologyApproval.Select(trust.Approvals, use.TechnologyId, use.SettingCode), now) is { } refusal) return refusal;
        var parts = new List<string>(6);
        if (correction.Purpose is not null) parts.Add("purpose");
        if (correction.DataUsePurposes is not null) parts.Add("data_use_purposes");
        if (correction.CarePlan is not null) parts.Add("care_plan");
        if (correction.PatientObjects is not null) parts.Add("patient_objects");
        if (correction.HumanRights is not null) parts.Add("human_rights");
        if (correction.Safety is not null) parts.Add("safety");
        events.UseCorrected(use, parts);
        // A proposed use has no check of its own; the patient's live uses are re-evaluated all the same, as after every command.
        var after = Snapshot.Replacing(before, uses: Snapshot.Replace(before.Uses, use, u => u.Id));
        events.Reevaluated(ConsentSignals.Reevaluate(before, after, trust.Approvals, trust.Policy, now), use.Id, "use_corrected");
        await SaveAsync(use.PatientId, ct);
        logger.LogInformation("Proposed use {UseId} corrected ({Parts})", use.Id, string.Join(",", parts));
        return use;
    }

    /// <summary>
    /// A review held with people (<see cref="UseReview"/>): who took part, the patient's views, what was observed and
    /// the decision. Continue or change sets the next review; stop ends the use at once.
    /// </summary>
    public async Task<Outcome<TechnologyUse>> RecordReviewAsync(UseReview review, CancellationToken ct = default)
    {
        // Bad input is refused as such, before anything is looked up (not as "no such use").
        if (review.ValidateText() is { } badText) return badText;
        var now = Now;
        var at = Input.PastOrNow("reviewed-at", review.ReviewedAt, now);
        if (at.IsRefused) return at.Refusal!;
        review.ReviewedAt = at.Value;
        var use = await db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == review.UseId, ct);
        if (use is null) return UseNotFound;
        var trust = await store.GetTrustAsync(ct);
        if (use.RecordReview(review, trust.Policy) is { } refusal) return refusal;
        var recorded = new UseReview
        {
            Id = Guid.CreateVersion7(),
            UseId = use.Id,
            PatientId = use.PatientId,
            ReviewedAt = review.ReviewedAt,
            ReviewedBy = review.ReviewedBy.Trim(),
            Participants = review.Participants,
            MdtRoles = review.MdtRoles,
            PatientViewsSought = review.PatientViewsSought,
            PatientViews = review.PatientViews,
            WhyViewsNotSought = review.WhyViewsNotSought,
            Benefit = review.Benefit,
            Harms = review.Harms,
            OutcomeMeasureReferences = review.OutcomeMeasureReferences.Select(r => r.Trim()).ToList(),
            Decision = review.Decision,
            ChangeDescription = review.ChangeDescription,
            NextReviewDate = review.NextReviewDate,
            NextReviewCovers = review.NextReviewCovers,
        };
        db.UseReviews.Add(recorded);
        events.UseReviewed(recorded, use);
        if (use.Status == UseStatus.Ended) events.UseEnded(use);
        await SaveAsync(use.PatientId, ct);
        logger.LogInformation("Use {UseId} reviewed: {Decision}", use.Id, review.Decision);
        return use;
    }

    /// <summary>
    /// Moves the patient to another ward of the trust: the setting comes from the ward directory, every use not approved
    /// for it is suspended at once (and one suspended only for that resumes where approved), in one unit of work.
    /// </summary>
    public async Task<Outcome<(Patient Patient, WardTransfer Transfer)>> TransferPatientAsync(Guid patientId, string? wardCode, CancellationToken ct = default)
    {
        var ward = await wards.OpenWardAsync("ward-code", wardCode, ct);
        if (ward.IsRefused) return ward.Refusal!;
        var patient = await db.Patients.SingleOrDefaultAsync(p => p.Id == patientId, ct);
        if (patient is null) return PatientRecordsStore.PatientNotFound;
        if (patient.WardCode == ward.Value.Code)
            return Refusal.Precondition("transfer.same-ward", $"The patient is already on ward {ward.Value.Code}.");
        var now = Now;
        var from = patient.WardCode;
        var uses = await db.TechnologyUses
            .Where(u => u.PatientId == patientId && (u.Status == UseStatus.Proposed || u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
            .ToListAsync(ct);
        var approvals = (await store.GetTrustAsync(ct)).Approvals;
        var transfer = TechnologyUse.TransferPatient(uses, ward.Value.Code, ward.Value.SettingCode, approvals, now);
        patient.WardCode = ward.Value.Code;
        events.PatientTransferred(patientId, from, transfer);
        foreach (var use in transfer.Suspended) events.UseSuspended(use);
        foreach (var use in transfer.Resumed) events.UseResumed(use);
        // The answer carries the patient's record (NHS number included): a read too, committed with the move.
        access.Read(patientId, AccessLog.Patient(patientId), AccessLog.PatientType);
        await SaveAsync(patientId, ct);
        logger.LogInformation("Patient {PatientId} moved from {From} to {To}; {Suspended} uses suspended for the setting", patientId, from, ward.Value.Code, transfer.Suspended.Count);
        return (patient, transfer);
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

    /// <summary>A care-plan record, with the patient copy as an accessible PDF when <paramref name="includePdf"/>; each read is recorded.</summary>
    public async Task<Outcome<CarePlanRead>> GetCarePlanAsync(Guid carePlanRecordId, bool includePdf = false, CancellationToken ct = default)
    {
        var use = await db.TechnologyUses.AsNoTracking().SingleOrDefaultAsync(u => u.CarePlan.Id == carePlanRecordId, ct);
        if (use is null) return Refusal.NotFound("care-plan.not-found", "No care-plan record with this id in this trust.");
        // The copy says what really happens if the patient says no, in the trust's own hours.
        var policy = (await store.GetTrustAsync(ct)).Policy;
        var view = new CarePlanView(use, use.PatientCopy(policy));
        // The copy in the format recorded for the patient, where it can be generated; otherwise named for staff.
        var (layout, toArrange) = PatientCopyFormat.For(use.CarePlan.InformationFormat);
        byte[]? pdf = null;
        if (includePdf)
        {
            try
            {
                // Linear in the copy's length, and it stops when the caller gives up (the call's token).
                pdf = CarePlanPdf.Render(view, clock.GetUtcNow(), layout, ct: ct);
            }
            catch (NotSupportedException e)
            {
                // Characters the PDF font cannot show: refuse rather than hand over a copy with words missing.
                return Refusal.Precondition("care-plan-pdf.unsupported-characters", e.Message + " Use the text copy.");
            }
        }
        var record = $"CarePlan/{use.CarePlan.Id}";
        access.Read(use.PatientId, record, AccessLog.CarePlanType);
        if (pdf is not null) access.Read(use.PatientId, record + "/patient-copy.pdf", AccessLog.CarePlanType);
        await access.CommitAsync(ct);
        return new CarePlanRead(view, pdf, layout, toArrange);
    }

    /// <summary>Runs the blanket-use detector over one ward's live uses and its current patient count.</summary>
    public async Task<Outcome<BlanketUseSignal[]>> DetectBlanketUseAsync(string? wardCode, CancellationToken ct = default)
    {
        if (Validation.Code("ward-code", wardCode) is { } badWard) return badWard;
        var ward = ConsentWard.Normalise(wardCode);
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
