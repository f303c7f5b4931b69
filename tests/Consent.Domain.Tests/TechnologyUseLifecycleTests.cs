using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of TechnologyUse.cs found): each step of a use's life (propose, correct, start,
/// rebase, suspend, resume, transfer, review, end) refuses by name what it cannot do and records exactly what it did.
/// </summary>
public class TechnologyUseLifecycleTests
{
    private static readonly LawfulBasis OwnConsentBasis = new(LawfulBasisKind.OwnConsent, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);
    private static readonly LawfulBasis BestInterestsBasis = new(LawfulBasisKind.BestInterests, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    private static void Refused(Refusal? refusal, string rule, RefusalKind kind = RefusalKind.FailedPrecondition)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(kind, refusal.Kind);
    }

    private static TechnologyUse Proposed(TechnologyApproval? approval = null, UsePurpose purpose = UsePurpose.DirectCareOrTreatment)
    {
        var use = TechnologyUse.Propose(Request() with { Purpose = purpose }, approval ?? Approval(), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(1)).Value;
        CompleteCarePlan(use, Now);
        return use;
    }

    // ---- Purposes (P5; UK GDPR Article 5(1)(b)) ----

    [Fact]
    public void Only_the_accepted_purposes_make_up_a_set_and_the_two_P5_forbids_never_do()
    {
        Assert.Equal(PurposeSet.None, Purposes.Of(UsePurpose.Unspecified));
        Assert.Equal(PurposeSet.DirectCareOrTreatment, Purposes.Of(UsePurpose.DirectCareOrTreatment));
        Assert.Equal(PurposeSet.ReleasingTimeToCare, Purposes.Of(UsePurpose.ReleasingTimeToCare));
        Assert.Equal(PurposeSet.None, Purposes.Of(UsePurpose.ReduceStaffTimeWithPatient));
        Assert.Equal(PurposeSet.None, Purposes.Of(UsePurpose.CoverLowStaffing));
        Assert.Equal(PurposeSet.None, Purposes.Of((UsePurpose)(-1)));

        var set = PurposeSet.PatientSafety | PurposeSet.Monitoring;
        Assert.True(set.Contains(UsePurpose.Monitoring));
        Assert.False(set.Contains(UsePurpose.DirectCareOrTreatment));
        Assert.False(set.Contains(UsePurpose.CoverLowStaffing));

        Assert.True(Purposes.IsAcceptable(PurposeSet.None));
        Assert.True(Purposes.IsAcceptable(set | PurposeSet.ReleasingTimeToCare | PurposeSet.CommunicationOrFeedback | PurposeSet.DirectCareOrTreatment));
        Assert.False(Purposes.IsAcceptable((PurposeSet)(1 << (int)UsePurpose.ReduceStaffTimeWithPatient)));
        Assert.False(Purposes.IsAcceptable(set | (PurposeSet)(1 << (int)UsePurpose.CoverLowStaffing)));
        Assert.False(Purposes.IsAcceptable((PurposeSet)1));
    }

    [Fact]
    public void Purposes_are_named_in_words_a_clinician_reads()
    {
        Assert.Equal("none", Purposes.InWords(PurposeSet.None));
        Assert.Equal("direct care or treatment, patient safety, releasing time to care",
            Purposes.InWords(PurposeSet.ReleasingTimeToCare | PurposeSet.DirectCareOrTreatment | PurposeSet.PatientSafety));
        Assert.Equal("monitoring, communication or feedback", Purposes.InWords(PurposeSet.Monitoring | PurposeSet.CommunicationOrFeedback));
        Assert.Equal("reducing staff time with the patient", Purposes.InWords(UsePurpose.ReduceStaffTimeWithPatient));
        Assert.Equal("covering low staffing", Purposes.InWords(UsePurpose.CoverLowStaffing));
        Assert.Equal("no purpose stated", Purposes.InWords(UsePurpose.Unspecified));
    }

    // ---- Propose ----

