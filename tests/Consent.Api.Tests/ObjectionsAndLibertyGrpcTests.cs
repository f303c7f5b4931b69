using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Issue 20 (ADR 0014 readings 8, 9, 12, 13, 14) end to end over gRPC on PostgreSQL: an objection after a use started
/// forces a re-decision within the trust's hours (warned until then, denied after, a safety alert for a safety use);
/// the re-decision continues the use with the restraint test or stops it; a use that monitors continuously or restricts
/// needs a deprivation-of-liberty screen and an authorisation lawful for the patient's age; a court order is the basis
/// checked first; a parent consents for a 16-17-year-old lacking capacity only within the zone of parental control.
/// </summary>
public sealed class ObjectionsAndLibertyGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static readonly HumanRightsBalancing s_balancing = new()
    {
        RightsEngaged = 4, // private and family life
        HowBalanced = "movement alerts only; her resistance weighed against two falls with injury this month",
        LegalAdviceSought = false,
    };

    /// <summary>An adult found lacking capacity <paramref name="since"/>, and an active use on a best-interests decision made just now.</summary>
    private static async Task<(string Patient, string Technology, TechnologyUse Use)> BestInterestsUseAsync(ConsentClient a, DateTime since, bool safety = false)
    {
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology, at: since);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var request = ConsentClient.Use(patient, technology, purpose: safety ? UsePurpose.PatientSafety : UsePurpose.DirectCareOrTreatment);
        if (safety)
            request.Safety = new SafetyProportionality
            {
                WhyProportionate = "two falls at night this month; alerts only, no images",
                HowRelationalCareContinues = "night staff still check in person when she is awake",
            };
        await a.WardAsync("OAK");
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        var use = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal((UseStatus.Active, LawfulBasisKind.BestInterests), (use.Status, use.LawfulBasis));
        return (patient, technology, use);
    }

    private static RecordObjectionRequest Objection(string useId, DateTime observedAt) => new()
    {
        UseId = useId,
        ObservedAt = ConsentClient.Ts(observedAt),
        Expressed = ObjectionExpression.WordsAndBehaviour,
        Description = "pulled the sensor out from under the mattress and said 'take it away'",
        RecordedBy = "night nurse 5512",
    };

    private static RedecideObjectionRequest Continue(string objectionId) => new()
    {
        ObjectionId = objectionId,
        DecidedBy = "consultant psychiatrist 2019",
        Outcome = RedecisionOutcome.Continue,
        Reasons = "met with her son and the named nurse; she settles once reassured and has fallen twice without it",
        HarmPrevented = "a fall at night with a head injury",
        WhyProportionate = "alerts only, night-time only, no images; hourly checks would wake her and did not prevent the falls",
        HumanRights = s_balancing,
    };

    /// <summary>
    /// The approval monitors continuously or restricts. Procurement's approval carries the flag; its wiring into
    /// approvals is other work, so the test sets it on the stored approval and drops the trust's cached settings.
    /// </summary>
    private Task MonitorsContinuouslyAsync(string tenant, string approvalId) => fixture.App.InTenantAsync(tenant, async sp =>
    {
        var db = sp.GetRequiredService<ConsentDbContext>();
        var approval = await db.TechnologyApprovals.SingleAsync(x => x.Id == Guid.Parse(approvalId));
        approval.ContinuousMonitoringOrRestrictive = true;
        await db.SaveChangesAsync();
        sp.GetRequiredService<PatientRecordsStore>().InvalidateTrust();
        return 0;
    });

    private static RecordDeprivationOfLibertyScreenRequest Screen(string patient, string technology, DeprivationOfLibertyAuthorisation authorisation, string reference = "") => new()
    {
        PatientId = patient,
        TechnologyId = technology,
        ScreenedBy = "ward manager 12",
        ContinuousSupervisionAndControl = true,
        FreeToLeave = false,
        ValidConsentToArrangements = false,
        Authorisation = authorisation,
        AuthorisationReference = reference,
        AuthorisationExpiresAt = string.IsNullOrEmpty(reference) ? null : ConsentClient.Ts(DateTime.UtcNow.AddDays(90)),
        ReviewBy = ConsentClient.Ts(DateTime.UtcNow.AddDays(28)),
    };

    private static RecordCourtOrderRequest CourtOrder(string patient, string technology, CourtOrderEffect effect, DateTime madeAt) => new()
    {
        PatientId = patient,
        TechnologyId = technology,
        Court = CourtKind.CourtOfProtection,
        Reference = "COP 1400221",
        Effect = effect,
        MadeAt = ConsentClient.Ts(madeAt),
        VerifiedBy = "MHA administrator 3",
        VerifiedAt = ConsentClient.Ts(DateTime.UtcNow.AddMinutes(-1)),
    };

    [Fact]
    public async Task An_objection_warns_until_the_redecision_deadline_and_the_patients_copy_promises_a_redecision_not_a_stop_MCA_s4_6_a_and_s6_4()
    {
        var a = new ConsentClient(fixture.App, "OBJ1");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));

        // Under best interests the copy does not promise to stop at once: the decision is looked at again within the hours.
        var copy = (await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }))).PatientCopyText;
        Assert.DoesNotContain("stop using it straight away", copy);
        Assert.Contains("we will look at the decision again within 24 hours, with the people who know you", copy);

        // Refused by name, nothing written: no objection event, no warning.
        var incomplete = Objection(use.UseId, DateTime.UtcNow.AddMinutes(-5));
        incomplete.Expressed = ObjectionExpression.Unspecified;
        await a.Refused(c => c.RecordObjectionAsync(incomplete), StatusCode.InvalidArgument, "objection.expression-missing");
        await a.Refused(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddHours(1))), StatusCode.InvalidArgument, "observed-at.in-future");
        Assert.Empty(await Outbox.PublishedAsync<ObjectionRecorded>(fixture.App, "OBJ1"));
        Assert.Empty((await a.CheckAsync(patient, technology)).Warnings);

        var observedAt = DateTime.UtcNow.AddMinutes(-5);
        var recorded = await a.Call(c => c.RecordObjectionAsync(Objection(use.UseId, observedAt)));
        Assert.Empty(recorded.ReevaluatedUses); // still permitted: stopping on an objection no one has weighed is itself a hazard (HZ-01)

        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.Contains("objection-redecision-due", check.Warnings);
        var dueBy = ConsentClient.Ts(observedAt.AddHours(24));
        Assert.Equal(dueBy.Seconds, check.DecisionRequiredBy.Seconds);

        var (row, published) = Assert.Single(await Outbox.PublishedRowsAsync<ObjectionRecorded>(fixture.App, "OBJ1"));
        Assert.Equal((recorded.Id, use.UseId, ObjectionExpression.WordsAndBehaviour, dueBy.Seconds),
            (published.ObjectionId, published.UseId, published.Expressed, published.RedecisionDueBy.Seconds));
        Assert.DoesNotContain("mattress", row.Payload); // what the patient did stays in consent's database

        // A patient with capacity does not "object": they refuse, and that is recorded as a refusal.
        var b = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));
        await a.HasCapacityAsync(b.Patient, b.Technology, DateTime.UtcNow.AddMinutes(-2));
        await a.Refused(c => c.RecordObjectionAsync(Objection(b.Use.UseId, DateTime.UtcNow.AddMinutes(-1))), StatusCode.FailedPrecondition, "objection.patient-decides");
    }

    [Fact]
    public async Task An_objection_not_redecided_within_the_trusts_hours_denies_a_safety_use_with_an_alert_and_redeciding_to_continue_permits_again_MCA_s6()
    {
        var a = new ConsentClient(fixture.App, "OBJ2");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddDays(-2), safety: true);

        // Seen yesterday evening, written up only now: the 24 hours have passed.
        var recorded = await a.Call(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddHours(-25))));
        var denied = Assert.Single(recorded.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Permit, UseCheckDecision.Deny, SafetyFallback.HumanObservation),
            (denied.UseId, denied.Before, denied.After, denied.Fallback));
        var check = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal((UseCheckDecision.Deny, SafetyFallback.HumanObservation), (check.Decision, check.Fallback));
        Assert.Contains(check.Reasons, r => r.Rule == "use-check.objection-not-redecided" && r.Kind == "objection-not-redecided");
        Assert.Equal(use.UseId, Assert.Single(await Outbox.PublishedAsync<SafetyAlert>(fixture.App, "OBJ2")).UseId);

        // Continuing against the objection is restraint (s6(4)): without the harm it prevents (s6(2)) it is refused, nothing changed.
        var noHarm = Continue(recorded.Id);
        noHarm.HarmPrevented = "";
        await a.Refused(c => c.RedecideObjectionAsync(noHarm), StatusCode.InvalidArgument, "objection.harm-prevented-missing");
        var noBalancing = Continue(recorded.Id);
        noBalancing.HumanRights = null;
        await a.Refused(c => c.RedecideObjectionAsync(noBalancing), StatusCode.InvalidArgument, "objection.human-rights-missing");
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety)).Decision);

        var continued = await a.Call(c => c.RedecideObjectionAsync(Continue(recorded.Id)));
        Assert.Equal((use.UseId, UseCheckDecision.Permit), (Assert.Single(continued.ReevaluatedUses).UseId, continued.ReevaluatedUses[0].After));
        var after = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal(UseCheckDecision.Permit, after.Decision);
        Assert.DoesNotContain("objection-redecision-due", after.Warnings);
        var redecided = Assert.Single(await Outbox.PublishedAsync<ObjectionRedecided>(fixture.App, "OBJ2"));
        Assert.Equal((recorded.Id, RedecisionOutcome.Continue), (redecided.ObjectionId, redecided.Outcome));

        await a.Refused(c => c.RedecideObjectionAsync(Continue(recorded.Id)), StatusCode.FailedPrecondition, "objection.already-redecided");
    }

    [Fact]
    public async Task Redeciding_an_objection_to_stop_ends_the_use_at_once_and_publishes_use_ended_MCA_s4_6_a()
    {
        var a = new ConsentClient(fixture.App, "OBJ3");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));
        var recorded = await a.Call(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddMinutes(-5))));

        await a.Call(c => c.RedecideObjectionAsync(new RedecideObjectionRequest
        {
            ObjectionId = recorded.Id, DecidedBy = "consultant psychiatrist 2019", Outcome = RedecisionOutcome.Stop,
            Reasons = "her distress outweighs the benefit; hourly checks instead, agreed with her son",
        }));

        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);
        var listed = await a.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = patient }));
        Assert.Equal((UseStatus.Ended, UseEndReason.ObjectionRedecidedToStop), (listed.Uses.Single().Use.Status, listed.Uses.Single().Use.EndReason));
        var ended = Assert.Single(await Outbox.PublishedAsync<UseEnded>(fixture.App, "OBJ3"));
        Assert.Equal((use.UseId, UseEndReason.ObjectionRedecidedToStop), (ended.UseId, ended.Reason));
        Assert.Equal(RedecisionOutcome.Stop, Assert.Single(await Outbox.PublishedAsync<ObjectionRedecided>(fixture.App, "OBJ3")).Outcome);
    }

    [Fact]
    public async Task A_use_that_monitors_continuously_is_refused_without_a_screen_and_without_an_authorisation_for_a_deprivation_Cheshire_West_2014_UKSC_19()
    {
        var a = new ConsentClient(fixture.App, "DOL1");
        var approval = await a.ApproveAsync();
        await MonitorsContinuouslyAsync("DOL1", approval.ApprovalId);
        var technology = approval.TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        var activate = new ActivateUseRequest { UseId = proposed.UseId };

        await a.Refused(c => c.ActivateUseAsync(activate), StatusCode.FailedPrecondition, "deprivation-of-liberty.screen-required");

        var unanswered = Screen(patient, technology, DeprivationOfLibertyAuthorisation.None);
        unanswered.ClearFreeToLeave();
        await a.Refused(c => c.RecordDeprivationOfLibertyScreenAsync(unanswered), StatusCode.InvalidArgument, "deprivation-of-liberty.acid-test-missing");
        Assert.Empty(await Outbox.PublishedAsync<DeprivationOfLibertyScreened>(fixture.App, "DOL1"));

        // The acid test is met and nothing authorises it: still refused, naming what is missing.
        await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.None)));
        await a.Refused(c => c.ActivateUseAsync(activate), StatusCode.FailedPrecondition, "deprivation-of-liberty.authorisation-required");

        // A DoLS standard authorisation (MCA Schedule A1) for an adult: the use may start.
        var authorised = await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "DoLS SA 2026/7781")));
        Assert.Equal(UseStatus.Active, (await a.Call(c => c.ActivateUseAsync(activate))).Status);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        var screened = await Outbox.PublishedAsync<DeprivationOfLibertyScreened>(fixture.App, "DOL1");
        Assert.Equal(new[] { (true, DeprivationOfLibertyAuthorisation.None), (true, DeprivationOfLibertyAuthorisation.DolsStandard) },
            screened.Select(s => (s.DeprivationFound, s.Authorisation)).ToArray());
        Assert.Equal(authorised.Id, screened[1].ScreenId);
    }

    [Fact]
    public async Task Continuing_a_monitoring_use_against_an_objection_needs_a_deprivation_of_liberty_screen_made_since_the_objection_Cheshire_West_and_MCA_s6()
    {
        var a = new ConsentClient(fixture.App, "DOL3");
        var approval = await a.ApproveAsync();
        await MonitorsContinuouslyAsync("DOL3", approval.ApprovalId);
        var technology = approval.TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology, at: DateTime.UtcNow.AddHours(-3));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var earlier = Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "DoLS SA 2026/7790");
        earlier.ScreenedAt = ConsentClient.Ts(DateTime.UtcNow.AddHours(-1));
        var before = (await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(earlier))).Id;
        var use = await a.ActiveUseAsync(patient, technology);
        var objection = (await a.Call(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddMinutes(-5))))).Id;

        // Her resistance changes the arrangements: a screen made before it does not answer for them.
        await a.Refused(c => c.RedecideObjectionAsync(Continue(objection)), StatusCode.FailedPrecondition, "objection.deprivation-of-liberty-screen-required");
        var withOldScreen = Continue(objection);
        withOldScreen.DeprivationOfLibertyScreenId = before;
        await a.Refused(c => c.RedecideObjectionAsync(withOldScreen), StatusCode.FailedPrecondition, "objection.deprivation-of-liberty-screen-required");
        Assert.Empty(await Outbox.PublishedAsync<ObjectionRedecided>(fixture.App, "DOL3"));

        var since = (await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "DoLS SA 2026/7790")))).Id;
        var continued = Continue(objection);
        continued.DeprivationOfLibertyScreenId = since;
        await a.Call(c => c.RedecideObjectionAsync(continued));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.DoesNotContain("objection-redecision-due", check.Warnings);
        Assert.Equal(since, Assert.Single(await Outbox.PublishedAsync<ObjectionRedecided>(fixture.App, "DOL3")).DeprivationOfLibertyScreenId);
    }

    [Fact]
    public async Task A_dols_authorisation_does_not_authorise_depriving_a_16_to_17_year_old_of_liberty_and_a_court_of_protection_order_does_Re_D_2019_UKSC_42()
    {
        var a = new ConsentClient(fixture.App, "DOL2");
        var approval = await a.ApproveAsync();
        await MonitorsContinuouslyAsync("DOL2", approval.ApprovalId);
        var technology = approval.TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        var activate = new ActivateUseRequest { UseId = proposed.UseId };

        await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "DoLS SA 2026/7782")));
        await a.Refused(c => c.ActivateUseAsync(activate), StatusCode.FailedPrecondition, "deprivation-of-liberty.dols-not-16-17");

        await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.CourtOfProtectionOrder, "COP 1400300")));
        Assert.Equal(UseStatus.Active, (await a.Call(c => c.ActivateUseAsync(activate))).Status);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
    }

    [Fact]
    public async Task A_court_order_is_the_basis_checked_before_every_other_route_and_one_forbidding_the_use_denies_at_once_MCA_s16_2_a()
    {
        var a = new ConsentClient(fixture.App, "CRT1");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));

        var unverified = CourtOrder(patient, technology, CourtOrderEffect.AuthorisesUse, DateTime.UtcNow.AddDays(-2));
        unverified.VerifiedBy = "";
        await a.Refused(c => c.RecordCourtOrderAsync(unverified), StatusCode.FailedPrecondition, "court-order.unverified");
        var undated = CourtOrder(patient, technology, CourtOrderEffect.AuthorisesUse, DateTime.UtcNow);
        undated.MadeAt = null;
        await a.Refused(c => c.RecordCourtOrderAsync(undated), StatusCode.InvalidArgument, "court-order.made-at-missing");
        Assert.Empty(await Outbox.PublishedAsync<CourtOrderRecorded>(fixture.App, "CRT1"));

        // The court authorises it: the use moves from the best-interests decision to the order.
        var authorising = await a.Call(c => c.RecordCourtOrderAsync(CourtOrder(patient, technology, CourtOrderEffect.AuthorisesUse, DateTime.UtcNow.AddDays(-2))));
        Assert.Equal(use.UseId, Assert.Single(authorising.ReevaluatedUses).UseId);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.CourtOrder, authorising.Id), (check.Decision, check.LawfulBasis, check.LawfulBasisRecordId));
        var copy = (await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }))).PatientCopyText;
        Assert.Contains("A court decided this, so we must follow its order.", copy);

        // A later order forbids it: denied at once, whatever the best-interests decision says.
        var forbidding = await a.Call(c => c.RecordCourtOrderAsync(CourtOrder(patient, technology, CourtOrderEffect.ForbidsUse, DateTime.UtcNow.AddHours(-1))));
        Assert.Equal(UseCheckDecision.Deny, Assert.Single(forbidding.ReevaluatedUses).After);
        var denied = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, denied.Decision);
        Assert.Contains(denied.Reasons, r => r.Rule == "lawful-basis.court-order-forbids");
        var published = await Outbox.PublishedAsync<CourtOrderRecorded>(fixture.App, "CRT1");
        Assert.Equal(new[] { CourtOrderEffect.AuthorisesUse, CourtOrderEffect.ForbidsUse }, published.Select(p => p.Effect).ToArray());
    }

    [Fact]
    public async Task A_discharged_court_order_stops_forbidding_the_use_and_the_best_interests_decision_applies_again_MCA_s16_7()
    {
        var a = new ConsentClient(fixture.App, "CRT2");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));
        var madeAt = DateTime.UtcNow.AddDays(-2);
        var forbidding = await a.Call(c => c.RecordCourtOrderAsync(CourtOrder(patient, technology, CourtOrderEffect.ForbidsUse, madeAt)));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);

        DischargeCourtOrderRequest Discharge(DateTime? at = null, string reference = "COP 1400221 discharge", string verifiedBy = "MHA administrator 3") => new()
        {
            CourtOrderId = forbidding.Id, DischargedAt = at is { } t ? ConsentClient.Ts(t) : null, Reference = reference, VerifiedBy = verifiedBy,
        };
        // Refused by name, nothing changed: the discharge is the court's act, dated, referenced and verified.
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge()), StatusCode.InvalidArgument, "discharged-at.missing");
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge(DateTime.UtcNow.AddHours(2))), StatusCode.InvalidArgument, "discharged-at.in-future");
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge(madeAt.AddDays(-1))), StatusCode.InvalidArgument, "discharged-at.before-the-order");
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge(DateTime.UtcNow.AddHours(-1), reference: " ")), StatusCode.InvalidArgument, "reference.missing");
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge(DateTime.UtcNow.AddHours(-1), verifiedBy: "")), StatusCode.FailedPrecondition, "court-order.discharge-unverified");
        // Another trust's token cannot reach this trust's order.
        var b = new ConsentClient(fixture.App, "CRT3");
        await b.Refused(c => c.DischargeCourtOrderAsync(Discharge(DateTime.UtcNow.AddHours(-1))), StatusCode.NotFound, "court-order.not-found");
        Assert.Empty(await Outbox.PublishedAsync<CourtOrderDischarged>(fixture.App, "CRT2"));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);

        // Discharged an hour ago: the order forbids nothing from then, and the best-interests decision applies again.
        var dischargedAt = DateTime.UtcNow.AddHours(-1);
        var discharged = await a.Call(c => c.DischargeCourtOrderAsync(Discharge(dischargedAt)));
        var reevaluated = Assert.Single(discharged.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Permit), (reevaluated.UseId, reevaluated.After));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.BestInterests), (check.Decision, check.LawfulBasis));
        var published = Assert.Single(await Outbox.PublishedAsync<CourtOrderDischarged>(fixture.App, "CRT2"));
        Assert.Equal((forbidding.Id, patient, technology), (published.CourtOrderId, published.PatientId, published.TechnologyId));
        Assert.Equal(dischargedAt, published.DischargedAt.ToDateTime(), TimeSpan.FromMilliseconds(1));

        // Once only.
        await a.Refused(c => c.DischargeCourtOrderAsync(Discharge(DateTime.UtcNow.AddMinutes(-1))), StatusCode.FailedPrecondition, "court-order.already-discharged");
        Assert.Single(await Outbox.PublishedAsync<CourtOrderDischarged>(fixture.App, "CRT2"));
    }

    [Fact]
    public async Task A_parent_consents_for_a_16_to_17_year_old_lacking_capacity_only_within_the_zone_of_parental_control_and_never_to_surveillance_MHA_Code_ch19()
    {
        var a = new ConsentClient(fixture.App, "ZPC1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(patient, technology);
        var parent = (await a.Call(c => c.RegisterProxyAuthorityAsync(Parent(patient)))).Id;

        // No finding yet: the parent's consent is refused at the door, by name.
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, parent)), StatusCode.FailedPrecondition,
            "lawful-basis.zone-of-parental-control-not-recorded");
        var noReasons = Zone(patient, technology, within: true);
        noReasons.Reasons = "";
        await a.Refused(c => c.RecordZoneOfParentalControlAsync(noReasons), StatusCode.InvalidArgument, "parental-control.reasons-missing");

        await a.Call(c => c.RecordZoneOfParentalControlAsync(Zone(patient, technology, within: true)));
        await a.ConsentAsync(patient, technology, parent);
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(LawfulBasisKind.ProxyConsent, use.LawfulBasis);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        var published = Assert.Single(await Outbox.PublishedAsync<ZoneOfParentalControlRecorded>(fixture.App, "ZPC1"));
        Assert.Equal((patient, technology, true), (published.PatientId, published.TechnologyId, published.WithinZone));

        // Surveillance is never the parent's to authorise for a 16-17-year-old, even within the zone.
        var camera = Guid.NewGuid().ToString();
        await a.RegisterTechnologyAsync(camera, "bedroom camera");
        await a.Call(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = camera, TechnologyName = "bedroom camera", SettingCode = ConsentClient.Setting, IsSurveillance = true, Reason = ConsentClient.OverrideReason,
        }));
        await a.LacksCapacityAsync(patient, camera);
        await a.Call(c => c.RecordZoneOfParentalControlAsync(Zone(patient, camera, within: true)));
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, camera, parent)), StatusCode.FailedPrecondition,
            "lawful-basis.parent-cannot-authorise-surveillance-16-17");
    }

    private static RegisterProxyAuthorityRequest Parent(string patient) => new()
    {
        PatientId = patient,
        Kind = ProxyKind.ParentalResponsibility,
        ParentalResponsibilityBasis = ParentalResponsibilityBasis.Parent,
        Relationship = "mother",
        CoversDecision = true,
        DocumentReference = "birth certificate seen, scan 9911",
        VerifiedBy = "ward manager 12",
        VerifiedAt = ConsentClient.Ts(DateTime.UtcNow.AddDays(-3)),
    };

    private static RecordZoneOfParentalControlRequest Zone(string patient, string technology, bool within) => new()
    {
        PatientId = patient,
        TechnologyId = technology,
        WithinZone = within,
        Reasons = "a night-time falls sensor is the kind of decision parents make; she and her mother agree",
        AssessedBy = "CAMHS consultant 77",
    };

    [Fact]
    public async Task Another_trust_gets_not_found_from_every_new_method_and_row_level_security_hides_the_new_tables()
    {
        var a = new ConsentClient(fixture.App, "OBI1");
        var b = new ConsentClient(fixture.App, "OBI2");
        var (patient, technology, use) = await BestInterestsUseAsync(a, DateTime.UtcNow.AddHours(-3));
        var objection = (await a.Call(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddMinutes(-5))))).Id;
        var screen = (await a.Call(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "DoLS SA 1")))).Id;
        var order = (await a.Call(c => c.RecordCourtOrderAsync(CourtOrder(patient, technology, CourtOrderEffect.AuthorisesUse, DateTime.UtcNow.AddDays(-1))))).Id;
        var zone = (await a.Call(c => c.RecordZoneOfParentalControlAsync(Zone(patient, technology, within: false)))).Id;
        await b.ApproveAsync(technology);

        await b.Refused(c => c.RecordObjectionAsync(Objection(use.UseId, DateTime.UtcNow.AddMinutes(-1))), StatusCode.NotFound);
        await b.Refused(c => c.RedecideObjectionAsync(Continue(objection)), StatusCode.NotFound);
        await b.Refused(c => c.RecordDeprivationOfLibertyScreenAsync(Screen(patient, technology, DeprivationOfLibertyAuthorisation.DolsStandard, "x")), StatusCode.NotFound);
        await b.Refused(c => c.RecordCourtOrderAsync(CourtOrder(patient, technology, CourtOrderEffect.ForbidsUse, DateTime.UtcNow)), StatusCode.NotFound);
        await b.Refused(c => c.RecordZoneOfParentalControlAsync(Zone(patient, technology, within: true)), StatusCode.NotFound);
        Assert.Empty(await Outbox.PublishedAsync<ObjectionRedecided>(fixture.App, "OBI1"));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);

        foreach (var (table, id) in new[] { ("patient_objections", objection), ("deprivation_of_liberty_screens", screen), ("court_orders", order), ("zone_of_parental_control_findings", zone) })
        {
            var guid = Guid.Parse(id);
            Assert.Equal((table, 1L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "OBI1")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "OBI2")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, null)));
        }
    }
}
