using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Grpc;

/// <summary>Objections, deprivation-of-liberty screens, court orders and zone-of-parental-control findings (issue 20, ADR 0014).</summary>
public sealed partial class ConsentGrpcService
{
    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordObjection(RecordObjectionRequest r, ServerCallContext context) =>
        Changed((await records.RecordObjectionAsync(Id("use-id", r.UseId), Instant(r.ObservedAt), Known((Domain.ObjectionExpression)r.Expressed),
            r.Description, r.RecordedBy, context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RedecideObjection(RedecideObjectionRequest r, ServerCallContext context)
    {
        var screenId = OptionalId("deprivation-of-liberty-screen-id", r.DeprivationOfLibertyScreenId);
        var decision = new Domain.ObjectionRedecision(
            Instant(r.DecidedAt),
            r.DecidedBy,
            Known((Domain.RedecisionOutcome)r.Outcome),
            r.Reasons,
            Text(r.HarmPrevented),
            Text(r.WhyProportionate),
            r.HumanRights is { } hr ? HumanRights(hr) : null,
            screenId == Guid.Empty ? null : screenId);
        return Changed((await records.RedecideObjectionAsync(Id("objection-id", r.ObjectionId), decision, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordDeprivationOfLibertyScreen(RecordDeprivationOfLibertyScreenRequest r, ServerCallContext context)
    {
        var screen = new Domain.DeprivationOfLibertyScreen
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            ScreenedAt = Instant(r.ScreenedAt),
            ScreenedBy = r.ScreenedBy,
            ContinuousSupervisionAndControl = r.HasContinuousSupervisionAndControl ? r.ContinuousSupervisionAndControl : null,
            FreeToLeave = r.HasFreeToLeave ? r.FreeToLeave : null,
            ValidConsentToArrangements = r.HasValidConsentToArrangements ? r.ValidConsentToArrangements : null,
            Authorisation = Known((Domain.DeprivationOfLibertyAuthorisation)r.Authorisation),
            AuthorisationReference = Text(r.AuthorisationReference),
            AuthorisationExpiresAt = OptionalInstant(r.AuthorisationExpiresAt),
            ReviewBy = OptionalInstant(r.ReviewBy),
        };
        return Changed((await records.RecordDeprivationOfLibertyScreenAsync(screen, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordCourtOrder(RecordCourtOrderRequest r, ServerCallContext context)
    {
        var order = new Domain.CourtOrder
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            Court = Known((Domain.CourtKind)r.Court),
            Reference = r.Reference,
            Effect = Known((Domain.CourtOrderEffect)r.Effect),
            AuthorisesDeprivationOfLiberty = r.AuthorisesDeprivationOfLiberty,
            MadeAt = Instant(r.MadeAt),
            ExpiresAt = OptionalInstant(r.ExpiresAt),
            VerifiedBy = Text(r.VerifiedBy),
            VerifiedAt = OptionalInstant(r.VerifiedAt),
        };
        return Changed((await records.RecordCourtOrderAsync(order, context.CancellationToken)).OrThrow());
    }

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> DischargeCourtOrder(DischargeCourtOrderRequest r, ServerCallContext context) =>
        Changed((await records.DischargeCourtOrderAsync(Id("court-order-id", r.CourtOrderId), Instant(r.DischargedAt), r.Reference, r.VerifiedBy,
            context.CancellationToken)).OrThrow());

    [RequiresRole(ConsentRoles.Clinician)]
    public override async Task<RecordChanged> RecordZoneOfParentalControl(RecordZoneOfParentalControlRequest r, ServerCallContext context)
    {
        var finding = new Domain.ZoneOfParentalControlFinding
        {
            Id = Guid.CreateVersion7(),
            PatientId = Id("patient-id", r.PatientId),
            TechnologyId = OptionalId("technology-id", r.TechnologyId),
            WithinZone = r.HasWithinZone ? r.WithinZone : null,
            Reasons = r.Reasons,
            AssessedBy = r.AssessedBy,
            AssessedAt = Instant(r.AssessedAt),
        };
        return Changed((await records.RecordZoneOfParentalControlAsync(finding, context.CancellationToken)).OrThrow());
    }

    private static Domain.HumanRightsBalancing HumanRights(HumanRightsBalancing hr) => new()
    {
        RightsEngaged = (Domain.HumanRight)hr.RightsEngaged,
        HowBalanced = hr.HowBalanced,
        LegalAdviceSought = hr.HasLegalAdviceSought ? hr.LegalAdviceSought : null,
        LegalAdviceSummary = Text(hr.LegalAdviceSummary),
    };
}
