using Google.Protobuf.WellKnownTypes;
using Platform.Messaging.Outbox;
using Platform.Procurement.Domain;
using Common = Platform.Contracts.Common.V1;
using Messages = Platform.Contracts.Procurement.V1;

namespace Platform.Procurement.Api.Application;

/// <summary>
/// Procurement's integration events, written to the outbox of the scoped DbContext so they commit with the change
/// that caused them. No free text leaves: reasons, rationales and document references stay in the database.
/// </summary>
public sealed class ProcurementEvents(IEventPublisher publisher)
{
    public void CaseOpened(ProcurementCase opened, ProcurementActor actor) => publisher.Publish(new Messages.CaseOpened
    {
        CaseId = opened.Id.ToString(),
        TechnologyId = opened.TechnologyId.ToString(),
        SettingCode = opened.SettingCode,
        Purpose = (Messages.StatedPurpose)opened.Purpose,
        Actor = Actor(actor),
    }, opened.TenantId, opened.Id.ToString());

    public void GateRecorded(ProcurementCase @case, GateRecord record, ProcurementActor actor) => publisher.Publish(new Messages.GateRecorded
    {
        RecordId = record.Id.ToString(),
        CaseId = @case.Id.ToString(),
        TechnologyId = @case.TechnologyId.ToString(),
        SettingCode = @case.SettingCode,
        Gate = GateCatalogue.Of(record.Gate).Code,
        Outcome = (Messages.GateOutcome)record.Outcome,
        ExpiresAt = Time(record.ExpiresAt),
        Actor = Actor(actor),
        ReusedFromTenant = record.Reuse?.OriginTenantId ?? "",
        SharedEvidenceId = record.Reuse?.SharedEvidenceId.ToString() ?? "",
    }, @case.TenantId, @case.Id.ToString());

    /// <summary>Published in the origin trust (the event's tenant); the content stays in the region's table.</summary>
    public void SupplierEvidenceShared(SharedSupplierEvidence shared, ProcurementActor actor) => publisher.Publish(new Messages.SupplierEvidenceShared
    {
        SharedEvidenceId = shared.Id.ToString(),
        Supplier = shared.Supplier,
        ProductName = shared.ProductName,
        Kind = (Messages.SupplierEvidenceKind)shared.Kind,
        ValidUntil = Time(shared.Content.ValidUntil),
        Actor = Actor(actor),
    }, shared.OriginTenantId, shared.Id.ToString());

    /// <summary>Published in the reusing trust, naming where the evidence came from.</summary>
    public void SupplierEvidenceReused(ProcurementCase @case, GateRecord record, ProcurementActor actor) => publisher.Publish(new Messages.SupplierEvidenceReused
    {
        SharedEvidenceId = record.Reuse!.SharedEvidenceId.ToString(),
        OriginTenant = record.Reuse.OriginTenantId,
        CaseId = @case.Id.ToString(),
        Gate = GateCatalogue.Of(record.Gate).Code,
        Actor = Actor(actor),
    }, @case.TenantId, @case.Id.ToString());

    public void Approved(ProcurementCase @case, Approval approval, Technology technology, ProcurementActor actor)
    {
        var message = new Messages.TechnologyApproved
        {
            TechnologyId = approval.TechnologyId.ToString(),
            Name = approval.TechnologyName,
            Surveillance = approval.IsSurveillance,
            ManagesSafetyRisk = approval.ManagesSafetyRisk,
            TrialOnly = approval.Kind == ApprovalKind.Trial,
            ProcurementCaseId = @case.Id.ToString(),
            Actor = Actor(actor),
            ApprovalId = approval.Id.ToString(),
            TrialEndsAt = Time(approval.Kind == ApprovalKind.Trial ? approval.TrialEndsOn : null),
            EvidenceAppraisalId = approval.EvidenceAppraisalId.ToString(),
            EvidenceConclusion = (Messages.EvidenceConclusion)approval.EvidenceConclusion,
            ContinuousMonitoringOrRestrictive = MonitorsContinuouslyOrRestricts(technology),
        };
        message.SettingCodes.Add(approval.SettingCode);
        publisher.Publish(message, @case.TenantId, @case.Id.ToString());
    }

    /// <summary>
    /// What consent needs to ask for a deprivation-of-liberty screen: a technology registered to monitor, or as
    /// surveillance, is taken to monitor continuously (fail-closed: a screen that finds no deprivation costs a form; a
    /// missing one can leave a patient deprived of liberty without authority, Cheshire West [2014] UKSC 19).
    /// </summary>
    public static bool MonitorsContinuouslyOrRestricts(Technology technology) =>
        technology.Category == TechnologyCategory.Monitoring || technology.IsSurveillance;

    public void Withdrawn(ProcurementCase @case, ApprovalWithdrawal withdrawal, Common.Actor actor)
    {
        var message = new Messages.TechnologyApprovalWithdrawn
        {
            TechnologyId = @case.TechnologyId.ToString(),
            ProcurementCaseId = @case.Id.ToString(),
            Actor = actor,
            ApprovalId = withdrawal.ApprovalId.ToString(),
            Cause = (Messages.WithdrawalCause)withdrawal.Cause,
            OutcomeFlagId = withdrawal.OutcomeFlagId?.ToString() ?? "",
        };
        message.SettingCodes.Add(@case.SettingCode);
        message.ExpiredGates.AddRange(withdrawal.ExpiredGates.Select(g => GateCatalogue.Of(g).Code));
        publisher.Publish(message, @case.TenantId, @case.Id.ToString());
    }

    public void GateExpired(ProcurementCase @case, GateExpiry expiry, DateTime? withdrawalDueAt)
    {
        var message = new Messages.GateExpired
        {
            CaseId = @case.Id.ToString(),
            TechnologyId = @case.TechnologyId.ToString(),
            SettingCode = @case.SettingCode,
            Gate = GateCatalogue.Of(expiry.Gate).Code,
            WithdrawalDueAt = Time(withdrawalDueAt),
        };
        message.Expired.AddRange(expiry.Expired.Select(e => new Messages.ExpiredEvidence { Kind = Kebab(e.Kind), ValidUntil = Time(e.ValidUntil) }));
        publisher.Publish(message, @case.TenantId, @case.Id.ToString());
    }

    /// <summary>Who acts when the expiry review, not a person, withdraws an approval.</summary>
    public static Common.Actor ExpiryReview { get; } = new() { Subject = ApprovalWithdrawal.ByExpiryReview, Role = "system" };

    public static Common.Actor Actor(ProcurementActor actor) => new() { Subject = actor.Subject, Role = ProcurementRoles.Code(actor.Role) };

    private static Timestamp? Time(DateTime? value) =>
        value is { } v ? Timestamp.FromDateTime(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static string Kebab(ExpiringEvidenceKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
