using Microsoft.EntityFrameworkCore;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>
/// Objections after a use started, deprivation-of-liberty screens, court orders and zone-of-parental-control findings
/// (issue 20, ADR 0014 readings 8, 12, 13 and 14). Like every change the law depends on, each is refused by the domain
/// before anything is written, re-evaluates the patient's live uses at once (publishing each use whose check changed,
/// and a safety alert where a safety use stopped), and commits its event through the outbox in the same unit of work.
/// </summary>
public sealed partial class ConsentRecordsService
{
    private static readonly Refusal UseNotFound = Refusal.NotFound("use.not-found", "No technology use with this id in this trust.");
    private static readonly Refusal ObjectionNotFound = Refusal.NotFound("objection.not-found", "No objection with this id in this trust.");

    /// <summary>A patient lacking capacity objects to a use that has started (MCA s4(6)(a); s6(4)): it must be re-decided within the trust's hours.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordObjectionAsync(Guid useId, DateTime observedAt, ObjectionExpression expressed,
        string? description, string? recordedBy, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("observed-at", observedAt, now);
        if (at.IsRefused) return at.Refusal!;
        var use = await Db.TechnologyUses.AsNoTracking().SingleOrDefaultAsync(u => u.Id == useId, ct);
        if (use is null) return UseNotFound;
        var before = await Store.GetAsync(use.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        var policy = (await Store.GetTrustAsync(ct)).Policy;
        // Recorded after the use: a late record cannot name a time the domain would refuse as "in the future".
        var recorded = PatientObjection.Record(before, use, at.Value > now ? now : at.Value, expressed, description, recordedBy, Guid.CreateVersion7(), policy, now);
        if (recorded.IsRefused) return recorded.Refusal!;
        var objection = recorded.Value;
        Db.PatientObjections.Add(objection);
        Events.ObjectionRecorded(objection, use, objection.RedecisionDueBy(policy));
        var changes = await ReevaluateAsync(before, before.With(objection: objection), objection.Id, "objection_recorded", now, ct);
        await SaveAsync(objection.PatientId, ct);
        Logger.LogInformation("Objection {ObjectionId} to use {UseId} recorded; re-decision due by {DueBy}", objection.Id, use.Id, objection.RedecisionDueBy(policy));
        return (objection.Id, changes);
    }

    /// <summary>
    /// The re-decision an objection forces (MCA s6(2), (3); Article 8): continuing records the harm prevented, why it is
    /// proportionate, the human-rights balancing and, for a use that monitors or restricts, a screen since the
    /// objection; stopping ends the use at once.
    /// </summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RedecideObjectionAsync(Guid objectionId, ObjectionRedecision decision, CancellationToken ct = default)
    {
        var now = Now;
        var at = Input.PastOrNow("decided-at", decision.DecidedAt, now);
        if (at.IsRefused) return at.Refusal!;
        var objection = await Db.PatientObjections.SingleOrDefaultAsync(o => o.Id == objectionId, ct);
        if (objection is null) return ObjectionNotFound;
        var use = await Db.TechnologyUses.SingleOrDefaultAsync(u => u.Id == objection.UseId, ct);
        if (use is null) return UseNotFound;
        var before = await Store.GetAsync(objection.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (objection.Redecide(decision with { DecidedAt = at.Value > now ? now : at.Value }, use, before, now) is { } refusal) return refusal;
        // The balancing is both the re-decision's and, from now on, the use's: each row keeps its own copy.
        if (use.HumanRights is { } balancing && ReferenceEquals(balancing, objection.Redecision?.HumanRights)) use.HumanRights = Copy(balancing);
        Events.ObjectionRedecided(objection, use);
        if (use.Status == UseStatus.Ended) Events.UseEnded(use);
        var after = Snapshot.Replacing(before, objections: Snapshot.Replace(before.Objections, objection, o => o.Id), uses: Snapshot.Replace(before.Uses, use, u => u.Id));
        var changes = await ReevaluateAsync(before, after, objection.Id, "objection_redecided", now, ct);
        await SaveAsync(objection.PatientId, ct);
        Logger.LogInformation("Objection {ObjectionId} re-decided: {Outcome}", objection.Id, decision.Outcome);
        return (objection.Id, changes);
    }

    /// <summary>A deprivation-of-liberty screen (Cheshire West [2014] UKSC 19) for a technology that monitors continuously or restricts.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordDeprivationOfLibertyScreenAsync(DeprivationOfLibertyScreen screen, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(screen.PatientId, "screened-at", screen.ScreenedAt, t => screen.ScreenedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        if (screen.Validate() is { } refusal) return refusal;
        var before = opened.Value;
        Db.DeprivationOfLibertyScreens.Add(screen);
        Events.DeprivationOfLibertyScreened(screen);
        var after = Snapshot.Replacing(before, screens: [.. before.DeprivationOfLibertyScreens, screen]);
        var changes = await ReevaluateAsync(before, after, screen.Id, "deprivation_of_liberty_screened", now, ct);
        await SaveAsync(screen.PatientId, ct);
        return (screen.Id, changes);
    }

