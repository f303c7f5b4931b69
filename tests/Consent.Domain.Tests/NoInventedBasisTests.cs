using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 20, "No invented basis": each test is a sequence of records that once gave a basis the law does not.</summary>
public class NoInventedBasisTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records, DateTime? now = null) =>
        LawfulBasisRules.Evaluate(records, Technology, Policy, now ?? Now);

    private static void Refused(Outcome<LawfulBasis> outcome, string rule)
    {
        Assert.True(outcome.IsRefused, $"expected {rule} but was permitted on {(outcome.IsRefused ? "" : outcome.Value.Kind)}");
        Assert.Equal(rule, outcome.Refusal!.Rule);
    }

    [Fact]
    public void Consent_given_while_lacking_capacity_does_not_count_MCA_s2_1()
    {
        // Assessed as lacking capacity, "consents", then regains capacity: no fresh consent was ever sought.
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), Own(ConsentDecision.Given, DaysAgo(9)), HasCapacity(DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.consent-given-without-capacity");
    }

    [Fact]
    public void Consent_given_while_not_Gillick_competent_does_not_count_Gillick_v_West_Norfolk_1985()
    {
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(10)), Own(ConsentDecision.Given, DaysAgo(9)), Gillick(true, DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.consent-given-without-capacity");
    }

    [Fact]
    public void A_best_interests_decision_belongs_to_the_incapacity_episode_it_was_made_in_MCA_s4()
    {
        // Lacks capacity, best interests, regains capacity and refuses, lacks capacity again: the old decision is not revived.
        var records = Records(AgeBand.Aged26To64,
            Lacks(DaysAgo(20)), BestInterests(DaysAgo(19)), HasCapacity(DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(9)), Lacks(DaysAgo(2)));
        Refused(Evaluate(records), "lawful-basis.none");
    }

    [Fact]
    public void An_attorneys_consent_belongs_to_the_incapacity_episode_it_was_given_in_MCA_s9_and_s11_7_a()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged65AndOver,
            Lacks(DaysAgo(20)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(19)), HasCapacity(DaysAgo(10)), Own(ConsentDecision.Refused, DaysAgo(9)), Lacks(DaysAgo(2)));
        Refused(Evaluate(records), "lawful-basis.proxy-decision-required");
    }

    [Fact]
    public void A_parents_consent_belongs_to_the_episode_in_which_the_child_was_not_Gillick_competent()
    {
        var parent = Parent();
        var records = Records(AgeBand.Under16,
            Gillick(false, DaysAgo(20)), parent, By(parent, ConsentDecision.Given, DaysAgo(19)), Gillick(true, DaysAgo(10)), Gillick(false, DaysAgo(2)));
        Refused(Evaluate(records), "lawful-basis.proxy-decision-required");
    }

    [Fact]
    public void The_attorney_of_a_valid_LPA_prevails_over_a_deputy_who_refuses_MCA_s20_4()
    {
        var lpa = Lpa();
        var deputy = Deputy();
        var attorneyConsent = By(lpa, ConsentDecision.Given, DaysAgo(1));
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, attorneyConsent, deputy, By(deputy, ConsentDecision.Refused, HoursAgo(5)));
        var outcome = Evaluate(records);
        Assert.False(outcome.IsRefused, outcome.Refusal?.Rule);
        Assert.Equal(attorneyConsent.Id, outcome.Value.RecordId);
    }

    [Fact]
    public void A_refusal_made_with_capacity_must_be_weighed_by_a_later_best_interests_decision_MCA_s4_6_a()
    {
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), Own(ConsentDecision.Refused, DaysAgo(19)), Lacks(DaysAgo(10)), BestInterests(DaysAgo(9)));
        Refused(Evaluate(records), "best-interests.capacitous-refusal-weighed-missing");
    }

    [Fact]
    public void A_refusal_made_with_capacity_that_is_weighed_lets_the_best_interests_decision_stand_MCA_s4_6_a()
    {
        var decision = BestInterests(DaysAgo(9));
        decision.CapacitousRefusalWeighed = "She refused the sensor in March when well; weighed against three falls with injury since; one-week trial, reviewed daily";
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), Own(ConsentDecision.Refused, DaysAgo(19)), Lacks(DaysAgo(10)), decision);
        Assert.Equal(decision.Id, Evaluate(records).Value.RecordId);
    }

    [Fact]
    public void Consent_given_while_lacking_capacity_is_kept_as_the_patients_wishes_for_best_interests_MCA_s4_6_a()
    {
        var wish = Own(ConsentDecision.Given, DaysAgo(9));
        var decision = BestInterests(DaysAgo(8));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), wish, decision);
        Assert.Equal([wish], LawfulBasisRules.WishesRecordedWithoutCapacity(records, Technology, Now));
        // Not consent: the basis is the best-interests decision that weighed it.
        var basis = Evaluate(records).Value;
        Assert.Equal((LawfulBasisKind.BestInterests, decision.Id), (basis.Kind, basis.RecordId));
    }

    [Fact]
    public void A_valid_advance_decision_blocks_the_attorney_and_best_interests_routes_MCA_s24_to_s26()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged65AndOver, AdvanceDecision(DaysAgo(300)), Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)));
        Refused(Evaluate(records), "lawful-basis.advance-decision-refuses");
        Refused(Evaluate(Records(AgeBand.Aged65AndOver, AdvanceDecision(DaysAgo(300)), Lacks(DaysAgo(2)), BestInterests(DaysAgo(1)))), "lawful-basis.advance-decision-refuses");
    }

    [Fact]
    public void An_advance_decision_does_not_apply_while_the_patient_has_capacity_MCA_s25_3()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        var outcome = Evaluate(Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300)), HasCapacity(DaysAgo(2)), consent));
        Assert.Equal(consent.Id, outcome.Value.RecordId);
    }

    [Fact]
    public void An_advance_decision_refusing_what_may_be_life_sustaining_must_be_written_signed_witnessed_and_say_so_MCA_s25_5_and_6()
    {
        var approval = Approval();
        approval.MayBeLifeSustaining = true;
        var decision = BestInterests(DaysAgo(1));
        var oral = Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300), written: false), Lacks(DaysAgo(2)), decision);
        Assert.Equal(decision.Id, LawfulBasisRules.Evaluate(oral, Technology, Policy, Now, approval, null).Value.RecordId);

        var formal = Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300), written: true), Lacks(DaysAgo(2)), decision);
        Refused(LawfulBasisRules.Evaluate(formal, Technology, Policy, Now, approval, null), "lawful-basis.advance-decision-refuses");
        // The oral decision still refuses a technology that is not life-sustaining.
        Refused(Evaluate(oral), "lawful-basis.advance-decision-refuses");
    }

    [Fact]
    public void Only_an_adult_with_capacity_can_make_an_advance_decision_MCA_s24_1()
    {
        var underAge = AdvanceDecision(DaysAgo(300));
        underAge.Aged18OrOverWhenMade = false;
        Assert.Equal("advance-decision.made-under-18", underAge.Validate()?.Rule);
        var withoutCapacity = AdvanceDecision(DaysAgo(300));
        withoutCapacity.HadCapacityWhenMade = false;
        Assert.Equal("advance-decision.made-without-capacity", withoutCapacity.Validate()?.Rule);

        var decision = BestInterests(DaysAgo(1));
        Assert.Equal(decision.Id, Evaluate(Records(AgeBand.Aged26To64, underAge, Lacks(DaysAgo(2)), decision)).Value.RecordId);
    }

    [Fact]
    public void An_advance_decision_overtaken_by_a_later_LPA_covering_the_treatment_no_longer_blocks_MCA_s25_2_b()
    {
        var lpa = Lpa();
        var attorney = By(lpa, ConsentDecision.Given, DaysAgo(1));
        var advance = AdvanceDecision(DaysAgo(900));
        var records = Records(AgeBand.Aged65AndOver, advance, Lacks(DaysAgo(2)), lpa, attorney);
        Refused(Evaluate(records), "lawful-basis.advance-decision-refuses");

        Assert.Null(advance.Invalidate(AdvanceDecisionInvalidation.LaterLpaCoversTreatment, DaysAgo(3), "LPA made 2025 gives the attorney authority over monitoring; seen by the MHA office"));
        Assert.Equal(attorney.Id, Evaluate(records).Value.RecordId);
        Assert.Equal("advance-decision.already-invalidated", advance.Invalidate(AdvanceDecisionInvalidation.ActedInconsistently, Now, "again")?.Rule);
    }

    [Fact]
    public void A_refusal_the_adult_says_should_stand_if_capacity_is_lost_is_an_advance_decision_MCA_s24_1()
    {
        var refusal = Own(ConsentDecision.Refused, DaysAgo(19));
        Assert.Null(refusal.AnswerRefusalQuestion(stands: true));
        var decision = BestInterests(DaysAgo(9));
        decision.CapacitousRefusalWeighed = "Weighed: she said she never wants it";
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(20)), refusal, Lacks(DaysAgo(10)), decision);
        Refused(Evaluate(records), "lawful-basis.advance-decision-refuses");

        // Answered no: the refusal is weighed, and the decision can stand.
        refusal.RefusalStandsIfCapacityLost = false;
        Assert.Equal(decision.Id, Evaluate(records).Value.RecordId);
    }

    [Fact]
    public void A_patient_who_refuses_with_capacity_is_asked_whether_the_refusal_should_stand_if_capacity_is_lost_MCA_s24()
    {
        var refusal = Own(ConsentDecision.Refused, DaysAgo(2));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(3)), refusal);
        Assert.Equal([refusal], ConsentSignals.RefusalQuestionsToAsk(records, Policy, Now));
        refusal.AnswerRefusalQuestion(stands: false);
        Assert.Empty(ConsentSignals.RefusalQuestionsToAsk(records, Policy, Now));
        Assert.Equal("consent.not-a-refusal", Own(ConsentDecision.Given, Now).AnswerRefusalQuestion(stands: true)?.Rule);
    }

    [Fact]
    public void Revoking_an_LPA_ends_the_attorneys_basis_and_re_evaluates_the_uses_resting_on_it_MCA_s13()
    {
        var lpa = Lpa();
        var consent = By(lpa, ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, ProxyKind.LastingPowerOfAttorney, LawfulBasisStatus.Valid, null), DaysAgo(5));
        var before = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(6)), lpa, consent, use);
        var beforeCopy = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(6)), Clone(lpa), consent, use);

        Assert.Null(lpa.End(ProxyAuthorityEndReason.RevokedByCourt, HoursAgo(1), "COP-24680"));
        Assert.Equal(HoursAgo(1), lpa.RevokedAt);

        var changed = Assert.Single(ConsentSignals.Reevaluate(beforeCopy, before, [Approval()], Policy, Now));
        Assert.Equal(use.Id, changed.Use.Id);
        Assert.True(changed.NowDenied);
        Assert.Contains(changed.After.Reasons, r => r.Rule == "proxy.revoked");
        Assert.Equal("proxy.already-ended", lpa.End(ProxyAuthorityEndReason.RevokedByDonor, Now, null)?.Rule);
    }

    [Fact]
    public void A_suspended_LPA_cannot_be_relied_on_until_the_suspension_is_lifted_MCA_s22_and_s48()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(1)));
        Assert.Null(lpa.Suspend(HoursAgo(5), "COP interim order 1122"));
        Refused(Evaluate(records), "proxy.suspended");
        Assert.Null(lpa.LiftSuspension(HoursAgo(1)));
        Assert.False(Evaluate(records).IsRefused);
        Refused(Evaluate(records, HoursAgo(2)), "proxy.suspended");
    }

    [Fact]
    public void A_discharged_deputyship_ends_the_deputys_basis_MCA_s16_8()
    {
        var deputy = Deputy();
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(1)));
        Assert.Null(deputy.End(ProxyAuthorityEndReason.DeputyshipDischarged, HoursAgo(1), "COP-987"));
        Refused(Evaluate(records), "proxy.ended");
        Assert.Null(deputy.RevokedAt);
    }

    [Fact]
    public void Ending_a_best_interests_decision_re_evaluates_the_uses_resting_on_it_and_alerts_for_a_safety_use_MCA_s4()
    {
        var decision = BestInterests(DaysAgo(5));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(5));
        use.ManagesSafetyRisk = true;
        var ended = Clone(decision);
        Assert.Null(ended.End(HoursAgo(1), "Falls have stopped; the team agreed the sensor is no longer needed"));
        var before = Records(AgeBand.Aged26To64, Lacks(DaysAgo(6)), decision, use);
        var after = Records(AgeBand.Aged26To64, Lacks(DaysAgo(6)), ended, use);

        var changed = Assert.Single(ConsentSignals.Reevaluate(before, after, [Approval()], Policy, Now));
        Assert.True(changed.NowDenied);
        Assert.Contains(changed.After.Reasons, r => r.Rule == "lawful-basis.none");
        var alert = changed.SafetyAlert;
        Assert.NotNull(alert);
        Assert.Equal(SafetyFallback.HumanObservation, alert.Fallback);
        Assert.Contains("human observation", alert.Message);
        Assert.Equal("best-interests.already-ended", ended.End(Now, "again")?.Rule);
    }

    [Fact]
    public void Paid_carers_are_not_consultees_MCA_s4_7()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.PeopleConsulted =
        [
            new ConsultedPerson { Role = ConsultedRole.PaidCarer, Relationship = "agency support worker", ViewsGiven = "Sleeps better with it", ConsultedAt = DaysAgo(2) },
        ];
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "lawful-basis.best-interests-paid-carers-not-consultees");

        decision.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.Advocate, Relationship = "advocacy service ref 77", ViewsGiven = "Supports a trial", ConsultedAt = DaysAgo(2) });
        Assert.False(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)).IsRefused);
    }

    [Fact]
    public void Serious_medical_treatment_with_no_one_appropriate_to_consult_needs_a_statutory_IMCA_and_their_report_MCA_s37()
    {
        var decision = BestInterests(DaysAgo(1));
        decision.SeriousMedicalTreatment = true;
        decision.NoOneAppropriateToConsult = true;
        decision.PeopleConsulted =
        [
            new ConsultedPerson { Role = ConsultedRole.Advocate, Relationship = "advocacy service ref 77", ViewsGiven = "Supports a trial", ConsultedAt = DaysAgo(2) },
        ];
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "lawful-basis.best-interests-statutory-imca-required");

        decision.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.IndependentMentalCapacityAdvocate, Relationship = "IMCA referral 5531", ViewsGiven = "No objection if reviewed weekly", ConsultedAt = DaysAgo(2) });
        Refused(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)), "best-interests.imca-report-missing");
        decision.ImcaReportReference = "IMCA report 5531/1";
        Assert.False(Evaluate(Records(AgeBand.Aged26To64, Lacks(DaysAgo(2)), decision)).IsRefused);
    }

    [Fact]
    public void A_deputys_disagreement_with_the_attorney_is_flagged_for_the_Court_of_Protection_MCA_s20_4()
    {
        var lpa = Lpa();
        var deputy = Deputy();
        var attorney = By(lpa, ConsentDecision.Given, DaysAgo(1));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, attorney.Id, ProxyKind.LastingPowerOfAttorney, LawfulBasisStatus.Valid, null), DaysAgo(1));
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), lpa, attorney, deputy, By(deputy, ConsentDecision.Refused, HoursAgo(5)), use);
        Assert.Equal(LawfulBasisNotes.DeputyDisagreesWithAttorney, Evaluate(records).Value.Notes);
        var check = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.True(check.IsPermitted);
        Assert.True(check.Warnings.HasFlag(UseCheckWarnings.ReferToCourtOfProtection));
    }

    [Fact]
    public void A_proxy_consent_given_while_the_patient_had_capacity_is_no_basis_in_a_later_episode_MCA_s11_7_a()
    {
        var lpa = Lpa();
        var records = Records(AgeBand.Aged65AndOver, Presumed(DaysAgo(30)), lpa, By(lpa, ConsentDecision.Given, DaysAgo(29)), Lacks(DaysAgo(2)));
        Refused(Evaluate(records), "lawful-basis.proxy-decision-required");
    }

    private static ProxyAuthority Clone(ProxyAuthority a) => new()
    {
        Id = a.Id, PatientId = a.PatientId, Kind = a.Kind, Relationship = a.Relationship, LpaRegistrationReference = a.LpaRegistrationReference,
        LpaRegisteredAt = a.LpaRegisteredAt, DonorWas18OrOverWhenMade = a.DonorWas18OrOverWhenMade, CoversDecision = a.CoversDecision,
        DocumentReference = a.DocumentReference, VerifiedBy = a.VerifiedBy, VerifiedAt = a.VerifiedAt,
    };

    private static BestInterestsDecision Clone(BestInterestsDecision d) => BestInterests(d.DecidedAt, d.Id);
}
