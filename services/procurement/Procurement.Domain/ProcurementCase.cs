using System.Globalization;
using Platform.Domain;

namespace Platform.Procurement.Domain;

public enum CaseStatus
{
    Unspecified = 0,
    /// <summary>Gates are being completed; nothing approved yet.</summary>
    Open = 1,
    Approved = 2,
    Withdrawn = 3,
}

public sealed record OpenCaseRequest(Guid TechnologyId, string? SettingCode, string? SettingDescription, StatedPurpose Purpose);

/// <summary>A gate's evidence as submitted, optionally taking in shared supplier evidence reviewed here.</summary>
public sealed record GateSubmission(GateEvidence Evidence, string? EvidenceReference, SharedSupplierEvidence? Reused = null, string? ReuseReviewNote = null);

/// <summary>A gate whose evidence the expiry review found had run out.</summary>
public sealed record GateExpiry(GateKind Gate, string Name, IReadOnlyList<ExpiringEvidence> Expired);

/// <summary>What one expiry review changed: gates it reopened, and the approval it withdrew, if any.</summary>
public sealed record ExpiryReview(IReadOnlyList<GateExpiry> Reopened, ApprovalWithdrawal? Withdrawal, DateTime? WithdrawalDueAt)
{
    public bool ChangedAnything => Reopened.Count > 0 || Withdrawal is not null;
}

/// <summary>
/// The assessment of one technology for one ward setting type. Every gate must pass before the procurement lead can
/// approve; the approval covers this setting only ("if the provider wishes to ... expand the area after
/// procurement, they must repeat the assessment and review processes above for the new setting").
/// </summary>
public sealed class ProcurementCase : ITenantOwned
{
    private readonly List<GateRecord> _gateRecords = [];
    private readonly List<Approval> _approvals = [];

    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    /// <summary>The ward or service type, e.g. "acute-adult", "picu", "camhs".</summary>
    public string SettingCode { get; init; } = "";
    /// <summary>The proposed inpatient setting, defined and described (Procurement section).</summary>
    public string SettingDescription { get; init; } = "";
    public StatedPurpose Purpose { get; init; }
    public DateTime OpenedAt { get; init; }
    public string OpenedBy { get; init; } = "";

    /// <summary>Every gate record, oldest first; the latest per gate is its current one.</summary>
    public IReadOnlyList<GateRecord> GateRecords => _gateRecords;
    /// <summary>Every approval decision, oldest first; the last is current.</summary>
    public IReadOnlyList<Approval> Approvals => _approvals;

    public Approval? CurrentApproval => _approvals.Count == 0 ? null : _approvals[^1];

    public CaseStatus Status => RegionalApprovalCounts.StatusOf(CurrentApproval is not null, CurrentApproval?.Withdrawal is not null);

    /// <summary>Rebuilds a case from storage.</summary>
    public static ProcurementCase Restore(ProcurementCase header, IEnumerable<GateRecord> gateRecords, IEnumerable<Approval> approvals)
    {
        header._gateRecords.Clear();
        header._gateRecords.AddRange(gateRecords.OrderBy(r => r.RecordedAt));
        header._approvals.Clear();
        header._approvals.AddRange(approvals.OrderBy(a => a.ApprovedAt));
        return header;
    }

