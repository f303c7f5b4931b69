using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Issue 20's Mental Health Act status end to end over gRPC on PostgreSQL (ADR 0014): where Part 4 applies and the
/// technology is treatment for mental disorder, MCA s28 removes the MCA routes and the trust's route per approval
/// decides (consent first, or the responsible clinician's s63 record); a technology that monitors or restricts never
/// rests on s63, since detention alone is never a basis for monitoring or surveillance.
/// </summary>
public sealed class MentalHealthActGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static RecordMentalHealthActStatusRequest Status(string patientId, MentalHealthActStatus status) => new()
    {
        PatientId = patientId, Status = status, From = ConsentClient.Ts(DateTime.UtcNow.AddMinutes(-5)), RecordedBy = "MHA administrator 301",
    };

    private static RecordSection63Request Section63(string patientId, string technologyId) => new()
    {
        PatientId = patientId,
        TechnologyId = technologyId,
        ResponsibleClinician = "consultant psychiatrist 2019",
        WhyTreatmentForMentalDisorder = "the light-therapy programme treats his depressive episode; it is part of his treatment plan under s3",
        ConsentSought = true,
        PatientViews = "he says he does not want anything done to him, without saying why",
    };

    private static Task<ChooseMentalDisorderTreatmentRouteResponse> Choose(ConsentClient a, string approvalId, MentalDisorderTreatmentRoute route) =>
        a.Call(c => c.ChooseMentalDisorderTreatmentRouteAsync(new ChooseMentalDisorderTreatmentRouteRequest { ApprovalId = approvalId, Route = route }));

    [Fact]
    public async Task Where_part_4_applies_consent_first_leaves_no_basis_and_the_responsible_clinicians_s63_record_is_one_only_on_the_trusts_s63_route_MHA_1983_s63_MCA_s28()
    {
        var a = new ConsentClient(fixture.App, "MHA1");
        var approval = await a.ApproveAsync();
        var technology = approval.TechnologyId;
        var chosen = await Choose(a, approval.ApprovalId, MentalDisorderTreatmentRoute.ConsentFirst);
        Assert.Equal(MentalDisorderTreatmentRoute.ConsentFirst, chosen.Approval.MentalDisorderTreatmentRoute);
        var routeEvent = Assert.Single(await Outbox.PublishedAsync<ApprovalRouteChosen>(fixture.App, "MHA1"));
        Assert.Equal((approval.ApprovalId, MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, MentalDisorderTreatmentRoute.ConsentFirst, "trust-admin"),
            (routeEvent.ApprovalId, routeEvent.Before, routeEvent.After, routeEvent.Actor.Role));
        Assert.False(string.IsNullOrEmpty(routeEvent.Actor.Subject));

        // A best-interests use started while the patient was informal.
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(LawfulBasisKind.BestInterests, use.LawfulBasis);

        // The status is refused by the field it lacks, and nothing changes.
        var noStatus = Status(patient, MentalHealthActStatus.Unspecified);
        await a.Refused(c => c.RecordMentalHealthActStatusAsync(noStatus), StatusCode.InvalidArgument, "mental-health-act.status-missing");
        var noRecorder = Status(patient, MentalHealthActStatus.Section3);
        noRecorder.RecordedBy = " ";
        await a.Refused(c => c.RecordMentalHealthActStatusAsync(noRecorder), StatusCode.InvalidArgument, "mental-health-act.recorded-by-missing");
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);

        // Detained under s3: Part 4 applies, MCA s28 removes the best-interests route, and consent first finds no consent.
        var detained = await a.Call(c => c.RecordMentalHealthActStatusAsync(Status(patient, MentalHealthActStatus.Section3)));
        var change = Assert.Single(detained.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Permit, UseCheckDecision.Deny), (change.UseId, change.Before, change.After));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "lawful-basis.mha-consent-first-no-consent");
        var statusEvent = Assert.Single(await Outbox.PublishedAsync<MentalHealthActStatusRecorded>(fixture.App, "MHA1"));
        Assert.Equal((detained.Id, patient, MentalHealthActStatus.Section3, true), (statusEvent.RecordId, statusEvent.PatientId, statusEvent.Status, statusEvent.Part4Applies));

        // On consent first the responsible clinician's s63 record is not a route: refused, nothing written.
        await a.Refused(c => c.RecordSection63Async(Section63(patient, technology)), StatusCode.FailedPrecondition, "section-63.route-not-chosen");

        // The trust chooses the s63 route: still denied until the responsible clinician records it.
        await Choose(a, approval.ApprovalId, MentalDisorderTreatmentRoute.Section63Record);
        check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "lawful-basis.section-63-record-required");
        var noReason = Section63(patient, technology);
        noReason.WhyTreatmentForMentalDisorder = "";
        await a.Refused(c => c.RecordSection63Async(noReason), StatusCode.InvalidArgument, "section-63.treatment-reason-missing");
        Assert.Empty(await Outbox.PublishedAsync<Section63Recorded>(fixture.App, "MHA1"));

        var s63 = await a.Call(c => c.RecordSection63Async(Section63(patient, technology)));
        change = Assert.Single(s63.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Deny, UseCheckDecision.Permit), (change.UseId, change.Before, change.After));
        check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.MentalHealthActSection63, s63.Id), (check.Decision, check.LawfulBasis, check.LawfulBasisRecordId));
        var rebased = (await Outbox.PublishedAsync<UseAuthorised>(fixture.App, "MHA1"))[^1];
        Assert.Equal((use.UseId, LawfulBasisKind.MentalHealthActSection63, s63.Id), (rebased.UseId, rebased.LawfulBasis, rebased.LawfulBasisRecordId));
        var recordedEvent = Assert.Single(await Outbox.PublishedAsync<Section63Recorded>(fixture.App, "MHA1"));
        Assert.Equal((s63.Id, technology, true), (recordedEvent.Section63RecordId, recordedEvent.TechnologyId, recordedEvent.ConsentSought));

        // Ended by the responsible clinician: the use has no basis again, at once.
        var ended = await a.Call(c => c.EndSection63Async(new EndSection63Request { Section63RecordId = s63.Id }));
        Assert.Equal((use.UseId, UseCheckDecision.Deny), (Assert.Single(ended.ReevaluatedUses).UseId, ended.ReevaluatedUses[0].After));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);
        Assert.Equal(s63.Id, Assert.Single(await Outbox.PublishedAsync<Section63Ended>(fixture.App, "MHA1")).Section63RecordId);
        await a.Refused(c => c.EndSection63Async(new EndSection63Request { Section63RecordId = s63.Id }), StatusCode.FailedPrecondition, "section-63.already-ended");
    }

    [Fact]
    public async Task The_patients_own_consent_comes_first_even_on_the_s63_route_and_s63_needs_part_4_to_apply_MHA_1983_ss56_63()
    {
        var a = new ConsentClient(fixture.App, "MHA2");
        var approval = await a.ApproveAsync();
        var technology = approval.TechnologyId;
        await Choose(a, approval.ApprovalId, MentalDisorderTreatmentRoute.Section63Record);

        // A detained patient with capacity who consents: the use rests on their consent, no s63 record is asked for.
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.Call(c => c.RecordMentalHealthActStatusAsync(Status(patient, MentalHealthActStatus.Section3)));
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(LawfulBasisKind.OwnConsent, use.LawfulBasis);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.OwnConsent), (check.Decision, check.LawfulBasis));

        // Held under s136 (a place of safety), Part 4 does not apply (s56(3)): s63 cannot authorise anything.
        var held = await a.PatientAsync(AgeBand._26To64);
        await a.Call(c => c.RecordMentalHealthActStatusAsync(Status(held, MentalHealthActStatus.Section136)));
        await a.LacksCapacityAsync(held, technology);
        await a.Refused(c => c.RecordSection63Async(Section63(held, technology)), StatusCode.FailedPrecondition, "section-63.part-4-does-not-apply");
        Assert.Empty(await Outbox.PublishedAsync<Section63Recorded>(fixture.App, "MHA2"));
    }

    [Fact]
    public async Task Detention_alone_is_never_a_basis_for_monitoring_and_s63_is_refused_for_a_technology_that_watches_or_restricts_MHA_1983_s63_MCA_s28()
    {
        var a = new ConsentClient(fixture.App, "MHA3");
        var technology = Guid.NewGuid().ToString();
        await a.RegisterTechnologyAsync(technology);

        // Approved as continuous monitoring on the s63 route: refused, and nothing is written (the next approval of the
        // same setting would otherwise be "already approved").
        var onS63 = new RecordTechnologyApprovalRequest
        {
            TechnologyId = technology, TechnologyName = "corridor camera", SettingCode = ConsentClient.Setting, Reason = ConsentClient.OverrideReason,
            ContinuousMonitoringOrRestrictive = true, MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.Section63Record,
        };
        await a.Refused(c => c.RecordTechnologyApprovalAsync(onS63), StatusCode.FailedPrecondition, "approval.detention-not-a-basis-for-monitoring");
        var approval = await a.Call(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = technology, TechnologyName = "corridor camera", SettingCode = ConsentClient.Setting, Reason = ConsentClient.OverrideReason,
            IsSurveillance = true, MayBeLifeSustaining = false,
        }));
        Assert.Equal(MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, approval.MentalDisorderTreatmentRoute);

        // Nor can the trust choose s63 for it afterwards.
        await a.Refused(c => c.ChooseMentalDisorderTreatmentRouteAsync(new ChooseMentalDisorderTreatmentRouteRequest
        {
            ApprovalId = approval.ApprovalId, Route = MentalDisorderTreatmentRoute.Section63Record,
        }), StatusCode.FailedPrecondition, "approval.detention-not-a-basis-for-monitoring");
        Assert.Empty(await Outbox.PublishedAsync<ApprovalRouteChosen>(fixture.App, "MHA3"));

        // A detained patient lacking capacity: detention permits no monitoring, and no s63 record can be made for it.
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordMentalHealthActStatusAsync(Status(patient, MentalHealthActStatus.Section3)));
        await a.Refused(c => c.RecordSection63Async(Section63(patient, technology)), StatusCode.FailedPrecondition, "section-63.detention-not-a-basis-for-monitoring");
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Deny, LawfulBasisKind.Unspecified), (check.Decision, check.LawfulBasis));
        Assert.Empty(await Outbox.PublishedAsync<Section63Recorded>(fixture.App, "MHA3"));
    }

    [Fact]
    public async Task Trust_B_gets_not_found_from_every_new_method_naming_trust_As_records_and_row_level_security_hides_the_new_tables()
    {
        var a = new ConsentClient(fixture.App, "MHA4");
        var b = new ConsentClient(fixture.App, "MHA5");
        var approval = await a.ApproveAsync();
        var technology = approval.TechnologyId;
        await Choose(a, approval.ApprovalId, MentalDisorderTreatmentRoute.Section63Record);
        var patient = await a.PatientAsync(AgeBand._26To64);
        var status = await a.Call(c => c.RecordMentalHealthActStatusAsync(Status(patient, MentalHealthActStatus.Section3)));
        await a.LacksCapacityAsync(patient, technology);
        var s63 = await a.Call(c => c.RecordSection63Async(Section63(patient, technology)));
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        await b.ApproveAsync(technology);

        async Task NotFound<TResponse>(Func<ConsentService.ConsentServiceClient, AsyncUnaryCall<TResponse>> call) => await b.Refused(call, StatusCode.NotFound);
        await NotFound(c => c.RecordMentalHealthActStatusAsync(Status(patient, MentalHealthActStatus.Informal)));
        await NotFound(c => c.RecordSection63Async(Section63(patient, technology)));
        await NotFound(c => c.EndSection63Async(new EndSection63Request { Section63RecordId = s63.Id }));
        await NotFound(c => c.UpdatePatientAgeAsync(new UpdatePatientAgeRequest { PatientId = patient, DateOfBirth = "1980-01-01" }));
        await NotFound(c => c.CorrectProposedUseAsync(new CorrectProposedUseRequest { UseId = proposed.UseId, Purpose = UsePurpose.Monitoring }));
        await NotFound(c => c.RecordHumanRightsBalancingAsync(new RecordHumanRightsBalancingRequest { UseId = proposed.UseId, HumanRights = ConsentClient.Use(patient, technology).HumanRights }));
        await NotFound(c => c.ChooseMentalDisorderTreatmentRouteAsync(new ChooseMentalDisorderTreatmentRouteRequest { ApprovalId = approval.ApprovalId, Route = MentalDisorderTreatmentRoute.ConsentFirst }));

        // Nothing trust B tried changed trust A's records: the s63 record still stands and the route is unchanged.
        var activated = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal((LawfulBasisKind.MentalHealthActSection63, s63.Id, UsePurpose.DirectCareOrTreatment), (activated.LawfulBasis, activated.LawfulBasisRecordId, activated.Purpose));

        foreach (var (table, id) in new[] { ("mental_health_act_records", status.Id), ("section_63_records", s63.Id) })
        {
            var guid = Guid.Parse(id);
            Assert.Equal((table, 1L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "MHA4")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "MHA5")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, null)));
        }
    }
}
