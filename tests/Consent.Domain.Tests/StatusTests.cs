using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 20, "The status the law depends on": ages that move, the Mental Health Act, deprivation of liberty, court orders.</summary>
public class StatusTests
{
    private static void Refused(Outcome<LawfulBasis> outcome, string rule)
    {
        Assert.True(outcome.IsRefused, $"expected {rule} but was permitted on {(outcome.IsRefused ? "" : outcome.Value.Kind)}");
        Assert.Equal(rule, outcome.Refusal!.Rule);
    }

    private static PatientConsentRecords Aged(PatientConsentRecords r, DateOnly turns16, DateOnly turns18) => new()
    {
        PatientId = r.PatientId, AgeBand = r.AgeBand, Turns16On = turns16, Turns18On = turns18, CapacityAssessments = r.CapacityAssessments,
        GillickAssessments = r.GillickAssessments, OwnConsents = r.OwnConsents, ProxyAuthorities = r.ProxyAuthorities, ProxyConsents = r.ProxyConsents,
        BestInterestsDecisions = r.BestInterestsDecisions, Uses = r.Uses, ParentalControlFindings = r.ParentalControlFindings,
    };

    // ---- Ages move ----

    [Fact]
    public void Parental_consent_does_not_outlive_the_18th_birthday_and_the_rules_re_apply_Children_Act_1989_s105()
    {
        var parent = Parent();
        var consent = By(parent, ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.ProxyConsent, consent.Id, ProxyKind.ParentalResponsibility, LawfulBasisStatus.Valid, null), DaysAgo(5));
        var birthday = DateOnly.FromDateTime(Now.AddDays(3));
        var records = Aged(Records(AgeBand.Aged16To17, Lacks(DaysAgo(6)), Zone(within: true, DaysAgo(6)), parent, consent, use), birthday.AddYears(-2), birthday);