    public static Outcome<ProcurementCase> Open(
        OpenCaseRequest request, Technology technology, IEnumerable<ProcurementCase> casesForTechnology, ProcurementActor actor, Guid id, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "open a procurement case") is { } denied) return denied;
        if (request.TechnologyId == Guid.Empty || request.TechnologyId != technology.Id)
            return Refusal.Invalid("case.technology-required", "Name the registered technology the case is about.");
        if (Validation.Code("setting", request.SettingCode) is { } badSetting) return badSetting;
        if (Validation.RequiredText("setting-description", request.SettingDescription, 2000) is { } badDescription) return badDescription;
        if (Validation.Defined("purpose", request.Purpose) is { } badPurpose) return badPurpose;
        if (Technology.IsProhibitedPurpose(request.Purpose)) return CaseRefusals.ProhibitedPurpose;
        var setting = request.SettingCode!.Trim();
        if (casesForTechnology.Any(c => c.TechnologyId == technology.Id && string.Equals(c.SettingCode, setting, StringComparison.Ordinal)))
            return Refusal.Exists("case.exists-for-setting", $"This technology already has a procurement case for the '{setting}' setting: continue that case.");
        return new ProcurementCase
        {
            Id = id,
            TenantId = technology.TenantId,
            TechnologyId = technology.Id,
            SettingCode = setting,
            SettingDescription = request.SettingDescription!.Trim(),
            Purpose = request.Purpose,
            OpenedAt = now,
            OpenedBy = actor.Subject,
        };
    }

    public GateRecord? Current(GateKind gate)
    {
        for (var i = _gateRecords.Count - 1; i >= 0; i--)
            if (_gateRecords[i].Gate == gate) return _gateRecords[i];
        return null;
    }

    public GateState GateStateAt(GateKind gate, DateTime now) => Current(gate)?.StateAt(now) ?? GateState.NotRecorded;

    /// <summary>Every gate that stops an approval of <paramref name="kind"/> now, in catalogue order.</summary>
    public IReadOnlyList<OpenGate> OpenGates(DateTime now, ApprovalKind kind = ApprovalKind.Full)
    {
        var open = OpenGatesAmong(GateCatalogue.All.Select(g => g.Kind), now).ToList();
        // P4 asks for co-production at testing too; a trial is the testing, so only a full approval needs it done.
        if (kind == ApprovalKind.Full && Current(GateKind.CoProduction) is { } coProduction && coProduction.StateAt(now) == GateState.Passed
            && coProduction.Evidence is CoProductionEvidence evidence && !evidence.Covers(CoProductionStage.Testing))
            open.Add(new OpenGate(GateKind.CoProduction, GateState.Failed, GateCatalogue.Of(GateKind.CoProduction).Name,
                "a full approval also needs co-production with people with lived experience at the testing stage"));
        return open.OrderBy(g => g.Gate).ToList();
    }

    internal IReadOnlyList<OpenGate> OpenGatesAmong(IEnumerable<GateKind> gates, DateTime now)
    {
        var open = new List<OpenGate>();
        foreach (var gate in gates)
        {
            var record = Current(gate);
            var state = record?.StateAt(now) ?? GateState.NotRecorded;
            if (state == GateState.Passed) continue;
            var detail = state switch
            {
                GateState.NotRecorded => "not recorded",
                GateState.Failed => $"failed: {record!.FailureReason}",
                GateState.Expired => "expired: " + string.Join(", ", record!.ExpiredAt(now).Select(e => $"{e.Describe()} on {Day(e.ValidUntil)}")),
                GateState.Invalidated => $"set aside on {Day(record!.InvalidatedAt!.Value)}: {record.InvalidationReason}",
                _ => state.ToString(),
            };
            open.Add(new OpenGate(gate, state, GateCatalogue.Of(gate).Name, detail));
        }
        return open;
    }

    /// <summary>
    /// Records a gate's evidence, checked for completeness, judged, and stamped with who, when, its reference and
    /// its expiry. Only the role responsible for the gate can record it. Recording a gate again renews it.
    /// </summary>
    public Outcome<GateRecord> RecordGate(GateSubmission submission, Technology technology, ProcurementActor actor, ProcurementPolicy policy, Guid recordId, DateTime now)
    {
        var gate = submission.Evidence?.Gate ?? GateKind.Unspecified;
        if (!GateCatalogue.IsGate(gate)) return Refusal.Invalid("gate.evidence-required", "Submit the gate's evidence.");
        var definition = GateCatalogue.Of(gate);
        if (ProcurementRoles.Require(actor, definition.CompletedBy, $"complete the gate '{definition.Name}'") is { } denied) return denied;
        if (technology.Id != TechnologyId) return Refusal.Invalid("gate.other-technology", "The technology is not the one this case is about.");
        if (Validation.RequiredText("evidence-reference", submission.EvidenceReference, 300) is { } badReference) return badReference;

        var evidence = submission.Evidence!;
        ReusedInput? reuse = null;
        if (submission.Reused is { } shared)
        {
            var taken = TakeIn(shared, submission.ReuseReviewNote, definition, technology, evidence, now);
            if (taken.IsRefused) return taken.Refusal!;
            (evidence, reuse) = taken.Value;
        }

        var context = new GateContext(this, technology, policy, now);
        if (evidence.Validate(context) is { } incomplete) return incomplete;
        var verdict = evidence.Judge(context);
        var expiries = evidence.Expiring;
        var record = new GateRecord
        {
            Id = recordId,
            Gate = gate,
            Evidence = evidence,
            EvidenceReference = submission.EvidenceReference!.Trim(),
            RecordedBy = actor.Subject,
            RecordedAs = actor.Role,
            RecordedAt = now,
            Outcome = verdict.Outcome,
            FailureReason = verdict.FailureReason,
            ExpiresAt = expiries.Count == 0 ? null : expiries.Min(e => e.ValidUntil),
            Reuse = reuse,
        };
        _gateRecords.Add(record);
        return record;
    }

    private Outcome<(GateEvidence, ReusedInput)> TakeIn(
        SharedSupplierEvidence shared, string? reviewNote, GateDefinition definition, Technology technology, GateEvidence evidence, DateTime now)
    {
        if (string.Equals(shared.OriginTenantId, TenantId, StringComparison.Ordinal))
            return Refusal.Invalid("reuse.own-evidence", "This shared evidence is this trust's own: record it directly rather than as reuse.");
        if (!definition.Reusable.Contains(shared.Kind))
            return Refusal.Invalid("reuse.not-for-this-gate",
                $"{definition.Name} cannot take in shared {SharedSupplierEvidence.Words(shared.Kind)}: each trust keeps its own DPIA, EHIA, DCB0160 safety case and decisions.");
        if (shared.WithdrawnAt is not null)
            return Refusal.Precondition("reuse.withdrawn", "The trust that shared this evidence has withdrawn it.");
        if (shared.Content.ValidUntil is { } until && until <= now)
            return Refusal.Precondition("reuse.expired", $"The shared {SharedSupplierEvidence.Words(shared.Kind)} ran out on {Day(until)}.");
        if (!technology.IsFromSupplier(shared.Supplier))
            return Refusal.Invalid("reuse.other-supplier", "The shared evidence is about another supplier's product.");
        if (string.IsNullOrWhiteSpace(reviewNote))
            return Refusal.Invalid("reuse.review-note-missing", "Record how the shared evidence was reviewed here before it is relied on.");
        var taken = evidence.TakeIn(shared.Content);
        if (taken is null)
            return Refusal.Invalid("reuse.not-for-this-gate", $"{definition.Name} cannot take in this shared {SharedSupplierEvidence.Words(shared.Kind)}.");
        return (taken, new ReusedInput(shared.Id, shared.OriginTenantId, shared.Kind, shared.AssessedAt, reviewNote!.Trim()));
    }

    /// <summary>
    /// The procurement lead's decision. Refused while any gate is open, listing every open gate by name; minimal
    /// evidence allows only a trial with an independent evaluation plan and an end date.
    /// </summary>
    public Outcome<Approval> Approve(ApprovalRequest request, Technology technology, ProcurementActor actor, ProcurementPolicy policy, Guid approvalId, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "approve a technology") is { } denied) return denied;
        if (technology.Id != TechnologyId) return Refusal.Invalid("approval.other-technology", "The technology is not the one this case is about.");
        if (Technology.IsProhibitedPurpose(Purpose)) return CaseRefusals.ProhibitedPurpose;
        if (Validation.Defined("kind", request.Kind) is { } badKind) return badKind;
        if (Validation.RequiredText("rationale", request.Rationale, 4000) is { } noRationale) return noRationale;
        var current = CurrentApproval;
        if (current is not null && current.IsInForceAt(now) && (current.Kind == ApprovalKind.Full || request.Kind == ApprovalKind.Trial))
            return Refusal.Precondition("approval.already-approved", "This technology is already approved for this setting.");

        var open = OpenGates(now, request.Kind);
        if (open.Count > 0)
            return Refusal.Precondition("approval.gates-open",
                $"Approval needs every gate met. {open.Count} still open: {string.Join("; ", open)}.");

        var appraisal = (EvidenceAppraisalEvidence)Current(GateKind.EvidenceAppraisal)!.Evidence;
        if (appraisal.Conclusion == EvidenceConclusion.Minimal && request.Kind == ApprovalKind.Full)
            return Refusal.Precondition("approval.minimal-evidence-trial-only",
                "The evidence base is minimal: the technology can only be approved as a trial with independent evaluation before any full rollout (P7).");

        if (request.Kind == ApprovalKind.Trial)
        {
            if (ValidateTrial(request, policy, now) is { } badTrial) return badTrial;
        }
        else if (request.TrialEndsOn is not null || request.Evaluation is not null)
            return Refusal.Invalid("approval.trial-terms-on-full", "An end date and evaluation plan belong to a trial approval; a full approval has neither.");

        var approval = new Approval
        {
            Id = approvalId,
            CaseId = Id,
            TechnologyId = TechnologyId,
            TechnologyName = technology.Name,
            SettingCode = SettingCode,
            Kind = request.Kind,
            Rationale = request.Rationale!.Trim(),
            EvidenceAppraisalId = appraisal.AppraisalId,
            EvidenceConclusion = appraisal.Conclusion,
            TrialEndsOn = request.TrialEndsOn,
            Evaluation = request.Evaluation,
            IsSurveillance = technology.IsSurveillance,
            ManagesSafetyRisk = technology.ManagesSafetyRisk,
            ApprovedAt = now,
            ApprovedBy = actor.Subject,
        };
        if (current is not null && current.IsInForceAt(now)) current.SupersededAt = now;
        _approvals.Add(approval);
        return approval;
    }

    private static Refusal? ValidateTrial(ApprovalRequest request, ProcurementPolicy policy, DateTime now)
    {
        if (request.TrialEndsOn is not { } ends)
            return Refusal.Invalid("approval.trial-end-missing", "A trial approval needs an end date.");
        if (ends <= now) return Refusal.Invalid("approval.trial-end-past", "The trial's end date must be in the future.");
        if (ends - now > policy.MaxTrialLength)
            return Refusal.Invalid("approval.trial-too-long", $"A trial may run for at most {policy.MaxTrialLength.TotalDays:0} days.");
        if (request.Evaluation is not { } plan)
            return Refusal.Invalid("approval.evaluation-missing", "A trial needs an independent evaluation plan before full rollout (P7).");
        if (string.IsNullOrWhiteSpace(plan.Evaluator))
            return Refusal.Invalid("approval.evaluator-missing", "Name who will evaluate the trial.");
        if (!plan.IndependentOfSupplier)
            return Refusal.Precondition("approval.evaluation-not-independent", "The trial must be evaluated independently of the supplier (P7).");
        if (string.IsNullOrWhiteSpace(plan.Method))
            return Refusal.Invalid("approval.evaluation-method-missing", "Describe how the trial will be evaluated, including the treatment outcomes measured (P8).");
        if (string.IsNullOrWhiteSpace(plan.CoProductionInEvaluation))
            return Refusal.Invalid("approval.evaluation-co-production-missing", "Describe how people with lived experience take part in the evaluation (P4).");
        if (plan.ReportDueBy <= now || plan.ReportDueBy > ends)
            return Refusal.Invalid("approval.evaluation-report-date", "The evaluation must report after today and no later than the trial's end date.");
        return null;
    }

    /// <summary>
    /// One act: the procurement lead withdraws the approval because the evidence service's outcomes showed no
    /// benefit, giving the reason. The appraisal behind it is set aside, so a new approval needs a new appraisal.
    /// </summary>
    public Outcome<ApprovalWithdrawal> WithdrawForLackOfBenefit(NoBenefitFinding finding, string? reason, ProcurementActor actor, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "withdraw an approval") is { } denied) return denied;
        if (finding.TechnologyId != TechnologyId)
            return Refusal.Invalid("withdrawal.finding-other-technology", "The no-benefit finding is about another technology.");
        if (finding.SettingCode is { } setting && !string.Equals(setting, SettingCode, StringComparison.Ordinal))
            return Refusal.Invalid("withdrawal.finding-other-setting", "The no-benefit finding is about another setting.");
        if (Validation.RequiredText("reason", reason, 2000) is { } noReason) return noReason;
        var withdrawal = Withdraw(WithdrawalCause.LackOfBenefit, reason!.Trim(), [], finding.FlagId, actor.Subject, now);
        if (withdrawal.IsRefused) return withdrawal;
        if (Current(GateKind.EvidenceAppraisal) is { } appraisal)
        {
            appraisal.InvalidatedAt = now;
            appraisal.InvalidationReason = "outcomes showed no benefit; a new appraisal is needed";
        }
        return withdrawal;
    }

    /// <summary>The procurement lead withdraws the approval for another reason (a safety concern, a changed decision).</summary>
    public Outcome<ApprovalWithdrawal> Withdraw(string? reason, ProcurementActor actor, DateTime now)
    {
        if (ProcurementRoles.Require(actor, ProcurementRoles.Decides, "withdraw an approval") is { } denied) return denied;
        if (Validation.RequiredText("reason", reason, 2000) is { } noReason) return noReason;
        return Withdraw(WithdrawalCause.DecisionByLead, reason!.Trim(), [], null, actor.Subject, now);
    }

    private Outcome<ApprovalWithdrawal> Withdraw(WithdrawalCause cause, string reason, IReadOnlyList<GateKind> expired, Guid? flagId, string by, DateTime now)
    {
        // A trial past its end date is no longer in force but is still withdrawn on the record, so consent hears of it.
        var inForce = CurrentApproval is { } candidate && (cause == WithdrawalCause.TrialEnded
            ? candidate.Withdrawal is null && candidate.SupersededAt is null
            : candidate.IsInForceAt(now));
        if (!inForce)
            return Refusal.Precondition("withdrawal.not-approved", "There is no approval in force for this technology in this setting.");
        var approval = CurrentApproval!;
        var withdrawal = new ApprovalWithdrawal(approval.Id, cause, reason, expired, flagId, now, by);
        approval.Withdrawal = withdrawal;
        return withdrawal;
    }

    /// <summary>
    /// Given "now": reopens every gate whose evidence has run out (reporting each once), and withdraws the approval
    /// when expired evidence has not been renewed within the trust's grace period, or when a trial has ended.
    /// Returns what changed; a second call at the same moment changes nothing.
    /// </summary>
    public ExpiryReview ReviewExpiries(ProcurementPolicy policy, DateTime now)
    {
        var reopened = new List<GateExpiry>();
        var expiredGates = new List<(GateKind Gate, DateTime Earliest)>();
        foreach (var definition in GateCatalogue.All)
        {
            var record = Current(definition.Kind);
            if (record is null || record.Outcome != GateOutcome.Passed || record.ExpiresAt is not { } expires || expires > now) continue;
            expiredGates.Add((definition.Kind, expires));
            if (record.ExpiryNoticedAt is not null) continue;
            record.ExpiryNoticedAt = now;
            reopened.Add(new GateExpiry(definition.Kind, definition.Name, record.ExpiredAt(now)));
        }

        ApprovalWithdrawal? withdrawal = null;
        DateTime? dueAt = null;
        if (CurrentApproval is { } approval && approval.Withdrawal is null && approval.SupersededAt is null)
        {
            if (approval.Kind == ApprovalKind.Trial && approval.TrialEndsOn is { } ends && ends <= now)
                withdrawal = Withdraw(WithdrawalCause.TrialEnded, $"The trial ended on {Day(ends)} without a full approval.", [], null, ApprovalWithdrawal.ByExpiryReview, now).Value;
            else if (expiredGates.Count > 0)
            {
                dueAt = expiredGates.Min(g => g.Earliest) + policy.ExpiryGracePeriod;
                if (now >= dueAt)
                {
                    var names = string.Join("; ", OpenGatesAmong(expiredGates.Select(g => g.Gate), now));
                    withdrawal = Withdraw(WithdrawalCause.EvidenceExpired,
                        $"Evidence ran out and was not renewed within the trust's grace period of {policy.ExpiryGracePeriod.TotalDays:0} days: {names}.",
                        expiredGates.Select(g => g.Gate).ToList(), null, ApprovalWithdrawal.ByExpiryReview, now).Value;
                    dueAt = null;
                }
            }
        }
        return new ExpiryReview(reopened, withdrawal, dueAt);
    }

    /// <summary>True when an approval from this case lets the technology be used in <paramref name="settingCode"/> now.</summary>
    public bool Covers(Guid technologyId, string settingCode, DateTime now) =>
        technologyId == TechnologyId && string.Equals(settingCode, SettingCode, StringComparison.Ordinal) && CurrentApproval?.IsInForceAt(now) == true;

    internal static string Day(DateTime value) => value.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}

internal static class CaseRefusals
{
    public static readonly Refusal ProhibitedPurpose = Refusal.Precondition("case.purpose-reduces-staff-time",
        "A technology must not be procured to reduce the time staff spend with patients or as a solution to low staffing (P5). It must be of clear benefit to the patients cared for.");
}
