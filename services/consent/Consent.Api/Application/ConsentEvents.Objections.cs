using Platform.Grpc;
using Platform.Consent.Domain;
using Contract = Platform.Contracts.Consent.V1;

namespace Platform.Consent.Api.Application;

/// <summary>
/// The events of objections, deprivation-of-liberty screens, court orders and zone-of-parental-control findings: ids,
/// codes and times only. What the patient said or did, the reasons, and the court's or authorisation's reference stay
/// in consent's database.
/// </summary>
public sealed partial class ConsentEvents
{
    public void ObjectionRecorded(PatientObjection objection, TechnologyUse use, DateTime redecisionDueBy) => Publish(new Contract.ObjectionRecorded
    {
        ObjectionId = objection.Id.ToString(),
        UseId = use.Id.ToString(),
        PatientId = objection.PatientId.ToString(),
        TechnologyId = objection.TechnologyId.ToString(),
        WardCode = use.WardCode,
        Expressed = (Contract.ObjectionExpression)objection.Expressed,
        ObservedAt = objection.ObservedAt.ToTimestamp(),
        RedecisionDueBy = redecisionDueBy.ToTimestamp(),
        Actor = Actor(),
    }, objection.PatientId.ToString());

    public void ObjectionRedecided(PatientObjection objection, TechnologyUse use) => Publish(new Contract.ObjectionRedecided
    {
        ObjectionId = objection.Id.ToString(),
        UseId = use.Id.ToString(),
        PatientId = objection.PatientId.ToString(),
        TechnologyId = objection.TechnologyId.ToString(),
        WardCode = use.WardCode,
        Outcome = (Contract.RedecisionOutcome)(objection.Redecision?.Outcome ?? RedecisionOutcome.Unspecified),
        DecidedAt = objection.Redecision?.DecidedAt.ToTimestamp(),
        DeprivationOfLibertyScreenId = objection.Redecision?.DeprivationOfLibertyScreenId?.ToString() ?? "",
        Actor = Actor(),
    }, objection.PatientId.ToString());

    public void DeprivationOfLibertyScreened(DeprivationOfLibertyScreen screen) => Publish(new Contract.DeprivationOfLibertyScreened
    {
        ScreenId = screen.Id.ToString(),
        PatientId = screen.PatientId.ToString(),
        TechnologyId = screen.TechnologyId.ToString(),
        DeprivationFound = screen.DeprivationFound,
        Authorisation = (Contract.DeprivationOfLibertyAuthorisation)screen.Authorisation,
        AuthorisationExpiresAt = screen.AuthorisationExpiresAt?.ToTimestamp(),
        ScreenedAt = screen.ScreenedAt.ToTimestamp(),
        ReviewBy = screen.ReviewBy?.ToTimestamp(),
        Actor = Actor(),
    }, screen.PatientId.ToString());

    public void CourtOrderRecorded(CourtOrder order) => Publish(new Contract.CourtOrderRecorded
    {
        CourtOrderId = order.Id.ToString(),
        PatientId = order.PatientId.ToString(),
        TechnologyId = order.TechnologyId.ToString(),
        Court = (Contract.CourtKind)order.Court,
        Effect = (Contract.CourtOrderEffect)order.Effect,
        AuthorisesDeprivationOfLiberty = order.AuthorisesDeprivationOfLiberty,
        MadeAt = order.MadeAt.ToTimestamp(),
        ExpiresAt = order.ExpiresAt?.ToTimestamp(),
        Actor = Actor(),
    }, order.PatientId.ToString());

    public void CourtOrderDischarged(CourtOrder order) => Publish(new Contract.CourtOrderDischarged
    {
        CourtOrderId = order.Id.ToString(),
        PatientId = order.PatientId.ToString(),
        TechnologyId = order.TechnologyId.ToString(),
        DischargedAt = order.DischargedAt?.ToTimestamp(),
        Actor = Actor(),
    }, order.PatientId.ToString());

    public void ZoneOfParentalControlRecorded(ZoneOfParentalControlFinding finding) => Publish(new Contract.ZoneOfParentalControlRecorded
    {
        FindingId = finding.Id.ToString(),
        PatientId = finding.PatientId.ToString(),
        TechnologyId = finding.TechnologyId.ToString(),
        WithinZone = finding.WithinZone == true,
        AssessedAt = finding.AssessedAt.ToTimestamp(),
        Actor = Actor(),
    }, finding.PatientId.ToString());
}
