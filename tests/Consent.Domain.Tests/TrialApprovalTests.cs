using Platform.Consent.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

public class TrialApprovalTests
{
    private static readonly DateTime End = new(2027, 6, 30, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_trial_approval_stands_until_its_end_and_is_withdrawn_from_that_moment()
    {
        var trial = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Guid.NewGuid(), SettingCode = "picu", TrialEndsAt = End };
        Assert.False(trial.IsWithdrawn(End.AddTicks(-1)));
        Assert.True(trial.IsWithdrawn(End));
    }

    [Fact]
    public void A_full_approval_has_no_end()
    {
        var full = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Guid.NewGuid(), SettingCode = "picu" };
        Assert.False(full.IsWithdrawn(End.AddYears(10)));
    }
}
