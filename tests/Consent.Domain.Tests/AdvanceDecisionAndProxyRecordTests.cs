using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of AdvanceDecision.cs and ProxyAuthority.cs found): the records an advance decision
/// (MCA 2005 ss24-26) and a proxy's authority (MCA ss9-22; Children Act 1989) rest on, refused by name when incomplete,
/// and in force exactly from and up to the instants they record.
/// </summary>
public class AdvanceDecisionAndProxyRecordTests
{
    private const string ControlCharacter = "staff:\u0007RN";

    private static void Refused(Refusal? refusal, string rule, RefusalKind kind = RefusalKind.InvalidArgument)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(kind, refusal.Kind);
    }

    // ---- Advance decisions (MCA 2005 ss24-26) ----

    [Fact]
    public void An_advance_decision_record_is_refused_naming_what_s24_needs_that_it_lacks_MCA_2005_s24_1()
    {
        Assert.Null(AdvanceDecision(DaysAgo(30)).Validate());

        var ad = AdvanceDecision(DaysAgo(30));
        ad = new AdvanceDecision { Id = ad.Id, PatientId = ad.PatientId, TechnologyId = Guid.Empty, TreatmentRefused = ad.TreatmentRefused, MadeAt = ad.MadeAt,
            Aged18OrOverWhenMade = true, HadCapacityWhenMade = true, RecordedBy = ad.RecordedBy, RecordedAt = ad.RecordedAt };
        Refused(ad.Validate(), "advance-decision.treatment-missing");
        Assert.Contains("s24(1)(a)", ad.Validate()!.Message);

        ad = AdvanceDecision(DaysAgo(30));
        ad.TreatmentRefused = " ";
        Refused(ad.Validate(), "advance-decision.treatment-missing");

        ad = AdvanceDecision(DaysAgo(30));
        ad.MadeAt = default;
        Refused(ad.Validate(), "advance-decision.made-at-missing");

        ad = AdvanceDecision(DaysAgo(30));
        ad.Aged18OrOverWhenMade = null;
        Refused(ad.Validate(), "advance-decision.age-missing");
        ad.Aged18OrOverWhenMade = false;
        Refused(ad.Validate(), "advance-decision.made-under-18", RefusalKind.FailedPrecondition);

        ad = AdvanceDecision(DaysAgo(30));
        ad.HadCapacityWhenMade = null;
        Refused(ad.Validate(), "advance-decision.capacity-missing");
        ad.HadCapacityWhenMade = false;
        Refused(ad.Validate(), "advance-decision.made-without-capacity", RefusalKind.FailedPrecondition);

        ad = AdvanceDecision(DaysAgo(30));
        ad.RecordedBy = " ";
        Refused(ad.Validate(), "advance-decision.recorded-missing");
        ad = AdvanceDecision(DaysAgo(30));
        ad.RecordedAt = default;
        Refused(ad.Validate(), "advance-decision.recorded-missing");
    }

    [Theory]
    [InlineData("treatment-refused")]
    [InlineData("circumstances")]
    [InlineData("document-reference")]
    [InlineData("recorded-by")]
    [InlineData("finding-note")]
    public void Each_free_text_field_of_an_advance_decision_is_refused_by_its_own_name(string field)
    {
        var ad = AdvanceDecision(DaysAgo(30));
        ad.Circumstances = "When I am unwell at night";
        ad.DocumentReference = "AD-2024-01";
        ad.FindingNote = "Seen by the MHA office";
        Assert.Null(ad.ValidateText());
        switch (field)
        {
            case "treatment-refused": ad.TreatmentRefused = ControlCharacter; break;
            case "circumstances": ad.Circumstances = ControlCharacter; break;
            case "document-reference": ad.DocumentReference = ControlCharacter; break;
            case "recorded-by": ad.RecordedBy = ControlCharacter; break;
            default: ad.FindingNote = ControlCharacter; break;
        }
        Refused(ad.ValidateText(), field + ".control-characters");
    }

    [Fact]
    public void An_advance_decision_applies_to_the_treatment_it_names_from_the_instant_it_was_made_MCA_2005_s24_1_and_s25_1()
    {
        var ad = AdvanceDecision(DaysAgo(30));
        Assert.False(ad.AppliesTo(Technology, mayBeLifeSustaining: false, ad.MadeAt.AddTicks(-1)));
        Assert.True(ad.AppliesTo(Technology, mayBeLifeSustaining: false, ad.MadeAt));
        Assert.True(ad.AppliesTo(Technology, mayBeLifeSustaining: false, Now));
        Assert.False(ad.AppliesTo(OtherTechnology, mayBeLifeSustaining: false, Now));

        // An incomplete record (no answer on the maker's age) is no advance decision at all.
        ad.Aged18OrOverWhenMade = null;
        Assert.False(ad.AppliesTo(Technology, mayBeLifeSustaining: false, Now));
    }

    [Theory]
    [InlineData("in writing")]
    [InlineData("signed")]
    [InlineData("witnessed")]
    [InlineData("says it applies even if life is at risk")]
    public void Refusing_what_may_be_life_sustaining_needs_every_formality_MCA_2005_s25_5_and_6(string missing)
    {
        var ad = AdvanceDecision(DaysAgo(30), written: true);
        Assert.True(ad.MeetsLifeSustainingFormalities);
        Assert.True(ad.AppliesTo(Technology, mayBeLifeSustaining: true, Now));
        switch (missing)
        {
            case "in writing": ad.InWriting = false; break;
            case "signed": ad.SignedByPatientOrAtTheirDirection = false; break;
            case "witnessed": ad.SignatureWitnessed = false; break;
            default: ad.StatesItAppliesEvenIfLifeAtRisk = false; break;
        }
        Assert.False(ad.MeetsLifeSustainingFormalities);
        Assert.False(ad.AppliesTo(Technology, mayBeLifeSustaining: true, Now));
        // Without the formalities it still refuses a treatment that is not life-sustaining (s25(5) is about that only).
        Assert.True(ad.AppliesTo(Technology, mayBeLifeSustaining: false, Now));
    }

    [Fact]
    public void An_advance_decision_found_not_valid_stops_applying_at_the_instant_found_and_says_why_MCA_2005_s25_2()
    {
        var ad = AdvanceDecision(DaysAgo(30));
        var at = DaysAgo(2);
        Refused(ad.Invalidate(AdvanceDecisionInvalidation.None, at, "note"), "advance-decision.finding-reason-missing");
        Refused(ad.Invalidate((AdvanceDecisionInvalidation)99, at, "note"), "advance-decision.finding-reason-missing");
        Refused(ad.Invalidate(AdvanceDecisionInvalidation.WithdrawnByPatient, at, " "), "advance-decision.finding-note-missing");
        Refused(ad.Invalidate(AdvanceDecisionInvalidation.WithdrawnByPatient, at, null), "advance-decision.finding-note-missing");
        Refused(ad.Invalidate(AdvanceDecisionInvalidation.WithdrawnByPatient, at, ControlCharacter), "finding-note.control-characters");
        Assert.Null(ad.InvalidatedAt);

        Assert.Null(ad.Invalidate(AdvanceDecisionInvalidation.WithdrawnByPatient, at, "  Withdrew it in ward round with capacity (s24(3))  "));
        Assert.Equal((at, AdvanceDecisionInvalidation.WithdrawnByPatient, "Withdrew it in ward round with capacity (s24(3))"),
            (ad.InvalidatedAt, ad.Invalidation, ad.FindingNote));
        Assert.True(ad.AppliesTo(Technology, false, at.AddTicks(-1)));
        Assert.False(ad.AppliesTo(Technology, false, at));
        Assert.False(ad.AppliesTo(Technology, false, Now));
        Refused(ad.Invalidate(AdvanceDecisionInvalidation.ActedInconsistently, Now, "again"), "advance-decision.already-invalidated", RefusalKind.FailedPrecondition);
        Assert.Equal(AdvanceDecisionInvalidation.WithdrawnByPatient, ad.Invalidation);
    }

    [Fact]
    public void An_advance_decision_found_not_to_apply_in_the_present_circumstances_stops_applying_from_then_MCA_2005_s25_4()
    {
        var ad = AdvanceDecision(DaysAgo(30));
        var at = DaysAgo(1);
        Refused(ad.FindNotApplicable(AdvanceDecisionInapplicability.None, at, "note"), "advance-decision.finding-reason-missing");
        Refused(ad.FindNotApplicable((AdvanceDecisionInapplicability)99, at, "note"), "advance-decision.finding-reason-missing");
        Refused(ad.FindNotApplicable(AdvanceDecisionInapplicability.UnanticipatedCircumstances, at, " "), "advance-decision.finding-note-missing");
        Refused(ad.FindNotApplicable(AdvanceDecisionInapplicability.UnanticipatedCircumstances, at, ControlCharacter), "finding-note.control-characters");
        Assert.Null(ad.InapplicableFrom);
        Assert.True(ad.AppliesTo(Technology, false, Now));

        Assert.Null(ad.FindNotApplicable(AdvanceDecisionInapplicability.SpecifiedCircumstancesAbsent, at, " It was to apply on the acute ward only "));
        Assert.Equal((at, AdvanceDecisionInapplicability.SpecifiedCircumstancesAbsent, "It was to apply on the acute ward only"),
            (ad.InapplicableFrom, ad.Inapplicability, ad.FindingNote));
        Assert.True(ad.AppliesTo(Technology, false, at.AddTicks(-1)));
        Assert.False(ad.AppliesTo(Technology, false, at));
        // Still valid (s25(2)): only not applicable now.
        Assert.Null(ad.InvalidatedAt);
    }

    // ---- Proxy authority: ending, suspension, validity ----

    [Fact]
    public void An_authority_ends_from_the_instant_recorded_with_its_reason_and_reference_MCA_2005_s13_6_and_s16_8()
    {
        var lpa = Lpa();
        var at = HoursAgo(3);
        Refused(lpa.End(ProxyAuthorityEndReason.None, at, null), "proxy.end-reason-missing");
        Refused(lpa.End((ProxyAuthorityEndReason)99, at, null), "proxy.end-reason-missing");
        Refused(lpa.End(ProxyAuthorityEndReason.AttorneyCannotAct, default, null), "proxy.end-time-missing");
        Refused(lpa.End(ProxyAuthorityEndReason.AttorneyCannotAct, at, ControlCharacter), "reference.control-characters");
        Assert.Null(lpa.EndedAt);

        Assert.Null(lpa.End(ProxyAuthorityEndReason.AttorneyCannotAct, at, "  OPG-disclaimer-55  "));
        Assert.Equal((at, (DateTime?)null, ProxyAuthorityEndReason.AttorneyCannotAct, "OPG-disclaimer-55"),
            (lpa.EndedAt, lpa.RevokedAt, lpa.EndReason, lpa.EndOrSuspensionReference));
        Assert.Null(lpa.ValidNow(AgeBand.Aged65AndOver, at.AddTicks(-1)));
        Refused(lpa.ValidNow(AgeBand.Aged65AndOver, at), "proxy.ended", RefusalKind.FailedPrecondition);
        Refused(lpa.End(ProxyAuthorityEndReason.HolderDied, at, null), "proxy.already-ended", RefusalKind.FailedPrecondition);
        Refused(lpa.End(ProxyAuthorityEndReason.HolderDied, Now, null), "proxy.already-ended", RefusalKind.FailedPrecondition);
        Assert.Equal(ProxyAuthorityEndReason.AttorneyCannotAct, lpa.EndReason);
    }

    [Theory]
    [InlineData(ProxyAuthorityEndReason.RevokedByDonor)]
    [InlineData(ProxyAuthorityEndReason.RevokedByCourt)]
    public void A_revocation_is_recorded_as_one_and_refuses_by_that_name_MCA_2005_s13_2_and_s22_4_b(ProxyAuthorityEndReason reason)
    {
        var lpa = Lpa();
        Assert.Null(lpa.End(reason, HoursAgo(3), null));
        Assert.Equal(HoursAgo(3), lpa.RevokedAt);
        Assert.Null(lpa.EndOrSuspensionReference);
        Refused(lpa.ValidNow(AgeBand.Aged65AndOver, Now), "proxy.revoked", RefusalKind.FailedPrecondition);
        Refused(lpa.End(ProxyAuthorityEndReason.HolderDied, Now, null), "proxy.already-ended", RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void A_court_suspension_needs_its_order_and_holds_from_its_start_until_the_instant_it_is_lifted_MCA_2005_s48()
    {
        var lpa = Lpa();
        var from = HoursAgo(10);
        Refused(lpa.Suspend(default, "COP-1"), "proxy.end-time-missing");
        Refused(lpa.Suspend(from, " "), "proxy.suspension-reference-missing");
        Refused(lpa.Suspend(from, null), "proxy.suspension-reference-missing");
        Refused(lpa.Suspend(from, ControlCharacter), "reference.control-characters");
        Refused(lpa.LiftSuspension(Now), "proxy.not-suspended", RefusalKind.FailedPrecondition);
        Assert.Null(lpa.SuspendedFrom);

        Assert.Null(lpa.Suspend(from, " COP interim order 1122 "));
        Assert.Equal("COP interim order 1122", lpa.EndOrSuspensionReference);
        Refused(lpa.Suspend(Now, "COP-2"), "proxy.already-suspended", RefusalKind.FailedPrecondition);
        Assert.False(lpa.IsSuspended(from.AddTicks(-1)));
        Assert.True(lpa.IsSuspended(from));
        Refused(lpa.ValidNow(AgeBand.Aged65AndOver, from), "proxy.suspended", RefusalKind.FailedPrecondition);

        Refused(lpa.LiftSuspension(from.AddTicks(-1)), "proxy.end-time-missing");
        var lifted = HoursAgo(4);
        Assert.Null(lpa.LiftSuspension(lifted));
        Assert.True(lpa.IsSuspended(lifted.AddTicks(-1)));
        Assert.False(lpa.IsSuspended(lifted));
        Assert.Null(lpa.ValidNow(AgeBand.Aged65AndOver, Now));
        Refused(lpa.LiftSuspension(Now), "proxy.not-suspended", RefusalKind.FailedPrecondition);

        // A second suspension after the first was lifted starts afresh.
        Assert.Null(lpa.Suspend(HoursAgo(1), "COP interim order 3344"));
        Assert.Null(lpa.SuspensionLiftedAt);
        Assert.True(lpa.IsSuspended(Now));
    }

    [Fact]
    public void A_suspension_lifted_at_the_instant_it_began_never_held()
    {
        var lpa = Lpa();
        Assert.Null(lpa.Suspend(HoursAgo(2), "COP-9"));
        Assert.Null(lpa.LiftSuspension(HoursAgo(2)));
        Assert.False(lpa.IsSuspended(HoursAgo(2)));
    }

    [Theory]
    [InlineData("relationship")]
    [InlineData("lpa-registration-reference")]
    [InlineData("court-order-reference")]
    [InlineData("document-reference")]
    [InlineData("verified-by")]
    public void Each_free_text_field_of_an_authority_is_refused_by_its_own_name(string field)
    {
        var a = Lpa();
        a.CourtOrderReference = "COP-1";
        Assert.Null(a.ValidateText());
        switch (field)
        {
            case "relationship": a.Relationship = ControlCharacter; break;
            case "lpa-registration-reference": a.LpaRegistrationReference = ControlCharacter; break;
            case "court-order-reference": a.CourtOrderReference = ControlCharacter; break;
            case "document-reference": a.DocumentReference = ControlCharacter; break;
            default: a.VerifiedBy = ControlCharacter; break;
        }
        Refused(a.ValidateText(), field + ".control-characters");
    }

    [Fact]
    public void Parental_responsibility_needs_its_basis_ends_at_18_and_a_time_limited_order_needs_its_end_Children_Act_1989_ss2_to_4A_38_44()
    {
        var parent = Parent();
        Assert.Null(parent.ValidNow(AgeBand.Under16, Now));
        Assert.Null(parent.ValidNow(AgeBand.Aged16To17, Now));
        Refused(parent.ValidNow(AgeBand.Aged18To25, Now), "lawful-basis.parental-responsibility-ends-at-18", RefusalKind.FailedPrecondition);
        Refused(parent.ValidNow(AgeBand.Aged65AndOver, Now), "lawful-basis.parental-responsibility-ends-at-18", RefusalKind.FailedPrecondition);

        parent.ParentalResponsibilityBasis = ParentalResponsibilityBasis.Unspecified;
        Refused(parent.ValidNow(AgeBand.Under16, Now), "proxy.parental-responsibility-basis-missing");
        parent.ParentalResponsibilityBasis = (ParentalResponsibilityBasis)99;
        Refused(parent.ValidNow(AgeBand.Under16, Now), "proxy.parental-responsibility-basis-missing");

        foreach (var order in new[] { ParentalResponsibilityBasis.InterimCareOrder, ParentalResponsibilityBasis.EmergencyProtectionOrder })
        {
            parent.ParentalResponsibilityBasis = order;
            parent.ExpiresAt = null;
            Refused(parent.ValidNow(AgeBand.Under16, Now), "proxy.order-expiry-missing");
            parent.ExpiresAt = Now.AddDays(5);
            Assert.Null(parent.ValidNow(AgeBand.Under16, Now));
            Refused(parent.ValidNow(AgeBand.Under16, Now.AddDays(5)), "proxy.expired", RefusalKind.FailedPrecondition);
            Assert.Null(parent.ValidNow(AgeBand.Under16, Now.AddDays(5).AddTicks(-1)));
        }
        // A care order or a guardian's appointment has no set end.
        parent.ExpiresAt = null;
        parent.ParentalResponsibilityBasis = ParentalResponsibilityBasis.LocalAuthorityUnderCareOrder;
        Assert.Null(parent.ValidNow(AgeBand.Under16, Now));
    }

    [Fact]
    public void An_attorney_can_act_only_for_an_adult_donor_once_the_LPA_is_registered_and_covers_the_decision_MCA_2005_s9_and_Sch_1()
    {
        Assert.Null(Lpa().ValidNow(AgeBand.Aged18To25, Now));
        Refused(Lpa().ValidNow(AgeBand.Aged16To17, Now), "lawful-basis.no-lpa-under-18", RefusalKind.FailedPrecondition);
        Refused(Lpa().ValidNow(AgeBand.Under16, Now), "lawful-basis.no-lpa-under-18", RefusalKind.FailedPrecondition);

        var lpa = Lpa();
        lpa.DonorWas18OrOverWhenMade = null;
        Refused(lpa.ValidNow(AgeBand.Aged26To64, Now), "proxy.lpa-donor-age-missing");
        lpa.DonorWas18OrOverWhenMade = false;
        Refused(lpa.ValidNow(AgeBand.Aged26To64, Now), "lawful-basis.no-lpa-under-18", RefusalKind.FailedPrecondition);

        lpa = Lpa();
        lpa.LpaRegistrationReference = " ";
        Refused(lpa.ValidNow(AgeBand.Aged26To64, Now), "lawful-basis.lpa-unregistered", RefusalKind.FailedPrecondition);
        lpa = Lpa();
        lpa.LpaRegisteredAt = null;
        Refused(lpa.ValidNow(AgeBand.Aged26To64, Now), "lawful-basis.lpa-unregistered", RefusalKind.FailedPrecondition);
        // Registered from the instant the OPG registers it (Sch 1 para 13), not before.
        lpa.LpaRegisteredAt = Now;
        Assert.Null(lpa.ValidNow(AgeBand.Aged26To64, Now));
        Refused(lpa.ValidNow(AgeBand.Aged26To64, Now.AddTicks(-1)), "lawful-basis.lpa-unregistered", RefusalKind.FailedPrecondition);

        Refused(Lpa(covers: false).ValidNow(AgeBand.Aged26To64, Now), "lawful-basis.lpa-does-not-cover-decision", RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void A_deputy_acts_from_16_under_a_court_order_that_covers_the_decision_MCA_2005_s16_and_s2_5()
    {
        Assert.Null(Deputy().ValidNow(AgeBand.Aged16To17, Now));
        Assert.Null(Deputy().ValidNow(AgeBand.Aged26To64, Now));
        Refused(Deputy().ValidNow(AgeBand.Under16, Now), "lawful-basis.no-deputy-under-16", RefusalKind.FailedPrecondition);
        var deputy = Deputy();
        deputy.CourtOrderReference = " ";
        Refused(deputy.ValidNow(AgeBand.Aged26To64, Now), "proxy.court-order-missing");
        deputy = Deputy();
        deputy.CoversDecision = false;
        Refused(deputy.ValidNow(AgeBand.Aged26To64, Now), "lawful-basis.deputy-does-not-cover-decision", RefusalKind.FailedPrecondition);

        var unknown = Deputy();
        unknown.Kind = ProxyKind.Unspecified;
        Refused(unknown.ValidNow(AgeBand.Aged26To64, Now), "proxy.kind-missing");
    }

    [Fact]
    public void No_authority_is_relied_on_until_its_document_verifier_and_time_of_verification_are_recorded()
    {
        foreach (var make in new Func<ProxyAuthority>[] { Parent, () => Lpa(), Deputy })
        {
            var band = make().Kind == ProxyKind.ParentalResponsibility ? AgeBand.Under16 : AgeBand.Aged26To64;
            var a = make();
            a.DocumentReference = " ";
            Refused(a.ValidNow(band, Now), "proxy.unverified", RefusalKind.FailedPrecondition);
            a = make();
            a.VerifiedBy = null;
            Refused(a.ValidNow(band, Now), "proxy.unverified", RefusalKind.FailedPrecondition);
            a = make();
            a.VerifiedAt = null;
            Refused(a.ValidNow(band, Now), "proxy.unverified", RefusalKind.FailedPrecondition);
            a = make();
            a.VerifiedAt = Now;
            Assert.Null(a.ValidNow(band, Now));
            Refused(a.ValidNow(band, Now.AddTicks(-1)), "proxy.unverified", RefusalKind.FailedPrecondition);
        }
    }

    [Fact]
    public void An_authority_that_expires_stops_at_the_instant_it_expires()
    {
        var deputy = Deputy();
        deputy.ExpiresAt = Now;
        Assert.Null(deputy.ValidNow(AgeBand.Aged26To64, Now.AddTicks(-1)));
        Refused(deputy.ValidNow(AgeBand.Aged26To64, Now), "proxy.expired", RefusalKind.FailedPrecondition);
        deputy.RevokedAt = Now.AddDays(1);
        Assert.Null(deputy.ValidNow(AgeBand.Aged26To64, Now.AddTicks(-1)));
        deputy.EndedAt = Now.AddDays(1);
        Assert.Null(deputy.ValidNow(AgeBand.Aged26To64, Now.AddTicks(-1)));
    }

    [Fact]
    public void Adulthood_for_the_proxy_rules_starts_at_18()
    {
        Assert.False(AgeBand.Under16.IsAdult());
        Assert.False(AgeBand.Aged16To17.IsAdult());
        Assert.True(AgeBand.Aged18To25.IsAdult());
        Assert.True(AgeBand.Aged65AndOver.IsAdult());
    }
}
