using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>Purpose limitation in CheckUse, reviews held with people (stop ends the use), and the bounded trust policy as events.</summary>
public sealed class PurposeAndReviewGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task A_check_for_a_purpose_the_use_was_not_authorised_for_is_denied_naming_both_and_no_purpose_is_invalid()
    {
        var a = new ConsentClient(fixture.App, "PUR1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var request = ConsentClient.Use(patient, technology);
        request.DataUsePurposes.Add(UsePurpose.CommunicationOrFeedback);
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));

        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology, purpose: UsePurpose.DirectCareOrTreatment)).Decision);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology, purpose: UsePurpose.CommunicationOrFeedback)).Decision);
        var monitoring = await a.CheckAsync(patient, technology, purpose: UsePurpose.Monitoring);
        Assert.Equal(UseCheckDecision.Deny, monitoring.Decision);
        var reason = Assert.Single(monitoring.Reasons, r => r.Kind == "purpose-not-authorised");
        Assert.Contains("monitoring", reason.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("direct care", reason.Message, StringComparison.OrdinalIgnoreCase);

        await a.Refused(c => c.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK" }),
            StatusCode.InvalidArgument, "use-check.purpose-missing");

        // A forbidden purpose in the data-use list is refused by name, not dropped.
        var bad = ConsentClient.Use(await a.PatientAsync(AgeBand._26To64), technology);
        bad.DataUsePurposes.Add(UsePurpose.CoverLowStaffing);
        await a.Refused(c => c.ProposeUseAsync(bad), StatusCode.FailedPrecondition, "use.data-use-purpose-not-accepted");
    }

    [Fact]
    public async Task A_review_records_who_took_part_and_a_decision_to_stop_ends_the_use()
    {
        var a = new ConsentClient(fixture.App, "REV1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);

        var noOne = ConsentClient.Review(use.UseId, DateTime.UtcNow.AddDays(20), "sleep");
        noOne.Participants.Clear();
        await a.Refused(c => c.RecordReviewAsync(noOne), StatusCode.InvalidArgument, "review.participants-missing");
        var noViews = ConsentClient.Review(use.UseId, DateTime.UtcNow.AddDays(20), "sleep");
        noViews.PatientViews = "";
        await a.Refused(c => c.RecordReviewAsync(noViews), StatusCode.InvalidArgument, "review.patient-views-missing");

        var stop = ConsentClient.Review(use.UseId, DateTime.UtcNow.AddDays(20), "n/a");
        stop.Decision = ReviewDecision.Stop;
        stop.Participants.Add(ReviewParticipant.FamilyOrCarers);
        var stopped = await a.Call(c => c.RecordReviewAsync(stop));
        Assert.Equal((UseStatus.Ended, UseEndReason.ReviewDecidedToStop), (stopped.Status, stopped.EndReason));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);

        var reviewed = Assert.Single(await Outbox.PublishedAsync<UseReviewed>(fixture.App, "REV1"));
        Assert.Equal((ReviewDecision.Stop, true), (reviewed.Decision, reviewed.PatientViewsSought));
        Assert.Equal([ReviewParticipant.Patient, ReviewParticipant.FamilyOrCarers, ReviewParticipant.MdtMembers], reviewed.Participants);
        Assert.Contains(await Outbox.PublishedAsync<UseEnded>(fixture.App, "REV1"), e => e.UseId == use.UseId && e.Reason == UseEndReason.ReviewDecidedToStop);
        // What was said stays in the record: no views or benefit text in the event.
        Assert.DoesNotContain("sleeps better", reviewed.ToString());
    }

    [Fact]
    public async Task A_trust_policy_change_is_an_event_with_the_actor_and_each_field_before_and_after_and_cannot_exceed_the_platforms_limits()
    {
        var admin = new ConsentClient(fixture.App, "POL1", "trust-admin");
        var set = await admin.Call(c => c.SetTrustPolicyAsync(new TrustPolicy { ObjectionRedecisionWithin = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(12)) }));
        Assert.Equal(TimeSpan.FromHours(12), set.ObjectionRedecisionWithin.ToTimeSpan());
        Assert.Equal(TimeSpan.FromHours(12), (await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()))).ObjectionRedecisionWithin.ToTimeSpan());

        var changed = Assert.Single(await Outbox.PublishedAsync<TrustPolicyChanged>(fixture.App, "POL1"));
        var field = Assert.Single(changed.Changes);
        Assert.NotEqual(field.Before, field.After);
        Assert.Equal("trust-admin", changed.Actor.Role);

        await admin.Refused(c => c.SetTrustPolicyAsync(new TrustPolicy { CapacityRegainedGracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(30)) }),
            StatusCode.InvalidArgument);
        Assert.Single(await Outbox.PublishedAsync<TrustPolicyChanged>(fixture.App, "POL1"));
    }
}
