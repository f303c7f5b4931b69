using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

public class TrustPolicyTests
{
    [Fact]
    public void The_default_policy_is_valid()
    {
        Assert.Null(TrustPolicy.Default.Validate());
    }

    [Fact]
    public void Nonsensical_settings_are_refused_by_name()
    {
        Assert.Equal("trust-policy.negative-period", (TrustPolicy.Default with { ReviewGracePeriod = TimeSpan.FromHours(-1) }).Validate()?.Rule);
        Assert.Equal("trust-policy.period-required", (TrustPolicy.Default with { FluctuatingAssessmentMaxAge = TimeSpan.Zero }).Validate()?.Rule);
        Assert.Equal("trust-policy.threshold-range", (TrustPolicy.Default with { BlanketShareThreshold = 1.5 }).Validate()?.Rule);
        Assert.Equal("trust-policy.threshold-range", (TrustPolicy.Default with { RationaleSimilarityThreshold = 0 }).Validate()?.Rule);
        Assert.Equal("trust-policy.minimum-uses", (TrustPolicy.Default with { BlanketMinimumUses = 1 }).Validate()?.Rule);
    }
}
