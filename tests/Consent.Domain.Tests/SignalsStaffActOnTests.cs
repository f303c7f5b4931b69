using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the first mutation run of ConsentSignals.cs and Patient.cs found): which uses a change is reported
/// for, and each deadline the ward is warned of, with its kind and its date: a proxy's authority running out (MCA 2005
/// s16, s20), an open objection's re-decision (MCA 2005 s4(6), s6), an authorisation of a deprivation of liberty
/// ending (MCA 2005 s4A, Sch A1), a best-interests decision due after capacity is lost (MCA 2005 s4), the finding a
/// basis rests on falling stale (MCA 2005 s2; Gillick v West Norfolk [1986] AC 112) and the 18th birthday (Children
/// Act 1989 s105; Family Law Reform Act 1969 s9).
/// </summary>
public class SignalsStaffActOnTests
{
    private static List<DeadlineWarning> Warnings(PatientConsentRecords records, DeadlineKind kind, DateTime now, TechnologyApproval? approval = null) =>
        ConsentSignals.DeadlinesApproaching(records, [approval ?? Approval()], Policy, now).Where(w => w.Kind == kind).ToList();

    private static OwnConsent Copy(OwnConsent c) => new()
    {
        Id = c.Id, PatientId = c.PatientId, TechnologyId = c.TechnologyId, Decision = c.Decision, InformationGiven = c.InformationGiven,
        InformationFormat = c.InformationFormat, RecordedAt = c.RecordedAt, RecordedBy = c.RecordedBy,
    };

    // ---- Which uses a change is reported for ----

