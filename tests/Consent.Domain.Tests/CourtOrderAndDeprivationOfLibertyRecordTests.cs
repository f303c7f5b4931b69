using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of CourtOrder.cs, DeprivationOfLiberty.cs and DeprivationOfLibertyRule.cs found): a
/// court order is refused by name until complete and verified, is in force exactly between the instants it records,
/// and is open only to the courts that can decide at the patient's age; a deprivation-of-liberty screen (Cheshire West
/// [2014] UKSC 19) is refused by name until complete, and what it found must be authorised lawfully for the patient's
/// age (MCA 2005 Sch A1 from 18, Re D [2019] UKSC 42 for 16-17, MCA s2(5), MHA 1983 detention).
/// </summary>
public class CourtOrderAndDeprivationOfLibertyRecordTests
{
    private const string ControlCharacter = "staff:\u0007RN";
    private static readonly TechnologyUse Use = new() { Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = Technology };

    private static void Refused(Refusal? refusal, string rule, RefusalKind kind = RefusalKind.InvalidArgument)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(kind, refusal.Kind);
    }

    private static CourtOrder Order(Action<CourtOrder> change)
    {
        var order = Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(10));
        change(order);
        return order;
    }

    // ---- Court orders ----

    [Fact]
    public void A_court_order_is_refused_naming_what_it_lacks_until_the_sealed_order_is_verified()
    {
        Assert.Null(Order(_ => { }).Validate());
        var noTechnology = new CourtOrder { Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = Guid.Empty, Court = CourtKind.CourtOfProtection, Reference = "COP-1",
            Effect = CourtOrderEffect.AuthorisesUse, MadeAt = DaysAgo(1), VerifiedBy = "staff:MHA-admin-3", VerifiedAt = DaysAgo(1) };
        Refused(noTechnology.Validate(), "court-order.technology-missing");
        Refused(Order(o => o.Court = CourtKind.Unspecified).Validate(), "court-order.court-missing");
        Refused(Order(o => o.Court = (CourtKind)99).Validate(), "court-order.court-missing");
        Refused(Order(o => o.Reference = " ").Validate(), "court-order.reference-missing");
        Refused(Order(o => o.Effect = CourtOrderEffect.Unspecified).Validate(), "court-order.effect-missing");
        Refused(Order(o => o.Effect = (CourtOrderEffect)99).Validate(), "court-order.effect-missing");
        Refused(Order(o => o.MadeAt = default).Validate(), "court-order.made-at-missing");
        Refused(Order(o => o.VerifiedBy = " ").Validate(), "court-order.unverified", RefusalKind.FailedPrecondition);
        Refused(Order(o => o.VerifiedAt = null).Validate(), "court-order.unverified", RefusalKind.FailedPrecondition);

        Refused(Order(o => o.Reference = ControlCharacter).ValidateText(), "reference.control-characters");
        Refused(Order(o => o.VerifiedBy = ControlCharacter).ValidateText(), "verified-by.control-characters");
        Assert.Null(Order(_ => { }).ValidateText());
    }

    [Fact]
    public void A_court_order_is_in_force_once_made_and_verified_until_it_expires_or_is_discharged()
    {
        var order = Order(o => o.VerifiedAt = o.MadeAt);
        Assert.False(order.InForce(order.MadeAt.AddTicks(-1)));
        Assert.True(order.InForce(order.MadeAt));

        order = Order(o => o.VerifiedAt = o.MadeAt.AddHours(2));
        Assert.False(order.InForce(order.MadeAt.AddHours(1)));
        Assert.True(order.InForce(order.MadeAt.AddHours(2)));
        Assert.False(Order(o => o.VerifiedAt = null).InForce(Now));

        order = Order(o => o.ExpiresAt = Now);
        Assert.True(order.InForce(Now.AddTicks(-1)));
        Assert.False(order.InForce(Now));
        order = Order(o => o.DischargedAt = Now);
        Assert.True(order.InForce(Now.AddTicks(-1)));
        Assert.False(order.InForce(Now));
    }

    [Fact]
    public void Which_court_can_decide_depends_on_age_MCA_2005_s2_5_and_Children_Act_1989_s8()
    {
        var cop = Order(o => o.Court = CourtKind.CourtOfProtection);
        Assert.False(cop.AvailableFor(AgeBand.Under16));
        Assert.True(cop.AvailableFor(AgeBand.Aged16To17));
        Assert.True(cop.AvailableFor(AgeBand.Aged26To64));
        foreach (var court in new[] { CourtKind.HighCourtInherentJurisdiction, CourtKind.FamilyCourtSection8Order })
        {
            var order = Order(o => o.Court = court);
            Assert.True(order.AvailableFor(AgeBand.Under16));
            Assert.True(order.AvailableFor(AgeBand.Aged16To17));
            Assert.False(order.AvailableFor(AgeBand.Aged18To25));
        }
        Assert.False(Order(o => o.Court = CourtKind.Unspecified).AvailableFor(AgeBand.Aged16To17));
    }

    // ---- The deprivation-of-liberty screen ----

    private static DeprivationOfLibertyScreen Found(DeprivationOfLibertyAuthorisation authorisation = DeprivationOfLibertyAuthorisation.None, DateTime? expires = null) =>
        Screen(DaysAgo(2), deprivation: true, authorisation, expires);

    [Fact]
    public void The_acid_test_finds_a_deprivation_only_under_continuous_supervision_and_control_not_free_to_leave_and_without_consent_Cheshire_West()
    {
        Assert.True(Found().DeprivationFound);
        var s = Found();
        s.ContinuousSupervisionAndControl = false;
        Assert.False(s.DeprivationFound);
        s = Found();
        s.FreeToLeave = true;
        Assert.False(s.DeprivationFound);
        s = Found();
        s.FreeToLeave = null;
        Assert.False(s.DeprivationFound);
        // A patient who, with capacity, consents to the arrangements is not deprived of liberty (Storck v Germany).
        s = Found();
        s.ValidConsentToArrangements = true;
        Assert.False(s.DeprivationFound);
        s.ValidConsentToArrangements = null;
        Assert.True(s.DeprivationFound);
    }

    [Fact]
    public void A_screen_is_refused_naming_what_it_lacks()
    {
        Assert.Null(Found().Validate());
        Assert.Null(Screen(DaysAgo(2), deprivation: false).Validate());
        var noTechnology = new DeprivationOfLibertyScreen { Id = Guid.NewGuid(), TechnologyId = Guid.Empty, ScreenedAt = DaysAgo(1), ScreenedBy = "staff:Dr-12",
            ContinuousSupervisionAndControl = false, FreeToLeave = true, ReviewBy = Now };
        Refused(noTechnology.Validate(), "deprivation-of-liberty.technology-missing");

        var s = Found();
        s.ScreenedAt = default;
        Refused(s.Validate(), "deprivation-of-liberty.screener-missing");
        s = Found();
        s.ScreenedBy = " ";
        Refused(s.Validate(), "deprivation-of-liberty.screener-missing");
        s = Found();
        s.ContinuousSupervisionAndControl = null;
        Refused(s.Validate(), "deprivation-of-liberty.acid-test-missing");
        s = Found();
        s.FreeToLeave = null;
        Refused(s.Validate(), "deprivation-of-liberty.acid-test-missing");

        // The consent question is asked only where the acid test is met.
        s = Found();
        s.ValidConsentToArrangements = null;
        Refused(s.Validate(), "deprivation-of-liberty.consent-question-missing");
        s.FreeToLeave = true;
        Assert.Null(s.Validate());
        s.FreeToLeave = false;
        s.ContinuousSupervisionAndControl = false;
        Assert.Null(s.Validate());

        s = Found();
        s.ReviewBy = null;
        Refused(s.Validate(), "deprivation-of-liberty.review-by-missing");
        s.ReviewBy = s.ScreenedAt;
        Refused(s.Validate(), "deprivation-of-liberty.review-by-missing");
        s.ReviewBy = s.ScreenedAt.AddTicks(1);
        Assert.Null(s.Validate());

        s = Found();
        s.ScreenedBy = ControlCharacter;
        Refused(s.Validate(), "screened-by.control-characters");
        s = Found(DeprivationOfLibertyAuthorisation.DolsStandard);
        s.AuthorisationReference = ControlCharacter;
        Refused(s.Validate(), "authorisation-reference.control-characters");
    }

    [Fact]
    public void A_deprivation_found_needs_an_authorisation_and_none_means_refused_naming_the_routes_for_the_age()
    {
        Assert.Null(Screen(DaysAgo(2), deprivation: false).AuthorisationProblem(AgeBand.Under16, null, Now));
        Refused(Found().AuthorisationProblem(AgeBand.Aged26To64, null, Now), "deprivation-of-liberty.authorisation-required", RefusalKind.FailedPrecondition);
        Refused(Found().AuthorisationProblem(AgeBand.Under16, null, Now), "deprivation-of-liberty.authorisation-required", RefusalKind.FailedPrecondition);
        var sixteen = Found().AuthorisationProblem(AgeBand.Aged16To17, null, Now);
        Refused(sixteen, "deprivation-of-liberty.authorisation-required-16-17", RefusalKind.FailedPrecondition);
        Assert.Contains("Re D [2019] UKSC 42", sixteen!.Message);
    }

    [Theory]
    [InlineData(DeprivationOfLibertyAuthorisation.DolsStandard)]
    [InlineData(DeprivationOfLibertyAuthorisation.DolsUrgent)]
    public void DoLS_authorises_only_from_18_with_its_reference_and_expiry_MCA_2005_Sch_A1(DeprivationOfLibertyAuthorisation dols)
    {
        var expires = Now.AddDays(7);
        Assert.Null(Found(dols, expires).AuthorisationProblem(AgeBand.Aged18To25, null, Now));
        Refused(Found(dols, expires).AuthorisationProblem(AgeBand.Under16, null, Now), "deprivation-of-liberty.dols-not-under-18", RefusalKind.FailedPrecondition);
        Refused(Found(dols, expires).AuthorisationProblem(AgeBand.Aged16To17, null, Now), "deprivation-of-liberty.dols-not-16-17", RefusalKind.FailedPrecondition);
        Refused(Found(dols).AuthorisationProblem(AgeBand.Aged18To25, null, Now), "deprivation-of-liberty.authorisation-reference-missing");
        var noReference = Found(dols, expires);
        noReference.AuthorisationReference = " ";
        Refused(noReference.AuthorisationProblem(AgeBand.Aged18To25, null, Now), "deprivation-of-liberty.authorisation-reference-missing");

        // From the instant it expires it authorises nothing, whatever the route.
        Assert.Null(Found(dols, expires).AuthorisationProblem(AgeBand.Aged18To25, null, expires.AddTicks(-1)));
        Refused(Found(dols, expires).AuthorisationProblem(AgeBand.Aged18To25, null, expires), "deprivation-of-liberty.authorisation-expired", RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void Mental_Health_Act_detention_authorises_only_while_the_patient_is_detained_under_a_section_in_force_MHA_1983()
    {
        var screen = Found(DeprivationOfLibertyAuthorisation.MentalHealthActDetention);
        var section3 = Mha(MentalHealthActStatus.Section3, DaysAgo(20));
        Assert.Null(screen.AuthorisationProblem(AgeBand.Under16, section3, Now));
        Assert.Null(screen.AuthorisationProblem(AgeBand.Aged26To64, section3, Now));
        Refused(screen.AuthorisationProblem(AgeBand.Aged26To64, null, Now), "deprivation-of-liberty.not-detained", RefusalKind.FailedPrecondition);
        Refused(screen.AuthorisationProblem(AgeBand.Aged26To64, Mha(MentalHealthActStatus.Informal, DaysAgo(20)), Now), "deprivation-of-liberty.not-detained",
            RefusalKind.FailedPrecondition);
        section3.Until = DaysAgo(1);
        Refused(screen.AuthorisationProblem(AgeBand.Aged26To64, section3, Now), "deprivation-of-liberty.not-detained", RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void A_court_authorises_a_childs_deprivation_the_Court_of_Protection_only_from_16_MCA_2005_s2_5_Re_D_2019_UKSC_42()
    {
        var cop = Found(DeprivationOfLibertyAuthorisation.CourtOfProtectionOrder);
        Assert.Null(cop.AuthorisationProblem(AgeBand.Aged16To17, null, Now));
        Assert.Null(cop.AuthorisationProblem(AgeBand.Aged26To64, null, Now));
        Refused(cop.AuthorisationProblem(AgeBand.Under16, null, Now), "deprivation-of-liberty.court-of-protection-not-under-16", RefusalKind.FailedPrecondition);
        cop.AuthorisationReference = null;
        Refused(cop.AuthorisationProblem(AgeBand.Aged16To17, null, Now), "deprivation-of-liberty.authorisation-reference-missing");

        var inherent = Found(DeprivationOfLibertyAuthorisation.HighCourtInherentJurisdiction);
        Assert.Null(inherent.AuthorisationProblem(AgeBand.Under16, null, Now));
        inherent.AuthorisationReference = " ";
        Refused(inherent.AuthorisationProblem(AgeBand.Under16, null, Now), "deprivation-of-liberty.authorisation-reference-missing");
    }

    [Fact]
    public void The_screens_next_deadline_is_its_review_date_or_an_earlier_expiry_of_the_authorisation()
    {
        var screen = Found(DeprivationOfLibertyAuthorisation.DolsStandard, Now.AddDays(3));
        Assert.Equal(Now.AddDays(3), screen.NextDeadline);
        screen.AuthorisationExpiresAt = screen.ReviewBy;
        Assert.Equal(screen.ReviewBy, screen.NextDeadline);
        screen.AuthorisationExpiresAt = screen.ReviewBy!.Value.AddDays(1);
        Assert.Equal(screen.ReviewBy, screen.NextDeadline);
        screen.ReviewBy = null;
        Assert.Equal(screen.AuthorisationExpiresAt, screen.NextDeadline);

        // No deprivation found: an expiry authorises nothing, so only the review date counts.
        var none = Screen(DaysAgo(2), deprivation: false, DeprivationOfLibertyAuthorisation.DolsStandard, Now.AddDays(1));
        Assert.Equal(none.ReviewBy, none.NextDeadline);
    }

    // ---- The rule over the patient's records ----

    [Fact]
    public void The_latest_screen_for_this_technology_up_to_now_decides()
    {
        var authorised = Screen(DaysAgo(5), deprivation: true, DeprivationOfLibertyAuthorisation.DolsStandard, Now.AddDays(20));
        var unauthorised = Screen(DaysAgo(3), deprivation: true);
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, authorised, unauthorised), Use, Now), "deprivation-of-liberty.authorisation-required",
            RefusalKind.FailedPrecondition);
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, unauthorised, authorised), Use, Now), "deprivation-of-liberty.authorisation-required",
            RefusalKind.FailedPrecondition);
        // Before the later screen, the earlier one was the latest.
        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, unauthorised, authorised), Use, DaysAgo(4)));

        // A screen dated after now, or for another technology, is not the latest.
        var future = Screen(Now.AddHours(1), deprivation: true);
        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, authorised, future), Use, Now));
        var other = new DeprivationOfLibertyScreen
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, ScreenedAt = DaysAgo(1), ScreenedBy = "staff:Dr-12",
            ContinuousSupervisionAndControl = true, FreeToLeave = false, ValidConsentToArrangements = false, ReviewBy = Now.AddDays(20),
        };
        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, authorised, other), Use, Now));
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, other), Use, Now), "deprivation-of-liberty.screen-required", RefusalKind.FailedPrecondition);
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, future), Use, Now), "deprivation-of-liberty.screen-required", RefusalKind.FailedPrecondition);
        Assert.Equal(authorised.NextDeadline, DeprivationOfLibertyRule.NextDeadline(Records(AgeBand.Aged26To64, authorised, future, other), Use, Now));
        Assert.Null(DeprivationOfLibertyRule.NextDeadline(Records(AgeBand.Aged26To64, other), Use, Now));
    }

    [Fact]
    public void An_incomplete_screen_is_refused_by_name_and_one_past_its_review_date_must_be_done_again()
    {
        var incomplete = Screen(DaysAgo(2), deprivation: true);
        incomplete.FreeToLeave = null;
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, incomplete), Use, Now), "deprivation-of-liberty.acid-test-missing");

        var screen = Screen(DaysAgo(2), deprivation: false);
        var review = screen.ReviewBy!.Value;
        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, screen), Use, review));
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, screen), Use, review.AddTicks(1)), "deprivation-of-liberty.screen-review-overdue",
            RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void A_court_order_in_force_that_authorises_the_use_and_the_deprivation_is_its_authorisation_MCA_2005_s4A_3_and_s16_2_a()
    {
        var screen = Screen(DaysAgo(2), deprivation: true);
        CourtOrder Cop(Action<CourtOrder>? change = null)
        {
            var order = Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(3), deprivationOfLiberty: true);
            change?.Invoke(order);
            return order;
        }

        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged26To64, screen, Cop()), Use, Now));
        Assert.Null(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged16To17, screen, Cop()), Use, Now));

        void StillRequired(AgeBand band, CourtOrder order) =>
            Assert.NotNull(DeprivationOfLibertyRule.Check(Records(band, screen, order), Use, Now));

        StillRequired(AgeBand.Aged26To64, Cop(o => o.AuthorisesDeprivationOfLiberty = false));
        StillRequired(AgeBand.Aged26To64, Cop(o => o.Effect = CourtOrderEffect.ForbidsUse));
        StillRequired(AgeBand.Aged26To64, Cop(o => o.DischargedAt = DaysAgo(1)));
        StillRequired(AgeBand.Under16, Cop());
        StillRequired(AgeBand.Aged26To64, Cop(o => o.Reference = " "));
        var otherTechnology = new CourtOrder
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, Court = CourtKind.CourtOfProtection, Reference = "COP-2",
            Effect = CourtOrderEffect.AuthorisesUse, AuthorisesDeprivationOfLiberty = true, MadeAt = DaysAgo(3), VerifiedBy = "staff:MHA-admin-3", VerifiedAt = DaysAgo(3),
        };
        StillRequired(AgeBand.Aged26To64, otherTechnology);
        Refused(DeprivationOfLibertyRule.Check(Records(AgeBand.Aged16To17, screen, Cop(o => o.AuthorisesDeprivationOfLiberty = false)), Use, Now),
            "deprivation-of-liberty.authorisation-required-16-17", RefusalKind.FailedPrecondition);
    }
}
