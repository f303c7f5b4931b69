using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Consent on a fake clock (Monday 11 January 2027, 09:00 UTC), its scheduled sweeps off so that each test sweeps by
/// hand at the instant it chooses. Its own database: the clock moves forward for every test of the class.
/// </summary>
public sealed class SignalSweepFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 1, 11, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);
    public ServiceFactory<Program> App { get; private set; } = null!;

    public ConsentSignalSweep Sweep => App.Services.GetRequiredService<ConsentSignalSweep>();

    public async Task InitializeAsync() => App = await ServiceFactory<Program>.StartOnPostgresAsync("consent",
        new Dictionary<string, string?> { ["Consent:Schedules:Enabled"] = "false" },
        services => services.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Safe fail-closed and ages that move (issue 20) end to end over gRPC on PostgreSQL: the ward is warned before a
/// deadline turns a check into a deny, told with the fallback when a safety use stops, and the rules re-apply on the
/// 16th and 18th birthdays; every signal is raised once, across restarts of the sweep.
/// </summary>
public sealed class SignalSweepGrpcTests(SignalSweepFixture fixture) : IClassFixture<SignalSweepFixture>
{
    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    private async Task SweepAsync(ConsentSignalSweep? sweep = null)
    {
        var result = await (sweep ?? fixture.Sweep).SweepAsync();
        Assert.Empty(result.FailedTrusts);
    }

    private Task<List<T>> Published<T>(string tenant) where T : Google.Protobuf.IMessage<T>, new() => Outbox.PublishedAsync<T>(fixture.App, tenant);

    private static Timestamp Ts(DateTime t) => ConsentClient.Ts(t);

    /// <summary>A use proposed and activated, its review a month ahead of the fake clock; a safety use with its proportionality.</summary>
    private async Task<TechnologyUse> ActiveUseAsync(ConsentClient a, string patient, string technology, bool safety = false)
    {
        await a.WardAsync("OAK");
        var request = ConsentClient.Use(patient, technology, purpose: safety ? UsePurpose.PatientSafety : UsePurpose.DirectCareOrTreatment);
        request.CarePlan.NextReviewDate = Ts(Now.AddDays(30));
        if (safety)
            request.Safety = new SafetyProportionality
            {
                WhyProportionate = "two falls at night this month; alerts only, no images",
                HowRelationalCareContinues = "night staff still check in person when she is awake",
            };
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        var use = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal(UseStatus.Active, use.Status);
        return use;
    }

    private RecordBestInterestsDecisionRequest BestInterests(string patient, string technology, DateTime at)
    {
        var request = ConsentClient.BestInterests(patient, technology, at: at);
        request.PeopleConsulted[0].ConsultedAt = Ts(at.AddHours(-20));
        return request;
    }

    private async Task<string> ParentAsync(ConsentClient a, string patient) => (await a.Call(c => c.RegisterProxyAuthorityAsync(new RegisterProxyAuthorityRequest
    {
        PatientId = patient,
        Kind = ProxyKind.ParentalResponsibility,
        Relationship = "mother",
        ParentalResponsibilityBasis = ParentalResponsibilityBasis.Parent,
        CoversDecision = true,
        DocumentReference = "birth certificate seen, scan 4410",
        VerifiedBy = "ward manager 12",
        VerifiedAt = Ts(Now.AddDays(-1)),
    }))).Id;

    private async Task<string> MinorAsync(ConsentClient a, AgeBand band, DateOnly birthday, int age)
    {
        await a.WardAsync("OAK");
        var dob = birthday.AddYears(-age).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return (await a.Call(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NhsNumbers.Next(), WardCode = "OAK", AgeBand = band, DateOfBirth = dob }))).PatientId;
    }

    [Fact]
    public async Task Capacity_lost_on_a_consented_safety_use_opens_the_trusts_transition_and_when_it_runs_out_the_ward_is_warned_then_alerted_to_observe_MCA_2005_s5()
    {
        var a = new ConsentClient(fixture.App, "SWA1");
        // The trust sets its own transition, within the platform's bound of 12 hours.
        await a.Refused(c => c.SetTrustPolicyAsync(new TrustPolicy { CapacityLostTransition = Duration.FromTimeSpan(TimeSpan.FromHours(13)) }),
            StatusCode.InvalidArgument, "trust-policy.above-platform-limit");
        await a.Call(c => c.SetTrustPolicyAsync(new TrustPolicy { CapacityLostTransition = Duration.FromTimeSpan(TimeSpan.FromHours(6)) }));
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        await a.HasCapacityAsync(patient, technology, Now.AddHours(-3));
        await a.ConsentAsync(patient, technology, at: Now.AddHours(-2));
        var use = await ActiveUseAsync(a, patient, technology, safety: true);

        var lostAt = Now;
        await a.LacksCapacityAsync(patient, technology, lostAt, reassessBy: Now.AddDays(20));
        var check = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisStatus.BestInterestsDecisionRequired, lostAt.AddHours(6)),
            (check.Decision, check.LawfulBasisStatus, check.DecisionRequiredBy.ToDateTime()));
        Assert.Empty(await Published<SafetyAlert>("SWA1"));

        await SweepAsync();
        var warning = Assert.Single(await Published<DeadlineWarning>("SWA1"), w => w.Kind == DeadlineKind.BestInterestsDecisionBy);
        Assert.Equal((use.UseId, patient, "OAK", lostAt.AddHours(6)), (warning.UseId, warning.PatientId, warning.WardCode, warning.Deadline.ToDateTime()));

        // No best-interests decision by the end of the transition: the check denies, and the next sweep tells the ward.
        fixture.Clock.Advance(TimeSpan.FromHours(6).Add(TimeSpan.FromMinutes(1)));
        check = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal((UseCheckDecision.Deny, SafetyFallback.HumanObservation), (check.Decision, check.Fallback));
        await SweepAsync();
        await SweepAsync();
        var alert = Assert.Single(await Published<SafetyAlert>("SWA1"));
        Assert.Equal((use.UseId, patient, "OAK", SafetyFallback.HumanObservation), (alert.UseId, alert.PatientId, alert.WardCode, alert.Fallback));
        Assert.NotEmpty(alert.DenyRules);
        var passed = Assert.Single(await Published<UseReevaluated>("SWA1"), e => e.Cause == "deadline_passed");
        Assert.Equal((use.UseId, UseCheckDecision.Permit, UseCheckDecision.Deny), (passed.UseId, passed.Before, passed.After));
    }

    [Fact]
    public async Task Capacity_lost_on_a_consented_safety_use_gives_no_transition_when_the_patient_objects_and_the_alert_names_human_observation_MCA_2005_s6()
    {
        var a = new ConsentClient(fixture.App, "SWA2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        await a.HasCapacityAsync(patient, technology, Now.AddHours(-3));
        await a.ConsentAsync(patient, technology, at: Now.AddHours(-2));
        var use = await ActiveUseAsync(a, patient, technology, safety: true);
        await a.LacksCapacityAsync(patient, technology, Now.AddMinutes(-30), reassessBy: Now.AddDays(20));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety)).Decision);

        // She says she does not want it: lacking capacity, her refusal is an objection, and the transition ends at once.
        var objection = ConsentClient.Consent(patient, technology, at: Now);
        objection.Decision = ConsentDecision.Refused;
        var refused = (await a.Call(c => c.RecordConsentAsync(objection))).Id;

        var check = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal((UseCheckDecision.Deny, SafetyFallback.HumanObservation), (check.Decision, check.Fallback));
        var alert = Assert.Single(await Published<SafetyAlert>("SWA2"));
        Assert.Equal((use.UseId, SafetyFallback.HumanObservation), (alert.UseId, alert.Fallback));
        var changed = Assert.Single(await Published<UseReevaluated>("SWA2"), e => e.Cause == "consent_recorded");
        Assert.Equal((refused, UseCheckDecision.Permit, UseCheckDecision.Deny), (changed.CauseRecordId, changed.Before, changed.After));
    }

    [Fact]
    public async Task Regained_capacity_asks_for_consent_within_the_same_shift_warning_the_ward_before_the_grace_ends_MCA_2005_s1_2()
    {
        var a = new ConsentClient(fixture.App, "SWA3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology, Now.AddDays(-2), reassessBy: Now.AddDays(20));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(BestInterests(patient, technology, Now.AddDays(-2).AddHours(1))));
        var use = await ActiveUseAsync(a, patient, technology);
        Assert.Equal(LawfulBasisKind.BestInterests, use.LawfulBasis);

        var regainedAt = Now;
        await a.HasCapacityAsync(patient, technology, regainedAt);
        var required = Assert.Single(await Published<UseConsentRequired>("SWA3"));
        Assert.Equal(regainedAt.AddHours(12), required.ConsentRequiredBy.ToDateTime()); // one shift, not days
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisStatus.ConsentRequired), (check.Decision, check.LawfulBasisStatus));

        await SweepAsync();
        var warning = Assert.Single(await Published<DeadlineWarning>("SWA3"), w => w.Kind == DeadlineKind.ConsentRequiredBy);
        Assert.Equal((use.UseId, regainedAt.AddHours(12)), (warning.UseId, warning.Deadline.ToDateTime()));

        fixture.Clock.Advance(TimeSpan.FromHours(12).Add(TimeSpan.FromMinutes(1)));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);
        await SweepAsync();
        var passed = Assert.Single(await Published<UseReevaluated>("SWA3"), e => e.Cause == "deadline_passed");
        Assert.Equal((use.UseId, UseCheckDecision.Permit, UseCheckDecision.Deny), (passed.UseId, passed.Before, passed.After));
        Assert.Empty(await Published<SafetyAlert>("SWA3")); // not a safety use
    }

    [Fact]
    public async Task A_reassessment_deadline_is_warned_once_per_use_and_date_and_not_again_after_the_sweep_restarts_MCA_2005_s2_1()
    {
        var a = new ConsentClient(fixture.App, "SWA4");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        var reassessBy = Now.AddHours(30);
        await a.LacksCapacityAsync(patient, technology, Now.AddHours(-2), reassessBy: reassessBy);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(BestInterests(patient, technology, Now.AddHours(-1))));
        var use = await ActiveUseAsync(a, patient, technology);

        await SweepAsync();
        await SweepAsync();
        // A restart: a new sweep with nothing in memory finds what was raised in the database.
        await SweepAsync(ActivatorUtilities.CreateInstance<ConsentSignalSweep>(fixture.App.Services));
        var warning = Assert.Single(await Published<DeadlineWarning>("SWA4"));
        Assert.Equal((use.UseId, DeadlineKind.CapacityReassessment, reassessBy), (warning.UseId, warning.Kind, warning.Deadline.ToDateTime()));
        Assert.Equal("system:consent-scheduler", warning.Actor.Subject);

        // Reassessed, still lacking capacity, with a new date: a new deadline, warned once more.
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await a.LacksCapacityAsync(patient, technology, Now, reassessBy: Now.AddHours(40));
        await SweepAsync();
        await SweepAsync(ActivatorUtilities.CreateInstance<ConsentSignalSweep>(fixture.App.Services));
        var warnings = await Published<DeadlineWarning>("SWA4");
        Assert.Equal([reassessBy, Now.AddHours(40)], warnings.Select(w => w.Deadline.ToDateTime()));
    }

    [Fact]
    public async Task The_16th_birthday_brings_the_MCA_so_a_parents_consent_for_a_child_not_gillick_competent_no_longer_authorises_the_use_MCA_2005_s2_5()
    {
        var a = new ConsentClient(fixture.App, "SWA5");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var birthday = DateOnly.FromDateTime(Now).AddDays(2);
        var patient = await MinorAsync(a, AgeBand.Under16, birthday, 16);
        await a.Call(c => c.RecordGillickAssessmentAsync(new RecordGillickAssessmentRequest
        {
            PatientId = patient, TechnologyId = technology, Decision = "use of the bedside sleep sensor at night", Competent = false,
            AssessedAt = Ts(Now.AddHours(-2)), AssessedBy = "CAMHS consultant 77",
            Reasons = "could not yet say back what the sensor records or weigh it against night checks",
            ReassessBy = Ts(Now.AddDays(14)),
        }));
        var parent = await ParentAsync(a, patient);
        await a.ConsentAsync(patient, technology, proxyAuthorityId: parent, at: Now.AddHours(-1));
        var use = await ActiveUseAsync(a, patient, technology);
        Assert.Equal(LawfulBasisKind.ProxyConsent, use.LawfulBasis);

        // Within the notice, the ward is told the rules change on the birthday.
        await SweepAsync();
        var sixteenAt = Assert.Single(await Published<DeadlineWarning>("SWA5"), w => w.Kind == DeadlineKind.TurnsSixteen).Deadline.ToDateTime();
        Assert.Equal(new DateTime(birthday, TimeOnly.MinValue, DateTimeKind.Utc), sixteenAt); // midnight in the UK, GMT in January
        Assert.Empty(await Published<AgeThresholdCrossed>("SWA5"));

        fixture.Clock.Advance(TimeSpan.FromDays(2));
        // From 16 the MCA applies: capacity is presumed and assessed, not a parent's say on a Gillick finding.
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);
        await SweepAsync();
        await SweepAsync(ActivatorUtilities.CreateInstance<ConsentSignalSweep>(fixture.App.Services));
        var crossed = Assert.Single(await Published<AgeThresholdCrossed>("SWA5"));
        Assert.Equal((patient, 16, sixteenAt, use.UseId), (crossed.PatientId, crossed.Age, crossed.At.ToDateTime(), Assert.Single(crossed.ChangedUseIds)));
        var changed = Assert.Single(await Published<UseReevaluated>("SWA5"), e => e.Cause == "age_threshold_crossed");
        Assert.Equal((use.UseId, patient, UseCheckDecision.Permit, UseCheckDecision.Deny), (changed.UseId, changed.CauseRecordId, changed.Before, changed.After));
    }

    [Fact]
    public async Task The_18th_birthday_ends_parental_responsibility_so_a_parents_refusal_no_longer_blocks_the_best_interests_decision_Children_Act_1989_s105_1()
    {
        var a = new ConsentClient(fixture.App, "SWA6");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var birthday = DateOnly.FromDateTime(Now).AddDays(2);
        var patient = await MinorAsync(a, AgeBand._16To17, birthday, 18);
        await a.LacksCapacityAsync(patient, technology, Now.AddHours(-3), reassessBy: Now.AddDays(20));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(BestInterests(patient, technology, Now.AddHours(-2))));
        var use = await ActiveUseAsync(a, patient, technology);
        Assert.Equal(LawfulBasisKind.BestInterests, use.LawfulBasis);

        // His mother, who has parental responsibility, refuses: while he is 17 that refusal blocks the use.
        var parent = await ParentAsync(a, patient);
        var refusal = ConsentClient.Consent(patient, technology, parent, at: Now.AddHours(-1));
        refusal.Decision = ConsentDecision.Refused;
        await a.Call(c => c.RecordConsentAsync(refusal));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);

        fixture.Clock.Advance(TimeSpan.FromDays(2));
        // At 18 parental responsibility ends: she is consulted (MCA s4(7)), but her refusal no longer decides.
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        await SweepAsync();
        await SweepAsync();
        var crossed = Assert.Single(await Published<AgeThresholdCrossed>("SWA6"));
        Assert.Equal((patient, 18, use.UseId), (crossed.PatientId, crossed.Age, Assert.Single(crossed.ChangedUseIds)));
        var changed = Assert.Single(await Published<UseReevaluated>("SWA6"), e => e.Cause == "age_threshold_crossed");
        Assert.Equal((UseCheckDecision.Deny, UseCheckDecision.Permit), (changed.Before, changed.After));
    }

    [Fact]
    public async Task A_refusal_made_with_capacity_raises_the_question_whether_it_should_stand_once_and_a_refusal_without_capacity_does_not_MCA_2005_s4_6_a()
    {
        var a = new ConsentClient(fixture.App, "SWA7");
        var technology = (await a.ApproveAsync()).TechnologyId;
        async Task<string> RefuseAsync(string patient)
        {
            var refusal = ConsentClient.Consent(patient, technology, at: Now.AddHours(-1));
            refusal.Decision = ConsentDecision.Refused;
            return (await a.Call(c => c.RecordConsentAsync(refusal))).Id;
        }
        var able = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(able, technology, Now.AddHours(-2));
        var refused = await RefuseAsync(able);
        var unable = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(unable, technology, Now.AddHours(-2), reassessBy: Now.AddDays(20));
        await RefuseAsync(unable); // her wishes (s4(6)(a)), not a decision made with capacity: nothing to ask

        await SweepAsync();
        await SweepAsync(ActivatorUtilities.CreateInstance<ConsentSignalSweep>(fixture.App.Services));
        var due = Assert.Single(await Published<RefusalQuestionDue>("SWA7"));
        Assert.Equal((refused, able, technology), (due.ConsentId, due.PatientId, due.TechnologyId));

        await a.Call(c => c.AnswerRefusalQuestionAsync(new AnswerRefusalQuestionRequest { ConsentId = refused, RefusalStands = true }));
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Single(await Published<RefusalQuestionDue>("SWA7"));
    }

    [Fact]
    public async Task A_trust_whose_sweep_fails_is_reported_and_retried_while_the_other_trusts_get_their_signals()
    {
        var failing = new ConsentClient(fixture.App, "SWF1");
        var healthy = new ConsentClient(fixture.App, "SWF2");
        foreach (var trust in new[] { failing, healthy })
        {
            var technology = (await trust.ApproveAsync()).TechnologyId;
            var patient = await trust.PatientAsync(AgeBand._26To64);
            await trust.HasCapacityAsync(patient, technology, Now.AddHours(-2));
            var refusal = ConsentClient.Consent(patient, technology, at: Now.AddHours(-1));
            refusal.Decision = ConsentDecision.Refused;
            await trust.Call(c => c.RecordConsentAsync(refusal));
        }
        // A fault in one trust's rows: the database refuses to store what SWF1's sweep raised.
        await fixture.App.OwnerSqlAsync("""
            CREATE FUNCTION refuse_swf1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test fault for SWF1'; END $$;
            CREATE TRIGGER refuse_swf1 BEFORE INSERT ON raised_signals FOR EACH ROW WHEN (NEW.tenant_id = 'SWF1') EXECUTE FUNCTION refuse_swf1();
            """);
        try
        {
            var result = await fixture.Sweep.SweepAsync();
            Assert.Equal(["SWF1"], result.FailedTrusts);
            Assert.Single(await Published<RefusalQuestionDue>("SWF2"));
            Assert.Empty(await Published<RefusalQuestionDue>("SWF1")); // nothing half-done: the events roll back with the rows
        }
        finally
        {
            await fixture.App.OwnerSqlAsync("DROP TRIGGER refuse_swf1 ON raised_signals; DROP FUNCTION refuse_swf1();");
        }
        await SweepAsync();
        Assert.Single(await Published<RefusalQuestionDue>("SWF1"));
        Assert.Single(await Published<RefusalQuestionDue>("SWF2"));
    }
}

