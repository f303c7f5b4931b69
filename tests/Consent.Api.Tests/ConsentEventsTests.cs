using System.Net;
using System.Text;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;
using Procurement = Platform.Contracts.Procurement.V1;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The consent service's events, as a subscriber would receive them: every decision is published with ids and codes,
/// procurement's approval events decide which uses may run, and the scheduled sweeps raise overdue reviews and
/// blanket-use signals once each.
/// </summary>
public sealed class ConsentEventsTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>The events of type <typeparamref name="T"/> in the outbox for <paramref name="tenant"/>, in publish order.</summary>
    private Task<List<(OutboxMessage Row, T Event)>> Published<T>(string tenant) where T : IMessage<T>, new()
    {
        var type = EventName.For(new T().Descriptor).Type;
        return fixture.App.InTenantAsync(tenant, async sp =>
        {
            var rows = await sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == type && m.Tenant == tenant).OrderBy(m => m.Sequence).ToListAsync();
            return rows.Select(r => (r, Data<T>(r))).ToList();
        });
    }

    private static T Data<T>(OutboxMessage row) where T : IMessage<T>, new()
    {
        Assert.True(CloudEvent.TryParse(Encoding.UTF8.GetBytes(row.Payload), out var ce, out var error), error);
        return new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(false)).Parse<T>(ce!.DataJson!);
    }

    private async Task<List<string>> AllPayloads(string tenant) =>
        await fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Tenant == tenant).Select(m => m.Payload).ToListAsync());

    private async Task<string> NhsNumberOf(string tenant, string patientId) =>
        await fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ConsentDbContext>().Patients.AsNoTracking()
            .Where(p => p.Id == Guid.Parse(patientId)).Select(p => p.NhsNumber).SingleAsync());

    [Fact]
    public async Task Every_consent_decision_is_published_with_ids_and_codes_and_never_the_nhs_number()
    {
        var a = new ConsentClient(fixture.App, "EVC1");
        var technology = (await a.ApproveAsync()).TechnologyId;

        // Own consent, a use authorised on it, then the consent withdrawn: the use ends at once.
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        var consent = await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        await a.Call(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = consent }));

        var authorised = Assert.Single(await Published<UseAuthorised>("EVC1"));
        Assert.Equal((use.UseId, patient, technology, "OAK", LawfulBasisKind.OwnConsent, consent, use.CarePlanRecordId),
            (authorised.Event.UseId, authorised.Event.PatientId, authorised.Event.TechnologyId, authorised.Event.WardCode,
             authorised.Event.LawfulBasis, authorised.Event.LawfulBasisRecordId, authorised.Event.CarePlanRecordId));
        Assert.Equal(patient, authorised.Row.Subject);
        Assert.NotNull(authorised.Event.NextReviewDate);
        Assert.Equal(("test-user", "clinician"), (authorised.Event.Actor.Subject, authorised.Event.Actor.Role));

        var withdrawn = Assert.Single(await Published<ConsentWithdrawn>("EVC1"));
        Assert.Equal((consent, patient, technology, ConsentKind.Own), (withdrawn.Event.ConsentId, withdrawn.Event.PatientId, withdrawn.Event.TechnologyId, withdrawn.Event.Kind));
        Assert.Equal([use.UseId], withdrawn.Event.EndedUseIds);
        var ended = Assert.Single(await Published<UseEnded>("EVC1"));
        Assert.Equal((use.UseId, UseEndReason.ConsentWithdrawn), (ended.Event.UseId, ended.Event.Reason));
        Assert.True(authorised.Row.Sequence < withdrawn.Row.Sequence && withdrawn.Row.Sequence < ended.Row.Sequence);

        // Best interests for a patient who lacks capacity; then capacity regained: the use needs her own consent now.
        var other = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(other, technology, at: DateTime.UtcNow.AddDays(-2));
        var decision = await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(other, technology, at: DateTime.UtcNow.AddDays(-1))));
        var biUse = await a.ActiveUseAsync(other, technology);
        var regained = await a.HasCapacityAsync(other, technology);

        var recorded = Assert.Single(await Published<BestInterestsDecisionRecorded>("EVC1"));
        Assert.Equal((decision.Id, other, technology, true, 1, false),
            (recorded.Event.DecisionId, recorded.Event.PatientId, recorded.Event.TechnologyId, recorded.Event.UseIsInBestInterests, recorded.Event.PeopleConsulted, recorded.Event.ImcaConsulted));
        var assessed = (await Published<CapacityAssessed>("EVC1")).Select(e => e.Event).Where(e => e.PatientId == patient || e.PatientId == other).ToList();
        Assert.Equal(3, assessed.Count);
        var last = Assert.Single(assessed, e => e.AssessmentId == regained.Id);
        Assert.Equal((other, CapacityResult.HasCapacity), (last.PatientId, last.Result));
        Assert.Equal([biUse.UseId], last.ConsentRequiredUseIds);
        Assert.All(assessed.Where(e => e.AssessmentId != regained.Id), e => Assert.Empty(e.ConsentRequiredUseIds));
        var required = Assert.Single(await Published<UseConsentRequired>("EVC1"));
        Assert.Equal((biUse.UseId, LawfulBasisKind.BestInterests, regained.Id), (required.Event.UseId, required.Event.CurrentBasis, required.Event.CapacityAssessmentId));
        Assert.True(required.Event.ConsentRequiredBy.ToDateTime() > DateTime.UtcNow);

        // The own consent, a Gillick assessment, a registered LPA and the attorney's consent are decisions too.
        var recordedConsent = Assert.Single(await Published<ConsentRecorded>("EVC1"));
        Assert.Equal((consent, patient, ConsentKind.Own, ConsentDecision.Given), (recordedConsent.Event.ConsentId, recordedConsent.Event.PatientId, recordedConsent.Event.Kind, recordedConsent.Event.Decision));
        var child = await a.PatientAsync(AgeBand.Under16);
        var gillick = await a.GillickAsync(child, technology, competent: false);
        var gillickEvent = Assert.Single(await Published<GillickAssessed>("EVC1")).Event;
        Assert.Equal((gillick, child, technology, false), (gillickEvent.AssessmentId, gillickEvent.PatientId, gillickEvent.TechnologyId, gillickEvent.Competent));
        var donor = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(donor, technology);
        var lpa = await a.LpaAsync(donor);
        var proxyConsent = await a.ConsentAsync(donor, technology, lpa);
        var registered = Assert.Single(await Published<ProxyAuthorityRegistered>("EVC1")).Event;
        Assert.Equal((lpa, donor, ProxyKind.LastingPowerOfAttorney), (registered.ProxyAuthorityId, registered.PatientId, registered.Kind));
        var byProxy = Assert.Single(await Published<ConsentRecorded>("EVC1"), e => e.Event.Kind == ConsentKind.Proxy).Event;
        Assert.Equal((proxyConsent, lpa, ProxyKind.LastingPowerOfAttorney), (byProxy.ConsentId, byProxy.ProxyAuthorityId, byProxy.ProxyKind));
        foreach (var payload in await AllPayloads("EVC1")) Assert.DoesNotContain("LPA-7000-1234", payload);

        // Ending a use by hand says why.
        await a.Call(c => c.EndUseAsync(new EndUseRequest { UseId = biUse.UseId, Reason = UseEndReason.Discharged }));
        Assert.Contains(await Published<UseEnded>("EVC1"), e => e.Event.UseId == biUse.UseId && e.Event.Reason == UseEndReason.Discharged);

        // Minimum necessary: no NHS number, and no clinician free text, in any event the trust published.
        var numbers = new[] { await NhsNumberOf("EVC1", patient), await NhsNumberOf("EVC1", other) };
        foreach (var payload in await AllPayloads("EVC1"))
        {
            foreach (var number in numbers) Assert.DoesNotContain(number, payload);
            Assert.DoesNotContain("hates being checked", payload);
            Assert.DoesNotContain("falls at night", payload);
        }
    }

    [Fact]
    public async Task A_refused_decision_publishes_nothing()
    {
        var a = new ConsentClient(fixture.App, "EVC2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        await a.Refused(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }), StatusCode.FailedPrecondition);
        Assert.Empty(await Published<UseAuthorised>("EVC2"));
    }

    private static string ProcurementEvent<T>(T message, string tenant, string id) where T : IMessage<T> => new CloudEvent
    {
        Id = id,
        Source = "/procurement",
        Type = EventName.For(message.Descriptor).Type,
        Subject = "case-1",
        Time = DateTimeOffset.UtcNow,
        Tenant = tenant,
        DataJson = JsonFormatter.Default.Format(message),
    }.ToJson();

    private async Task<(HttpStatusCode, string?)> Deliver<T>(T message, string tenant, string id) where T : IMessage<T>
    {
        using var http = fixture.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, EventName.For(message.Descriptor).Topic);
        return await SidecarDelivery.DeliverAsync(http, route, ProcurementEvent(message, tenant, id));
    }

    private static Procurement.TechnologyApproved Approved(string technology, params string[] settings)
    {
        var message = new Procurement.TechnologyApproved
        {
            TechnologyId = technology,
            Name = "bedside sleep sensor",
            ProcurementCaseId = "case-1",
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "lead-7", Role = "procurement-lead" },
        };
        message.SettingCodes.AddRange(settings);
        return message;
    }

    private static Procurement.TechnologyApprovalWithdrawn Withdrawn(string technology, params string[] settings)
    {
        var message = new Procurement.TechnologyApprovalWithdrawn
        {
            TechnologyId = technology,
            ProcurementCaseId = "case-1",
            Actor = new Platform.Contracts.Common.V1.Actor { Subject = "lead-7", Role = "procurement-lead" },
        };
        message.SettingCodes.AddRange(settings);
        return message;
    }

    [Fact]
    public async Task An_approval_procurement_marks_as_monitoring_continuously_needs_a_deprivation_of_liberty_screen_before_a_best_interests_use_runs_Cheshire_West_2014_UKSC_19()
    {
        var a = new ConsentClient(fixture.App, "EVM1");
        var monitor = Guid.NewGuid().ToString();
        var diary = Guid.NewGuid().ToString();
        var monitoring = Approved(monitor, ConsentClient.Setting);
        monitoring.ContinuousMonitoringOrRestrictive = true;
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(monitoring, "EVM1", "evm-approve-1"));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(diary, ConsentClient.Setting), "EVM1", "evm-approve-2"));

        foreach (var (technology, needsScreen) in new[] { (monitor, true), (diary, false) })
        {
            var patient = await a.PatientAsync(AgeBand._26To64);
            await a.LacksCapacityAsync(patient, technology);
            await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
            var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
            var activate = new ActivateUseRequest { UseId = proposed.UseId };
            if (needsScreen) await a.Refused(c => c.ActivateUseAsync(activate), StatusCode.FailedPrecondition, "deprivation-of-liberty.screen-required");
            else Assert.Equal(UseStatus.Active, (await a.Call(c => c.ActivateUseAsync(activate))).Status);
        }
    }

    [Fact]
    public async Task Procurement_approval_events_decide_which_uses_may_run_and_withdrawal_suspends_every_use_at_once()
    {
        var a = new ConsentClient(fixture.App, "EVP1");
        var b = new ConsentClient(fixture.App, "EVP2");
        var technology = Guid.NewGuid().ToString();

        // Without procurement's approval no use can be proposed; the event brings it.
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        await a.Refused(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)), StatusCode.FailedPrecondition, "use.no-approval-for-setting");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, ConsentClient.Setting, "picu"), "EVP1", "evp-approve-1"));
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, ConsentClient.Setting), "EVP1", "evp-approve-1")); // redelivered
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, ConsentClient.Setting), "EVP1", "evp-approve-2")); // a repeat: already done
        var use = await a.ActiveUseAsync(patient, technology);

        // Trust B has its own approval and use of the same technology.
        Assert.Equal("SUCCESS", (await Deliver(Approved(technology, ConsentClient.Setting), "EVP2", "evp-approve-b")).Item2);
        var bPatient = await b.PatientAsync(AgeBand._26To64);
        await b.HasCapacityAsync(bPatient, technology);
        await b.ConsentAsync(bPatient, technology);
        await b.ActiveUseAsync(bPatient, technology);

        // The check has cached trust A's approval; the withdrawal must still deny at once, and in trust A only.
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Withdrawn(technology), "EVP1", "evp-withdraw-1"));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "use.approval-withdrawn");
        Assert.Equal(UseCheckDecision.Permit, (await b.CheckAsync(bPatient, technology)).Decision);

        var suspended = Assert.Single(await Published<UseSuspended>("EVP1"));
        Assert.Equal((use.UseId, UseSuspensionReason.ApprovalWithdrawn, "lead-7", "procurement-lead"),
            (suspended.Event.UseId, suspended.Event.Reason, suspended.Event.Actor.Subject, suspended.Event.Actor.Role));
        Assert.Empty(await Published<UseSuspended>("EVP2"));

        // Approved again: the use resumes, the check permits, and subscribers hear of it.
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await Deliver(Approved(technology, ConsentClient.Setting), "EVP1", "evp-approve-3"));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        var resumed = Assert.Single(await Published<UseResumed>("EVP1"));
        Assert.Equal((use.UseId, UseStatus.Active), (resumed.Event.UseId, resumed.Event.Status));

        // Withdrawal for one named setting leaves the other settings' approval standing.
        Assert.Equal("SUCCESS", (await Deliver(Withdrawn(technology, "picu"), "EVP1", "evp-withdraw-2")).Item2);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
    }

    [Fact]
    public async Task A_procurement_event_with_a_malformed_technology_id_is_dropped_for_an_operator()
    {
        Assert.Equal((HttpStatusCode.OK, "DROP"), await Deliver(Withdrawn("not-a-uuid"), "EVP3", "evp-bad-1"));
        Assert.Equal((HttpStatusCode.OK, "DROP"), await Deliver(Approved(Guid.NewGuid().ToString()), "EVP3", "evp-bad-2")); // no setting named
        var letters = await fixture.App.InTenantAsync("EVP3", sp => sp.GetRequiredService<Platform.Messaging.Inbox.IDeadLetterService>().ListAsync(new Platform.Messaging.Inbox.DeadLetterQuery("EVP3")));
        Assert.Equal(["evp-bad-1", "evp-bad-2"], letters.Select(l => l.EventId).Order());
    }

    [Fact]
    public async Task The_review_sweep_raises_each_overdue_review_once_and_a_new_review_date_can_fall_overdue_again()
    {
        var a = new ConsentClient(fixture.App, "EVR1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology, at: DateTime.UtcNow.AddDays(-9));
        await a.ConsentAsync(patient, technology, at: DateTime.UtcNow.AddDays(-9));
        var use = await a.ActiveUseAsync(patient, technology);
        var current = await a.ActiveUseAsync(await ConsentingPatientAsync(a, technology), technology); // not yet due

        // Time passes: the review date was two days ago (the default grace is three days).
        var due = DateTime.UtcNow.AddDays(-2);
        await SetReviewDateAsync("EVR1", use.UseId, due);
        var scheduler = fixture.App.Services.GetRequiredService<ConsentScheduler>();
        var first = await scheduler.SweepAsync();
        Assert.Equal(1, first.OverdueReviewsRaised);
        Assert.Equal(0, (await scheduler.SweepAsync()).OverdueReviewsRaised);

        var raised = Assert.Single(await Published<ReviewOverdue>("EVR1"));
        Assert.Equal((use.UseId, patient, "system:consent-scheduler"), (raised.Event.UseId, raised.Event.PatientId, raised.Event.Actor.Subject));
        Assert.Equal(due, raised.Event.ReviewDue.ToDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(due.AddDays(3), raised.Event.DeniedFrom.ToDateTime(), TimeSpan.FromMilliseconds(1));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision); // within the grace period: permitted, with a warning
        Assert.Contains("review-overdue", check.Warnings);
        Assert.DoesNotContain(await Published<ReviewOverdue>("EVR1"), e => e.Event.UseId == current.UseId);

        // The review is held and a new date set; when that passes too, it is raised again.
        await a.Call(c => c.RecordReviewAsync(ConsentClient.Review(use.UseId, DateTime.UtcNow.AddDays(14), "sleep and falls", reviewedAt: DateTime.UtcNow.AddMinutes(-1))));
        Assert.Equal(0, (await scheduler.SweepAsync()).OverdueReviewsRaised);
        await SetReviewDateAsync("EVR1", use.UseId, DateTime.UtcNow.AddDays(-4));
        Assert.Equal(1, (await scheduler.SweepAsync()).OverdueReviewsRaised);
        Assert.Equal(2, (await Published<ReviewOverdue>("EVR1")).Count);
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision); // past the grace period
    }

    [Fact]
    public async Task Two_replicas_sweeping_at_once_raise_each_overdue_review_once()
    {
        var a = new ConsentClient(fixture.App, "EVR2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var useIds = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var use = await a.ActiveUseAsync(await ConsentingPatientAsync(a, technology), technology);
            await SetReviewDateAsync("EVR2", use.UseId, DateTime.UtcNow.AddDays(-1));
            useIds.Add(use.UseId);
        }
        // Two schedulers over the same database, as two pods of the service would run them.
        var services = fixture.App.Services;
        var replicas = new[] { services.GetRequiredService<ConsentScheduler>(), ActivatorUtilities.CreateInstance<ConsentScheduler>(services) };
        for (var round = 0; round < 3; round++) await Task.WhenAll(replicas.Select(r => r.SweepAsync()));

        var raised = await Published<ReviewOverdue>("EVR2");
        Assert.Equal(useIds.Order(), raised.Select(r => r.Event.UseId).Order()); // each once: none missing, none twice
    }

    [Fact]
    public async Task A_trust_whose_review_sweep_fails_is_reported_and_retried_while_the_other_trusts_overdue_reviews_are_raised()
    {
        var uses = new Dictionary<string, string>();
        foreach (var tenant in new[] { "EVF1", "EVF2" })
        {
            var client = new ConsentClient(fixture.App, tenant);
            var technology = (await client.ApproveAsync()).TechnologyId;
            uses[tenant] = (await client.ActiveUseAsync(await ConsentingPatientAsync(client, technology), technology)).UseId;
            await SetReviewDateAsync(tenant, uses[tenant], DateTime.UtcNow.AddDays(-1));
        }
        // A fault in one trust's rows: the database refuses every event EVF1's sweep would publish. EVF1 sorts first,
        // so a sweep that stopped at the first failure would leave EVF2's overdue review unraised.
        await fixture.App.OwnerSqlAsync("""
            CREATE FUNCTION refuse_evf1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test fault for EVF1'; END $$;
            CREATE TRIGGER refuse_evf1 BEFORE INSERT ON outbox_messages FOR EACH ROW WHEN (NEW.tenant = 'EVF1') EXECUTE FUNCTION refuse_evf1();
            """);
        var scheduler = fixture.App.Services.GetRequiredService<ConsentScheduler>();
        try
        {
            var result = await scheduler.SweepAsync();
            Assert.Equal(["EVF1"], result.FailedTrusts);
            Assert.Equal([uses["EVF2"]], (await Published<ReviewOverdue>("EVF2")).Select(r => r.Event.UseId));
            Assert.Empty(await Published<ReviewOverdue>("EVF1"));
        }
        finally
        {
            await fixture.App.OwnerSqlAsync("DROP TRIGGER refuse_evf1 ON outbox_messages; DROP FUNCTION refuse_evf1();");
        }

        // The next sweep raises the review the failed one could not (it was not marked raised without its event).
        Assert.Empty((await scheduler.SweepAsync()).FailedTrusts);
        Assert.Equal([uses["EVF1"]], (await Published<ReviewOverdue>("EVF1")).Select(r => r.Event.UseId));
        Assert.Single(await Published<ReviewOverdue>("EVF2"));
    }


    private static async Task<string> ConsentingPatientAsync(ConsentClient a, string technology, string ward = "OAK")
    {
        var patient = await a.PatientAsync(AgeBand._26To64, ward);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        return patient;
    }

    private Task SetReviewDateAsync(string tenant, string useId, DateTime due) =>
        fixture.App.InTenantAsync(tenant, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var use = await db.TechnologyUses.SingleAsync(u => u.Id == Guid.Parse(useId));
            use.CarePlan.NextReviewDate = due;
            await db.SaveChangesAsync();
            sp.GetRequiredService<PatientRecordsStore>().InvalidatePatient(use.PatientId);
            return 0;
        });

    [Fact]
    public async Task The_blanket_use_sweep_raises_each_finding_once_with_its_evidence_for_that_trust_only()
    {
        var a = new ConsentClient(fixture.App, "EVB1");
        var b = new ConsentClient(fixture.App, "EVB2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var useIds = new List<string>();
        for (var i = 0; i < 3; i++) useIds.Add((await a.ActiveUseAsync(await ConsentingPatientAsync(a, technology, "BIRCH"), technology, "BIRCH")).UseId);
        await a.PatientAsync(AgeBand._26To64, "BIRCH"); // one patient on the ward without it
        // Trust B has one use on a ward of the same name: nothing to flag there.
        var bTechnology = (await b.ApproveAsync(technology)).TechnologyId;
        await b.ActiveUseAsync(await ConsentingPatientAsync(b, bTechnology, "BIRCH"), bTechnology, "BIRCH");

        var scheduler = fixture.App.Services.GetRequiredService<ConsentScheduler>();
        var first = await scheduler.SweepAsync();
        Assert.Equal(2, first.BlanketSignalsRaised); // a high share of the ward, and copied rationales
        Assert.Equal(0, (await scheduler.SweepAsync()).BlanketSignalsRaised);

        var signals = await Published<BlanketUseSignalRaised>("EVB1");
        Assert.Equal(2, signals.Count);
        var share = Assert.Single(signals, s => s.Event.Signal.Kind == BlanketSignalKind.HighShareOfWard).Event;
        Assert.Equal((technology, 3, 4, "BIRCH"), (share.Signal.TechnologyId, share.Signal.UseCount, share.Signal.PatientsOnWard, share.Signal.WardCode));
        Assert.Equal(useIds.Order(), share.Signal.UseIds.Order());
        Assert.All(signals, s => Assert.Equal("ward/BIRCH", s.Row.Subject));
        Assert.Empty(await Published<BlanketUseSignalRaised>("EVB2"));

        // A fourth patient started on it: a new finding (different evidence), raised once.
        await a.ActiveUseAsync(await ConsentingPatientAsync(a, technology, "BIRCH"), technology, "BIRCH");
        Assert.Equal(2, (await scheduler.SweepAsync()).BlanketSignalsRaised);
        Assert.Equal(0, (await scheduler.SweepAsync()).BlanketSignalsRaised);
    }

    [Fact]
    public async Task Each_method_asks_for_the_role_it_needs()
    {
        var clinician = new ConsentClient(fixture.App, "EVL1", "clinician");
        var device = new ConsentClient(fixture.App, "EVL1", "device");
        var lead = new ConsentClient(fixture.App, "EVL1", "procurement-lead");
        var admin = new ConsentClient(fixture.App, "EVL1", "trust-admin");

        var refused = await clinician.Refused(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest { TechnologyId = Guid.NewGuid().ToString(), TechnologyName = "sensor", SettingCode = ConsentClient.Setting, Reason = "x" }),
            StatusCode.PermissionDenied, "role.required");
        Assert.Contains("trust-admin", refused.Status.Detail);
        await clinician.Refused(c => c.SetTrustPolicyAsync(new TrustPolicy()), StatusCode.PermissionDenied, "role.required");
        await lead.Refused(c => c.SetTrustPolicyAsync(new TrustPolicy()), StatusCode.PermissionDenied, "role.required");
        await device.Refused(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NhsNumbers.Next(), WardCode = "OAK", AgeBand = AgeBand._26To64 }),
            StatusCode.PermissionDenied, "role.required");
        await admin.Refused(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = Guid.NewGuid().ToString() }),
            StatusCode.PermissionDenied, "role.required");

        // Each can do its own part: the admin overrides an approval (procurement's events are the usual way) and sets
        // policy, the clinician keeps records, the device checks; the lead reads the policy.
        await lead.Refused(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest { TechnologyId = Guid.NewGuid().ToString(), TechnologyName = "sensor", SettingCode = ConsentClient.Setting, Reason = "x" }),
            StatusCode.PermissionDenied, "role.required");
        await lead.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        var technology = (await admin.ApproveAsync()).TechnologyId;
        await admin.Call(c => c.SetTrustPolicyAsync(new TrustPolicy()));
        var patient = await ConsentingPatientAsync(clinician, technology);
        await clinician.ActiveUseAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, (await device.CheckAsync(patient, technology)).Decision);
        await device.Refused(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = Guid.NewGuid().ToString() }),
            StatusCode.PermissionDenied, "role.required");
    }
}
