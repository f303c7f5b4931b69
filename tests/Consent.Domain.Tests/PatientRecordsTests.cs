using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21: the per-patient snapshot the rules read, and the questions asked of it outside the decision table (who
/// decides for themselves, which agreements are only wishes), on the paths no test took.
/// </summary>
public class PatientRecordsTests
{
    private static readonly DateOnly Sixteen = new(2026, 3, 10);
    private static readonly DateOnly Eighteen = new(2028, 3, 9);

    // Children Act 1989 s105: a child is under 18; the MCA applies from 16 (s2(5)). A recorded 18th birthday is the one
    // used, whichever of the two days is set first; without one it is worked out from the 16th.
    [Fact]
    public void The_days_a_patient_turns_16_and_18_are_kept_whichever_is_set_first_MCA_2005_s2_5_Children_Act_1989_s105()
    {
        var sixteenFirst = new PatientConsentRecords { AgeBand = AgeBand.Under16, Turns16On = Sixteen, Turns18On = Eighteen };
        var eighteenFirst = new PatientConsentRecords { AgeBand = AgeBand.Under16, Turns18On = Eighteen, Turns16On = Sixteen };
        foreach (var r in new[] { sixteenFirst, eighteenFirst })
        {
            Assert.Equal(PatientAge.StartOfUkDay(Sixteen), r.Turns16At);
            Assert.Equal(PatientAge.StartOfUkDay(Eighteen), r.Turns18At);
            Assert.Equal(AgeBand.Aged16To17, r.AgeBandAt(r.Turns18At!.Value - TimeSpan.FromTicks(1)));
            Assert.Equal(AgeBand.Aged18To25, r.AgeBandAt(r.Turns18At!.Value));
        }

        var onlySixteen = new PatientConsentRecords { AgeBand = AgeBand.Under16, Turns16On = Sixteen };
        Assert.Equal(PatientAge.StartOfUkDay(PatientAge.EighteenFromSixteen(Sixteen)), onlySixteen.Turns18At);
        Assert.Null(onlySixteen.Turns18On);

        var onlyEighteen = new PatientConsentRecords { AgeBand = AgeBand.Aged16To17, Turns18On = Eighteen };
        Assert.Null(onlyEighteen.Turns16At);
        Assert.Equal(PatientAge.StartOfUkDay(Eighteen), onlyEighteen.Turns18At);

        var neither = new PatientConsentRecords { AgeBand = AgeBand.Aged16To17, Turns16On = null, Turns18On = null };
        Assert.Null(neither.Turns16At);
        Assert.Null(neither.Turns18At);
        Assert.Equal(AgeBand.Aged16To17, neither.AgeBandAt(Now));
    }

    [Fact]
    public void A_candidate_record_set_holds_the_new_record_and_keeps_every_other_record_and_the_ages()
    {
        var lpa = Lpa();
        var records = new PatientConsentRecords
        {
            PatientId = ThePatient, AgeBand = AgeBand.Under16, Turns16On = Sixteen, Turns18On = Eighteen,
            CapacityAssessments = [Presumed(DaysAgo(9))], GillickAssessments = [Gillick(true, DaysAgo(9))], OwnConsents = [Own(ConsentDecision.Given, DaysAgo(9))],
            ProxyAuthorities = [lpa], ProxyConsents = [By(lpa, ConsentDecision.Given, DaysAgo(9))], BestInterestsDecisions = [BestInterests(DaysAgo(9))],
            Uses = [ActiveUse(OwnBasis(Own(ConsentDecision.Given, DaysAgo(9))), DaysAgo(9))], AdvanceDecisions = [AdvanceDecision(DaysAgo(300))],
            CourtOrders = [Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(9))], MentalHealthActRecords = [Mha(MentalHealthActStatus.Section2, DaysAgo(9))],
            Section63Records = [Section63(DaysAgo(9))], DeprivationOfLibertyScreens = [Screen(DaysAgo(9), deprivation: false)],
            ParentalControlFindings = [Zone(within: true, DaysAgo(9))],
        };

        var same = records.With();
        Assert.Equal((records.PatientId, records.AgeBand, records.Turns16On, records.Turns18On, records.Turns16At, records.Turns18At),
            (same.PatientId, same.AgeBand, same.Turns16On, same.Turns18On, same.Turns16At, same.Turns18At));
        Assert.Equal(records.CapacityAssessments, same.CapacityAssessments);
        Assert.Equal(records.GillickAssessments, same.GillickAssessments);
        Assert.Equal(records.OwnConsents, same.OwnConsents);
        Assert.Equal(records.ProxyAuthorities, same.ProxyAuthorities);
        Assert.Equal(records.ProxyConsents, same.ProxyConsents);
        Assert.Equal(records.BestInterestsDecisions, same.BestInterestsDecisions);
        Assert.Equal(records.Uses, same.Uses);
        Assert.Equal(records.AdvanceDecisions, same.AdvanceDecisions);
        Assert.Equal(records.CourtOrders, same.CourtOrders);
        Assert.Equal(records.MentalHealthActRecords, same.MentalHealthActRecords);
        Assert.Equal(records.Section63Records, same.Section63Records);
        Assert.Equal(records.DeprivationOfLibertyScreens, same.DeprivationOfLibertyScreens);
        Assert.Equal(records.Objections, same.Objections);
        Assert.Equal(records.ParentalControlFindings, same.ParentalControlFindings);

        var capacity = Lacks(DaysAgo(1));
        var gillick = Gillick(false, DaysAgo(1));
        var own = Own(ConsentDecision.Refused, DaysAgo(1));
        var advance = AdvanceDecision(DaysAgo(1));
        TechnologyUse[] uses = [];
        Assert.Equal([.. records.CapacityAssessments, capacity], records.With(capacity: capacity).CapacityAssessments);
        Assert.Equal([.. records.GillickAssessments, gillick], records.With(gillick: gillick).GillickAssessments);
        Assert.Equal([.. records.OwnConsents, own], records.With(ownConsent: own).OwnConsents);
        Assert.Equal([.. records.AdvanceDecisions, advance], records.With(advanceDecision: advance).AdvanceDecisions);
        Assert.Same(uses, records.With(uses: uses).Uses);
    }

    // MCA 2005 s4(6)(a): what a patient said while a finding of incapacity (or of no Gillick competence) was in force is
    // not consent, but their wishes and feelings, which a best-interests decision weighs.
    [Fact]
    public void Only_agreements_about_this_technology_made_while_unable_to_decide_are_kept_as_wishes_MCA_2005_s4_6_a()
    {
        var wish = Own(ConsentDecision.Given, DaysAgo(9));
        var withCapacity = Own(ConsentDecision.Given, DaysAgo(11));
        var later = Own(ConsentDecision.Given, Now.AddHours(1));
        var otherTechnology = new OwnConsent
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, Decision = ConsentDecision.Given, InformationGiven = "What the camera records",
            InformationFormat = AccessibleFormat.EasyRead, RecordedAt = DaysAgo(9), RecordedBy = "staff:RN-1042",
        };
        var records = Records(AgeBand.Aged26To64, HasCapacity(DaysAgo(12)), withCapacity, Lacks(DaysAgo(10)), wish, later, otherTechnology);
        Assert.Equal([wish], LawfulBasisRules.WishesRecordedWithoutCapacity(records, Technology, Now));
        Assert.Equal([wish, later], LawfulBasisRules.WishesRecordedWithoutCapacity(records, Technology, Now.AddHours(2)));

        // Under 16 the finding is Gillick competence, not the MCA test.
        var childWish = Own(ConsentDecision.Given, DaysAgo(1));
        var child = Records(AgeBand.Under16, Gillick(false, DaysAgo(2)), childWish);
        Assert.Equal([childWish], LawfulBasisRules.WishesRecordedWithoutCapacity(child, Technology, Now));
        Assert.Empty(LawfulBasisRules.WishesRecordedWithoutCapacity(Records(AgeBand.Under16, Gillick(true, DaysAgo(2)), childWish), Technology, Now));
    }

    // MCA 2005 s1(2): a person of 16 or over is assumed to have capacity unless it is established that they lack it; a
    // child under 16 decides only once found Gillick competent.
    [Fact]
    public void A_patient_of_16_or_over_decides_for_themselves_unless_found_to_lack_capacity_and_a_child_only_once_found_competent_MCA_2005_s1_2()
    {
        Assert.True(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Aged26To64), Technology, Policy, Now));
        Assert.False(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Aged26To64, Lacks(DaysAgo(1))), Technology, Policy, Now));
        Assert.True(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Aged26To64, Lacks(DaysAgo(3)), HasCapacity(DaysAgo(1))), Technology, Policy, Now));
        Assert.True(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Aged26To64, Lacks(DaysAgo(1))), Technology, Policy, DaysAgo(2)));

        Assert.False(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Under16), Technology, Policy, Now));
        Assert.False(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Under16, Gillick(false, DaysAgo(1))), Technology, Policy, Now));
        Assert.True(LawfulBasisRules.DecidesForThemselves(Records(AgeBand.Under16, Gillick(true, DaysAgo(1))), Technology, Policy, Now));
    }

    [Fact]
    public void Reading_the_basis_of_a_refused_decision_fails_naming_the_rule_that_refused_it()
    {
        var decision = LawfulBasisRules.Decide(Records(AgeBand.Aged26To64), Technology, Policy, Now);
        Assert.True(decision.IsRefused);
        var thrown = Assert.Throws<InvalidOperationException>(() => decision.Basis);
        Assert.Equal("Refused: lawful-basis.capacity-not-recorded", thrown.Message);
        Assert.Equal(UseDenyReasons.NoLawfulBasis, decision.DenyKind);
        Assert.Equal("lawful-basis.capacity-not-recorded", decision.ToOutcome().Refusal?.Rule);
    }
}
