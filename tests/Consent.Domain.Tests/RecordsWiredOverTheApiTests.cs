using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// The domain calls the consent API makes for issue 20's Mental Health Act status, s63 records, ages and balancing
/// records (ADR 0032): each refuses before anything is written.
/// </summary>
public class RecordsWiredOverTheApiTests
{
    private static MentalHealthActRecord Status(MentalHealthActStatus status) => new()
    {
        Id = Guid.NewGuid(), PatientId = ThePatient, Status = status, From = DaysAgo(3), RecordedBy = "MHA administrator 301",
    };

    private static Section63Record S63() => new()
    {
        Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = Technology, ResponsibleClinician = "consultant 2019", RecordedAt = DaysAgo(1),
        WhyTreatmentForMentalDisorder = "light therapy for his depressive episode", ConsentSought = true, PatientViews = "does not want it",
    };

    private static TechnologyApproval OnRoute(MentalDisorderTreatmentRoute route, bool surveillance = false)
    {
        var approval = Approval(surveillance);
        approval.MentalDisorderTreatmentRoute = route;
        return approval;
    }

    [Theory]
    [InlineData(MentalHealthActStatus.Section3, false, MentalDisorderTreatmentRoute.Section63Record, null)]
    [InlineData(MentalHealthActStatus.Section3, true, MentalDisorderTreatmentRoute.Section63Record, "section-63.detention-not-a-basis-for-monitoring")]
    [InlineData(MentalHealthActStatus.Section3, false, MentalDisorderTreatmentRoute.ConsentFirst, "section-63.route-not-chosen")]
    [InlineData(MentalHealthActStatus.Informal, false, MentalDisorderTreatmentRoute.Section63Record, "section-63.part-4-does-not-apply")]
    [InlineData(MentalHealthActStatus.Section136, false, MentalDisorderTreatmentRoute.Section63Record, "section-63.part-4-does-not-apply")]
    [InlineData(MentalHealthActStatus.CommunityTreatmentOrder, false, MentalDisorderTreatmentRoute.Section63Record, "section-63.part-4-does-not-apply")]
    [InlineData(MentalHealthActStatus.CommunityTreatmentOrderRecalled, false, MentalDisorderTreatmentRoute.Section63Record, null)]
    public void An_s63_record_is_accepted_only_on_the_s63_route_for_a_technology_that_does_not_monitor_where_Part_4_applies_MHA_1983_ss56_63(
        MentalHealthActStatus status, bool surveillance, MentalDisorderTreatmentRoute route, string? rule)
    {
        var approval = OnRoute(route);
        approval.IsSurveillance = surveillance;
        var records = Records(AgeBand.Aged26To64, Status(status));
        Assert.Equal(rule, S63().ValidateFor(records, approval)?.Rule);
    }

    [Fact]
    public void An_s63_record_for_a_technology_without_a_live_approval_is_refused_and_one_ends_once_and_not_before_it_was_made()
    {
        var records = Records(AgeBand.Aged26To64, Status(MentalHealthActStatus.Section3));
        Assert.Equal("section-63.technology-not-approved", S63().ValidateFor(records, null)?.Rule);
        var withdrawn = OnRoute(MentalDisorderTreatmentRoute.Section63Record);
        withdrawn.WithdrawnAt = DaysAgo(2);
        Assert.Equal("section-63.technology-not-approved", S63().ValidateFor(records, withdrawn)?.Rule);

        var s63 = S63();
        Assert.Equal("section-63.ended-before-recorded", s63.End(DaysAgo(2))?.Rule);
        Assert.Null(s63.EndedAt);
        Assert.Null(s63.End(Now));
        Assert.Equal("section-63.already-ended", s63.End(Now)?.Rule);
    }

    [Fact]
    public void A_band_only_patient_registered_under_16_moves_to_16_to_17_once_a_date_of_birth_gives_the_day_MCA_s2_5()
    {
        var registered = DaysAgo(300);
        var patient = new Patient { Id = ThePatient, AgeBand = AgeBand.Under16, RegisteredAt = registered };
        var sixteenth = DateOnly.FromDateTime(DaysAgo(100));
        var born = sixteenth.AddYears(-16);

        Assert.Equal("date-of-birth.not-the-age-band", patient.RecordDateOfBirth(born.AddYears(-2), Now)?.Rule);
        Assert.Null(patient.Turns16On);
        Assert.Null(patient.RecordDateOfBirth(born, Now));
        Assert.Equal((sixteenth, sixteenth.AddYears(2)), (patient.Turns16On, patient.Turns18On));
        var records = new PatientConsentRecords { PatientId = ThePatient, AgeBand = patient.AgeBand, Turns16On = patient.Turns16On, Turns18On = patient.Turns18On };
        Assert.Equal(AgeBand.Aged16To17, records.AgeBandAt(Now));
        Assert.Equal("patient.age-already-recorded", patient.RecordDateOfBirth(born, Now)?.Rule);

        var adult = new Patient { Id = Guid.NewGuid(), AgeBand = AgeBand.Aged26To64, RegisteredAt = registered };
        Assert.Equal("patient.adult-when-registered", adult.RecordDateOfBirth(new DateOnly(1980, 5, 1), Now)?.Rule);
    }

    [Fact]
    public void The_trusts_route_choice_reevaluates_a_detained_patients_live_use_MCA_s28()
    {
        var decision = BestInterests(DaysAgo(5));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(5));
        var records = Records(AgeBand.Aged26To64, Lacks(DaysAgo(6)), decision, use, Status(MentalHealthActStatus.Section3));
        var before = Approval();
        var after = OnRoute(MentalDisorderTreatmentRoute.ConsentFirst);
        after.ApprovedAt = before.ApprovedAt;

        var change = Assert.Single(ConsentSignals.Reevaluate(records, [before], [after], Policy, Now));
        Assert.Equal((use.Id, true, false), (change.Use.Id, change.Before.IsPermitted, change.After.IsPermitted));
        Assert.Empty(ConsentSignals.Reevaluate(records, [before], [before], Policy, Now));
    }

    [Fact]
    public void The_Article_8_balancing_is_recorded_on_a_started_use_only_and_complete_HRA_1998_Sch1_Art8()
    {
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.OwnConsent, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(5));
        var incomplete = Balancing();
        incomplete.LegalAdviceSought = null;
        Assert.Equal("human-rights.legal-advice-missing", use.RecordHumanRightsBalancing(incomplete)?.Rule);
        Assert.Null(use.HumanRights);
        Assert.Null(use.RecordHumanRightsBalancing(Balancing()));
        Assert.NotNull(use.HumanRights);

        Assert.Null(use.End(UseEndReason.NoLongerNeeded, Now));
        Assert.Equal("use.not-active", use.RecordHumanRightsBalancing(Balancing())?.Rule);
        var proposed = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), Now).Value;
        Assert.Equal("use.proposed-use-is-corrected", proposed.RecordHumanRightsBalancing(Balancing())?.Rule);
    }
}
