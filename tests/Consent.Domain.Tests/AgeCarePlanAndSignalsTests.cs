using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of Patient.cs, CarePlanRecord.cs, ConsentSignals.cs and BlanketUseDetector.cs found):
/// the age band at an instant and the birthdays crossed (Family Law Reform Act 1969 s9; Children Act 1989 s105; MCA
/// 2005 s2(5)), what the patient's copy of the care plan says, the signals staff act on, and the blanket-use signal's
/// window and share on their limits (P2).
/// </summary>
public class AgeCarePlanAndSignalsTests
{
    private static readonly DateTime Sixteen = new(2026, 5, 1, 23, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Eighteen = new(2028, 5, 1, 23, 0, 0, DateTimeKind.Utc);

    // ---- Age ----

    [Fact]
    public void The_band_moves_on_the_instant_of_each_birthday_Family_Law_Reform_Act_1969_s9()
    {
        Assert.Equal(AgeBand.Under16, PatientAge.BandAt(AgeBand.Under16, Sixteen, Eighteen, Sixteen.AddTicks(-1)));
        Assert.Equal(AgeBand.Aged16To17, PatientAge.BandAt(AgeBand.Under16, Sixteen, Eighteen, Sixteen));
        Assert.Equal(AgeBand.Aged16To17, PatientAge.BandAt(AgeBand.Under16, Sixteen, Eighteen, Eighteen.AddTicks(-1)));
        Assert.Equal(AgeBand.Aged18To25, PatientAge.BandAt(AgeBand.Under16, Sixteen, Eighteen, Eighteen));
        // A recorded adult band is kept once 18 (its subdivisions are for reporting).
        Assert.Equal(AgeBand.Aged26To64, PatientAge.BandAt(AgeBand.Aged26To64, null, Eighteen, Eighteen));
        // Without a 16th birthday: a minor stays in the band recorded until 18, and an adult band recorded early is read as 16-17.
        Assert.Equal(AgeBand.Under16, PatientAge.BandAt(AgeBand.Under16, null, Eighteen, Eighteen.AddTicks(-1)));
        Assert.Equal(AgeBand.Aged16To17, PatientAge.BandAt(AgeBand.Aged18To25, null, Eighteen, Eighteen.AddTicks(-1)));
        Assert.Equal(AgeBand.Aged65AndOver, PatientAge.BandAt(AgeBand.Aged65AndOver, null, null, Now));
    }

    [Fact]
    public void The_birthdays_crossed_are_those_after_the_start_up_to_and_including_the_end_in_order()
    {
        var records = new PatientConsentRecords { PatientId = ThePatient, AgeBand = AgeBand.Under16, Turns16On = new DateOnly(2026, 5, 2) };
        var sixteen = records.Turns16At!.Value;
        var eighteen = records.Turns18At!.Value;
        Assert.Equal([(AgeThreshold.Sixteen, sixteen), (AgeThreshold.Eighteen, eighteen)], PatientAge.ThresholdsCrossed(records, sixteen.AddTicks(-1), eighteen));
        Assert.Empty(PatientAge.ThresholdsCrossed(records, sixteen.AddTicks(-1), sixteen.AddTicks(-1)));
        Assert.Equal([(AgeThreshold.Eighteen, eighteen)], PatientAge.ThresholdsCrossed(records, sixteen, eighteen.AddDays(1)));
        Assert.Empty(PatientAge.ThresholdsCrossed(records, eighteen, eighteen.AddDays(1)));

        Assert.Equal((AgeThreshold.Sixteen, sixteen), PatientAge.NextThreshold(records, sixteen.AddTicks(-1)));
        Assert.Equal((AgeThreshold.Eighteen, eighteen), PatientAge.NextThreshold(records, sixteen));
        Assert.Null(PatientAge.NextThreshold(records, eighteen));
        Assert.Null(PatientAge.NextThreshold(Records(AgeBand.Aged26To64), Now));
    }

    [Fact]
    public void Birthdays_fall_on_the_same_day_of_the_year_and_29_February_only_moves_in_other_years()
    {
        Assert.Equal((new DateOnly(2026, 2, 10), new DateOnly(2028, 2, 10)), PatientAge.FromDateOfBirth(new DateOnly(2010, 2, 10)));
        Assert.Equal((new DateOnly(2026, 3, 29), new DateOnly(2028, 3, 29)), PatientAge.FromDateOfBirth(new DateOnly(2010, 3, 29)));
        // Born on 29 February 2012: 16 in a leap year (29 February 2028), 18 in a common year (1 March 2030).
        Assert.Equal((new DateOnly(2028, 2, 29), new DateOnly(2030, 3, 1)), PatientAge.FromDateOfBirth(new DateOnly(2012, 2, 29)));
    }

    // ---- The care plan and the patient's copy ----

    [Fact]
    public void A_corrected_plan_copies_the_eight_items_and_not_the_record_id_or_technology()
    {
        var use = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2));
        var source = new CarePlanRecord
        {
            Id = Guid.NewGuid(), TechnologyName = "Other", Reason = "r", WhenAndHowUsed = "w", InformationGiven = "i", InformationFormat = AccessibleFormat.Braille,
            DecisionMakingProcess = "d", DataUse = "u", DataUsePurposes = PurposeSet.Monitoring, NextReviewDate = Now.AddDays(3), ReviewCovers = "c", HowToWithdraw = "h",
        };
        var id = use.CarePlan.Id;
        use.CarePlan.CopyItemsFrom(source);
        var p = use.CarePlan;
        Assert.Equal((id, "SleepSense bed sensor", "r", "w", "i", AccessibleFormat.Braille, "d", "u", Now.AddDays(3), "c", "h"),
            (p.Id, p.TechnologyName, p.Reason, p.WhenAndHowUsed, p.InformationGiven, p.InformationFormat, p.DecisionMakingProcess, p.DataUse, p.NextReviewDate, p.ReviewCovers, p.HowToWithdraw));
        Assert.Equal(PurposeSet.None, p.DataUsePurposes);
    }

    [Fact]
    public void A_care_plan_with_no_record_id_or_technology_name_is_refused_by_name_P2()
    {
        var plan = new CarePlanRecord();
        Assert.Equal("care-plan.record-id-missing", plan.Validate(Policy, Now)?.Rule);
        var use = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2));
        use.CarePlan.TechnologyName = " ";
        Assert.Equal("care-plan.technology-name-missing", use.CarePlan.Validate(Policy, Now)?.Rule);
        use.CarePlan.TechnologyName = "SleepSense";
        use.CarePlan.NextReviewDate = Now.AddDays(92);
        Assert.Null(use.CarePlan.Validate(Policy, Now));
        use.CarePlan.NextReviewDate = Now.AddDays(92).AddTicks(1);
        Assert.Equal("care-plan.next-review-too-far", use.CarePlan.Validate(Policy, Now)?.Rule);
        Assert.Contains("within 92 days", use.CarePlan.Validate(Policy, Now)!.Message);
        use.CarePlan.NextReviewDate = Now;
        Assert.Equal("care-plan.next-review-in-past", use.CarePlan.Validate(Policy, Now)?.Rule);
    }

    [Theory]
    [InlineData(AccessibleFormat.StandardWritten, "written information")]
    [InlineData(AccessibleFormat.EasyRead, "easy read")]
    [InlineData(AccessibleFormat.LargePrint, "large print")]
    [InlineData(AccessibleFormat.Braille, "braille")]
    [InlineData(AccessibleFormat.Audio, "audio")]
    [InlineData(AccessibleFormat.Video, "video")]
    [InlineData(AccessibleFormat.BritishSignLanguage, "British Sign Language")]
    [InlineData(AccessibleFormat.SpokenLanguageInterpreter, "through an interpreter")]
    [InlineData(AccessibleFormat.VerbalWithVisualAids, "talking it through with pictures")]
    [InlineData(AccessibleFormat.Other, "another format suited to you")]
    public void The_patients_copy_names_the_format_they_were_given_the_information_in_P2(AccessibleFormat format, string words)
    {
        var use = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2));
        use.CarePlan.InformationFormat = format;
        Assert.Contains($"We gave you this information as: {words}.", use.PatientCopy());
    }

    [Theory]
    [InlineData(ProxyKind.ParentalResponsibility, "The person with parental responsibility who agreed can change their mind")]
    [InlineData(ProxyKind.LastingPowerOfAttorney, "Your attorney can change their mind")]
    [InlineData(ProxyKind.Deputy, "Your deputy can change their mind")]
    [InlineData(ProxyKind.Unspecified, "can change their mind")]
    public void The_patients_copy_under_a_proxys_consent_says_who_can_change_their_mind(ProxyKind proxy, string words)
    {
        var plan = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2)).CarePlan;
        var copy = plan.PatientCopy(LawfulBasisKind.ProxyConsent, proxy);
        Assert.Contains(words, copy);
        Assert.Contains("within 24 hours", copy);
        Assert.Equal(copy, plan.PatientCopy(LawfulBasisKind.ProxyConsent, proxy, TrustPolicy.Default));
    }

    [Fact]
    public void The_patients_copy_never_promises_a_re_decision_sooner_than_an_hour_and_has_a_fallback_for_an_unknown_basis()
    {
        var plan = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2)).CarePlan;
        Assert.Contains("look at the decision again within 1 hour, ", plan.PatientCopy(LawfulBasisKind.BestInterests, ProxyKind.Unspecified, Policy with { ObjectionRedecisionWithin = TimeSpan.FromMinutes(20) }));
        Assert.Contains("look at the decision again within 2 hours, ", plan.PatientCopy(LawfulBasisKind.BestInterests, ProxyKind.Unspecified, Policy with { ObjectionRedecisionWithin = TimeSpan.FromMinutes(100) }));
        var unknown = plan.PatientCopy(LawfulBasisKind.None, ProxyKind.Unspecified);
        Assert.Contains("You can tell us at any time that you do not want it, and we will look at the decision again with you.", unknown);
        Assert.StartsWith("Your care plan: using SleepSense bed sensor\n\n", unknown);
    }

    [Fact]
    public void Human_rights_balancing_names_only_the_four_rights_and_legal_advice_sought_needs_its_summary_P1()
    {
        var rights = Balancing();
        Assert.Null(rights.Validate());
        rights.RightsEngaged = HumanRight.Life | HumanRight.LibertyAndSecurity | HumanRight.PrivateAndFamilyLife | HumanRight.FreedomFromInhumanOrDegradingTreatment;
        Assert.Null(rights.Validate());
        rights.RightsEngaged = HumanRight.Life | (HumanRight)16;
        Assert.Equal("human-rights.rights-engaged-missing", rights.Validate()?.Rule);
        rights = Balancing();
        rights.LegalAdviceSought = true;
        Assert.Equal("human-rights.legal-advice-summary-missing", rights.Validate()?.Rule);
        rights.LegalAdviceSummary = "Trust solicitor: proportionate if night-time only";
        Assert.Null(rights.Validate());
        rights.LegalAdviceSummary = "a\u0007";
        Assert.Equal("legal-advice-summary.control-characters", rights.ValidateText()?.Rule);
        var safety = Proportionate();
        safety.HowRelationalCareContinues = "a\u0007";
        Assert.Equal("how-relational-care-continues.control-characters", safety.ValidateText()?.Rule);
        safety = Proportionate();
        safety.WhyProportionate = " ";
        Assert.Equal("safety.proportionality-missing", safety.Validate()?.Rule);
    }

    // ---- Signals ----

    private static UseCheckResult Permit(LawfulBasis basis) =>
        new(UseCheckDecision.Permit, UseDenyReasons.None, [], UseCheckWarnings.None, basis, null, null, null, null);

    private static UseCheckResult Deny() =>
        new(UseCheckDecision.Deny, UseDenyReasons.NoLawfulBasis, [Refusal.Precondition("lawful-basis.none", "No basis.")], UseCheckWarnings.None, null, null, null, null, null);

    [Fact]
    public void A_use_that_stops_being_permitted_alerts_the_ward_only_if_it_manages_a_safety_risk_P6()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        var safety = ActiveUse(basis, DaysAgo(2));
        safety.ManagesSafetyRisk = true;
        var denied = new UseReevaluation(safety, Permit(basis), Deny());
        Assert.True(denied.NowDenied);
        var alert = denied.SafetyAlert!;
        Assert.Equal((safety.Id, ThePatient, Technology, Ward, SafetyFallback.HumanObservation), (alert.UseId, alert.PatientId, alert.TechnologyId, alert.WardCode, alert.Fallback));
        Assert.Equal("lawful-basis.none", Assert.Single(alert.Reasons).Rule);
        Assert.Contains("human observation", alert.Message);
        Assert.Equal("This technology can no longer be used for this patient.", (alert with { Fallback = SafetyFallback.None }).Message);

        Assert.False(new UseReevaluation(safety, Deny(), Deny()).NowDenied);
        Assert.Null(new UseReevaluation(safety, Deny(), Deny()).SafetyAlert);
        Assert.False(new UseReevaluation(safety, Permit(basis), Permit(basis)).NowDenied);
        safety.ManagesSafetyRisk = false;
        Assert.Null(denied.SafetyAlert);
    }

    [Fact]
    public void A_use_moves_to_a_different_basis_only_when_the_new_one_is_valid()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        var use = ActiveUse(basis, DaysAgo(2));
        var other = basis with { RecordId = Guid.NewGuid() };
        Assert.Equal(other, new UseReevaluation(use, Permit(basis), Permit(other)).RebaseTo);
        Assert.Null(new UseReevaluation(use, Permit(basis), Permit(basis)).RebaseTo);
        Assert.Null(new UseReevaluation(use, Permit(basis), Permit(other with { Status = LawfulBasisStatus.ConsentRequired })).RebaseTo);
        Assert.Null(new UseReevaluation(use, Permit(basis), Deny()).RebaseTo);
    }

    [Fact]
    public void The_finding_a_basis_rests_on_falls_stale_from_the_latest_finding_of_incapacity_for_this_technology_MCA_2005_s2_1()
    {
        var older = Lacks(DaysAgo(20), reassessBy: Now.AddDays(1));
        var latest = Lacks(DaysAgo(5), reassessBy: Now.AddDays(3));
        var future = Lacks(Now.AddHours(1), reassessBy: Now.AddDays(9));
        var otherTechnology = Lacks(DaysAgo(1), reassessBy: Now.AddDays(7), technology: OtherTechnology);
        Assert.Equal(latest.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(Records(AgeBand.Aged26To64, older, latest, future, otherTechnology), Technology, Policy, Now));
        Assert.Equal(latest.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(Records(AgeBand.Aged26To64, latest, older), Technology, Policy, Now));
        Assert.Null(ConsentSignals.FindingStaleFrom(Records(AgeBand.Aged26To64, latest, HasCapacity(DaysAgo(1))), Technology, Policy, Now));
        Assert.Null(ConsentSignals.FindingStaleFrom(Records(AgeBand.Aged26To64, otherTechnology), Technology, Policy, Now));

        // Under 16 it is the latest Gillick finding (Gillick v West Norfolk [1986] AC 112).
        var earlier = Gillick(false, DaysAgo(10));
        var later = Gillick(true, DaysAgo(2));
        later.ReassessBy = Now.AddDays(5);
        Assert.Equal(later.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(Records(AgeBand.Under16, earlier, later, latest), Technology, Policy, Now));
        Assert.Equal(later.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(Records(AgeBand.Under16, later, earlier), Technology, Policy, Now));
        Assert.Null(ConsentSignals.FindingStaleFrom(Records(AgeBand.Under16, latest), Technology, Policy, Now));
    }

    [Fact]
    public void Staff_are_prompted_to_ask_only_about_refusals_an_adult_or_16_17_year_old_made_with_capacity_and_not_yet_answered_MCA_2005_s24()
    {
        var refusal = Own(ConsentDecision.Refused, DaysAgo(2));
        Assert.Equal([refusal], ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Aged16To17, Presumed(DaysAgo(3)), refusal), Policy, Now));
        Assert.Empty(ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Under16, Gillick(true, DaysAgo(3)), refusal), Policy, Now));
        Assert.Empty(ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Aged26To64, Lacks(DaysAgo(3)), refusal), Policy, Now));
        Assert.Empty(ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), refusal), Policy, DaysAgo(2).AddTicks(-1)));
        Assert.Equal([refusal], ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), refusal), Policy, DaysAgo(2)));
        Assert.Empty(ConsentSignals.RefusalQuestionsToAsk(Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), Own(ConsentDecision.Given, DaysAgo(2))), Policy, Now));
    }

    [Fact]
    public void A_warning_falls_due_within_the_notice_before_a_deadline_and_not_on_or_after_it()
    {
        var use = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2));
        var due = use.CarePlan.NextReviewDate!.Value;
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), use);
        List<DeadlineKind> At(DateTime now) => ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, now).Where(w => w.Kind == DeadlineKind.ReviewDue).Select(w => w.Kind).ToList();
        Assert.Empty(At(due - Policy.ReviewDueSoonNotice - TimeSpan.FromTicks(1)));
        Assert.Single(At(due - Policy.ReviewDueSoonNotice));
        Assert.Single(At(due.AddTicks(-1)));
        Assert.Empty(At(due));

        var warning = ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, due.AddHours(-1)).Single(w => w.Kind == DeadlineKind.ReviewDue);
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.ReviewDue, due), warning);
        Assert.DoesNotContain(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, due.AddHours(1)), w => w.Kind == DeadlineKind.ReviewGraceEnds);
        var grace = ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, due.AddDays(2)).Single();
        Assert.Equal((DeadlineKind.ReviewGraceEnds, due + Policy.ReviewGracePeriod), (grace.Kind, grace.Deadline));

        use.End(UseEndReason.Discharged, DaysAgo(1));
        Assert.Empty(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, due.AddHours(-1)));
    }

    // ---- Blanket use (P2) ----

    private static readonly string[] Written =
    [
        "Two night-time falls this admission while getting up to the toilet",
        "Wants to track her mood to talk it through with her named nurse each week",
        "Epilepsy: nocturnal seizures missed twice on checks, family asked for it",
    ];

    [Fact]
    public void The_window_runs_from_its_start_to_now_inclusive_and_a_use_not_yet_started_counts_from_its_proposal()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        var windowStart = Now - Policy.BlanketWindow;
        var uses = Enumerable.Range(0, 3).Select(i => ActiveUse(basis, windowStart, patient: Guid.NewGuid(), reason: Written[i])).ToList();
        Assert.Single(BlanketUseDetector.Detect(Ward, 4, uses, Policy, Now));
        uses[0].ActivatedAt = windowStart.AddTicks(-1);
        Assert.Empty(BlanketUseDetector.Detect(Ward, 4, uses, Policy, Now));
        uses[0].ActivatedAt = Now.AddTicks(1);
        Assert.Empty(BlanketUseDetector.Detect(Ward, 4, uses, Policy, Now));
        uses[0].ActivatedAt = Now;
        Assert.Single(BlanketUseDetector.Detect(Ward, 4, uses, Policy, Now));
        uses[0].ActivatedAt = null;
        uses[0].ProposedAt = DaysAgo(1);
        Assert.Single(BlanketUseDetector.Detect(Ward, 4, uses, Policy, Now));
    }

    [Fact]
    public void A_share_of_exactly_the_threshold_is_not_flagged_and_one_patient_counts_once()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        var uses = Enumerable.Range(0, 3).Select(i => ActiveUse(basis, DaysAgo(1), patient: Guid.NewGuid(), reason: Written[i])).ToList();
        Assert.Empty(BlanketUseDetector.Detect(Ward, 6, uses, Policy, Now));
        var signal = Assert.Single(BlanketUseDetector.Detect(Ward, 5, uses, Policy, Now));
        Assert.StartsWith("3 of 5 patients on ward WARD-ASH (", signal.Summary);
        Assert.EndsWith(") started this technology within 7 days. Check each decision was personalised.", signal.Summary);
        Assert.Null(signal.MinimumSimilarity);

        // The same patient's second use of the technology is not a second patient.
        var again = ActiveUse(basis, DaysAgo(1), patient: uses[0].PatientId, reason: "Another reason written for her");
        Assert.Empty(BlanketUseDetector.Detect(Ward, 6, [.. uses, again], Policy with { BlanketShareThreshold = 0.55 }, Now));
        Assert.Empty(BlanketUseDetector.Detect(Ward, 0, uses, Policy, Now));
    }

    [Fact]
    public void Copied_reasons_are_flagged_at_the_similarity_threshold_with_the_lowest_similarity_in_the_cluster()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        const string reason = "Night-time falls: two falls this admission while getting up to the toilet";
        var copies = Enumerable.Range(0, 3).Select(_ => ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid(), reason: reason)).ToList();
        var blank = ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid());
        blank.CarePlan.Reason = " ";
        var signal = Assert.Single(BlanketUseDetector.Detect(Ward, 20, [.. copies, blank], Policy with { RationaleSimilarityThreshold = 1 }, Now));
        Assert.Equal((BlanketSignalKind.NearIdenticalRationales, 3, 1.0, 0.15), (signal.Kind, signal.UseCount, signal.MinimumSimilarity, signal.Share));
        Assert.Equal(copies.Select(u => u.Id).Order(), signal.UseIds);
        Assert.Equal("3 uses on ward WARD-ASH give near-identical reasons (similarity at least 1.00). Check each reason was written for the patient.", signal.Summary);

        copies[2].CarePlan.Reason = reason + " and once in the day room";
        var similarity = BlanketUseDetector.Similarity(BlanketUseDetector.Normalise(reason), BlanketUseDetector.Normalise(copies[2].CarePlan.Reason));
        var near = Assert.Single(BlanketUseDetector.Detect(Ward, 20, [.. copies, blank], Policy with { RationaleSimilarityThreshold = similarity }, Now));
        Assert.Equal(similarity, near.MinimumSimilarity);
        Assert.Equal(3, near.UseCount);
        Assert.Empty(BlanketUseDetector.Detect(Ward, 20, [.. copies, blank], Policy with { RationaleSimilarityThreshold = similarity + 0.0001 }, Now));
    }

    [Fact]
    public void Similarity_of_empty_texts_is_1_and_of_one_empty_text_0()
    {
        Assert.Equal(1, BlanketUseDetector.Similarity("", ""));
        Assert.Equal(0, BlanketUseDetector.Similarity("falls", ""));
        Assert.Equal(0, BlanketUseDetector.Similarity("", "falls"));
        Assert.Equal(1, BlanketUseDetector.Similarity("falls at night", "falls at night"));
        Assert.Equal("falls at night 2", BlanketUseDetector.Normalise("  Falls -- at NIGHT (2)!  "));
        Assert.Equal("", BlanketUseDetector.Normalise("  "));
        Assert.Equal("", BlanketUseDetector.Normalise("!!"));
    }
}
