using Microsoft.EntityFrameworkCore;
using Platform.Consent.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// Domain fields the consent rules already use that have no column yet (issue 20 and 17's domain work). Until the API
/// layer adds their columns, commands and messages (docs/consent-api-followup.md), they are left out of the model, so
/// the schema and its migrations are unchanged and every loaded record carries their safe defaults. Each line goes when
/// its column is added.
/// </summary>
internal static class NotYetPersisted
{
    public static void IgnoreFieldsNotYetPersisted(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Patient>(e =>
        {
            e.Ignore(x => x.Turns16On);
            e.Ignore(x => x.Turns18On);
        });
        modelBuilder.Entity<GillickAssessment>(e =>
        {
            e.Ignore(x => x.Reasons);
            e.Ignore(x => x.ReassessBy);
        });
        modelBuilder.Entity<OwnConsent>().Ignore(x => x.RefusalStandsIfCapacityLost);
        modelBuilder.Entity<ProxyAuthority>(e =>
        {
            e.Ignore(x => x.EndedAt);
            e.Ignore(x => x.EndReason);
            e.Ignore(x => x.SuspendedFrom);
            e.Ignore(x => x.SuspensionLiftedAt);
            e.Ignore(x => x.EndOrSuspensionReference);
        });
        modelBuilder.Entity<BestInterestsDecision>(e =>
        {
            e.Ignore(x => x.EndedBecause);
            e.Ignore(x => x.SeriousMedicalTreatment);
            e.Ignore(x => x.ImcaReportReference);
            e.Ignore(x => x.CapacitousRefusalWeighed);
        });
        modelBuilder.Entity<TechnologyApproval>(e =>
        {
            e.Ignore(x => x.ContinuousMonitoringOrRestrictive);
            e.Ignore(x => x.MayBeLifeSustaining);
            e.Ignore(x => x.MentalDisorderTreatmentRoute);
        });
        modelBuilder.Entity<TechnologyUse>(e =>
        {
            e.Ignore(x => x.ContinuousMonitoringOrRestrictive);
            e.Ignore(x => x.CorrectedAt);
            e.OwnsOne(x => x.CarePlan).Ignore(c => c.DataUsePurposes);
        });
    }
}
