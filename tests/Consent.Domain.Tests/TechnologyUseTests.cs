using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

public class TechnologyUseTests
{
    private static readonly LawfulBasis ValidBasis = new(LawfulBasisKind.OwnConsent, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    private static TechnologyUse Proposed(TechnologyApproval? approval = null, UsePurpose purpose = UsePurpose.DirectCareOrTreatment)
    {
        var use = TechnologyUse.Propose(Request() with { Purpose = purpose }, approval ?? Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        CompleteCarePlan(use, Now);
        return use;
    }

    [Fact]
    public void A_request_naming_several_patients_is_refused_as_a_blanket_approach()
    {
        var outcome = TechnologyUse.Propose(Request(ThePatient, Guid.NewGuid(), Guid.NewGuid()), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now);
        Assert.Equal("use.blanket-approach", outcome.Refusal?.Rule);
        Assert.Contains("one patient", outcome.Refusal!.Message);
    }

    [Fact]
    public void A_request_for_a_whole_ward_is_refused_as_a_blanket_approach()
    {
        var outcome = TechnologyUse.Propose(Request() with { WholeWard = true }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now);
        Assert.Equal("use.blanket-approach", outcome.Refusal?.Rule);
    }

    [Fact]
    public void The_same_patient_named_twice_is_still_one_patient()
    {
        Assert.False(TechnologyUse.Propose(Request(ThePatient, ThePatient), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).IsRefused);
    }

    [Theory]
    [InlineData(UsePurpose.ReduceStaffTimeWithPatient)]
    [InlineData(UsePurpose.CoverLowStaffing)]
    public void A_purpose_of_reducing_staff_time_or_covering_low_staffing_is_refused(UsePurpose purpose)
    {
        var outcome = TechnologyUse.Propose(Request() with { Purpose = purpose }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now);
        Assert.Equal("use.purpose-reduces-staff-time", outcome.Refusal?.Rule);
    }

    [Fact]
    public void Releasing_time_to_care_is_an_accepted_purpose()
    {
        Assert.False(TechnologyUse.Propose(Request() with { Purpose = UsePurpose.ReleasingTimeToCare }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).IsRefused);
    }

    [Fact]
    public void A_request_must_name_a_patient_a_technology_a_ward_a_setting_and_a_purpose()
    {
        Assert.Equal("use.patient-required", TechnologyUse.Propose(Request() with { PatientIds = [] }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("use.technology-required", TechnologyUse.Propose(Request() with { TechnologyId = Guid.Empty }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("use.ward-required", TechnologyUse.Propose(Request() with { WardCode = " " }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("use.setting-required", TechnologyUse.Propose(Request() with { SettingCode = null }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("use.purpose-required", TechnologyUse.Propose(Request() with { Purpose = UsePurpose.Unspecified }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
    }

    [Fact]
    public void A_technology_not_approved_for_the_wards_setting_is_refused()
    {
        Assert.Equal("use.no-approval-for-setting", TechnologyUse.Propose(Request(), null, Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("use.no-approval-for-setting", TechnologyUse.Propose(Request() with { SettingCode = "picu" }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
    }

    [Fact]
    public void A_technology_whose_approval_was_withdrawn_is_refused()
    {
        var approval = Approval();
        approval.WithdrawnAt = DaysAgo(1);
        Assert.Equal("use.approval-withdrawn", TechnologyUse.Propose(Request(), approval, Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
    }

    [Fact]
    public void A_complete_use_activates_on_exactly_one_lawful_basis()
    {
        var use = Proposed();
        Assert.Null(use.Activate(ValidBasis, Approval(), Policy, Now));
        Assert.Equal(UseStatus.Active, use.Status);
        Assert.Equal(LawfulBasisKind.OwnConsent, use.LawfulBasisKind);
        Assert.Equal(ValidBasis.RecordId, use.LawfulBasisRecordId);
        Assert.Equal(Now, use.ActivatedAt);
    }

    [Fact]
    public void A_use_without_a_lawful_basis_is_refused()
    {
        Assert.Equal("use.lawful-basis-required", Proposed().Activate(default, Approval(), Policy, Now)?.Rule);
    }

    [Fact]
    public void A_use_cannot_start_on_a_basis_that_ends_because_capacity_was_regained()
    {
        var ending = ValidBasis with { Kind = LawfulBasisKind.BestInterests, Status = LawfulBasisStatus.ConsentRequired, ConsentRequiredBy = Now.AddDays(1) };
        Assert.Equal("use.lawful-basis-ending", Proposed().Activate(ending, Approval(), Policy, Now)?.Rule);
    }

    public static TheoryData<string> CarePlanItems =>
    [
        "technology-name", "reason", "when-and-how", "information-given", "information-format",
        "decision-making-process", "data-use", "next-review-date", "review-covers", "how-to-withdraw",
    ];

    [Theory]
    [MemberData(nameof(CarePlanItems))]
    public void Each_missing_care_plan_item_is_refused_by_name(string item)
    {
        var use = Proposed();
        var plan = use.CarePlan;
        switch (item)
        {
            case "technology-name": plan.TechnologyName = ""; break;
            case "reason": plan.Reason = ""; break;
            case "when-and-how": plan.WhenAndHowUsed = ""; break;
            case "information-given": plan.InformationGiven = ""; break;
            case "information-format": plan.InformationFormat = AccessibleFormat.Unspecified; break;
            case "decision-making-process": plan.DecisionMakingProcess = ""; break;
            case "data-use": plan.DataUse = ""; break;
            case "next-review-date": plan.NextReviewDate = null; break;
            case "review-covers": plan.ReviewCovers = ""; break;
            case "how-to-withdraw": plan.HowToWithdraw = ""; break;
        }
        var refusal = use.Activate(ValidBasis, Approval(), Policy, Now);
        Assert.Equal($"care-plan.{item}-missing", refusal?.Rule);
        Assert.Equal(UseStatus.Proposed, use.Status);
    }

    [Fact]
    public void The_next_review_must_be_in_the_future_and_within_the_trusts_maximum_interval()
    {
        var use = Proposed();
        use.CarePlan.NextReviewDate = Now;
        Assert.Equal("care-plan.next-review-in-past", use.Activate(ValidBasis, Approval(), Policy, Now)?.Rule);
        use.CarePlan.NextReviewDate = Now + Policy.MaxReviewInterval + TimeSpan.FromDays(1);
        Assert.Equal("care-plan.next-review-too-far", use.Activate(ValidBasis, Approval(), Policy, Now)?.Rule);
    }

    [Fact]
    public void A_use_the_patient_objects_to_needs_human_rights_balancing()
    {
        var use = Proposed();
        use.PatientObjects = true;
        Assert.Equal("human-rights.required-patient-objects", use.Activate(ValidBasis, Approval(), Policy, Now)?.Rule);

        use.HumanRights = new HumanRightsBalancing
        {
            RightsEngaged = HumanRight.Life | HumanRight.PrivateAndFamilyLife,
            HowBalanced = "Risk to life from night falls outweighs intrusion; sensor records no images",
            LegalAdviceSought = false,
        };
        Assert.Null(use.Activate(ValidBasis, Approval(), Policy, Now));
    }

    [Fact]
    public void An_objection_recorded_in_the_best_interests_decision_requires_human_rights_balancing_on_the_use()
    {
        var use = Proposed();
        var objecting = ValidBasis with { Kind = LawfulBasisKind.BestInterests, PatientObjects = true };
        Assert.Equal("human-rights.required-patient-objects", use.Activate(objecting, Approval(), Policy, Now)?.Rule);
        Assert.False(use.PatientObjects);

        use.HumanRights = new HumanRightsBalancing
        {
            RightsEngaged = HumanRight.PrivateAndFamilyLife | HumanRight.LibertyAndSecurity,
            HowBalanced = "Objects to the sensor; weighed against injurious falls; one-week trial with daily review",
            LegalAdviceSought = true,
            LegalAdviceSummary = "Trust solicitor: proportionate if reviewed weekly",
        };
        Assert.Null(use.Activate(objecting, Approval(), Policy, Now));
        Assert.True(use.PatientObjects);
    }

    [Fact]
    public void Withdrawing_a_consent_ends_every_use_resting_on_it()
    {
        var consentId = Guid.NewGuid();
        var resting = ActiveUse(ValidBasis with { RecordId = consentId }, DaysAgo(3));
        var other = ActiveUse(ValidBasis with { RecordId = Guid.NewGuid() }, DaysAgo(3));

        var ended = TechnologyUse.EndAllOnWithdrawnConsent([resting, other], consentId, Now);

        Assert.Equal([resting], ended);
        Assert.Equal(UseEndReason.ConsentWithdrawn, resting.EndReason);
        Assert.Equal(UseStatus.Active, other.Status);
    }

    [Fact]
    public void A_surveillance_technology_needs_human_rights_balancing()
    {
        var approval = Approval(surveillance: true);
        var use = Proposed(approval);
        Assert.Equal("human-rights.required-surveillance", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
    }

    [Fact]
    public void Each_missing_part_of_the_human_rights_balancing_is_refused_by_name()
    {
        var approval = Approval(surveillance: true);
        var use = Proposed(approval);
        use.HumanRights = new HumanRightsBalancing { HowBalanced = "x", LegalAdviceSought = false };
        Assert.Equal("human-rights.rights-engaged-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.HumanRights = new HumanRightsBalancing { RightsEngaged = HumanRight.LibertyAndSecurity, LegalAdviceSought = false };
        Assert.Equal("human-rights.balancing-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.HumanRights = new HumanRightsBalancing { RightsEngaged = HumanRight.LibertyAndSecurity, HowBalanced = "x" };
        Assert.Equal("human-rights.legal-advice-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.HumanRights = new HumanRightsBalancing { RightsEngaged = HumanRight.FreedomFromInhumanOrDegradingTreatment, HowBalanced = "x", LegalAdviceSought = true };
        Assert.Equal("human-rights.legal-advice-summary-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
    }

    [Fact]
    public void A_technology_managing_a_safety_risk_needs_proportionality_and_relational_care_recorded()
    {
        var approval = Approval(safety: true);
        var use = Proposed(approval);
        Assert.True(use.ManagesSafetyRisk);
        Assert.Equal("safety.required", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.Safety = new SafetyProportionality { HowRelationalCareContinues = "Named nurse spends time each evening" };
        Assert.Equal("safety.proportionality-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.Safety = new SafetyProportionality { WhyProportionate = "Two falls with injury; least restrictive option" };
        Assert.Equal("safety.relational-care-missing", use.Activate(ValidBasis, approval, Policy, Now)?.Rule);
        use.Safety = new SafetyProportionality { WhyProportionate = "Two falls with injury", HowRelationalCareContinues = "Named nurse spends time each evening" };
        Assert.Null(use.Activate(ValidBasis, approval, Policy, Now));
    }

    [Fact]
    public void A_patient_safety_purpose_is_a_safety_use_even_if_the_technology_is_not_categorised_so()
    {
        var use = Proposed(purpose: UsePurpose.PatientSafety);
        Assert.Equal("safety.required", use.Activate(ValidBasis, Approval(), Policy, Now)?.Rule);
    }

    [Fact]
    public void Withdrawal_ends_the_use_at_once()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(3));
        Assert.Null(use.Withdraw(Now));
        Assert.Equal(UseStatus.Ended, use.Status);
        Assert.Equal(UseEndReason.ConsentWithdrawn, use.EndReason);
        Assert.Equal(Now, use.EndedAt);
        Assert.Equal("use.already-ended", use.Withdraw(Now.AddHours(1))?.Rule);
        Assert.Equal(Now, use.EndedAt);
    }

    [Fact]
    public void Withdrawing_approval_suspends_every_use_of_that_technology_in_that_setting()
    {
        var approval = Approval();
        var a = ActiveUse(ValidBasis, DaysAgo(3));
        var b = ActiveUse(ValidBasis, DaysAgo(2), patient: Guid.NewGuid());
        var ended = ActiveUse(ValidBasis, DaysAgo(2), patient: Guid.NewGuid());
        ended.Withdraw(DaysAgo(1));
        var other = ActiveUse(ValidBasis, DaysAgo(2), technology: OtherTechnology);

        var changed = TechnologyUse.SuspendAllForWithdrawnApproval([a, b, ended, other], approval, Now);

        Assert.Equal([a, b], changed);
        Assert.All(changed, u => Assert.Equal(UseStatus.Suspended, u.Status));
        Assert.Equal(SuspensionReason.ApprovalWithdrawn, a.SuspensionReason);
        Assert.Equal(UseStatus.Ended, ended.Status);
        Assert.Equal(UseStatus.Active, other.Status);
    }

    [Fact]
    public void A_suspended_use_resumes_only_when_approval_is_back_in_force()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(3));
        var withdrawn = Approval();
        withdrawn.WithdrawnAt = DaysAgo(1);
        use.SuspendForApprovalWithdrawn(DaysAgo(1));
        Assert.Equal("use.approval-withdrawn", use.Resume(withdrawn, Now)?.Rule);
        Assert.Null(use.Resume(Approval(), Now));
        Assert.Equal(UseStatus.Active, use.Status);
        Assert.Equal("use.not-suspended", use.Resume(Approval(), Now)?.Rule);
    }

    [Fact]
    public void Reviews_fall_due_become_overdue_and_pass_the_grace_period()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(10));
        var due = use.CarePlan.NextReviewDate!.Value;
        Assert.Equal(ReviewState.NotDue, use.ReviewStateAt(Policy, due - Policy.ReviewDueSoonNotice - TimeSpan.FromHours(1)));
        Assert.Equal(ReviewState.DueSoon, use.ReviewStateAt(Policy, due.AddHours(-1)));
        Assert.Equal(ReviewState.Overdue, use.ReviewStateAt(Policy, due));
        Assert.Equal(ReviewState.Overdue, use.ReviewStateAt(Policy, due + Policy.ReviewGracePeriod - TimeSpan.FromMinutes(1)));
        Assert.Equal(ReviewState.OverduePastGrace, use.ReviewStateAt(Policy, due + Policy.ReviewGracePeriod));
    }

    [Fact]
    public void An_overdue_review_is_raised_once_per_review_date_and_again_after_the_next_date_passes()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(10));
        var due = use.CarePlan.NextReviewDate!.Value;
        Assert.Null(use.TakeOverdueReview(Policy, due.AddHours(-1)));
        Assert.Equal(due, use.TakeOverdueReview(Policy, due.AddMinutes(1)));
        Assert.Null(use.TakeOverdueReview(Policy, due.AddHours(2)));
        Assert.Null(use.TakeOverdueReview(Policy, due + Policy.ReviewGracePeriod));

        var reviewedAt = due.AddDays(1);
        var next = reviewedAt.AddDays(14);
        Assert.Null(use.RecordReview(reviewedAt, next, "sleep and falls", Policy));
        Assert.Null(use.TakeOverdueReview(Policy, next.AddMinutes(-1)));
        Assert.Equal(next, use.TakeOverdueReview(Policy, next.AddMinutes(1)));
    }

    [Fact]
    public void An_ended_use_never_raises_an_overdue_review()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(10));
        var due = use.CarePlan.NextReviewDate!.Value;
        Assert.Null(use.End(UseEndReason.NoLongerNeeded, due.AddHours(-2)));
        Assert.Null(use.TakeOverdueReview(Policy, due.AddDays(1)));
    }

    [Fact]
    public void Recording_a_review_sets_the_next_one()
    {
        var use = ActiveUse(ValidBasis, DaysAgo(20));
        var next = Now.AddDays(28);
        Assert.Null(use.RecordReview(Now, next, "Falls, sleep, whether she still wants it", Policy));
        Assert.Equal(next, use.CarePlan.NextReviewDate);
        Assert.Equal(Now, use.LastReviewedAt);
        Assert.Equal(ReviewState.NotDue, use.ReviewStateAt(Policy, Now));
        Assert.Equal("care-plan.next-review-in-past", use.RecordReview(Now, Now, "x", Policy)?.Rule);
        Assert.Equal("care-plan.review-covers-missing", use.RecordReview(Now, next, " ", Policy)?.Rule);
        Assert.Equal("care-plan.next-review-too-far", use.RecordReview(Now, Now.AddYears(1), "x", Policy)?.Rule);
    }

    [Fact]
    public void Rebasing_moves_the_use_to_the_patients_own_consent()
    {
        var bestInterests = ValidBasis with { Kind = LawfulBasisKind.BestInterests };
        var use = ActiveUse(bestInterests, DaysAgo(10));
        var own = ValidBasis with { RecordId = Guid.NewGuid() };
        Assert.Null(use.Rebase(own));
        Assert.Equal(LawfulBasisKind.OwnConsent, use.LawfulBasisKind);
        Assert.Equal(own.RecordId, use.LawfulBasisRecordId);
    }

    [Fact]
    public void The_patient_copy_is_plain_language_and_covers_all_eight_items()
    {
        var use = ActiveUse(ValidBasis, Now);
        var copy = use.PatientCopy();
        Assert.Contains("SleepSense bed sensor", copy);
        Assert.Contains(use.CarePlan.Reason, copy);
        Assert.Contains(use.CarePlan.WhenAndHowUsed, copy);
        Assert.Contains(use.CarePlan.InformationGiven, copy);
        Assert.Contains("easy read", copy);
        Assert.Contains("You agreed to this.", copy);
        Assert.Contains(use.CarePlan.DecisionMakingProcess, copy);
        Assert.Contains(use.CarePlan.DataUse, copy);
        Assert.Contains("16 March 2026", copy);
        Assert.Contains(use.CarePlan.ReviewCovers, copy);
        Assert.Contains(use.CarePlan.HowToWithdraw, copy);
        Assert.Contains("change your mind", copy);
    }

    [Theory]
    [InlineData(LawfulBasisKind.ProxyConsent, ProxyKind.LastingPowerOfAttorney, "Your attorney")]
    [InlineData(LawfulBasisKind.ProxyConsent, ProxyKind.ParentalResponsibility, "parental responsibility")]
    [InlineData(LawfulBasisKind.ProxyConsent, ProxyKind.Deputy, "deputy")]
    [InlineData(LawfulBasisKind.BestInterests, ProxyKind.Unspecified, "best-interests decision")]
    public void The_patient_copy_explains_who_decided(LawfulBasisKind kind, ProxyKind proxy, string words)
    {
        var use = ActiveUse(ValidBasis with { Kind = kind, ProxyKind = proxy }, Now);
        Assert.Contains(words, use.PatientCopy());
    }
}