        Assert.Equal(AgeBand.Aged16To17, records.AgeBandAt(Now));
        Assert.False(LawfulBasisRules.Evaluate(records, Technology, Policy, Now).IsRefused);
        var eighteen = PatientAge.StartOfUkDay(birthday);
        Assert.Equal(AgeBand.Aged18To25, records.AgeBandAt(eighteen));
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, eighteen), "lawful-basis.parental-responsibility-ends-at-18");

        var transition = Assert.Single(ConsentSignals.AtAgeThresholds(records, [Approval()], Policy, Now, eighteen.AddHours(1)));
        Assert.Equal((AgeThreshold.Eighteen, eighteen), (transition.Threshold, transition.At));
        var changed = Assert.Single(transition.Uses);
        Assert.True(changed.NowDenied);
        Assert.Contains(changed.After.Reasons, r => r.Rule == "lawful-basis.parental-responsibility-ends-at-18");
    }

    [Fact]
    public void The_Mental_Capacity_Act_applies_from_the_16th_birthday_and_the_ward_is_warned_before_it_MCA_s2_5()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(5));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(5));
        var birthday = DateOnly.FromDateTime(Now.AddDays(1));
        var records = Aged(Records(AgeBand.Under16, Gillick(true, DaysAgo(6)), consent, use), birthday, birthday.AddYears(2));

        var before = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.True(before.IsPermitted);
        Assert.True(before.Warnings.HasFlag(UseCheckWarnings.AgeThresholdSoon));
        Assert.Contains(ConsentSignals.DeadlinesApproaching(records, [Approval()], Policy, Now), w => w.Kind == DeadlineKind.TurnsSixteen);

        var sixteen = PatientAge.StartOfUkDay(birthday);
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, sixteen), "lawful-basis.capacity-not-recorded");
    }

    [Fact]
    public void A_birthday_starts_at_midnight_UK_time_Family_Law_Reform_Act_1969_s9()
    {
        Assert.Equal(new DateTime(2026, 7, 14, 23, 0, 0, DateTimeKind.Utc), PatientAge.StartOfUkDay(new DateOnly(2026, 7, 15)));
        Assert.Equal(new DateTime(2026, 1, 15, 0, 0, 0, DateTimeKind.Utc), PatientAge.StartOfUkDay(new DateOnly(2026, 1, 15)));
        // Born on 29 February: the birthday in other years is 1 March.
        Assert.Equal((new DateOnly(2024, 2, 29), new DateOnly(2026, 3, 1)), PatientAge.FromDateOfBirth(new DateOnly(2008, 2, 29)));
        Assert.Equal(new DateOnly(2026, 3, 1), PatientAge.EighteenFromSixteen(new DateOnly(2024, 2, 29)));
    }

    // ---- Mental Health Act ----

    private static TechnologyApproval Treatment(MentalDisorderTreatmentRoute route)
    {
        var approval = Approval();
        approval.MentalDisorderTreatmentRoute = route;
        return approval;
    }

    [Fact]
    public void Detention_alone_is_never_a_basis_for_monitoring_or_surveillance_MHA_1983()
    {
        var surveillance = Approval(surveillance: true);
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), Section63(DaysAgo(1)));
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, surveillance, null), "lawful-basis.none");

        surveillance.MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.Section63Record;
        Assert.Equal("approval.detention-not-a-basis-for-monitoring", surveillance.Validate()?.Rule);
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, surveillance, null), "lawful-basis.none");
        Assert.Equal("approval.detention-not-a-basis-for-monitoring", TechnologyUse.Propose(Request(), surveillance, Guid.NewGuid(), Guid.NewGuid(), Now).Refusal?.Rule);
    }

    [Fact]
    public void Where_Part_4_applies_MCA_s28_removes_the_best_interests_route_and_consent_first_needs_the_patients_consent_MHA_s63()
    {
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), BestInterests(DaysAgo(1)));
        Refused(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, Treatment(MentalDisorderTreatmentRoute.ConsentFirst), null), "lawful-basis.mha-consent-first-no-consent");
        // The same decision stands where the technology is not treatment for mental disorder.
        Assert.False(LawfulBasisRules.Evaluate(records, Technology, Policy, Now, Approval(), null).IsRefused);
    }

    [Fact]
    public void The_trusts_s63_choice_lets_the_responsible_clinicians_record_be_the_basis_where_Part_4_applies_MHA_s63()
    {
        var route = Treatment(MentalDisorderTreatmentRoute.Section63Record);
        var without = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), BestInterests(DaysAgo(1)));
        Refused(LawfulBasisRules.Evaluate(without, Technology, Policy, Now, route, null), "lawful-basis.section-63-record-required");

        var record = Section63(DaysAgo(1));
        var with = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), Lacks(DaysAgo(2)), record);
        var basis = LawfulBasisRules.Evaluate(with, Technology, Policy, Now, route, null).Value;
        Assert.Equal((LawfulBasisKind.MentalHealthActSection63, record.Id), (basis.Kind, basis.RecordId));

        // The patient's own consent with capacity comes first.
        var consent = Own(ConsentDecision.Given, HoursAgo(2));
        var consenting = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section3, DaysAgo(30)), HasCapacity(HoursAgo(3)), consent, record);
        Assert.Equal(consent.Id, LawfulBasisRules.Evaluate(consenting, Technology, Policy, Now, route, null).Value.RecordId);
    }

    [Fact]
    public void Part_4_does_not_apply_under_the_short_term_powers_so_the_MCA_routes_remain_MHA_s56()
    {
        var decision = BestInterests(DaysAgo(1));
        var records = Records(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Section136, HoursAgo(30)), Lacks(DaysAgo(2)), decision);
        Assert.Equal(decision.Id, LawfulBasisRules.Evaluate(records, Technology, Policy, Now, Treatment(MentalDisorderTreatmentRoute.ConsentFirst), null).Value.RecordId);
        Assert.False(Mha(MentalHealthActStatus.CommunityTreatmentOrder, Now).Part4Applies);
        Assert.True(Mha(MentalHealthActStatus.CommunityTreatmentOrderRecalled, Now).Part4Applies);
    }

    [Fact]
    public void The_trusts_choice_of_route_is_recorded_with_who_chose_and_what_it_was_before()
    {
        var approval = Approval();
        var chosen = approval.ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute.Section63Record, "staff:CD-1", Now).Value;
        Assert.Equal((MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, MentalDisorderTreatmentRoute.Section63Record, "staff:CD-1"), (chosen.Before, chosen.After, chosen.Actor));
        var surveillance = Approval(surveillance: true);
        Assert.Equal("approval.detention-not-a-basis-for-monitoring", surveillance.ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute.Section63Record, "staff:CD-1", Now).Refusal?.Rule);
        Assert.Equal(MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, surveillance.MentalDisorderTreatmentRoute);
    }

    // ---- Deprivation of liberty ----

    private static TechnologyUse RestrictiveUse(LawfulBasis basis, out TechnologyApproval approval)
    {
        approval = Restrictive();
        var use = TechnologyUse.Propose(Request(), approval, Guid.NewGuid(), Guid.NewGuid(), DaysAgo(5)).Value;
        CompleteCarePlan(use, DaysAgo(5));
        use.HumanRights = Balancing();
        use.Safety = Proportionate();
        use.Status = UseStatus.Active;
        use.LawfulBasisKind = basis.Kind;
        use.LawfulBasisRecordId = basis.RecordId;
        use.ActivatedAt = DaysAgo(5);
        return use;
    }

    [Fact]
    public void A_use_that_monitors_continuously_or_restricts_needs_a_deprivation_of_liberty_screen_Cheshire_West_2014_UKSC_19()
    {
        var approval = Restrictive();
        var proposed = TechnologyUse.Propose(Request(), approval, Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        CompleteCarePlan(proposed, Now);
        proposed.HumanRights = Balancing();
        proposed.Safety = Proportionate();
        var consent = Own(ConsentDecision.Given, HoursAgo(1));
        var records = Records(AgeBand.Aged26To64, Presumed(HoursAgo(2)), consent);
        Assert.Equal("deprivation-of-liberty.screen-required", proposed.Activate(OwnBasis(consent), approval, Policy, Now, records)?.Rule);
        Assert.Equal("deprivation-of-liberty.screen-required", proposed.Activate(OwnBasis(consent), approval, Policy, Now)?.Rule);

        var screened = Records(AgeBand.Aged26To64, Presumed(HoursAgo(2)), consent, Screen(HoursAgo(1), deprivation: false));
        Assert.Null(proposed.Activate(OwnBasis(consent), approval, Policy, Now, screened));
    }

    [Fact]
    public void A_deprivation_of_liberty_found_for_a_16_or_17_year_old_cannot_rest_on_DoLS_or_a_parent_Re_D_2019_UKSC_42()
    {
        var decision = BestInterests(DaysAgo(6));
        var use = RestrictiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), out var approval);
        UseCheckResult Check(params object[] more) =>
            UseCheck.Evaluate(Records(AgeBand.Aged16To17, [Lacks(DaysAgo(7)), decision, use, .. more]), Technology, Ward, UsePurpose.DirectCareOrTreatment, approval, Policy, Now);

        var none = Check(Screen(DaysAgo(2), deprivation: true));
        Assert.Contains(none.Denials, d => d.Kind == UseDenyReasons.DeprivationOfLibertyNotAuthorised && d.Refusal.Rule == "deprivation-of-liberty.authorisation-required-16-17");
        Assert.Contains(Check(Screen(DaysAgo(2), deprivation: true, DeprivationOfLibertyAuthorisation.DolsStandard, Now.AddDays(100))).Reasons,
            r => r.Rule == "deprivation-of-liberty.dols-not-16-17");
        Assert.Contains(Check(Screen(DaysAgo(2), deprivation: true, DeprivationOfLibertyAuthorisation.MentalHealthActDetention)).Reasons,
            r => r.Rule == "deprivation-of-liberty.not-detained");
        Assert.True(Check(Screen(DaysAgo(2), deprivation: true, DeprivationOfLibertyAuthorisation.MentalHealthActDetention), Mha(MentalHealthActStatus.Section2, DaysAgo(3))).IsPermitted);
        Assert.True(Check(Screen(DaysAgo(2), deprivation: true, DeprivationOfLibertyAuthorisation.CourtOfProtectionOrder)).IsPermitted);
        Assert.True(Check(Screen(DaysAgo(2), deprivation: false)).IsPermitted);
    }

    [Fact]
    public void An_adults_deprivation_of_liberty_rests_on_a_DoLS_authorisation_in_force_MCA_Schedule_A1()
    {
        var decision = BestInterests(DaysAgo(6));
        var use = RestrictiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), out var approval);
        UseCheckResult Check(DateTime now, params object[] more) =>
            UseCheck.Evaluate(Records(AgeBand.Aged65AndOver, [Lacks(DaysAgo(7)), decision, use, .. more]), Technology, Ward, UsePurpose.DirectCareOrTreatment, approval, Policy, now);

        var expires = Now.AddDays(1);
        var screen = Screen(DaysAgo(2), deprivation: true, DeprivationOfLibertyAuthorisation.DolsStandard, expires);
        var permitted = Check(Now, screen);
        Assert.True(permitted.IsPermitted);
        Assert.True(permitted.Warnings.HasFlag(UseCheckWarnings.DeprivationOfLibertyDeadlineSoon));
        Assert.Contains(Check(expires, screen).Reasons, r => r.Rule == "deprivation-of-liberty.authorisation-expired");
        // A court order in force that authorises the deprivation is its authorisation.
        Assert.True(Check(expires, screen, Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(3), deprivationOfLiberty: true)).IsPermitted);
        // No screen at all is a deny.
        Assert.Contains(Check(Now).Reasons, r => r.Rule == "deprivation-of-liberty.screen-required");
    }

    // ---- Court orders ----

    [Fact]
    public void A_court_order_is_a_basis_of_its_own_and_is_checked_first_MCA_s16_2_a_and_Children_Act_1989_s8()
    {
        var order = Court(CourtKind.HighCourtInherentJurisdiction, CourtOrderEffect.AuthorisesUse, DaysAgo(1));
        var records = Records(AgeBand.Under16, Gillick(true, DaysAgo(3)), Own(ConsentDecision.Refused, DaysAgo(2)), order);
        var basis = LawfulBasisRules.Evaluate(records, Technology, Policy, Now).Value;
        Assert.Equal((LawfulBasisKind.CourtOrder, order.Id), (basis.Kind, basis.RecordId));

        var forbids = Court(CourtKind.FamilyCourtSection8Order, CourtOrderEffect.ForbidsUse, DaysAgo(1));
        var parent = Parent();
        Refused(LawfulBasisRules.Evaluate(Records(AgeBand.Under16, Gillick(false, DaysAgo(3)), parent, By(parent, ConsentDecision.Given, DaysAgo(2)), forbids), Technology, Policy, Now),
            "lawful-basis.court-order-forbids");
    }

    [Fact]
    public void A_Court_of_Protection_order_decides_only_while_the_patient_lacks_capacity_MCA_s16_1()
    {
        var order = Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(10));
        var lacking = Records(AgeBand.Aged26To64, Lacks(DaysAgo(11)), order);
        Assert.Equal(LawfulBasisKind.CourtOrder, LawfulBasisRules.Evaluate(lacking, Technology, Policy, Now).Value.Kind);
        var regained = Records(AgeBand.Aged26To64, Lacks(DaysAgo(11)), order, HasCapacity(DaysAgo(1)));
        Refused(LawfulBasisRules.Evaluate(regained, Technology, Policy, Now), "lawful-basis.no-consent");
        // The High Court's inherent jurisdiction over a child is not a route for an adult.
        var adult = Records(AgeBand.Aged26To64, Lacks(DaysAgo(11)), Court(CourtKind.HighCourtInherentJurisdiction, CourtOrderEffect.AuthorisesUse, DaysAgo(10)));
        Refused(LawfulBasisRules.Evaluate(adult, Technology, Policy, Now), "lawful-basis.none");
    }
}