    [Fact]
    public void A_use_whose_check_did_not_change_is_not_reported_after_a_change()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(2));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(2));
        var other = ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(2))), DaysAgo(2), technology: OtherTechnology);
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), consent, use, other);
        Assert.True(UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, [Approval()], Policy, Now).IsPermitted);

        Assert.Empty(ConsentSignals.Reevaluate(records, records, [Approval()], Policy, Now));

        // Withdrawing the consent to one technology reports that use only (MCA 2005 s1(2): the presumption stands, so
        // the other use's own consent still holds).
        var withdrawn = Copy(consent);
        withdrawn.Withdraw(HoursAgo(1));
        var after = Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), withdrawn, use, other);
        var changed = Assert.Single(ConsentSignals.Reevaluate(records, after, [Approval()], Policy, Now));
        Assert.Equal(use.Id, changed.Use.Id);
        Assert.True(changed.NowDenied);
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, changed.After.DenyReasons & UseDenyReasons.ConsentWithdrawn);
    }

    [Fact]
    public void A_denied_use_whose_reasons_changed_is_reported_though_it_stays_denied()
    {
        var decision = BestInterests(DaysAgo(30));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(30));
        use.CarePlan.NextReviewDate = DaysAgo(10); // past its grace: denied as overdue
        var before = Records(AgeBand.Aged26To64, Lacks(DaysAgo(31), reassessBy: Now.AddDays(20)), decision, use);
        // She objected two days ago and nobody has re-decided since (MCA 2005 s4(6), s6).
        var objection = PatientObjection.Record(before, use, DaysAgo(2), ObjectionExpression.Behaviour,
            "Pulls the sensor mat out from under the mattress and says 'no' each night", "staff:RN-1042", Guid.NewGuid(), Policy, Now).Value;
        var after = before.With(objection: objection);

        var was = UseCheck.Evaluate(before, Technology, Ward, UsePurpose.DirectCareOrTreatment, [Approval()], Policy, Now);
        var now = UseCheck.Evaluate(after, Technology, Ward, UsePurpose.DirectCareOrTreatment, [Approval()], Policy, Now);
        Assert.Equal(was.LawfulBasis, now.LawfulBasis);

        var changed = Assert.Single(ConsentSignals.Reevaluate(before, after, [Approval()], Policy, Now));
        Assert.Equal(use.Id, changed.Use.Id);
        Assert.False(changed.NowDenied);
        Assert.Null(changed.SafetyAlert);
        Assert.Equal(UseDenyReasons.ReviewOverdue, changed.Before.DenyReasons);
        Assert.Equal(UseDenyReasons.ReviewOverdue | UseDenyReasons.ObjectionNotRedecided, changed.After.DenyReasons);
        Assert.Equal(["use-check.review-overdue"], changed.Before.Reasons.Select(r => r.Rule));
    }

    [Fact]
    public void A_permitted_use_whose_basis_changed_is_reported_with_the_basis_to_move_to()
    {
        var first = Own(ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(OwnBasis(first), DaysAgo(5));
        var before = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), first, use);
        // A fresh consent, given after more information (MCA 2005 s3: information in a way the patient understands).
        var second = Own(ConsentDecision.Given, HoursAgo(1));
        var after = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), first, second, use);

        var changed = Assert.Single(ConsentSignals.Reevaluate(before, after, [Approval()], Policy, Now));
        Assert.True(changed.Before.IsPermitted);
        Assert.True(changed.After.IsPermitted);
        Assert.Equal(changed.Before.DenyReasons, changed.After.DenyReasons);
        Assert.Equal(second.Id, changed.RebaseTo?.RecordId);
    }

    [Fact]
    public void An_ended_use_is_not_reported_when_the_consent_behind_the_use_that_replaced_it_is_withdrawn()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(20));
        var ended = ActiveUse(OwnBasis(consent), DaysAgo(20));
        Assert.Null(ended.End(UseEndReason.Discharged, DaysAgo(10)));
        var current = ActiveUse(OwnBasis(consent), DaysAgo(9));
        var before = Records(AgeBand.Aged26To64, Presumed(DaysAgo(21)), consent, ended, current);
        var withdrawn = Copy(consent);
        withdrawn.Withdraw(HoursAgo(1));
        var after = Records(AgeBand.Aged26To64, Presumed(DaysAgo(21)), withdrawn, ended, current);

        var changed = Assert.Single(ConsentSignals.Reevaluate(before, after, [Approval()], Policy, Now));
        Assert.Equal(current.Id, changed.Use.Id);
    }

    // ---- Deadlines the ward is warned of ----

    [Fact]
    public void The_ward_is_warned_before_a_deputys_authority_runs_out_and_not_of_an_authority_the_consent_does_not_rest_on_MCA_2005_s16_and_s20()
    {
        var deputy = Deputy();
        deputy.ExpiresAt = Now + Policy.DeadlineWarningNotice;
        var otherAttorney = Deputy();
        otherAttorney.ExpiresAt = Now.AddHours(1);
        var consent = By(deputy, ConsentDecision.Given, DaysAgo(1));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, ProxyKind.Deputy, LawfulBasisStatus.Valid, null), DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), otherAttorney, deputy, consent, use);
        Assert.Equal(consent.Id, UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, [Approval()], Policy, Now).LawfulBasis?.RecordId);

        var warning = Assert.Single(Warnings(records, DeadlineKind.ProxyAuthorityExpires, Now));
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.ProxyAuthorityExpires, deputy.ExpiresAt.Value), warning);
        // On the notice and one tick before it.
        Assert.Empty(Warnings(records, DeadlineKind.ProxyAuthorityExpires, Now.AddTicks(-1)));
    }

    [Fact]
    public void No_proxy_expiry_is_warned_of_when_the_use_rests_on_the_patients_own_consent()
    {
        var deputy = Deputy();
        deputy.ExpiresAt = Now.AddHours(1);
        var own = Own(ConsentDecision.Given, DaysAgo(1));
        var use = ActiveUse(OwnBasis(own), DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(2)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(3)), own, use);
        Assert.Empty(Warnings(records, DeadlineKind.ProxyAuthorityExpires, Now));
    }

    [Fact]
    public void An_open_objection_warns_of_its_re_decision_deadline_on_the_use_objected_to_only_MCA_2005_s4_6_and_s6()
    {
        var decision = BestInterests(DaysAgo(10));
        var basis = new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);
        var use = ActiveUse(basis, DaysAgo(9));
        var other = ActiveUse(basis, DaysAgo(9), technology: OtherTechnology);
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, other);
        var objection = PatientObjection.Record(records, use, HoursAgo(2), ObjectionExpression.Behaviour,
            "Pulls the sensor mat out from under the mattress and says 'no' each night", "staff:RN-1042", Guid.NewGuid(), Policy, Now).Value;
        var withObjection = records.With(objection: objection);

        var warning = Assert.Single(Warnings(withObjection, DeadlineKind.ObjectionRedecisionBy, Now));
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.ObjectionRedecisionBy, HoursAgo(2) + Policy.ObjectionRedecisionWithin), warning);

        // Once re-decided, nothing is due.
        objection.Redecision = new ObjectionRedecision(HoursAgo(1), "staff:Consultant-12", RedecisionOutcome.Continue,
            "Weighed her objection against three falls with injury; keep for one week with daily review", "Falls with head injury at night",
            "Alerts only, no images, night-time only; hourly checks woke her and raised distress", Balancing(), null);
        Assert.Empty(Warnings(withObjection, DeadlineKind.ObjectionRedecisionBy, Now));
    }

    [Fact]
    public void A_restrictive_use_warns_before_its_deprivation_of_liberty_authorisation_ends_and_a_use_that_restricts_nothing_does_not_MCA_2005_Sch_A1()
    {
        var expires = Now.AddDays(1);
        var screen = Screen(DaysAgo(10), deprivation: true, DeprivationOfLibertyAuthorisation.DolsStandard, expires);
        var decision = BestInterests(DaysAgo(10));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use, screen);

        Assert.Empty(Warnings(records, DeadlineKind.DeprivationOfLibertyReviewOrExpiry, Now));
        use.ContinuousMonitoringOrRestrictive = true;
        var warning = Assert.Single(Warnings(records, DeadlineKind.DeprivationOfLibertyReviewOrExpiry, Now, Restrictive()));
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.DeprivationOfLibertyReviewOrExpiry, expires), warning);
    }

    [Fact]
    public void A_consented_safety_use_warns_of_the_best_interests_decision_due_after_capacity_is_lost_MCA_2005_s4()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var approval = Approval(safety: true);
        var use = TechnologyUse.Propose(Request(), approval, Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), approval, Policy, DaysAgo(5)));
        var lostAt = HoursAgo(3);
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, use, Lacks(lostAt));

        var warning = Assert.Single(Warnings(records, DeadlineKind.BestInterestsDecisionBy, Now, approval));
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.BestInterestsDecisionBy, lostAt + Policy.CapacityLostTransition), warning);
        Assert.Empty(Warnings(records, DeadlineKind.ConsentRequiredBy, Now, approval));
    }

    [Fact]
    public void Under_16_the_ward_is_warned_to_reassess_Gillick_competence_not_capacity_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(20));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(20));
        var finding = Gillick(true, DaysAgo(27)); // no reassess-by date: stale after the trust's 28 days
        var records = Records(AgeBand.Under16, finding, consent, use);

        var warning = Assert.Single(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, Now),
            w => w.Kind is DeadlineKind.GillickReassessment or DeadlineKind.CapacityReassessment);
        Assert.Equal(new DeadlineWarning(use.Id, ThePatient, Technology, Ward, DeadlineKind.GillickReassessment, DaysAgo(27) + Policy.GillickFindingMaxAge), warning);
    }

    [Fact]
    public void A_16_or_17_year_old_is_warned_of_turning_18_not_16_Children_Act_1989_s105()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(2));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(2));
        var records = new PatientConsentRecords
        {
            PatientId = ThePatient, AgeBand = AgeBand.Aged16To17, Turns18On = DateOnly.FromDateTime(Now.AddDays(1)),
            CapacityAssessments = [Presumed(DaysAgo(3))], OwnConsents = [consent], Uses = [use],
        };
        var warning = Assert.Single(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, Now),
            w => w.Kind is DeadlineKind.TurnsSixteen or DeadlineKind.TurnsEighteen);
        Assert.Equal((DeadlineKind.TurnsEighteen, records.Turns18At!.Value), (warning.Kind, warning.Deadline));
    }

    // ---- The finding a basis rests on ----

    [Fact]
    public void A_finding_recorded_at_the_instant_of_the_check_is_the_latest_and_a_finding_for_another_technology_never_is_MCA_2005_s2()
    {
        var earlier = Lacks(DaysAgo(5), reassessBy: Now.AddDays(3));
        var atNow = Lacks(Now, reassessBy: Now.AddDays(1));
        var records = Records(AgeBand.Aged26To64, earlier, atNow);
        Assert.Equal(atNow.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(records, Technology, Policy, Now));
        Assert.Equal(earlier.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(records, Technology, Policy, Now.AddTicks(-1)));

        // Under 16: the Gillick finding for this technology (Gillick v West Norfolk [1986] AC 112), to the instant.
        var gillick = Gillick(false, DaysAgo(5));
        gillick.ReassessBy = Now.AddDays(3);
        var gillickNow = Gillick(true, Now);
        gillickNow.ReassessBy = Now.AddDays(1);
        var otherTechnology = new GillickAssessment
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, Decision = "Use of the step counter", Competent = true,
            AssessedBy = "staff:Dr-77", AssessedAt = DaysAgo(1), ReassessBy = Now.AddDays(9),
        };
        var child = Records(AgeBand.Under16, gillick, otherTechnology);
        Assert.Equal(gillick.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(child, Technology, Policy, Now));
        var childNow = Records(AgeBand.Under16, gillick, gillickNow);
        Assert.Equal(gillickNow.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(childNow, Technology, Policy, Now));
        Assert.Equal(gillick.StaleFrom(Policy), ConsentSignals.FindingStaleFrom(childNow, Technology, Policy, Now.AddTicks(-1)));
    }

    // ---- Patient ----

    [Fact]
    public void A_birthday_at_the_end_of_the_span_is_crossed_Family_Law_Reform_Act_1969_s9()
    {
        var records = new PatientConsentRecords { PatientId = ThePatient, AgeBand = AgeBand.Under16, Turns16On = new DateOnly(2026, 5, 2) };
        var sixteen = records.Turns16At!.Value;
        Assert.Equal([(AgeThreshold.Sixteen, sixteen)], PatientAge.ThresholdsCrossed(records, sixteen.AddTicks(-1), sixteen));
    }

    [Fact]
    public void A_new_patient_record_has_no_trust_nhs_number_or_ward_until_they_are_given()
    {
        var patient = new Patient();
        Assert.Equal(("", "", ""), (patient.TenantId, patient.NhsNumber, patient.WardCode));
    }
}
