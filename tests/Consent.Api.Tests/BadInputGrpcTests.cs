using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;
using TrustPolicy = Platform.Contracts.Consent.V1.TrustPolicy;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Bad input gets a clear error and changes nothing (issue 17): free text too long or with control characters,
/// Timestamps and Durations outside what their types allow (once UNKNOWN from the handler's conversion), and NaN in the
/// trust policy are INVALID_ARGUMENT naming the field, and no record, use or event is written.
/// </summary>
public sealed class BadInputGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static string FieldOf(RpcException e) => Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field;

    [Fact]
    public async Task Free_text_too_long_or_with_a_control_character_is_refused_naming_the_field_and_nothing_is_written()
    {
        var a = new ConsentClient(fixture.App, "BAD1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);

        // A clinical narrative is at most 4,000 characters.
        var tooLong = ConsentClient.Use(patient, technology);
        tooLong.CarePlan.Reason = new string('x', 4001);
        var error = await a.Refused(c => c.ProposeUseAsync(tooLong), StatusCode.InvalidArgument, "reason.too-long");
        Assert.Equal("reason", FieldOf(error));
        Assert.Contains("4000", error.Status.Detail);

        // A bell (U+0007) in a one-line field; a line break is allowed in a narrative, not in a name or role.
        var bell = ConsentClient.Consent(patient, technology);
        bell.RecordedBy = "staff nurse\u0007 4411";
        Assert.Equal("recorded_by", FieldOf(await a.Refused(c => c.RecordConsentAsync(bell), StatusCode.InvalidArgument, "recorded-by.control-characters")));
        var newline = ConsentClient.Consent(patient, technology);
        newline.RecordedBy = "staff nurse\n4411";
        await a.Refused(c => c.RecordConsentAsync(newline), StatusCode.InvalidArgument, "recorded-by.control-characters");
        var review = ConsentClient.Review(Guid.NewGuid().ToString(), DateTime.UtcNow.AddDays(20), "sleep");
        review.Harms = "none\u001b[2J observed";
        await a.Refused(c => c.RecordReviewAsync(review), StatusCode.InvalidArgument, "harms.control-characters");

        // Nothing was written: no consent, so a proposed use cannot start; no use and no event for the refused proposal.
        Assert.Empty((await a.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = patient }))).Uses);
        Assert.Empty(await Outbox.PublishedAsync<UseProposed>(fixture.App, "BAD1"));
        Assert.Empty(await Outbox.PublishedAsync<ConsentRecorded>(fixture.App, "BAD1"));
    }

    [Fact]
    public async Task A_timestamp_outside_its_types_range_is_invalid_argument_naming_the_field_even_nested_or_repeated_and_nothing_is_written()
    {
        var a = new ConsentClient(fixture.App, "BAD2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);

        // A second past 9999-12-31T23:59:59Z: Timestamp.ToDateTime() threw in the handler and the caller got UNKNOWN.
        var assessment = new RecordCapacityAssessmentRequest
        {
            PatientId = patient, TechnologyId = technology, Decision = "use of the bedside sleep sensor at night",
            Determination = CapacityDetermination.FunctionalAssessment, AssessedAt = new Timestamp { Seconds = 253_402_300_800 }, AssessedBy = "consultant 2019",
            ImpairmentOfMindOrBrain = false, Understand = FunctionalAbility.Able, Retain = FunctionalAbility.Able,
            UseOrWeigh = FunctionalAbility.Able, Communicate = FunctionalAbility.Able,
        };
        var error = await a.Refused(c => c.RecordCapacityAssessmentAsync(assessment), StatusCode.InvalidArgument, "assessed-at.out-of-range");
        Assert.Equal("assessed_at", FieldOf(error));

        // Negative nanos, in a message inside the request.
        var use = ConsentClient.Use(patient, technology);
        use.CarePlan.NextReviewDate = new Timestamp { Seconds = 1_800_000_000, Nanos = -1 };
        Assert.Equal("care_plan.next_review_date",
            FieldOf(await a.Refused(c => c.ProposeUseAsync(use), StatusCode.InvalidArgument, "care-plan.next-review-date.out-of-range")));

        // In the second element of a repeated field.
        var decision = ConsentClient.BestInterests(patient, technology);
        decision.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.Advocate, Relationship = "IMCA", ViewsGiven = "agrees", ConsultedAt = new Timestamp { Seconds = long.MinValue } });
        Assert.Equal("people_consulted[1].consulted_at",
            FieldOf(await a.Refused(c => c.RecordBestInterestsDecisionAsync(decision), StatusCode.InvalidArgument, "people-consulted[1].consulted-at.out-of-range")));

        Assert.Empty((await a.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = patient }))).Uses);
        Assert.Empty(await Outbox.PublishedAsync<CapacityAssessed>(fixture.App, "BAD2"));
        Assert.Empty(await Outbox.PublishedAsync<BestInterestsDecisionRecorded>(fixture.App, "BAD2"));
    }

    [Fact]
    public async Task A_duration_outside_its_types_range_or_nan_in_the_trust_policy_is_invalid_argument_naming_the_field_and_the_policy_is_unchanged()
    {
        var admin = new ConsentClient(fixture.App, "BAD3", "trust-admin");
        var before = await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));

        // Seconds and nanos of opposite signs: Duration.ToTimeSpan() threw (UNKNOWN).
        var mixedSigns = new TrustPolicy { ReviewGracePeriod = new Duration { Seconds = 86_400, Nanos = -5 } };
        Assert.Equal("review_grace_period",
            FieldOf(await admin.Refused(c => c.SetTrustPolicyAsync(mixedSigns), StatusCode.InvalidArgument, "review-grace-period.out-of-range")));
        // Past the type's ±10,000 years.
        var tooLong = new TrustPolicy { BlanketWindow = new Duration { Seconds = 400_000_000_000 } };
        await admin.Refused(c => c.SetTrustPolicyAsync(tooLong), StatusCode.InvalidArgument, "blanket-window.out-of-range");
        // NaN (and infinity) in a threshold: refused by the domain, the message naming the field.
        var nan = new TrustPolicy { BlanketShareThreshold = double.NaN };
        var error = await admin.Refused(c => c.SetTrustPolicyAsync(nan), StatusCode.InvalidArgument, "trust-policy.not-a-number");
        Assert.StartsWith("blanket_share_threshold:", error.Status.Detail);
        Assert.Equal("blanket_share_threshold", FieldOf(error)); // the BadRequest names the field, not the policy
        var infinity = new TrustPolicy { RationaleSimilarityThreshold = double.PositiveInfinity };
        var infinite = await admin.Refused(c => c.SetTrustPolicyAsync(infinity), StatusCode.InvalidArgument, "trust-policy.not-a-number");
        Assert.StartsWith("rationale_similarity_threshold:", infinite.Status.Detail);
        Assert.Equal("rationale_similarity_threshold", FieldOf(infinite));
        // A period past the platform's limit names its field too.
        var tooLax = new TrustPolicy { ReviewGracePeriod = Duration.FromTimeSpan(TimeSpan.FromDays(3650)) };
        Assert.Equal("review_grace_period",
            FieldOf(await admin.Refused(c => c.SetTrustPolicyAsync(tooLax), StatusCode.InvalidArgument, "trust-policy.above-platform-limit")));

        Assert.Equal(before, await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest())));
        Assert.Empty(await Outbox.PublishedAsync<TrustPolicyChanged>(fixture.App, "BAD3"));
    }
}
