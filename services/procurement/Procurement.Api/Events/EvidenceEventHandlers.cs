using Platform.Messaging.Inbox;
using Platform.Procurement.Api.Application;
using Platform.Procurement.Api.Data;
using Platform.Procurement.Domain;
using Evidence = Platform.Contracts.Evidence.V1;

namespace Platform.Procurement.Api.Events;

/// <summary>
/// The evidence service's findings, consumed through the inbox in the delivery's transaction. A completed appraisal
/// becomes the evidence-appraisal gate of the trust's case for that technology and setting; a no-benefit flag is kept
/// for the procurement lead (withdrawing stays a human act). The tenant is the event's.
/// </summary>
public sealed class EvidenceEventHandlers(ProcurementCases cases, ILogger<EvidenceEventHandlers> logger) :
    IEventHandler<Evidence.AppraisalCompleted>,
    IEventHandler<Evidence.OutcomeFlagRaised>
{
    public async Task HandleAsync(Evidence.AppraisalCompleted message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var appraisal = new AppraisalReceived
        {
            AppraisalId = Id(message.AppraisalId, "appraisal-id"),
            TechnologyId = Id(message.TechnologyId, "technology-id"),
            SettingCode = message.SettingCode is { Length: > 0 and <= 64 } setting ? setting : throw new EventRejectedException("setting-code.required: the appraisal names no setting."),
            Tier = message.Tier is Evidence.EsfTier.A or Evidence.EsfTier.B or Evidence.EsfTier.C
                ? (EsfTier)message.Tier : throw new EventRejectedException("tier.required: the appraisal names no ESF tier."),
            Conclusion = message.Conclusion is Evidence.AppraisalConclusion.Sufficient or Evidence.AppraisalConclusion.Minimal or Evidence.AppraisalConclusion.Insufficient
                ? (EvidenceConclusion)message.Conclusion : throw new EventRejectedException("conclusion.required: the appraisal reaches no conclusion."),
            CompletedAt = message.CompletedAt?.ToDateTime() ?? throw new EventRejectedException("completed-at.required: the appraisal has no completion time."),
            ReviewerSubject = message.Actor?.Subject is { Length: > 0 and <= 200 } subject ? subject : "evidence",
        };
        var received = await cases.ReceiveAppraisalAsync(appraisal, cancellationToken);
        if (received.IsRefused) throw new EventRejectedException($"{received.Refusal!.Rule}: {received.Refusal.Message}");
        logger.LogInformation("Appraisal {AppraisalId} received for technology {TechnologyId} in {SettingCode}; gate recorded: {Recorded} (event {EventId})",
            appraisal.AppraisalId, appraisal.TechnologyId, appraisal.SettingCode, received.Value, envelope.Id);
    }

    public async Task HandleAsync(Evidence.OutcomeFlagRaised message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        // A benefit disparity is for the dashboards and the EHIA review; only "no benefit" bears on the approval.
        if (message.Kind != Evidence.OutcomeFlagKind.NoBenefit) return;
        var flag = new OutcomeFlagReceived
        {
            FlagId = Id(message.FlagId, "flag-id"),
            Kind = "no-benefit",
            TechnologyId = Id(message.TechnologyId, "technology-id"),
            SettingCode = message.SettingCode is { Length: > 0 } setting ? setting : null,
            Instrument = message.Instrument is { Length: > 0 and <= 32 } instrument ? instrument : throw new EventRejectedException("instrument.required: the flag names no instrument."),
            RaisedAt = message.RaisedAt?.ToDateTime() ?? envelope.Time?.UtcDateTime ?? throw new EventRejectedException("raised-at.required: the flag has no time."),
        };
        await cases.ReceiveNoBenefitFlagAsync(flag, cancellationToken);
        logger.LogInformation("No-benefit flag {FlagId} received for technology {TechnologyId} (event {EventId})", flag.FlagId, flag.TechnologyId, envelope.Id);
    }

    // A malformed id can never become valid: dead-letter the event for an operator rather than retry it.
    private static Guid Id(string value, string field) =>
        Guid.TryParse(value, out var id) && id != Guid.Empty ? id : throw new EventRejectedException($"{field}.format: the event's {field} is not a UUID.");
}
