using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21: branches of the decision table and the use check that no test reached (the mutation run's "no coverage"):
/// what ends the safety transition, what overtakes an advance decision, which new proxy decisions are refused for a
/// patient who decides for themselves, and which use a check looks at when a patient has several on one ward.
/// </summary>
public class PrecedenceAndTransitionTests
{
    private static readonly TechnologyApproval SafetyApproval = Approval(safety: true);

    private static (PatientConsentRecords Records, TechnologyUse Use) ConsentedSafetyUse(DateTime lostAt, params object[] more)
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var use = TechnologyUse.Propose(Request(), SafetyApproval, Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.Safety = Proportionate();
        Assert.Null(use.Activate(OwnBasis(consent), SafetyApproval, Policy, DaysAgo(5)));
        return (Records(AgeBand.Aged26To64, [Presumed(DaysAgo(6)), consent, use, Lacks(lostAt), .. more]), use);
    }

    private static Outcome<LawfulBasis> Basis(PatientConsentRecords records, TechnologyUse use) =>
        LawfulBasisRules.Evaluate(records, Technology, Policy, Now, SafetyApproval, use);

    // MCA 2005 s4 and s5: the transition on a consented safety use only bridges the time until someone decides for the
    // patient who has lost capacity; once a best-interests decision (or an attorney) has decided, that decision is the
    // basis, not the old consent.
    [Fact]
    public void The_safety_transition_ends_when_a_best_interests_decision_is_made_in_the_episode_MCA_2005_s4()
    {
        var lostAt = HoursAgo(3);
        var (records, use) = ConsentedSafetyUse(lostAt);
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, Basis(records, use).Value.Status);

        // A decision made at the very instant capacity was found lost is made in the episode.
        var decision = BestInterests(lostAt);
        var decided = Basis(records.With(bestInterests: decision), use).Value;
        Assert.Equal(LawfulBasisKind.BestInterests, decided.Kind);
        Assert.Equal(decision.Id, decided.RecordId);
        Assert.Equal(LawfulBasisStatus.Valid, decided.Status);

        // A decision dated after now has not been made yet: the transition runs on.
        var (stillOpen, stillUse) = ConsentedSafetyUse(lostAt, BestInterests(Now.AddHours(1)));
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, Basis(stillOpen, stillUse).Value.Status);
    }

    [Fact]
    public void The_safety_transition_ends_when_an_attorney_decides_for_the_patient_MCA_2005_s9()
    {
        var lostAt = HoursAgo(3);
        var lpa = Lpa();
        var attorney = By(lpa, ConsentDecision.Given, lostAt);
        var (records, use) = ConsentedSafetyUse(lostAt, lpa, attorney);
        var basis = Basis(records, use).Value;
        Assert.Equal(LawfulBasisKind.ProxyConsent, basis.Kind);
        Assert.Equal(attorney.Id, basis.RecordId);
        Assert.Equal(LawfulBasisStatus.Valid, basis.Status);
        Assert.Null(basis.DecisionRequiredBy);

        // The attorney's decision for another technology does not end this transition.
        var (other, otherUse) = ConsentedSafetyUse(lostAt, lpa, new ProxyConsent
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, ProxyAuthorityId = lpa.Id, Decision = ConsentDecision.Given,
            InformationGiven = "What the camera records", InformationFormat = AccessibleFormat.StandardWritten, RecordedAt = lostAt, RecordedBy = "staff:RN-1042",
        });
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, Basis(other, otherUse).Value.Status);
    }

    [Fact]
    public void The_safety_transition_ends_when_the_patient_says_no_after_losing_capacity_MCA_2005_s4_6_a()
    {
        var lostAt = HoursAgo(3);
        var (records, use) = ConsentedSafetyUse(lostAt, Own(ConsentDecision.Refused, lostAt));
        var outcome = Basis(records, use);
        Assert.True(outcome.IsRefused);
        Assert.Equal("lawful-basis.none", outcome.Refusal!.Rule);

        // A refusal of another technology is not an objection to this one.
        var refusedOther = Own(ConsentDecision.Refused, lostAt);
        var otherRecords = ConsentedSafetyUse(lostAt);
        var other = new OwnConsent
        {
            Id = refusedOther.Id, PatientId = ThePatient, TechnologyId = OtherTechnology, Decision = ConsentDecision.Refused,
            RecordedAt = lostAt, RecordedBy = "staff:RN-1042",
        };
        Assert.Equal(LawfulBasisStatus.BestInterestsDecisionRequired, Basis(otherRecords.Records.With(ownConsent: other), otherRecords.Use).Value.Status);
    }

    // MCA 2005 s25(2)(c): an advance decision is not valid if the person has done anything clearly inconsistent with it
    // remaining their fixed decision; consenting to the same technology later, with capacity, is such an act.
    [Fact]
    public void An_advance_decision_is_overtaken_by_the_patients_later_consent_given_with_capacity_MCA_2005_s25_2_c()
    {
        var decision = BestInterests(DaysAgo(1));
        var refusing = Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300)), Lacks(DaysAgo(2)), decision);
        Assert.Equal("lawful-basis.advance-decision-refuses", LawfulBasisRules.Evaluate(refusing, Technology, Policy, Now).Refusal?.Rule);

        var laterConsent = Own(ConsentDecision.Given, DaysAgo(29));
        var overtaken = Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300)), HasCapacity(DaysAgo(30)), laterConsent, Lacks(DaysAgo(2)), decision);
        Assert.Equal(decision.Id, LawfulBasisRules.Evaluate(overtaken, Technology, Policy, Now).Value.RecordId);

        // Agreement given while a finding of incapacity was in force is not consent, and does not overtake it.
        var withoutCapacity = Records(AgeBand.Aged26To64, AdvanceDecision(DaysAgo(300)), Lacks(DaysAgo(2)), Own(ConsentDecision.Given, DaysAgo(1.5)), decision);
        Assert.Equal("lawful-basis.advance-decision-refuses", LawfulBasisRules.Evaluate(withoutCapacity, Technology, Policy, Now).Refusal?.Rule);
    }

    [Fact]
    public void A_refusal_meant_to_stand_if_capacity_is_lost_is_overtaken_by_a_later_consent_with_capacity_MCA_2005_s24_and_s25_2_c()
    {
        var refusal = Own(ConsentDecision.Refused, DaysAgo(40));
        Assert.Null(refusal.AnswerRefusalQuestion(stands: true));
        var decision = BestInterests(DaysAgo(1));
        decision.CapacitousRefusalWeighed = "Weighed: she refused in March but agreed in April";
        var standing = Records(AgeBand.Aged26To64, Presumed(DaysAgo(41)), refusal, Lacks(DaysAgo(2)), decision);
        Assert.Equal("lawful-basis.advance-decision-refuses", LawfulBasisRules.Evaluate(standing, Technology, Policy, Now).Refusal?.Rule);

        var overtaken = standing.With(ownConsent: Own(ConsentDecision.Given, DaysAgo(20)));
        Assert.Equal(decision.Id, LawfulBasisRules.Evaluate(overtaken, Technology, Policy, Now).Value.RecordId);
    }

    // MCA 2005 s1(2), s11(7)(a), s20(1); Children Act 1989 s3 with Gillick: nobody decides for a patient who can decide
    // for themselves, and a new proxy decision is refused when it is written, while an older basis runs out its grace.
    [Fact]
    public void A_new_deputy_decision_for_a_patient_who_regained_capacity_is_refused_when_written_MCA_2005_s20_1()
    {
        var deputy = Deputy();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(10)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(9)), HasCapacity(HoursAgo(2)));
        var candidate = records.With(proxyConsent: By(deputy, ConsentDecision.Given, HoursAgo(1)));
        Assert.Equal("lawful-basis.deputy-patient-has-capacity",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.Deputy, Policy, Now)?.Rule);
        // The patient's own consent is what is wanted: it is never refused for this reason.
        Assert.Null(LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.OwnConsent, ProxyKind.Unspecified, Policy, Now));
    }

    [Fact]
    public void A_new_parents_decision_for_a_child_who_became_Gillick_competent_is_refused_when_written_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var parent = Parent();
        var records = Records(AgeBand.Under16, Gillick(false, DaysAgo(10)), parent, By(parent, ConsentDecision.Given, DaysAgo(9)), Gillick(true, HoursAgo(2)));
        var candidate = records.With(proxyConsent: By(parent, ConsentDecision.Given, HoursAgo(1)));
        Assert.Equal("lawful-basis.under-16-competent-child-must-decide",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.ParentalResponsibility, Policy, Now)?.Rule);
        Assert.Equal("lawful-basis.under-16-no-best-interests",
            LawfulBasisRules.RefusalForNewDecision(records.With(bestInterests: BestInterests(HoursAgo(1))), Technology, LawfulBasisKind.BestInterests, ProxyKind.Unspecified, Policy, Now)?.Rule);
    }

    [Fact]
    public void A_new_parents_decision_for_a_16_or_17_year_old_who_regained_capacity_is_refused_when_written_MCA_2005_s2_5()
    {
        var parent = Parent();
        var records = Records(AgeBand.Aged16To17, Lacks(DaysAgo(10)), Zone(within: true, DaysAgo(10)), parent, By(parent, ConsentDecision.Given, DaysAgo(9)), HasCapacity(HoursAgo(2)));
        var candidate = records.With(proxyConsent: By(parent, ConsentDecision.Given, HoursAgo(1)));
        Assert.Equal("lawful-basis.parent-patient-has-capacity",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.ParentalResponsibility, Policy, Now)?.Rule);
    }

    [Fact]
    public void A_new_parents_decision_for_an_adult_is_refused_because_parental_responsibility_ends_at_18_Children_Act_1989_s105()
    {
        var parent = Parent();
        var deputy = Deputy();
        var records = Records(AgeBand.Aged18To25, Lacks(DaysAgo(10)), deputy, By(deputy, ConsentDecision.Given, DaysAgo(9)), parent, HasCapacity(HoursAgo(2)));
        var candidate = records.With(proxyConsent: By(parent, ConsentDecision.Given, HoursAgo(1)));
        Assert.Equal("lawful-basis.parental-responsibility-ends-at-18",
            LawfulBasisRules.RefusalForNewDecision(candidate, Technology, LawfulBasisKind.ProxyConsent, ProxyKind.ParentalResponsibility, Policy, Now)?.Rule);
    }

    [Fact]
    public void A_proxy_consent_under_an_authority_the_trust_does_not_hold_is_no_basis_MCA_2005_s4()
    {
        var unknown = Lpa();
        var records = Records(AgeBand.Aged65AndOver, Lacks(DaysAgo(2)), By(unknown, ConsentDecision.Given, DaysAgo(1)));
        Assert.Equal("lawful-basis.none", LawfulBasisRules.Evaluate(records, Technology, Policy, Now).Refusal?.Rule);
    }

    // MCA 2005 s4 and s6: each objection forces its own re-decision; the ward is given the earliest deadline, and an
    // objection to another use, or one not yet observed at the time of the check, sets none.
    [Fact]
    public void The_ward_is_given_the_earliest_re_decision_deadline_of_the_open_objections_MCA_2005_s4_and_s6()
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(10)), decision, use);
        PatientObjection Objection(DateTime at) => PatientObjection.Record(records, use, at, ObjectionExpression.Words, "Says 'take it away'", "staff:RN-1042",
            Guid.NewGuid(), Policy, Now).Value;
        var earlier = Objection(HoursAgo(5));
        var later = Objection(HoursAgo(2));

        foreach (var both in new[] { records.With(objection: earlier).With(objection: later), records.With(objection: later).With(objection: earlier) })
        {
            var check = UseCheck.Evaluate(both, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
            Assert.True(check.IsPermitted, string.Join(", ", check.Reasons.Select(r => r.Rule)));
            Assert.Equal(earlier.RedecisionDueBy(Policy), check.DecisionRequiredBy);

            // Before the later objection was observed, only the earlier one counts; before either, none.
            Assert.Equal(earlier.RedecisionDueBy(Policy), UseCheck.Evaluate(both, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, HoursAgo(3)).DecisionRequiredBy);
            var beforeBoth = UseCheck.Evaluate(both, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, HoursAgo(6));
            Assert.Null(beforeBoth.DecisionRequiredBy);
            Assert.False(beforeBoth.Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));
        }

        var otherUse = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9), ward: "WARD-OAK");
        var elsewhere = PatientObjection.Record(records, otherUse, HoursAgo(1), ObjectionExpression.Words, "Says 'take it away'", "staff:RN-1042", Guid.NewGuid(), Policy, Now).Value;
        var unaffected = UseCheck.Evaluate(records.With(objection: elsewhere), Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.Null(unaffected.DecisionRequiredBy);
        Assert.False(unaffected.Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));
    }

    // ---- Which use a check looks at: an active one on the ward, else suspended, else proposed, else the latest ended ----

    private static TechnologyUse Proposed(DateTime at, string ward = Ward) =>
        TechnologyUse.Propose(Request() with { WardCode = ward }, Approval(), Guid.NewGuid(), Guid.NewGuid(), at).Value;

    private static TechnologyUse Ended(DateTime activated, DateTime ended, OwnConsent consent)
    {
        var use = ActiveUse(OwnBasis(consent), activated);
        Assert.Null(use.End(UseEndReason.NoLongerNeeded, ended));
        return use;
    }

    [Fact]
    public void A_check_looks_at_the_active_use_on_the_ward_before_any_suspended_proposed_or_ended_one()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var active = ActiveUse(OwnBasis(consent), DaysAgo(3));
        var suspended = ActiveUse(OwnBasis(consent), DaysAgo(2));
        Assert.True(suspended.SuspendForApprovalWithdrawn(DaysAgo(1)));
        var proposed = Proposed(HoursAgo(2));
        var ended = Ended(DaysAgo(2), HoursAgo(1), consent);

        foreach (var order in new[] { new[] { ended, proposed, suspended, active }, new[] { active, ended, proposed, suspended } })
        {
            Assert.Same(active, UseCheck.FindUse(order, Technology, Ward));
            var check = UseCheck.Evaluate(Records(AgeBand.Aged26To64, [Presumed(DaysAgo(4)), consent, .. order]), Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
            Assert.True(check.IsPermitted, string.Join(", ", check.Reasons.Select(r => r.Rule)));
            Assert.Equal(active.Id, check.UseId);
        }
    }

    [Fact]
    public void Without_an_active_use_a_check_looks_at_a_suspended_then_a_proposed_then_the_latest_ended_use()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var suspended = ActiveUse(OwnBasis(consent), DaysAgo(4));
        Assert.True(suspended.SuspendForApprovalWithdrawn(DaysAgo(3)));
        var olderProposal = Proposed(DaysAgo(2));
        var newerProposal = Proposed(DaysAgo(1));
        var endedEarlier = Ended(DaysAgo(5), DaysAgo(3), consent);
        var endedLater = Ended(DaysAgo(4), HoursAgo(1), consent);

        Assert.Same(suspended, UseCheck.FindUse([newerProposal, endedLater, suspended, olderProposal], Technology, Ward));
        Assert.Same(newerProposal, UseCheck.FindUse([olderProposal, endedLater, newerProposal], Technology, Ward));
        Assert.Same(newerProposal, UseCheck.FindUse([newerProposal, olderProposal], Technology, Ward));
        Assert.Same(endedLater, UseCheck.FindUse([endedLater, endedEarlier], Technology, Ward));
        Assert.Same(endedLater, UseCheck.FindUse([endedEarlier, endedLater], Technology, Ward));

        var check = UseCheck.Evaluate(Records(AgeBand.Aged26To64, Presumed(DaysAgo(6)), consent, endedEarlier, olderProposal), Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.Equal(olderProposal.Id, check.UseId);
        Assert.Equal(["use-check.not-started"], check.Reasons.Select(r => r.Rule));
    }

    [Fact]
    public void A_check_never_looks_at_a_use_on_another_ward_or_of_another_technology()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var elsewhere = ActiveUse(OwnBasis(consent), DaysAgo(3), ward: "WARD-OAK");
        var otherTechnology = ActiveUse(OwnBasis(consent), DaysAgo(3), technology: OtherTechnology);
        var here = Proposed(DaysAgo(1));
        Assert.Same(here, UseCheck.FindUse([elsewhere, otherTechnology, here], Technology, Ward));
        Assert.Null(UseCheck.FindUse([elsewhere, otherTechnology], Technology, Ward));
        Assert.Null(UseCheck.FindUse([ActiveUse(OwnBasis(consent), DaysAgo(3), ward: "ward-ash")], Technology, Ward));
    }
}
