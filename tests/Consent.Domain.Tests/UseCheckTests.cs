using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

public class UseCheckTests
{
    private sealed record Scenario(PatientConsentRecords Records, TechnologyUse Use, TechnologyApproval Approval, OwnConsent Consent);

    /// <summary>An adult with capacity who consented three days ago; the use is active and approved.</summary>
    private static Scenario Consented(Action<TechnologyUse>? adjustUse = null, params object[] more)
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(3));
        adjustUse?.Invoke(use);
        var records = Records(AgeBand.Aged26To64, [Presumed(DaysAgo(4)), consent, use, .. more]);
        return new Scenario(records, use, Approval(), consent);
    }

    private static UseCheckResult Check(Scenario s, DateTime? now = null, TechnologyApproval? approval = null, string ward = Ward, UsePurpose purpose = UsePurpose.DirectCareOrTreatment) =>
        UseCheck.Evaluate(s.Records, Technology, ward, purpose, approval ?? s.Approval, Policy, now ?? Now);

    private static void Denied(UseCheckResult result, UseDenyReasons reason, string rule)
    {
        Assert.Equal(UseCheckDecision.Deny, result.Decision);
        Assert.True(result.DenyReasons.HasFlag(reason), $"expected {reason} in {result.DenyReasons}");
        Assert.Contains(result.Reasons, r => r.Rule == rule);
    }

    [Fact]
    public void A_consented_active_approved_use_is_permitted_with_its_basis_care_plan_and_review_date()
    {
        var s = Consented();
        var result = Check(s);
        Assert.Equal(UseCheckDecision.Permit, result.Decision);
        Assert.Equal(UseDenyReasons.None, result.DenyReasons);
        Assert.Empty(result.Reasons);
        Assert.Equal(UseCheckWarnings.None, result.Warnings);
        Assert.Equal(LawfulBasisKind.OwnConsent, result.LawfulBasis?.Kind);
        Assert.Equal(s.Consent.Id, result.LawfulBasis?.RecordId);
        Assert.Equal(s.Use.Id, result.UseId);
        Assert.Equal(s.Use.CarePlan.Id, result.CarePlanRecordId);
        Assert.Equal(s.Use.CarePlan.NextReviewDate, result.ReviewDueDate);
    }

    [Fact]
    public void Use_is_denied_on_a_ward_it_was_not_decided_for()
    {
        Denied(Check(Consented(), ward: "WARD-OAK"), UseDenyReasons.NoActiveUse, "use-check.no-use");
    }

    [Fact]
    public void Use_is_denied_when_no_use_was_ever_decided_for_the_patient()
    {
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), Own(ConsentDecision.Given, DaysAgo(3)));
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Denied(result, UseDenyReasons.NoActiveUse, "use-check.no-use");
        Assert.Null(result.CarePlanRecordId);
    }

    [Fact]
    public void Use_is_denied_when_a_proposed_use_was_never_started()
    {
        var proposed = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(1)).Value;
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), Own(ConsentDecision.Given, DaysAgo(3)), proposed);
        Denied(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now), UseDenyReasons.NoActiveUse, "use-check.not-started");
    }

    [Fact]
    public void Use_is_denied_when_there_is_no_approval_for_this_setting()
    {
        var s = Consented();
        Denied(UseCheck.Evaluate(s.Records, Technology, Ward, UsePurpose.DirectCareOrTreatment, [], Policy, Now), UseDenyReasons.NoApprovalForSetting, "use.no-approval-for-setting");
        var picuOnly = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, SettingCode = "picu", ApprovedAt = DaysAgo(100) };
        Denied(Check(s, approval: picuOnly), UseDenyReasons.NoApprovalForSetting, "use.no-approval-for-setting");
    }

    [Fact]
    public void Use_is_denied_when_approval_was_withdrawn()
    {
        var approval = Approval();
        approval.WithdrawnAt = HoursAgo(1);
        Denied(Check(Consented(), approval: approval), UseDenyReasons.ApprovalWithdrawn, "use.approval-withdrawn");
    }

    [Fact]
    public void A_use_suspended_because_approval_was_withdrawn_is_denied()
    {
        var s = Consented(u => u.SuspendForApprovalWithdrawn(HoursAgo(1)));
        Denied(Check(s), UseDenyReasons.ApprovalWithdrawn, "use-check.suspended-approval-withdrawn");
    }

    [Fact]
    public void Use_is_denied_at_once_when_consent_is_withdrawn()
    {
        var s = Consented();
        s.Consent.Withdraw(Now);
        Denied(Check(s), UseDenyReasons.ConsentWithdrawn, "lawful-basis.consent-withdrawn");
        Assert.Equal(UseCheckDecision.Permit, Check(s, Now.AddSeconds(-1)).Decision);
    }

    [Fact]
    public void A_use_ended_by_withdrawal_is_denied_as_consent_withdrawn()
    {
        var s = Consented(u => u.Withdraw(HoursAgo(1)));
        Denied(Check(s), UseDenyReasons.ConsentWithdrawn, "lawful-basis.consent-withdrawn");
    }

    [Fact]
    public void A_use_ended_for_another_reason_is_denied()
    {
        var s = Consented(u => u.End(UseEndReason.Discharged, HoursAgo(1)));
        Denied(Check(s), UseDenyReasons.NoActiveUse, "use-check.use-ended");
    }

    [Fact]
    public void Use_is_denied_when_there_is_no_lawful_basis_and_the_table_row_is_named()
    {
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.OwnConsent, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(3));
        var lpa = Lpa();
        var records = Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(4)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(3)), use);
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Denied(result, UseDenyReasons.NoLawfulBasis, "lawful-basis.lpa-donor-has-capacity");
        Assert.Null(result.LawfulBasis);
    }

    [Fact]
    public void The_table_is_re_applied_at_check_time_so_a_proxy_authority_that_expires_after_activation_is_denied()
    {
        var lpa = Lpa();
        var consent = By(lpa, ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, ProxyKind.LastingPowerOfAttorney, LawfulBasisStatus.Valid, null), DaysAgo(5));
        lpa.ExpiresAt = DaysAgo(1);
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(6)), lpa, consent, use);

        Assert.Equal(UseCheckDecision.Permit, UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, DaysAgo(2)).Decision);
        Denied(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now), UseDenyReasons.NoLawfulBasis, "proxy.expired");
    }

    [Fact]
    public void An_overdue_review_within_the_grace_period_is_permitted_with_a_warning()
    {
        var s = Consented();
        var due = s.Use.CarePlan.NextReviewDate!.Value;
        var result = Check(s, due.AddHours(1));
        Assert.Equal(UseCheckDecision.Permit, result.Decision);
        Assert.True(result.Warnings.HasFlag(UseCheckWarnings.ReviewOverdue));
    }

    [Fact]
    public void An_overdue_review_past_the_grace_period_is_denied()
    {
        var s = Consented();
        var due = s.Use.CarePlan.NextReviewDate!.Value;
        Denied(Check(s, due + Policy.ReviewGracePeriod), UseDenyReasons.ReviewOverdue, "use-check.review-overdue");
    }

    [Fact]
    public void A_review_due_soon_is_a_warning()
    {
        var s = Consented();
        var due = s.Use.CarePlan.NextReviewDate!.Value;
        Assert.Equal(UseCheckWarnings.ReviewDueSoon, Check(s, due.AddDays(-1)).Warnings);
    }

    [Fact]
    public void Capacity_regained_within_the_grace_period_is_permitted_with_consent_required()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var regainedAt = HoursAgo(6);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, HasCapacity(regainedAt));

        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);

        Assert.Equal(UseCheckDecision.Permit, result.Decision);
        Assert.True(result.Warnings.HasFlag(UseCheckWarnings.ConsentRequired));
        Assert.Equal(LawfulBasisStatus.ConsentRequired, result.LawfulBasis?.Status);
        Assert.Equal(regainedAt + Policy.CapacityRegainedGracePeriod, result.ConsentRequiredBy);
    }

    [Fact]
    public void Capacity_regained_past_the_grace_period_is_denied_until_the_patient_consents()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var regainedAt = DaysAgo(4);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, HasCapacity(regainedAt));
        Denied(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now),
            UseDenyReasons.ConsentRequiredAfterCapacityRegained, "lawful-basis.consent-required-after-capacity-regained");

        var own = Own(ConsentDecision.Given, HoursAgo(1));
        var consented = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, HasCapacity(regainedAt), own);
        var result = UseCheck.Evaluate(consented, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.Equal(UseCheckDecision.Permit, result.Decision);
        Assert.Equal(own.Id, result.LawfulBasis?.RecordId);
    }

    [Fact]
    public void A_stale_finding_of_incapacity_is_denied_as_reassessment_required()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10), reassessBy: DaysAgo(1), fluctuating: true), decision, use);
        Denied(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now),
            UseDenyReasons.ReassessmentRequired, "lawful-basis.reassessment-required");
    }

    [Theory]
    [InlineData(UsePurpose.ReduceStaffTimeWithPatient)]
    [InlineData(UsePurpose.CoverLowStaffing)]
    public void A_check_for_a_purpose_of_reducing_staff_time_is_denied(UsePurpose purpose)
    {
        Denied(Check(Consented(), purpose: purpose), UseDenyReasons.ProhibitedPurpose, "use.purpose-reduces-staff-time");
    }

    [Fact]
    public void Every_reason_that_applies_is_reported()
    {
        var s = Consented();
        s.Consent.Withdraw(HoursAgo(2));
        var approval = Approval();
        approval.WithdrawnAt = HoursAgo(1);
        var due = s.Use.CarePlan.NextReviewDate!.Value;
        var at = due + Policy.ReviewGracePeriod + TimeSpan.FromDays(1);

        var result = Check(s, at, approval);

        Assert.Equal(UseDenyReasons.ApprovalWithdrawn | UseDenyReasons.ConsentWithdrawn | UseDenyReasons.ReviewOverdue, result.DenyReasons);
        Assert.Equal(["use.approval-withdrawn", "lawful-basis.consent-withdrawn", "use-check.review-overdue"], result.Reasons.Select(r => r.Rule));
        Assert.All(result.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Message)));
    }

    [Fact]
    public void A_permitted_check_allocates_nothing()
    {
        var s = Consented();
        for (var i = 0; i < 2_000; i++) Check(s);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++) Check(s);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_denied_check_allocates_only_the_array_of_its_reasons()
    {
        var s = Consented();
        s.Consent.Withdraw(HoursAgo(1));
        for (var i = 0; i < 2_000; i++) Check(s);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++) Check(s);
        // One reason: a one-element array of references (header, length and one slot).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before <= 1_000 * 32, "a deny allocated more than its reasons");
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, Assert.Single(Check(s).Denials).Kind);
    }
}
