using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// The trust's approval of one technology for one setting type, as the consent service learns it from procurement
/// events. Withdrawing it suspends every use of the technology in that setting.
/// </summary>
public sealed class TechnologyApproval : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string TechnologyName { get; set; } = "";
    /// <summary>Ward or service type the approval covers, e.g. "acute-adult", "picu", "camhs".</summary>
    public string SettingCode { get; init; } = "";
    /// <summary>Video or vision-based monitoring: every use needs a human-rights balancing record (P1).</summary>
    public bool IsSurveillance { get; set; }
    /// <summary>The intended use includes managing a safety risk: every use needs a proportionality record (P6).</summary>
    public bool ManagesSafetyRisk { get; set; }
    /// <summary>The technology monitors continuously or restricts (movement, access, contact): every use needs a deprivation-of-liberty screen.</summary>
    public bool ContinuousMonitoringOrRestrictive { get; set; }
    /// <summary>In the view of those providing care it may be life-sustaining treatment: an advance decision refusing it must meet MCA s25(5).</summary>
    public bool MayBeLifeSustaining { get; set; }
    /// <summary>Whether the technology is treatment for mental disorder, and if so which basis the trust relies on where Part 4 applies.</summary>
    public MentalDisorderTreatmentRoute MentalDisorderTreatmentRoute { get; set; }
    public DateTime ApprovedAt { get; set; }
    public DateTime? WithdrawnAt { get; set; }
    /// <summary>A trial approval's end (P7); null for a full approval.</summary>
    public DateTime? TrialEndsAt { get; set; }
    /// <summary>Who recorded it by the operator override (ADR 0029), in which role, and why; null when procurement's event did.</summary>
    public string? OverrideApprovedBy { get; set; }
    public string? OverrideApprovedRole { get; set; }
    public string? OverrideApprovalReason { get; set; }
    /// <summary>Who withdrew it by the operator override, in which role, and why (at <see cref="WithdrawnAt"/>); null otherwise.</summary>
    public string? OverrideWithdrawnBy { get; set; }
    public string? OverrideWithdrawnRole { get; set; }
    public string? OverrideWithdrawalReason { get; set; }

    /// <summary>
    /// Withdrawn, or a trial whose end has passed: from its end a trial no longer stands, before procurement's
    /// withdrawal event arrives.
    /// </summary>
    public bool IsWithdrawn(DateTime now) => (WithdrawnAt is { } w && w <= now) || (TrialEndsAt is { } end && end <= now);

    public bool Covers(Guid technologyId, string settingCode) =>
        TechnologyId == technologyId && string.Equals(SettingCode, settingCode, StringComparison.Ordinal);

    /// <summary>Monitoring in the P1 sense: every use needs a human-rights balancing record whatever its basis.</summary>
    public bool IsMonitoring => IsSurveillance || ContinuousMonitoringOrRestrictive;

    /// <summary>
    /// Null when the approval's flags make sense together. Detention is never a basis for monitoring or surveillance:
    /// a technology that watches or restricts is not treatment for mental disorder that s63 could authorise.
    /// </summary>
    public Refusal? Validate()
    {
        if (!Enum.IsDefined(MentalDisorderTreatmentRoute)) return ApprovalRefusals.RouteUnknown;
        if (MentalDisorderTreatmentRoute == MentalDisorderTreatmentRoute.Section63Record && IsMonitoring) return ApprovalRefusals.DetentionNotABasisForMonitoring;
        return null;
    }

    /// <summary>
    /// The trust chooses how a use of this technology rests where Part 4 of the Mental Health Act applies; the event
    /// records who chose what, and what it was before.
    /// </summary>
    public Outcome<ApprovalRouteChosen> ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute route, string actor, DateTime at)
    {
        if (string.IsNullOrWhiteSpace(actor)) return ApprovalRefusals.ActorMissing;
        var before = MentalDisorderTreatmentRoute;
        MentalDisorderTreatmentRoute = route;
        if (Validate() is { } refusal)
        {
            MentalDisorderTreatmentRoute = before;
            return refusal;
        }
        return new ApprovalRouteChosen(Id, TechnologyId, SettingCode, before, route, actor.Trim(), at);
    }

    /// <summary>
    /// The one rule that picks the approval deciding a use of <paramref name="technologyId"/> in
    /// <paramref name="settingCode"/> (null: the setting is unknown, any setting of the technology): a live approval
    /// wins over a withdrawn one, then the latest.
    /// </summary>
    public static TechnologyApproval? Select(ReadOnlySpan<TechnologyApproval> approvals, Guid technologyId, string? settingCode)
    {
        TechnologyApproval? best = null;
        foreach (var approval in approvals)
        {
            if (approval.TechnologyId != technologyId || (settingCode is not null && !string.Equals(approval.SettingCode, settingCode, StringComparison.Ordinal))) continue;
            if (best is null || (best.WithdrawnAt is not null && approval.WithdrawnAt is null) ||
                ((best.WithdrawnAt is null) == (approval.WithdrawnAt is null) && approval.ApprovedAt > best.ApprovedAt))
                best = approval;
        }
        return best;
    }
}

/// <summary>The domain event for a trust's choice of route for treatment for mental disorder, per approval.</summary>
public sealed record ApprovalRouteChosen(Guid ApprovalId, Guid TechnologyId, string SettingCode, MentalDisorderTreatmentRoute Before, MentalDisorderTreatmentRoute After, string Actor, DateTime At);

internal static class ApprovalRefusals
{
    public static readonly Refusal RouteUnknown = Refusal.Invalid("approval.treatment-route-missing",
        "Record whether the technology is treatment for mental disorder and, if so, whether the trust seeks consent first or relies on an s63 record.");
    public static readonly Refusal DetentionNotABasisForMonitoring = Refusal.Precondition("approval.detention-not-a-basis-for-monitoring",
        "A technology that monitors, watches or restricts cannot rest on s63 of the Mental Health Act: detention alone is never a basis for monitoring or surveillance. Approve it with consent first, or as not treatment for mental disorder.");
    public static readonly Refusal ActorMissing = Refusal.Invalid("approval.actor-missing", "Record who made the choice.");
}