/// <summary>Consent on a fake clock with the signal sweep hosted, every ten minutes of that clock.</summary>
public sealed class HostedSignalSweepFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(SignalSweepFixture.Start);
    public ServiceFactory<Program> App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ServiceFactory<Program>.StartOnPostgresAsync("consent",
        new Dictionary<string, string?> { ["Consent:SignalSweep:Interval"] = "00:10:00" },
        services => services.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public sealed class HostedSignalSweepTests(HostedSignalSweepFixture fixture) : IClassFixture<HostedSignalSweepFixture>
{
    [Fact]
    public async Task The_hosted_sweep_runs_on_the_apps_clock_at_its_configured_interval()
    {
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        var a = new ConsentClient(fixture.App, "SWH1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology, now.AddHours(-2));
        var refusal = ConsentClient.Consent(patient, technology, at: now.AddHours(-1));
        refusal.Decision = ConsentDecision.Refused;
        var refused = (await a.Call(c => c.RecordConsentAsync(refusal))).Id;

        // Ten minutes of the app's clock: the hosted sweep's next tick raises the question. Waits for what happens,
        // on the test's wall clock, at most the call deadline.
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        var until = DateTime.UtcNow + ServiceFactory<Program>.CallDeadline;
        List<RefusalQuestionDue> due;
        while ((due = await Outbox.PublishedAsync<RefusalQuestionDue>(fixture.App, "SWH1")).Count == 0 && DateTime.UtcNow < until)
            await Task.Delay(50);
        Assert.Equal(refused, Assert.Single(due).ConsentId);
    }
}
