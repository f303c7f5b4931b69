using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Entries;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Inbox;
using Xunit;
using Common = Platform.Contracts.Common.V1;
using Consent = Platform.Contracts.Consent.V1;
using Evidence = Platform.Contracts.Evidence.V1;
using Identity = Platform.Contracts.Identity.V1;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Audit.Api.Tests;

/// <summary>
/// Issue 16: entries come from "every decision event of every service". Every event a service publishes is audited,
/// so a new event added to a service's events.proto without an audit handler fails here, and each is entered with the
/// actor its service took from the caller's token (or, for what a service's own sweep raised, that service).
/// </summary>
public class EveryDecisionEventTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    // Events the audit service does not enter, each with its reason. Nothing else may be missing (today: none).
    private static readonly Dictionary<string, string> s_notEntered = new();

    public static IEnumerable<MessageDescriptor> PublishedEvents()
    {
        // The events of each service: the top-level messages of its events.proto that no other message there holds.
        foreach (var file in new[] { Consent.EventsReflection.Descriptor, Procurement.EventsReflection.Descriptor,
                     Evidence.EventsReflection.Descriptor, Contracts.Identity.V1.EventsReflection.Descriptor })
        {
            var held = file.MessageTypes.SelectMany(m => m.Fields.InDeclarationOrder())
                .Where(f => f.FieldType == FieldType.Message).Select(f => f.MessageType.FullName).ToHashSet();
            foreach (var message in file.MessageTypes.Where(m => !held.Contains(m.FullName))) yield return message;
        }
    }

    [Fact]
    public void Every_event_every_service_publishes_has_an_audit_handler_or_a_stated_reason_why_not()
    {
        var handled = fixture.App.Services.GetServices<EventHandlerRegistration>().Select(r => r.Name.Type).ToHashSet();
        var events = PublishedEvents().Select(d => EventName.For(d).Type).ToList();

        Assert.True(events.Count > 40, $"only {events.Count} events found: the enumeration is broken");
        // The lists name what is missing: an event without a handler, or a reason kept for an event that is gone.
        Assert.Equal([], events.Where(e => !handled.Contains(e) && !s_notEntered.ContainsKey(e)).ToArray());
        Assert.Equal([], s_notEntered.Keys.Where(e => !events.Contains(e)).ToArray());
    }

    private static readonly Common.Actor Ward = new() { Subject = "nurse-4411", Role = "clinician" };
    private static readonly Common.Actor Lead = new() { Subject = "lead-7", Role = "procurement-lead" };
    private static readonly Common.Actor Admin = new() { Subject = "admin-2", Role = "trust-admin" };
    private static readonly Common.Actor Operator = new() { Subject = "region-op-1", Role = "region-operator" };
    private const string Patient = "0b0e2a7c-6f55-4a3c-9a2e-1d6a5f3c8e01";
    private const string Id = "5d1f3f0e-3a2b-4c8d-9e7f-6a5b4c3d2e1f";

    public static TheoryData<string, IMessage, string, string, string, string, string?> Decisions() => new()
    {
        { "c01", new Consent.UseProposed { UseId = Id, PatientId = Patient, Actor = Ward }, "use-proposed", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c02", new Consent.UseReviewed { ReviewId = Id, PatientId = Patient, Actor = Ward }, "use-reviewed", "nurse-4411", "clinician", $"UseReview/{Id}", $"Patient/{Patient}" },
        { "c03", new Consent.PatientTransferred { PatientId = Patient, Actor = Ward }, "patient-transferred", "nurse-4411", "clinician", $"Patient/{Patient}", $"Patient/{Patient}" },
        { "c04", new Consent.UseReevaluated { UseId = Id, PatientId = Patient, Actor = Ward }, "use-reevaluated", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c05", new Consent.SafetyAlert { UseId = Id, PatientId = Patient, Actor = Ward }, "safety-alert", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c06", new Consent.ProxyAuthorityEnded { ProxyAuthorityId = Id, PatientId = Patient, Actor = Ward }, "proxy-authority-ended", "nurse-4411", "clinician", $"ProxyAuthority/{Id}", $"Patient/{Patient}" },
        { "c07", new Consent.ProxyAuthoritySuspended { ProxyAuthorityId = Id, PatientId = Patient, Actor = Ward }, "proxy-authority-suspended", "nurse-4411", "clinician", $"ProxyAuthority/{Id}", $"Patient/{Patient}" },
        { "c08", new Consent.ProxyAuthoritySuspensionLifted { ProxyAuthorityId = Id, PatientId = Patient, Actor = Ward }, "proxy-suspension-lifted", "nurse-4411", "clinician", $"ProxyAuthority/{Id}", $"Patient/{Patient}" },
        { "c09", new Consent.BestInterestsDecisionEnded { DecisionId = Id, PatientId = Patient, Actor = Ward }, "best-interests-decision-ended", "nurse-4411", "clinician", $"BestInterestsDecision/{Id}", $"Patient/{Patient}" },
        { "c10", new Consent.AdvanceDecisionRecorded { AdvanceDecisionId = Id, PatientId = Patient, Actor = Ward }, "advance-decision-recorded", "nurse-4411", "clinician", $"AdvanceDecision/{Id}", $"Patient/{Patient}" },
        { "c11", new Consent.AdvanceDecisionInvalidated { AdvanceDecisionId = Id, PatientId = Patient, Actor = Ward }, "advance-decision-invalidated", "nurse-4411", "clinician", $"AdvanceDecision/{Id}", $"Patient/{Patient}" },
        { "c12", new Consent.RefusalQuestionAnswered { ConsentId = Id, PatientId = Patient, Actor = Ward }, "refusal-question-answered", "nurse-4411", "clinician", $"Consent/{Id}", $"Patient/{Patient}" },
        { "c13", new Consent.TrustPolicyChanged { Actor = Admin }, "trust-policy-changed", "admin-2", "trust-admin", "TrustPolicy/current", null },
        // ADR 0029: an approval recorded or withdrawn by hand is audited, with the operator who did it.
        { "c14", new Consent.TechnologyApprovalOverridden { ApprovalId = Id, Action = Consent.ApprovalOverrideAction.Recorded, Actor = Admin }, "approval-override-recorded", "admin-2", "trust-admin", $"TechnologyApproval/{Id}", null },
        { "c15", new Consent.TechnologyApprovalOverridden { ApprovalId = Id, Action = Consent.ApprovalOverrideAction.Withdrawn, Actor = Admin }, "approval-override-withdrawn", "admin-2", "trust-admin", $"TechnologyApproval/{Id}", null },
        { "c16", new Consent.ObjectionRecorded { ObjectionId = Id, PatientId = Patient, Actor = Ward }, "objection-recorded", "nurse-4411", "clinician", $"PatientObjection/{Id}", $"Patient/{Patient}" },
        { "c17", new Consent.ObjectionRedecided { ObjectionId = Id, PatientId = Patient, Actor = Ward }, "objection-redecided", "nurse-4411", "clinician", $"PatientObjection/{Id}", $"Patient/{Patient}" },
        { "c18", new Consent.DeprivationOfLibertyScreened { ScreenId = Id, PatientId = Patient, Actor = Ward }, "liberty-screened", "nurse-4411", "clinician", $"DeprivationOfLibertyScreen/{Id}", $"Patient/{Patient}" },
        { "c19", new Consent.CourtOrderRecorded { CourtOrderId = Id, PatientId = Patient, Actor = Ward }, "court-order-recorded", "nurse-4411", "clinician", $"CourtOrder/{Id}", $"Patient/{Patient}" },
        { "c31", new Consent.CourtOrderDischarged { CourtOrderId = Id, PatientId = Patient, Actor = Ward }, "court-order-discharged", "nurse-4411", "clinician", $"CourtOrder/{Id}", $"Patient/{Patient}" },
        { "c20", new Consent.ZoneOfParentalControlRecorded { FindingId = Id, PatientId = Patient, Actor = Ward }, "parental-control-zone-recorded", "nurse-4411", "clinician", $"ZoneOfParentalControlFinding/{Id}", $"Patient/{Patient}" },
        { "c21", new Consent.MentalHealthActStatusRecorded { RecordId = Id, PatientId = Patient, Actor = Ward }, "mha-status-recorded", "nurse-4411", "clinician", $"MentalHealthActRecord/{Id}", $"Patient/{Patient}" },
        { "c22", new Consent.Section63Recorded { Section63RecordId = Id, PatientId = Patient, Actor = Ward }, "section-63-recorded", "nurse-4411", "clinician", $"Section63Record/{Id}", $"Patient/{Patient}" },
        { "c23", new Consent.Section63Ended { Section63RecordId = Id, PatientId = Patient, Actor = Ward }, "section-63-ended", "nurse-4411", "clinician", $"Section63Record/{Id}", $"Patient/{Patient}" },
        { "c24", new Consent.ApprovalRouteChosen { ApprovalId = Id, Actor = Admin }, "approval-route-chosen", "admin-2", "trust-admin", $"TechnologyApproval/{Id}", null },
        { "c25", new Consent.UseCorrected { UseId = Id, PatientId = Patient, Actor = Ward }, "use-corrected", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c26", new Consent.HumanRightsBalancingRecorded { UseId = Id, PatientId = Patient, Actor = Ward }, "human-rights-balancing-recorded", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c27", new Consent.PatientAgeRecorded { PatientId = Patient, Actor = Ward }, "patient-age-recorded", "nurse-4411", "clinician", $"Patient/{Patient}", $"Patient/{Patient}" },
        { "c28", new Consent.DeadlineWarning { UseId = Id, PatientId = Patient, Actor = Ward }, "deadline-warning", "nurse-4411", "clinician", $"TechnologyUse/{Id}", $"Patient/{Patient}" },
        { "c29", new Consent.AgeThresholdCrossed { PatientId = Patient, Actor = Ward }, "age-threshold-crossed", "nurse-4411", "clinician", $"Patient/{Patient}", $"Patient/{Patient}" },
        { "c30", new Consent.RefusalQuestionDue { ConsentId = Id, PatientId = Patient, Actor = Ward }, "refusal-question-due", "nurse-4411", "clinician", $"Consent/{Id}", $"Patient/{Patient}" },
        { "p01", new Procurement.CaseOpened { CaseId = Id, Actor = Lead }, "procurement-case-opened", "lead-7", "procurement-lead", $"ProcurementCase/{Id}", null },
        { "p02", new Procurement.GateRecorded { CaseId = Id, RecordId = "r1", Actor = Lead }, "procurement-gate-recorded", "lead-7", "procurement-lead", $"ProcurementCase/{Id}/gate/r1", null },
        { "p03", new Procurement.SupplierEvidenceShared { SharedEvidenceId = Id, Actor = Lead }, "supplier-evidence-shared", "lead-7", "procurement-lead", $"SharedEvidence/{Id}", null },
        { "p04", new Procurement.SupplierEvidenceReused { SharedEvidenceId = Id, Actor = Lead }, "supplier-evidence-reused", "lead-7", "procurement-lead", $"SharedEvidence/{Id}", null },
        // Raised by the service's own sweep: no person acted, so the agent is the service, in role "system".
        { "p05", new Procurement.GateExpired { CaseId = Id }, "procurement-gate-expired", "/procurement", "system", $"ProcurementCase/{Id}", null },
        { "e01", new Evidence.AppraisalCompleted { AppraisalId = Id, Actor = Lead }, "appraisal-completed", "lead-7", "procurement-lead", $"Appraisal/{Id}", null },
        { "e02", new Evidence.MeasurementRecorded { MeasurementId = Id, Actor = Ward }, "measurement-recorded", "nurse-4411", "clinician", $"Measurement/{Id}", null },
        { "e03", new Evidence.OutcomeFlagRaised { FlagId = Id }, "outcome-flag-raised", "/evidence", "system", $"OutcomeFlag/{Id}", null },
        // The regional directory, in the trust's own log (the event's tenant is the trust, here EDE + the case id).
        { "i01", new Identity.TrustOnboarded { OdsCode = "EDEI01", Name = "Oak NHS FT", Actor = Operator }, "trust-onboarded", "region-op-1", "region-operator", "Trust/EDEI01", null },
        { "i02", new Identity.TrustChanged { OdsCode = "EDEI02", Name = "Oak NHS FT", Status = Identity.TrustStatus.Suspended, Actor = Operator }, "trust-changed", "region-op-1", "region-operator", "Trust/EDEI02", null },
        { "i03", new Identity.WardRegistered { WardCode = "OAK", Name = "Oak Ward", SettingCode = "acute-adult", Beds = 18, Actor = Admin }, "ward-registered", "admin-2", "trust-admin", "Ward/OAK", null },
        { "i04", new Identity.WardChanged { WardCode = "OAK", Name = "Oak Ward", SettingCode = "acute-adult", Beds = 18, Closed = true, Actor = Admin }, "ward-changed", "admin-2", "trust-admin", "Ward/OAK", null },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public async Task Each_decision_event_becomes_one_entry_with_its_actor_its_record_and_its_patient(
        string id, IMessage decision, string type, string who, string role, string what, string? patient)
    {
        var tenant = "EDE" + id.ToUpperInvariant();
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, decision, tenant, "ede-" + id));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, decision, tenant, "ede-" + id));

        var entries = await fixture.App.InTenantAsync(tenant, async sp =>
            (await sp.GetRequiredService<AuditLog>().ListAsync(new AuditQuery(PageSize: 50))).Value.Entries);
        var entry = Assert.Single(entries);
        Assert.Equal((type, who, role, what, patient, "ede-" + id),
            (entry.Type, entry.Agent.Who, entry.Agent.Role, entry.Entity.What, entry.Patient, entry.SourceEvent?.Id));
        Assert.True(type.Length <= 32, $"entry type '{type}' is longer than 32 characters");
    }

    // The audit service's handler of a trust event is also its known-trusts projection (one handler per event type):
    // both happen, in one transaction, or neither does.
    [Fact]
    public async Task A_trust_event_makes_the_trust_known_and_enters_it_and_one_about_another_trust_does_neither()
    {
        var onboarded = new Identity.TrustOnboarded { OdsCode = "DIRA1", Name = "Ash NHS FT", Actor = Operator };
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, onboarded, "DIRA1", "dir-1"));
        // Written for trust DIRA2 but about DIRA3: not the directory's, so dead-lettered, and nothing is kept of it.
        var foreign = new Identity.TrustOnboarded { OdsCode = "DIRA3", Name = "Elm NHS FT", Actor = Operator };
        Assert.Equal("DROP", await AuditEvents.DeliverAsync(fixture.App, foreign, "DIRA2", "dir-2"));

        var trusts = fixture.App.Services.GetRequiredService<KnownTrusts.KnownTrustDirectory>();
        Assert.Equal((KnownTrusts.KnownTrustState.Active, KnownTrusts.KnownTrustState.Unknown),
            (await trusts.StateAsync("DIRA1", CancellationToken.None), await trusts.StateAsync("DIRA3", CancellationToken.None)));
        Assert.Equal(["trust-onboarded"], (await EntriesAsync("DIRA1")).Select(e => e.Type).ToArray());
        Assert.Empty(await EntriesAsync("DIRA2"));
        Assert.Empty(await EntriesAsync("DIRA3"));
    }

    private Task<IReadOnlyList<AuditEntry>> EntriesAsync(string tenant) => fixture.App.InTenantAsync(tenant, async sp =>
        (await sp.GetRequiredService<AuditLog>().ListAsync(new AuditQuery(PageSize: 50))).Value.Entries);
}
