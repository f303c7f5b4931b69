using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class LackOfBenefitTests
{
    private static NoBenefitFinding Finding(Technology technology, string? setting = Setting) => new(Guid.NewGuid(), technology.Id, setting, "core-10", Days(190));

    [Fact]
    public void Withdrawal_for_lack_of_benefit_is_one_act_with_a_reason_that_sets_the_appraisal_aside()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        var finding = Finding(technology);

        var withdrawal = @case.WithdrawForLackOfBenefit(finding, "CORE-10 and DIALOG showed no improvement over nine months", Lead, Days(200)).Value;

        Assert.Equal((WithdrawalCause.LackOfBenefit, finding.FlagId, "lead-7", Days(200)), (withdrawal.Cause, withdrawal.OutcomeFlagId, withdrawal.WithdrawnBy, withdrawal.WithdrawnAt));
        Assert.Equal("CORE-10 and DIALOG showed no improvement over nine months", withdrawal.Reason);
        Assert.Equal(CaseStatus.Withdrawn, @case.Status);
        Assert.False(@case.Covers(technology.Id, Setting, Days(200)));
        Assert.Equal(GateState.Invalidated, @case.GateStateAt(GateKind.EvidenceAppraisal, Days(200)));
    }

    [Fact]
    public void After_a_no_benefit_withdrawal_a_new_approval_needs_a_new_appraisal()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        @case.WithdrawForLackOfBenefit(Finding(technology), "No benefit shown", Lead, Days(1));

        var refusal = @case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Days(2)).Refusal;
        Assert.Equal("approval.gates-open", refusal.ShownRule());
        Assert.Contains("Critical review of the evidence base (P7) (set aside on 3 March 2026: outcomes showed no benefit", refusal!.Message);

        Record(@case, technology, Appraisal(technology) with { CompletedAt = Days(3) }, Days(3));
        Assert.False(@case.Approve(Full(), technology, Lead, Policy, Guid.NewGuid(), Days(3)).IsRefused);
    }

    [Fact]
    public void A_no_benefit_withdrawal_needs_a_reason()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        Assert.Equal("reason.required", @case.WithdrawForLackOfBenefit(Finding(technology), " ", Lead, Days(1)).Refusal.ShownRule());
        Assert.Equal(CaseStatus.Approved, @case.Status);
        Assert.Equal(GateState.Passed, @case.GateStateAt(GateKind.EvidenceAppraisal, Days(1)));
    }

    [Fact]
    public void A_finding_about_another_technology_or_setting_is_refused_and_one_across_all_settings_applies()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        Assert.Equal("withdrawal.finding-other-technology", @case.WithdrawForLackOfBenefit(Finding(Technology()), "No benefit", Lead, Days(1)).Refusal.ShownRule());
        Assert.Equal("withdrawal.finding-other-setting", @case.WithdrawForLackOfBenefit(Finding(technology, OtherSetting), "No benefit", Lead, Days(1)).Refusal.ShownRule());
        Assert.False(@case.WithdrawForLackOfBenefit(Finding(technology, null), "No benefit in any setting", Lead, Days(1)).IsRefused);
    }

    [Fact]
    public void Only_an_approval_in_force_can_be_withdrawn()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Assert.Equal("withdrawal.not-approved", @case.WithdrawForLackOfBenefit(Finding(technology), "No benefit", Lead, Days(1)).Refusal.ShownRule());
        Assert.Equal("withdrawal.not-approved", @case.Withdraw("Changed our mind", Lead, Days(1)).Refusal.ShownRule());
    }

    [Fact]
    public void The_lead_can_withdraw_for_another_reason()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        Approved(@case, technology);
        var withdrawal = @case.Withdraw("Serious incident under investigation", Lead, Days(1)).Value;
        Assert.Equal((WithdrawalCause.DecisionByLead, "Serious incident under investigation"), (withdrawal.Cause, withdrawal.Reason));
    }
}