    /// <summary>A court's order about a technology for a patient: a basis of its own, checked before every other route (or one that forbids the use).</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordCourtOrderAsync(CourtOrder order, CancellationToken ct = default)
    {
        var now = Now;
        // When the court made its order is the order's, never "now": left unset, the domain refuses it by name.
        var opened = await OpenAsync(order.PatientId, "made-at", order.MadeAt, t => { if (order.MadeAt != default) order.MadeAt = t; }, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        if (order.VerifiedAt is { } verified && Input.PastOrNow("verified-at", verified, now) is { IsRefused: true } future) return future.Refusal!;
        if (FreeText.First(order.Validate(), order.ValidateText()) is { } refusal) return refusal;
        var before = opened.Value;
        Db.CourtOrders.Add(order);
        Events.CourtOrderRecorded(order);
        var after = Snapshot.Replacing(before, courtOrders: [.. before.CourtOrders, order]);
        var changes = await ReevaluateAsync(before, after, order.Id, "court_order_recorded", now, ct);
        await SaveAsync(order.PatientId, ct);
        return (order.Id, changes);
    }

    /// <summary>The court discharged its order (MCA s16(7)): every use it bore or forbade is checked again from then.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> DischargeCourtOrderAsync(Guid orderId, DateTime dischargedAt, string? reference, string? verifiedBy,
        CancellationToken ct = default)
    {
        var now = Now;
        if (dischargedAt != default && Input.PastOrNow("discharged-at", dischargedAt, now) is { IsRefused: true } future) return future.Refusal!;
        var order = await Db.CourtOrders.SingleOrDefaultAsync(o => o.Id == orderId, ct);
        if (order is null) return Refusal.NotFound("court-order.not-found", "No court order with this id in this trust.");
        var before = await Store.GetAsync(order.PatientId, ct);
        if (before is null) return PatientRecordsStore.PatientNotFound;
        if (order.Discharge(dischargedAt, reference, verifiedBy) is { } refusal) return refusal;
        Events.CourtOrderDischarged(order);
        var after = Snapshot.Replacing(before, courtOrders: Snapshot.Replace(before.CourtOrders, order, o => o.Id));
        var changes = await ReevaluateAsync(before, after, order.Id, "court_order_discharged", now, ct);
        await SaveAsync(order.PatientId, ct);
        return (order.Id, changes);
    }

    /// <summary>For a 16-17-year-old lacking capacity: whether this decision is within the zone of parental control.</summary>
    public async Task<Outcome<(Guid Id, IReadOnlyList<UseReevaluation> Reevaluated)>> RecordZoneOfParentalControlAsync(ZoneOfParentalControlFinding finding, CancellationToken ct = default)
    {
        var now = Now;
        var opened = await OpenAsync(finding.PatientId, "assessed-at", finding.AssessedAt, t => finding.AssessedAt = t, now, ct);
        if (opened.IsRefused) return opened.Refusal!;
        if (finding.Validate() is { } refusal) return refusal;
        var before = opened.Value;
        Db.ParentalControlFindings.Add(finding);
        Events.ZoneOfParentalControlRecorded(finding);
        var after = Snapshot.Replacing(before, parentalControl: [.. before.ParentalControlFindings, finding]);
        var changes = await ReevaluateAsync(before, after, finding.Id, "zone_of_parental_control_recorded", now, ct);
        await SaveAsync(finding.PatientId, ct);
        return (finding.Id, changes);
    }

    private static HumanRightsBalancing Copy(HumanRightsBalancing b) => new()
    {
        RightsEngaged = b.RightsEngaged,
        HowBalanced = b.HowBalanced,
        LegalAdviceSought = b.LegalAdviceSought,
        LegalAdviceSummary = b.LegalAdviceSummary,
    };
}