    [Fact]
    public void A_proposed_use_carries_what_the_approval_says_about_the_technology_and_the_request_names()
    {
        var approval = Approval(surveillance: true);
        approval.ContinuousMonitoringOrRestrictive = true;
        var careplan = Guid.NewGuid();
        var id = Guid.NewGuid();
        var use = TechnologyUse.Propose(Request() with { WardCode = "  WARD-ASH  " }, approval, id, careplan, DaysAgo(1)).Value;
        Assert.Equal((id, ThePatient, Technology, "WARD-ASH", Setting, UsePurpose.DirectCareOrTreatment, UseStatus.Proposed, DaysAgo(1)),
            (use.Id, use.PatientId, use.TechnologyId, use.WardCode, use.SettingCode, use.Purpose, use.Status, use.ProposedAt));
        Assert.Equal((true, false, true), (use.IsSurveillance, use.ManagesSafetyRisk, use.ContinuousMonitoringOrRestrictive));
        Assert.Equal((careplan, "SleepSense bed sensor"), (use.CarePlan.Id, use.CarePlan.TechnologyName));
        Assert.Null(use.ActivatedAt);
        Assert.True(use.IsMonitoring);

        var safety = TechnologyUse.Propose(Request(), Approval(safety: true), id, careplan, DaysAgo(1)).Value;
        Assert.Equal((false, true, false, false), (safety.IsSurveillance, safety.ManagesSafetyRisk, safety.ContinuousMonitoringOrRestrictive, safety.IsMonitoring));
    }

