using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The records issue 20 (and 17) asked to be reachable over gRPC: a proposed use corrected rather than ended with a
/// misleading reason; the Article 8 balancing of a use already started; and a date of birth for a patient registered
/// with an age band only, so the rules re-apply at 16 and 18.
/// </summary>
public sealed class UseCorrectionAndAgeGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static HumanRightsBalancing Balancing() => new()
    {
        RightsEngaged = 4 | 2, // private and family life; liberty and security
        HowBalanced = "alerts only, no images; night-time only; her son and the MDT agreed it is less intrusive than hourly checks",
        LegalAdviceSought = false,
    };

    [Fact]
    public async Task A_proposed_use_is_corrected_before_it_starts_not_ended_with_a_misleading_reason_and_only_while_proposed()
    {
        var a = new ConsentClient(fixture.App, "COR1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        await a.WardAsync("OAK");
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));

        // A purpose the platform never accepts (P5) is refused by name, and the use is as it was.
        await a.Refused(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest { UseId = proposed.UseId, Purpose = UsePurpose.CoverLowStaffing }),
            StatusCode.FailedPrecondition, "use.purpose-reduces-staff-time");
        var dataUse = new UsePurposes();
        dataUse.Purposes.Add(UsePurpose.ReduceStaffTimeWithPatient);
        await a.Refused(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest { UseId = proposed.UseId, DataUsePurposes = dataUse }),
            StatusCode.FailedPrecondition, "use.data-use-purpose-not-accepted");
        Assert.Empty(await Outbox.PublishedAsync<UseCorrected>(fixture.App, "COR1"));

        // The purpose was really the patient's safety: corrected, it then needs its P6 record before it can start.
        var corrected = await a.Call(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest { UseId = proposed.UseId, Purpose = UsePurpose.PatientSafety }));
        Assert.Equal((proposed.UseId, UseStatus.Proposed, UsePurpose.PatientSafety), (corrected.UseId, corrected.Status, corrected.Purpose));
        await a.Refused(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }), StatusCode.InvalidArgument, "safety.required");
        await a.Call(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest
        {
            UseId = proposed.UseId,
            Safety = new SafetyProportionality { WhyProportionate = "two falls at night this month; alerts only", HowRelationalCareContinues = "night staff still check in person" },
        }));
        var active = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal((UseStatus.Active, UsePurpose.PatientSafety, UseEndReason.Unspecified), (active.Status, active.Purpose, active.EndReason));

        var events = await Outbox.PublishedAsync<UseCorrected>(fixture.App, "COR1");
        Assert.Equal(2, events.Count);
        Assert.Equal((proposed.UseId, UsePurpose.PatientSafety, "purpose"), (events[0].UseId, events[0].Purpose, Assert.Single(events[0].Parts)));
        Assert.Equal("safety", Assert.Single(events[1].Parts));

        // Started, it is no longer corrected: a change now is a review, or a new use.
        await a.Refused(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest { UseId = proposed.UseId, Purpose = UsePurpose.Monitoring }),
            StatusCode.FailedPrecondition, "use.not-correctable");
    }

    [Fact]
    public async Task A_use_moved_to_best_interests_without_a_human_rights_record_is_denied_until_its_Article_8_balancing_is_recorded_HRA_1998_Sch1_Art8()
    {
        var a = new ConsentClient(fixture.App, "HRB1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology, DateTime.UtcNow.AddDays(-2));
        await a.ConsentAsync(patient, technology, at: DateTime.UtcNow.AddDays(-2));
        await a.WardAsync("OAK");
        // On her own consent no balancing is needed (not monitoring), so none was recorded.
        var request = ConsentClient.Use(patient, technology);
        request.HumanRights = null;
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        await a.Refused(c => c.RecordHumanRightsBalancingAsync(new RecordHumanRightsBalancingRequest { UseId = proposed.UseId, HumanRights = Balancing() }),
            StatusCode.FailedPrecondition, "use.proposed-use-is-corrected");
        var use = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal(LawfulBasisKind.OwnConsent, use.LawfulBasis);

        // She loses capacity; the best-interests decision becomes the use's basis, which needs the balancing (P1, ADR 0014).
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Deny, LawfulBasisKind.BestInterests), (check.Decision, check.LawfulBasis));
        Assert.Contains(check.Reasons, r => r.Rule == "use-check.human-rights-record-required");

        // Refused by the field it lacks, and nothing changes.
        await a.Refused(c => c.RecordHumanRightsBalancingAsync(new RecordHumanRightsBalancingRequest { UseId = use.UseId }), StatusCode.InvalidArgument, "human-rights.required");
        var incomplete = Balancing();
        incomplete.HowBalanced = "";
        await a.Refused(c => c.RecordHumanRightsBalancingAsync(new RecordHumanRightsBalancingRequest { UseId = use.UseId, HumanRights = incomplete }),
            StatusCode.InvalidArgument, "human-rights.balancing-missing");
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);

        var recorded = await a.Call(c => c.RecordHumanRightsBalancingAsync(new RecordHumanRightsBalancingRequest { UseId = use.UseId, HumanRights = Balancing() }));
        var change = Assert.Single(recorded.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Deny, UseCheckDecision.Permit), (change.UseId, change.Before, change.After));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
        var published = Assert.Single(await Outbox.PublishedAsync<HumanRightsBalancingRecorded>(fixture.App, "HRB1"));
        Assert.Equal((use.UseId, 6, false), (published.UseId, published.RightsEngaged, published.LegalAdviceSought));
        var reevaluated = (await Outbox.PublishedAsync<UseReevaluated>(fixture.App, "HRB1"))[^1];
        Assert.Equal(("human_rights_balancing_recorded", UseCheckDecision.Permit), (reevaluated.Cause, reevaluated.After));
    }

    [Fact]
    public async Task A_date_of_birth_makes_a_band_only_patients_age_move_so_the_rules_reapply_at_18_Children_Act_1989_s105()
    {
        var a = new ConsentClient(fixture.App, "AGE1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        await a.ActiveUseAsync(patient, technology);
        Assert.DoesNotContain("age-threshold-soon", (await a.CheckAsync(patient, technology)).Warnings);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        async Task Refused(string dateOfBirth, StatusCode code, string rule) =>
            await a.Refused(c => c.UpdatePatientAgeAsync(new UpdatePatientAgeRequest { PatientId = patient, DateOfBirth = dateOfBirth }), code, rule);
        await Refused("", StatusCode.InvalidArgument, "date-of-birth.format");
        await Refused("12/03/2009", StatusCode.InvalidArgument, "date-of-birth.format");
        await Refused(today.AddDays(3).ToString("yyyy-MM-dd"), StatusCode.InvalidArgument, "date-of-birth.in-future");
        // A ten-year-old's date of birth is not the 16-17 band recorded at registration.
        await Refused(today.AddYears(-10).ToString("yyyy-MM-dd"), StatusCode.InvalidArgument, "date-of-birth.not-the-age-band");
        Assert.Empty(await Outbox.PublishedAsync<PatientAgeRecorded>(fixture.App, "AGE1"));

        // Eighteen tomorrow: the rules now know the day, and the check warns (the trust's 48-hour notice) before it changes them.
        var dateOfBirth = today.AddDays(1).AddYears(-18).ToString("yyyy-MM-dd");
        var updated = await a.Call(c => c.UpdatePatientAgeAsync(new UpdatePatientAgeRequest { PatientId = patient, DateOfBirth = dateOfBirth }));
        Assert.Equal(patient, updated.Id);
        Assert.Contains("age-threshold-soon", (await a.CheckAsync(patient, technology)).Warnings);
        var published = Assert.Single(await Outbox.PublishedAsync<PatientAgeRecorded>(fixture.App, "AGE1"));
        Assert.Equal((patient, AgeBand._16To17), (published.PatientId, published.AgeBandNow));

        // Once the days are known the age moves by itself; an adult when registered needs no date at all.
        await Refused(dateOfBirth, StatusCode.FailedPrecondition, "patient.age-already-recorded");
        // Registration applies the same check: a 17-year-old is not registered as under 16.
        await a.Refused(c => c.RegisterPatientAsync(new RegisterPatientRequest
        {
            NhsNumber = NhsNumbers.Next(), WardCode = "OAK", AgeBand = AgeBand.Under16, DateOfBirth = today.AddYears(-17).ToString("yyyy-MM-dd"),
        }), StatusCode.InvalidArgument, "age-band.not-the-date-of-birth");
        var adult = await a.PatientAsync(AgeBand._26To64);
        await a.Refused(c => c.UpdatePatientAgeAsync(new UpdatePatientAgeRequest { PatientId = adult, DateOfBirth = "1980-05-01" }),
            StatusCode.FailedPrecondition, "patient.adult-when-registered");
    }
}
