using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 17's domain rules: purpose limitation, one rule for the use and approval, reviews with people, bounded policy, forbidden writes, corrections, transfers, text.</summary>
public class WardReadinessTests
{
    private static (PatientConsentRecords Records, TechnologyUse Use) Consented(UsePurpose purpose = UsePurpose.DirectCareOrTreatment, PurposeSet dataUse = PurposeSet.None)
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var use = TechnologyUse.Propose(Request() with { Purpose = purpose }, Approval(), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(3)).Value;
        CompleteCarePlan(use, DaysAgo(3));
        use.CarePlan.DataUsePurposes = dataUse;
        if (use.IsMonitoring) use.HumanRights = Balancing();
        if (use.ManagesSafetyRisk) use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), Approval(), Policy, DaysAgo(3)));
        return (Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), consent, use), use);
    }

    // ---- Purpose limitation (UK GDPR Art 5(1)(b); Caldicott principle 1) ----

    [Fact]
    public void A_check_for_a_purpose_the_use_was_not_authorised_for_is_denied_naming_both_UK_GDPR_Article_5_1_b()
    {
        var (records, _) = Consented(UsePurpose.PatientSafety);
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.Monitoring, Approval(), Policy, Now);
        var denial = Assert.Single(result.Denials);
        Assert.Equal(UseDenyReasons.PurposeNotAuthorised, denial.Kind);
        Assert.Equal("use-check.purpose-not-authorised", denial.Refusal.Rule);
        Assert.Contains("monitoring", denial.Refusal.Message);
        Assert.Contains("patient safety", denial.Refusal.Message);
        Assert.True(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.PatientSafety, Approval(), Policy, Now).IsPermitted);
    }

    [Fact]
    public void A_check_with_no_purpose_is_denied_naming_what_the_use_was_authorised_for_UK_GDPR_Article_5_1_b()
    {
        var (records, _) = Consented();
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.Unspecified, Approval(), Policy, Now);
        Assert.Equal("use-check.purpose-missing", Assert.Single(result.Reasons).Rule);
        Assert.Contains("direct care or treatment", result.Reasons[0].Message);
    }

    [Fact]
    public void A_purpose_listed_in_the_care_plans_data_use_item_is_authorised_UK_GDPR_Article_5_1_b()
    {
        var (records, _) = Consented(UsePurpose.DirectCareOrTreatment, PurposeSet.CommunicationOrFeedback);
        Assert.True(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.CommunicationOrFeedback, Approval(), Policy, Now).IsPermitted);
        Assert.False(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.Monitoring, Approval(), Policy, Now).IsPermitted);
        Assert.False(Purposes.IsAcceptable((PurposeSet)(1 << (int)UsePurpose.CoverLowStaffing)));
    }

    [Fact]
    public void A_denied_purpose_allocates_its_reason_once()
    {
        var (records, _) = Consented(UsePurpose.PatientSafety);
        var first = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.Monitoring, Approval(), Policy, Now).Reasons[0];
        var second = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.Monitoring, Approval(), Policy, Now).Reasons[0];
        Assert.Same(first, second);
    }

    // ---- One rule picks the use and the approval; deny kinds are types ----

    [Fact]
    public void One_rule_picks_the_use_and_the_approval_for_its_setting_among_the_trusts_approvals()
    {
        var (records, use) = Consented();
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(1) };
        var acuteOld = Approval();
        acuteOld.WithdrawnAt = DaysAgo(100);
        var acute = Approval();
        var other = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = OtherTechnology, TechnologyName = "y", SettingCode = Setting, ApprovedAt = DaysAgo(1) };
        TechnologyApproval[] approvals = [picu, acuteOld, other, acute];

        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, approvals, Policy, Now);
        Assert.True(result.IsPermitted);
        Assert.Equal((use.Id, acute.Id), (result.UseId, result.ApprovalId));
        Assert.Same(acute, TechnologyApproval.Select(approvals, Technology, Setting));
        Assert.False(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, [picu, other], Policy, Now).IsPermitted);
    }

    [Fact]
    public void Deny_reasons_carry_their_kind_as_a_type()
    {
        var (records, _) = Consented();
        records.OwnConsents[0].Withdraw(HoursAgo(1));
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        var denial = Assert.Single(result.Denials);
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, denial.Kind);
        Assert.Same(result.Reasons[0], denial.Refusal);
        var decision = LawfulBasisRules.Decide(records, Technology, Policy, Now);
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, decision.DenyKind);
    }

    // ---- Reviews with people and outcomes ----

    private static UseReview Review(TechnologyUse use, ReviewDecision decision) => new()
    {
        Id = Guid.NewGuid(),
        UseId = use.Id,
        PatientId = use.PatientId,
        ReviewedAt = Now,
        ReviewedBy = "staff:Consultant-12",
        Participants = ReviewParticipants.Patient | ReviewParticipants.FamilyOrCarers | ReviewParticipants.MdtMembers,
        MdtRoles = "consultant, named nurse, occupational therapist",
        PatientViewsSought = true,
        PatientViews = "Wants to keep it for another month; sleeps better",
        Benefit = "No falls since it started",
        Harms = "None seen; she sometimes forgets it is there",
        OutcomeMeasureReferences = ["Falls log 2026-03", "HoNOS 2026-03-01"],
        Decision = decision,
        ChangeDescription = decision == ReviewDecision.Change ? "Night-time only from now on" : null,
        NextReviewDate = decision == ReviewDecision.Stop ? null : Now.AddDays(28),
        NextReviewCovers = decision == ReviewDecision.Stop ? null : "Falls, sleep, whether she still wants it",
    };

    [Fact]
    public void A_review_records_who_took_part_the_patients_views_what_was_observed_and_the_decision_P2_and_P8()
    {
        var (_, use) = Consented();
        var review = Review(use, ReviewDecision.Continue);
        review.Participants = ReviewParticipants.None;
        Assert.Equal("review.participants-missing", use.RecordReview(review, Policy)?.Rule);
        review = Review(use, ReviewDecision.Continue);
        review.MdtRoles = null;
        Assert.Equal("review.mdt-roles-missing", use.RecordReview(review, Policy)?.Rule);
        review = Review(use, ReviewDecision.Continue);
        review.PatientViewsSought = false;
        Assert.Equal("review.why-views-not-sought-missing", use.RecordReview(review, Policy)?.Rule);
        review = Review(use, ReviewDecision.Continue);
        review.Harms = "";
        Assert.Equal("review.harms-missing", use.RecordReview(review, Policy)?.Rule);
        review = Review(use, ReviewDecision.Change);
        review.ChangeDescription = null;
        Assert.Equal("review.change-description-missing", use.RecordReview(review, Policy)?.Rule);

        Assert.Null(use.RecordReview(Review(use, ReviewDecision.Continue), Policy));
        Assert.Equal((Now, Now.AddDays(28)), (use.LastReviewedAt, use.CarePlan.NextReviewDate));
        Assert.Equal(UseStatus.Active, use.Status);
    }

    [Fact]
    public void A_review_that_decides_to_stop_ends_the_use_P2()
    {
        var (_, use) = Consented();
        Assert.Null(use.RecordReview(Review(use, ReviewDecision.Stop), Policy));
        Assert.Equal((UseStatus.Ended, UseEndReason.ReviewDecidedToStop), (use.Status, use.EndReason));
    }

    // ---- Trust policy within the platform's limits ----

    [Fact]
    public void Trust_policy_periods_have_upper_limits_the_platform_sets_so_enforcement_cannot_be_switched_off()
    {
        var refusal = (TrustPolicy.Default with { ReviewGracePeriod = TimeSpan.FromDays(365) }).Validate();
        Assert.Equal("trust-policy.above-platform-limit", refusal?.Rule);
        Assert.StartsWith("review_grace_period:", refusal!.Message);
        Assert.Equal("trust-policy.above-platform-limit", (TrustPolicy.Default with { CapacityRegainedGracePeriod = TimeSpan.MaxValue }).Validate()?.Rule);
        Assert.Equal("trust-policy.above-platform-limit", (TrustPolicy.Default with { MaxReviewInterval = TimeSpan.FromDays(400) }).Validate()?.Rule);

        var stored = TrustPolicy.Default with { CapacityRegainedGracePeriod = TimeSpan.FromHours(72), ReviewGracePeriod = TimeSpan.FromDays(90) };
        var bounded = stored.WithinPlatformLimits();
        Assert.Equal((TrustPolicy.PlatformLimits.CapacityRegainedGracePeriod, TrustPolicy.PlatformLimits.ReviewGracePeriod), (bounded.CapacityRegainedGracePeriod, bounded.ReviewGracePeriod));
        Assert.Null(bounded.Validate());
    }

    [Fact]
    public void Not_a_number_or_a_negative_value_in_the_trust_policy_is_refused_naming_the_field()
    {
        var nan = (TrustPolicy.Default with { BlanketShareThreshold = double.NaN }).Validate();
        Assert.Equal("trust-policy.not-a-number", nan?.Rule);
        Assert.StartsWith("blanket_share_threshold:", nan!.Message);
        var negative = (TrustPolicy.Default with { ObjectionRedecisionWithin = TimeSpan.FromHours(-1) }).Validate();
        Assert.Equal("trust-policy.negative-period", negative?.Rule);
        Assert.StartsWith("objection_redecision_within:", negative!.Message);
    }

    [Fact]
    public void Every_trust_policy_change_is_an_event_with_the_actor_and_each_field_before_and_after()
    {
        var changed = TrustPolicy.Change(TrustPolicy.Default, TrustPolicy.Default with { ReviewGracePeriod = TimeSpan.FromDays(5) }, "staff:admin-1", Now).Value;
        Assert.Equal(("staff:admin-1", Now), (changed.Actor, changed.At));
        var field = Assert.Single(changed.Changes);
        Assert.Equal(("review_grace_period", "3.00:00:00", "5.00:00:00"), (field.Field, field.Before, field.After));
        Assert.Equal("trust-policy.above-platform-limit",
            TrustPolicy.Change(TrustPolicy.Default, TrustPolicy.Default with { ReviewGracePeriod = TimeSpan.FromDays(50) }, "staff:admin-1", Now).Refusal?.Rule);
    }

    // ---- Records the table forbids are refused when written ----

    [Fact]
    public void A_new_best_interests_decision_for_a_patient_who_regained_capacity_is_refused_when_written_MCA_s1_2()
    {
        var old = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, old.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), old, use, HasCapacity(HoursAgo(2)));
        // The older use is in its grace period: the table still permits it, but nothing new may be decided for her.
        Assert.Equal(LawfulBasisStatus.ConsentRequired, LawfulBasisRules.Evaluate(records, Technology, Policy, Now).Value.Status);

        var candidate = records.With(bestInterests: BestInterests(HoursAgo(1)));
        Assert.Equal("lawful-basis.best-interests-patient-has-capacity",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.BestInterests, ProxyKind.Unspecified, Policy, Now)?.Rule);
    }

    [Fact]
    public void A_new_attorney_consent_for_a_patient_who_regained_capacity_is_refused_when_written_MCA_s11_7_a()
    {
        var lpa = Lpa();
        var old = By(lpa, ConsentDecision.Given, DaysAgo(9));
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(10)), lpa, old, HasCapacity(HoursAgo(2)));
        var candidate = records.With(proxyConsent: By(lpa, ConsentDecision.Given, HoursAgo(1)));
        Assert.Equal("lawful-basis.lpa-donor-has-capacity",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.LastingPowerOfAttorney, Policy, Now)?.Rule);

        // While she lacks capacity the same consent is accepted.
        var lacking = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(10)), lpa).With(proxyConsent: By(lpa, ConsentDecision.Given, HoursAgo(1)));
        Assert.Null(LawfulBasisRules.RefusalForNewDecision(lacking, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.LastingPowerOfAttorney, Policy, Now));
    }

    // ---- A proposed use can be corrected before activation ----

    [Fact]
    public void A_proposed_use_can_be_corrected_before_it_starts_and_not_after()
    {
        var use = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        CompleteCarePlan(use, Now);
        var plan = new CarePlanRecord();
        plan.CopyItemsFrom(use.CarePlan);
        plan.Reason = "Corrected: falls when getting up to the toilet, twice this week";
        Assert.Equal("use.purpose-reduces-staff-time", use.Correct(new UseCorrection(Purpose: UsePurpose.CoverLowStaffing), Approval(), Now)?.Rule);
        Assert.Null(use.Correct(new UseCorrection(Purpose: UsePurpose.PatientSafety, CarePlan: plan, Safety: Proportionate()), Approval(), Now));
        Assert.Equal((UsePurpose.PatientSafety, true, plan.Reason, Now), (use.Purpose, use.ManagesSafetyRisk, use.CarePlan.Reason, use.CorrectedAt));
        Assert.Null(use.Activate(OwnBasis(Own(ConsentDecision.Given, Now)), Approval(), Policy, Now));
        Assert.Equal("use.not-correctable", use.Correct(new UseCorrection(Purpose: UsePurpose.DirectCareOrTreatment), Approval(), Now)?.Rule);
    }

    // ---- A ward transfer suspends what the new setting has not approved ----

    [Fact]
    public void A_ward_transfer_suspends_exactly_the_uses_not_approved_for_the_new_wards_setting()
    {
        var approved = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(3))), DaysAgo(3));
        var notApproved = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(3))), DaysAgo(3), technology: OtherTechnology);
        var ended = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(3))), DaysAgo(3));
        ended.End(UseEndReason.NoLongerNeeded, DaysAgo(1));
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(100) };

        var transfer = TechnologyUse.TransferPatient([approved, notApproved, ended], "WARD-ELM", "picu", [picu, Approval()], Now);

        Assert.Equal([approved, notApproved], transfer.Moved);
        Assert.Equal([notApproved], transfer.Suspended);
        Assert.Equal((UseStatus.Active, "WARD-ELM", "picu"), (approved.Status, approved.WardCode, approved.SettingCode));
        Assert.Equal((UseStatus.Suspended, SuspensionReason.NotApprovedForWardSetting), (notApproved.Status, notApproved.SuspensionReason));
        Assert.Equal((UseStatus.Ended, Ward), (ended.Status, ended.WardCode));

        var check = UseCheck.Evaluate(Records(AgeBand.Aged26To64, notApproved), OtherTechnology, "WARD-ELM", UsePurpose.DirectCareOrTreatment, [picu], Policy, Now);
        Assert.Contains(check.Reasons, r => r.Rule == "use-check.suspended-not-approved-for-ward");

        // Moving back to an approving setting resumes it.
        var back = TechnologyUse.TransferPatient([notApproved], Ward, Setting, [Approval(), ActiveUseApproval(OtherTechnology)], Now.AddDays(1));
        Assert.Equal([notApproved], back.Resumed);
        Assert.Equal(UseStatus.Active, notApproved.Status);
    }

    private static TechnologyApproval ActiveUseApproval(Guid technology) =>
        new() { Id = Guid.NewGuid(), TechnologyId = technology, TechnologyName = "Other", SettingCode = Setting, ApprovedAt = DaysAgo(200) };

    // ---- Free text ----

    [Fact]
    public void Free_text_has_length_limits_and_refuses_control_characters_naming_the_field()
    {
        var consent = Own(ConsentDecision.Given, Now);
        consent.RecordedBy = "staff\u001b[2J";
        Assert.Equal("recorded-by.control-characters", consent.ValidateText()?.Rule);
        consent = Own(ConsentDecision.Given, Now);
        consent.InformationGiven = new string('a', FreeText.NarrativeLimit + 1);
        var tooLong = consent.ValidateText();
        Assert.Equal("information-given.too-long", tooLong?.Rule);
        Assert.Contains("4000", tooLong!.Message);
        consent.InformationGiven = "Line one\nLine two\twith a tab";
        Assert.Null(consent.ValidateText());
        Assert.Equal("reason.invalid-characters", FreeText.Narrative("reason", "broken \ud800 text")?.Rule);
        var plan = new CarePlanRecord { Reason = "ok", HowToWithdraw = "tell a nurse\u0000" };
        Assert.Equal("how-to-withdraw.control-characters", plan.ValidateText()?.Rule);
    }
}