    [Fact]
    public void A_request_naming_no_real_patient_an_unknown_purpose_or_an_approval_that_cannot_stand_is_refused()
    {
        Refused(TechnologyUse.Propose(Request(Guid.Empty), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "use.patient-required", RefusalKind.InvalidArgument);
        Refused(TechnologyUse.Propose(Request() with { Purpose = (UsePurpose)99 }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "use.purpose-required",
            RefusalKind.InvalidArgument);
        Refused(TechnologyUse.Propose(Request() with { Purpose = UsePurpose.Unspecified }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "use.purpose-required",
            RefusalKind.InvalidArgument);
        Refused(TechnologyUse.Propose(Request(), null, Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "use.no-approval-for-setting");
        Refused(TechnologyUse.Propose(Request() with { SettingCode = "picu" }, Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "use.no-approval-for-setting");
        var s63Surveillance = Approval(surveillance: true);
        s63Surveillance.MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.Section63Record;
        Refused(TechnologyUse.Propose(Request(), s63Surveillance, Guid.NewGuid(), Guid.NewGuid(), Now).Refusal, "approval.detention-not-a-basis-for-monitoring");
    }

    // ---- Activate ----

    [Fact]
    public void A_use_starts_once_on_a_valid_basis_and_records_the_basis_and_when()
    {
        var use = Proposed();
        var basis = new LawfulBasis(LawfulBasisKind.ProxyConsent, Guid.NewGuid(), ProxyKind.Deputy, LawfulBasisStatus.Valid, null);
        use.HumanRights = Balancing();
        Assert.Null(use.Activate(basis, Approval(), Policy, Now));
        Assert.Equal((UseStatus.Active, Now, LawfulBasisKind.ProxyConsent, basis.RecordId, ProxyKind.Deputy),
            (use.Status, use.ActivatedAt, use.LawfulBasisKind, use.LawfulBasisRecordId, use.LawfulBasisProxyKind));
        Refused(use.Activate(basis, Approval(), Policy, Now), "use.not-proposed");
    }

    [Fact]
    public void A_use_does_not_start_without_its_approval_in_force_a_basis_or_on_an_ending_basis()
    {
        Refused(Proposed().Activate(OwnConsentBasis, null, Policy, Now), "use.no-approval-for-setting");
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(10) };
        Refused(Proposed().Activate(OwnConsentBasis, picu, Policy, Now), "use.no-approval-for-setting");
        var withdrawn = Approval();
        withdrawn.WithdrawnAt = Now;
        Refused(Proposed().Activate(OwnConsentBasis, withdrawn, Policy, Now), "use.approval-withdrawn");
        Assert.Null(Proposed().Activate(OwnConsentBasis, withdrawn, Policy, Now.AddTicks(-1)));

        Refused(Proposed().Activate(OwnConsentBasis with { Kind = LawfulBasisKind.None }, Approval(), Policy, Now), "use.lawful-basis-required");
        Refused(Proposed().Activate(OwnConsentBasis with { RecordId = Guid.Empty }, Approval(), Policy, Now), "use.lawful-basis-required");
        Refused(Proposed().Activate(OwnConsentBasis with { Status = LawfulBasisStatus.ConsentRequired }, Approval(), Policy, Now), "use.lawful-basis-ending");
        Refused(Proposed().Activate(OwnConsentBasis with { Status = LawfulBasisStatus.Unspecified }, Approval(), Policy, Now), "use.lawful-basis-ending");

        var prohibited = Proposed();
        prohibited.Purpose = UsePurpose.CoverLowStaffing;
        Refused(prohibited.Activate(OwnConsentBasis, Approval(), Policy, Now), "use.purpose-reduces-staff-time");
    }

    [Fact]
    public void A_care_plan_listing_a_purpose_P5_forbids_stops_the_use_starting_UK_GDPR_Article_5_1_b()
    {
        var use = Proposed();
        use.CarePlan.DataUsePurposes = PurposeSet.Monitoring | (PurposeSet)(1 << (int)UsePurpose.ReduceStaffTimeWithPatient);
        Refused(use.Activate(OwnConsentBasis, Approval(), Policy, Now), "use.data-use-purpose-not-accepted");
        use.CarePlan.DataUsePurposes = PurposeSet.Monitoring;
        Assert.Null(use.Activate(OwnConsentBasis, Approval(), Policy, Now));
        Assert.Equal(PurposeSet.Monitoring | PurposeSet.DirectCareOrTreatment, use.AuthorisedPurposes);
    }

    [Fact]
    public void The_human_rights_record_asked_for_names_why_it_is_needed_and_must_itself_be_complete_ECHR_Article_8_P1()
    {
        Assert.Null(Proposed().Activate(OwnConsentBasis, Approval(), Policy, Now));
        Refused(Proposed().Activate(BestInterestsBasis, Approval(), Policy, Now), "human-rights.required-not-own-consent", RefusalKind.InvalidArgument);
        Refused(Proposed(Approval(surveillance: true)).Activate(OwnConsentBasis, Approval(surveillance: true), Policy, Now), "human-rights.required-surveillance",
            RefusalKind.InvalidArgument);
        var monitoring = Proposed(purpose: UsePurpose.Monitoring);
        Refused(monitoring.Activate(BestInterestsBasis, Approval(), Policy, Now), "human-rights.required-surveillance", RefusalKind.InvalidArgument);
        var objects = Proposed(Approval(surveillance: true));
        objects.PatientObjects = true;
        Refused(objects.Activate(OwnConsentBasis, Approval(surveillance: true), Policy, Now), "human-rights.required-patient-objects", RefusalKind.InvalidArgument);
        Refused(Proposed().Activate(OwnConsentBasis with { PatientObjects = true }, Approval(), Policy, Now), "human-rights.required-patient-objects",
            RefusalKind.InvalidArgument);

        var incomplete = Proposed();
        incomplete.HumanRights = Balancing();
        incomplete.HumanRights.HowBalanced = " ";
        Refused(incomplete.Activate(BestInterestsBasis, Approval(), Policy, Now), "human-rights.balancing-missing", RefusalKind.InvalidArgument);

        // The basis's objection becomes the use's.
        var use = Proposed();
        use.HumanRights = Balancing();
        Assert.Null(use.Activate(BestInterestsBasis with { PatientObjects = true }, Approval(), Policy, Now));
        Assert.True(use.PatientObjects);
    }

    [Fact]
    public void Who_needs_a_human_rights_record_is_every_basis_but_the_patients_own_consent_and_every_monitoring_or_objected_use()
    {
        var use = Proposed();
        Assert.False(use.NeedsHumanRightsRecord(LawfulBasisKind.OwnConsent, patientObjects: false));
        Assert.False(use.NeedsHumanRightsRecord(LawfulBasisKind.None, patientObjects: false));
        Assert.True(use.NeedsHumanRightsRecord(LawfulBasisKind.OwnConsent, patientObjects: true));
        foreach (var kind in new[] { LawfulBasisKind.ProxyConsent, LawfulBasisKind.BestInterests, LawfulBasisKind.CourtOrder, LawfulBasisKind.MentalHealthActSection63 })
            Assert.True(use.NeedsHumanRightsRecord(kind, patientObjects: false));
        use.ContinuousMonitoringOrRestrictive = true;
        Assert.True(use.NeedsHumanRightsRecord(LawfulBasisKind.OwnConsent, patientObjects: false));
    }

    [Fact]
    public void A_safety_use_needs_a_complete_proportionality_record_and_a_restrictive_one_a_deprivation_of_liberty_screen_P6()
    {
        var safety = Proposed(Approval(safety: true));
        safety.Safety = Proportionate();
        safety.Safety.HowRelationalCareContinues = " ";
        Refused(safety.Activate(OwnConsentBasis, Approval(safety: true), Policy, Now), "safety.relational-care-missing", RefusalKind.InvalidArgument);
        safety.Safety = Proportionate();
        Assert.Null(safety.Activate(OwnConsentBasis, Approval(safety: true), Policy, Now));

        var restrictive = Proposed(Restrictive());
        restrictive.Safety = Proportionate();
        restrictive.HumanRights = Balancing();
        Refused(restrictive.Activate(OwnConsentBasis, Restrictive(), Policy, Now), "deprivation-of-liberty.screen-required");
        Refused(restrictive.Activate(OwnConsentBasis, Restrictive(), Policy, Now, Records(AgeBand.Aged26To64, Screen(DaysAgo(1), deprivation: true))),
            "deprivation-of-liberty.authorisation-required");
        Assert.Equal(UseStatus.Proposed, restrictive.Status);
        Assert.Null(restrictive.Activate(OwnConsentBasis, Restrictive(), Policy, Now, Records(AgeBand.Aged26To64, Screen(DaysAgo(1), deprivation: false))));
        Assert.Equal(UseStatus.Active, restrictive.Status);
    }

    // ---- Correct ----

    [Fact]
    public void A_correction_is_refused_by_name_and_changes_nothing()
    {
        var use = Proposed();
        Refused(use.Correct(new UseCorrection(Purpose: UsePurpose.Unspecified), Approval(), Now), "use.purpose-required", RefusalKind.InvalidArgument);
        Refused(use.Correct(new UseCorrection(Purpose: (UsePurpose)99), Approval(), Now), "use.purpose-required", RefusalKind.InvalidArgument);
        Refused(use.Correct(new UseCorrection(DataUsePurposes: (PurposeSet)(1 << (int)UsePurpose.CoverLowStaffing)), Approval(), Now), "use.data-use-purpose-not-accepted");
        Refused(use.Correct(new UseCorrection(), null, Now), "use.no-approval-for-setting");
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(10) };
        Refused(use.Correct(new UseCorrection(), picu, Now), "use.no-approval-for-setting");
        var withdrawn = Approval();
        withdrawn.WithdrawnAt = Now;
        Refused(use.Correct(new UseCorrection(), withdrawn, Now), "use.approval-withdrawn");
        Refused(use.Correct(new UseCorrection(CarePlan: new CarePlanRecord { Reason = "a\u0007" }), Approval(), Now), "reason.control-characters", RefusalKind.InvalidArgument);
        Refused(use.Correct(new UseCorrection(HumanRights: new HumanRightsBalancing { HowBalanced = "a\u0007" }), Approval(), Now), "how-balanced.control-characters",
            RefusalKind.InvalidArgument);
        Refused(use.Correct(new UseCorrection(Safety: new SafetyProportionality { WhyProportionate = "a\u0007" }), Approval(), Now), "why-proportionate.control-characters",
            RefusalKind.InvalidArgument);
        Assert.Equal((UsePurpose.DirectCareOrTreatment, PurposeSet.None, (DateTime?)null, false), (use.Purpose, use.CarePlan.DataUsePurposes, use.CorrectedAt, use.PatientObjects));
        Assert.Null(use.HumanRights);
        Assert.Null(use.Safety);
    }

    [Fact]
    public void A_correction_takes_the_approvals_current_flags_and_each_part_given_and_keeps_the_rest()
    {
        var use = Proposed();
        CompleteCarePlan(use, Now);
        var reason = use.CarePlan.Reason;
        var approval = Approval(surveillance: true);
        approval.ContinuousMonitoringOrRestrictive = true;
        var rights = Balancing();
        var safety = Proportionate();
        Assert.Null(use.Correct(new UseCorrection(DataUsePurposes: PurposeSet.PatientSafety, PatientObjects: true, HumanRights: rights, Safety: safety), approval, Now));
        Assert.Equal((UsePurpose.DirectCareOrTreatment, PurposeSet.PatientSafety, true, Now), (use.Purpose, use.CarePlan.DataUsePurposes, use.PatientObjects, use.CorrectedAt));
        Assert.Equal((true, true, false), (use.IsSurveillance, use.ContinuousMonitoringOrRestrictive, use.ManagesSafetyRisk));
        Assert.Same(rights, use.HumanRights);
        Assert.Same(safety, use.Safety);
        Assert.Equal(reason, use.CarePlan.Reason);

        // Parts not given stay as they were.
        Assert.Null(use.Correct(new UseCorrection(), Approval(safety: true), Now.AddHours(1)));
        Assert.Equal((PurposeSet.PatientSafety, true, false, false, true), (use.CarePlan.DataUsePurposes, use.PatientObjects, use.IsSurveillance, use.ContinuousMonitoringOrRestrictive, use.ManagesSafetyRisk));
        Assert.Same(rights, use.HumanRights);
        Assert.Same(safety, use.Safety);
        Assert.Equal(Now.AddHours(1), use.CorrectedAt);
        Assert.Null(use.Correct(new UseCorrection(PatientObjects: false), Approval(), Now.AddHours(2)));
        Assert.False(use.PatientObjects);
    }

    // ---- Rebase, end, withdrawal ----

    [Fact]
    public void Only_a_live_use_is_rebased_and_only_onto_a_real_basis()
    {
        var basis = new LawfulBasis(LawfulBasisKind.ProxyConsent, Guid.NewGuid(), ProxyKind.LastingPowerOfAttorney, LawfulBasisStatus.Valid, null);
        Refused(Proposed().Rebase(basis), "use.not-active");
        var use = ActiveUse(OwnConsentBasis, DaysAgo(3));
        Refused(use.Rebase(basis with { Kind = LawfulBasisKind.None }), "use.lawful-basis-required");
        Refused(use.Rebase(basis with { RecordId = Guid.Empty }), "use.lawful-basis-required");
        Assert.Equal(OwnConsentBasis.RecordId, use.LawfulBasisRecordId);
        use.SuspendForApprovalWithdrawn(DaysAgo(1));
        Assert.Null(use.Rebase(basis));
        Assert.Equal((LawfulBasisKind.ProxyConsent, basis.RecordId, ProxyKind.LastingPowerOfAttorney), (use.LawfulBasisKind, use.LawfulBasisRecordId, use.LawfulBasisProxyKind));
        use.End(UseEndReason.Discharged, Now);
        Refused(use.Rebase(basis), "use.not-active");
    }

    [Fact]
    public void Ending_a_use_needs_a_reason()
    {
        var use = ActiveUse(OwnConsentBasis, DaysAgo(3));
        Refused(use.End(UseEndReason.None, Now), "use.end-reason-required", RefusalKind.InvalidArgument);
        Assert.Equal(UseStatus.Active, use.Status);
        Assert.Null(use.End(UseEndReason.Discharged, Now));
        Assert.Equal((UseStatus.Ended, UseEndReason.Discharged, Now), (use.Status, use.EndReason, use.EndedAt));
    }

    [Fact]
    public void A_withdrawn_consent_ends_only_the_uses_resting_on_that_consent()
    {
        var consentId = Guid.NewGuid();
        var own = ActiveUse(OwnConsentBasis with { RecordId = consentId }, DaysAgo(3));
        var proxy = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, consentId, ProxyKind.Deputy, LawfulBasisStatus.Valid, null), DaysAgo(3));
        // A record id that is not a consent (a best-interests decision sharing it) is not withdrawn by this.
        var bestInterests = ActiveUse(BestInterestsBasis with { RecordId = consentId }, DaysAgo(3));
        var other = ActiveUse(OwnConsentBasis, DaysAgo(3));
        var ended = ActiveUse(OwnConsentBasis with { RecordId = consentId }, DaysAgo(3));
        ended.End(UseEndReason.NoLongerNeeded, DaysAgo(1));

        var withdrawn = TechnologyUse.EndAllOnWithdrawnConsent([own, proxy, bestInterests, other, ended], consentId, Now);

        Assert.Equal([own, proxy], withdrawn);
        Assert.Equal((UseEndReason.ConsentWithdrawn, Now), (proxy.EndReason, proxy.EndedAt));
        Assert.Equal((UseStatus.Active, UseStatus.Active, UseEndReason.NoLongerNeeded), (bestInterests.Status, other.Status, ended.EndReason));
    }

    // ---- Suspension, resumption, transfer ----

    [Fact]
    public void A_withdrawn_approval_suspends_a_proposed_or_active_use_and_nothing_else()
    {
        var proposed = Proposed();
        Assert.True(proposed.SuspendForApprovalWithdrawn(Now));
        Assert.Equal((UseStatus.Suspended, Now, SuspensionReason.ApprovalWithdrawn), (proposed.Status, proposed.SuspendedAt, proposed.SuspensionReason));
        Assert.False(proposed.SuspendForApprovalWithdrawn(Now.AddHours(1)));
        Assert.Equal(Now, proposed.SuspendedAt);
        var ended = ActiveUse(OwnConsentBasis, DaysAgo(3));
        ended.End(UseEndReason.Discharged, DaysAgo(1));
        Assert.False(ended.SuspendForApprovalWithdrawn(Now));
        Assert.Equal(UseStatus.Ended, ended.Status);
    }

    [Fact]
    public void A_suspended_use_resumes_where_it_was_proposed_or_active_and_only_under_an_approval_in_force_for_it()
    {
        var proposed = Proposed();
        proposed.SuspendForApprovalWithdrawn(DaysAgo(1));
        Refused(proposed.Resume(null, Now), "use.no-approval-for-setting");
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(10) };
        Refused(proposed.Resume(picu, Now), "use.no-approval-for-setting");
        Assert.Null(proposed.Resume(Approval(), Now));
        Assert.Equal((UseStatus.Proposed, (DateTime?)null, SuspensionReason.None), (proposed.Status, proposed.SuspendedAt, proposed.SuspensionReason));

        Refused(ActiveUse(OwnConsentBasis, DaysAgo(3)).Resume(Approval(), Now), "use.not-suspended");
        var oddlySuspended = ActiveUse(OwnConsentBasis, DaysAgo(3));
        oddlySuspended.Status = UseStatus.Suspended;
        Refused(oddlySuspended.Resume(Approval(), Now), "use.not-suspended");
    }

