using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>Its own app instance: the policy is per trust and would otherwise leak into the other classes' checks.</summary>
public sealed class TrustPolicyGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task A_trusts_longer_review_grace_period_keeps_an_overdue_use_permitted_and_leaves_other_trusts_on_the_default()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var b = new ConsentClient(fixture.App, "RTQ");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        var due = DateTime.UtcNow.AddDays(-4);
        await a.Call(c => c.RecordReviewAsync(new RecordReviewRequest
        {
            UseId = use.UseId, ReviewedAt = ConsentClient.Ts(due.AddDays(-30)), NextReviewDate = ConsentClient.Ts(due), ReviewCovers = "sleep and falls",
        }));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision); // default grace: 3 days

        var set = await a.Call(c => c.SetTrustPolicyAsync(new TrustPolicy { ReviewGracePeriod = Duration.FromTimeSpan(TimeSpan.FromDays(10)) }));
        Assert.Equal(TimeSpan.FromDays(10), set.ReviewGracePeriod.ToTimeSpan());
        Assert.Equal(TimeSpan.FromHours(12), set.CapacityRegainedGracePeriod.ToTimeSpan()); // unset: the default (a shift, ADR 0014)
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.Contains("review-overdue", check.Warnings);

        var other = await b.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        Assert.Equal(TimeSpan.FromDays(3), other.ReviewGracePeriod.ToTimeSpan());
        Assert.Equal(TimeSpan.FromDays(10), (await a.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()))).ReviewGracePeriod.ToTimeSpan());

        await a.Refused(c => c.SetTrustPolicyAsync(new TrustPolicy { ReviewGracePeriod = Duration.FromTimeSpan(TimeSpan.FromDays(-1)) }),
            StatusCode.InvalidArgument, "trust-policy.negative-period");
    }
}