    [Fact]
    public void A_transfer_moves_every_live_use_suspends_the_unapproved_and_resumes_only_those_suspended_for_the_setting()
    {
        var picu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(10) };
        var proposed = Proposed();
        var suspendedForApproval = ActiveUse(OwnConsentBasis, DaysAgo(3));
        suspendedForApproval.SuspendForApprovalWithdrawn(DaysAgo(2));

        // To a setting with no approval: the proposed use is suspended; the one already suspended keeps its reason.
        var away = TechnologyUse.TransferPatient([proposed, suspendedForApproval], "WARD-ELM", "picu", [], Now);
        Assert.Equal([proposed, suspendedForApproval], away.Moved);
        Assert.Equal([proposed], away.Suspended);
        Assert.Empty(away.Resumed);
        Assert.Equal(("WARD-ELM", "picu"), (away.WardCode, away.SettingCode));
        Assert.Equal((SuspensionReason.NotApprovedForWardSetting, Now), (proposed.SuspensionReason, proposed.SuspendedAt));
        Assert.Equal((SuspensionReason.ApprovalWithdrawn, DaysAgo(2)), (suspendedForApproval.SuspensionReason, suspendedForApproval.SuspendedAt));

        // To a setting whose approval is withdrawn: still not approved.
        var withdrawnPicu = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = Technology, TechnologyName = "x", SettingCode = "picu", ApprovedAt = DaysAgo(10), WithdrawnAt = DaysAgo(1) };
        Assert.Empty(TechnologyUse.TransferPatient([proposed], "WARD-OAK", "picu", [withdrawnPicu], Now.AddHours(1)).Resumed);
        Assert.Equal(UseStatus.Suspended, proposed.Status);

        // Back where it is approved: only the use suspended for the setting resumes (to proposed, as it had no basis).
        var back = TechnologyUse.TransferPatient([proposed, suspendedForApproval], "WARD-BIRCH", "picu", [picu], Now.AddHours(2));
        Assert.Equal([proposed], back.Resumed);
        Assert.Empty(back.Suspended);
        Assert.Equal(UseStatus.Proposed, proposed.Status);
        Assert.Equal((UseStatus.Suspended, "WARD-BIRCH"), (suspendedForApproval.Status, suspendedForApproval.WardCode));
    }

    // ---- Reviews ----

    [Fact]
    public void A_review_may_set_the_next_one_up_to_the_trusts_maximum_interval_and_no_further_P2()
    {
        var use = ActiveUse(OwnConsentBasis, DaysAgo(20));
        Refused(use.RecordReview(Now, Now.AddDays(92).AddTicks(1), "falls", Policy), "care-plan.next-review-too-far", RefusalKind.InvalidArgument);
        Assert.Contains("within 92 days", use.RecordReview(Now, Now.AddDays(93), "falls", Policy)!.Message);
        Assert.Contains("within 30 days", use.RecordReview(Now, Now.AddDays(31), "falls", Policy with { MaxReviewInterval = TimeSpan.FromDays(30) })!.Message);
        Refused(use.RecordReview(Now, Now.AddTicks(-1), "falls", Policy), "care-plan.next-review-in-past", RefusalKind.InvalidArgument);
        Assert.Null(use.LastReviewedAt);
        Assert.Null(use.RecordReview(Now, Now.AddDays(92), "  falls and sleep  ", Policy));
        Assert.Equal((Now.AddDays(92), "falls and sleep"), (use.CarePlan.NextReviewDate, use.CarePlan.ReviewCovers));

        use.SuspendForApprovalWithdrawn(Now);
        Assert.Null(use.RecordReview(Now.AddDays(1), Now.AddDays(20), "approval", Policy));
        Refused(Proposed().RecordReview(Now, Now.AddDays(10), "falls", Policy), "use.not-active");
    }

    [Fact]
    public void A_review_with_people_must_name_this_use_and_be_complete_and_a_decision_to_continue_sets_the_next_P2_and_P8()
    {
        var use = ActiveUse(OwnConsentBasis, DaysAgo(20));
        var review = Review(ReviewDecision.Continue);
        Refused(use.RecordReview(review, Policy), "review.use-mismatch", RefusalKind.InvalidArgument);
        review = new UseReview
        {
            Id = review.Id, UseId = use.Id, PatientId = review.PatientId, ReviewedAt = review.ReviewedAt, ReviewedBy = review.ReviewedBy, Participants = review.Participants,
            MdtRoles = review.MdtRoles, PatientViewsSought = true, PatientViews = review.PatientViews, Benefit = review.Benefit, Harms = review.Harms,
            Decision = ReviewDecision.Continue, NextReviewDate = Now.AddDays(28), NextReviewCovers = "  falls and sleep  ",
        };
        review.Benefit = " ";
        Refused(use.RecordReview(review, Policy), "review.benefit-missing", RefusalKind.InvalidArgument);
        Assert.Null(use.LastReviewedAt);
        review.Benefit = "No falls";
        Assert.Null(use.RecordReview(review, Policy));
        Assert.Equal((Now, Now.AddDays(28), "falls and sleep", UseStatus.Active), (use.LastReviewedAt, use.CarePlan.NextReviewDate, use.CarePlan.ReviewCovers, use.Status));

        use.End(UseEndReason.Discharged, Now.AddDays(1));
        Refused(use.RecordReview(review, Policy), "use.not-active");
        Refused(Proposed().RecordReview(review, Policy), "use.not-active");
    }

    [Fact]
    public void Review_states_change_on_their_instants()
    {
        var use = Proposed();
        use.CarePlan.NextReviewDate = null;
        Assert.Equal(ReviewState.NotScheduled, use.ReviewStateAt(Policy, Now));
        var due = Now.AddDays(10);
        use.CarePlan.NextReviewDate = due;
        Assert.Equal(ReviewState.NotDue, use.ReviewStateAt(Policy, due - Policy.ReviewDueSoonNotice - TimeSpan.FromTicks(1)));
        Assert.Equal(ReviewState.DueSoon, use.ReviewStateAt(Policy, due - Policy.ReviewDueSoonNotice));
        Assert.Equal(ReviewState.DueSoon, use.ReviewStateAt(Policy, due.AddTicks(-1)));
        Assert.Equal(ReviewState.Overdue, use.ReviewStateAt(Policy, due));
        Assert.Equal(ReviewState.Overdue, use.ReviewStateAt(Policy, due + Policy.ReviewGracePeriod - TimeSpan.FromTicks(1)));
        Assert.Equal(ReviewState.OverduePastGrace, use.ReviewStateAt(Policy, due + Policy.ReviewGracePeriod));
    }

    [Fact]
    public void A_suspended_use_still_raises_its_overdue_review_and_a_proposed_one_does_not()
    {
        var use = ActiveUse(OwnConsentBasis, DaysAgo(10));
        var due = use.CarePlan.NextReviewDate!.Value;
        use.SuspendForApprovalWithdrawn(DaysAgo(1));
        Assert.Null(use.TakeOverdueReview(Policy, due.AddTicks(-1)));
        Assert.Equal(due, use.TakeOverdueReview(Policy, due));
        Assert.Equal(due, use.ReviewOverdueRaisedFor);

        var proposed = Proposed();
        Assert.Null(proposed.TakeOverdueReview(Policy, proposed.CarePlan.NextReviewDate!.Value.AddDays(1)));
        Assert.Null(proposed.ReviewOverdueRaisedFor);
    }

    [Fact]
    public void The_patient_copy_under_the_default_policy_says_what_happens_under_the_uses_basis()
    {
        var use = ActiveUse(OwnConsentBasis, DaysAgo(3));
        Assert.Equal(use.PatientCopy(TrustPolicy.Default), use.PatientCopy());
        Assert.Contains("You agreed to this.", use.PatientCopy());
        var bestInterests = ActiveUse(BestInterestsBasis, DaysAgo(3));
        Assert.Contains("within 24 hours", bestInterests.PatientCopy());
        Assert.Contains("within 6 hours", bestInterests.PatientCopy(Policy with { ObjectionRedecisionWithin = TimeSpan.FromHours(6) }));
    }
}
