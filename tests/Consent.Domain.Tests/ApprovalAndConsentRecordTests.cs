using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of TechnologyApproval.cs and Consents.cs found): which approval decides a use, the
/// trust's choice of route where the Mental Health Act's Part 4 applies, and the consent records (own and proxy)
/// refused by name and withdrawn from the instant recorded.
/// </summary>
public class ApprovalAndConsentRecordTests
{
    private static void Refused(Refusal? refusal, string rule, RefusalKind kind = RefusalKind.InvalidArgument)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(kind, refusal.Kind);
    }

    private static TechnologyApproval Approved(string setting, DateTime approvedAt, DateTime? withdrawnAt = null, Guid? technology = null) => new()
    {
        Id = Guid.NewGuid(), TechnologyId = technology ?? Technology, TechnologyName = "SleepSense", SettingCode = setting, ApprovedAt = approvedAt, WithdrawnAt = withdrawnAt,
    };

    // ---- Approvals ----

    [Fact]
    public void An_approval_covers_one_technology_in_one_setting_spelled_exactly()
    {
        var approval = Approval();
        Assert.True(approval.Covers(Technology, Setting));
        Assert.False(approval.Covers(OtherTechnology, Setting));
        Assert.False(approval.Covers(Technology, "picu"));
        Assert.False(approval.Covers(Technology, Setting.ToUpperInvariant()));
    }

    [Fact]
    public void An_approval_is_withdrawn_from_the_instant_recorded()
    {
        var approval = Approval();
        Assert.False(approval.IsWithdrawn(Now));
        approval.WithdrawnAt = Now;
        Assert.False(approval.IsWithdrawn(Now.AddTicks(-1)));
        Assert.True(approval.IsWithdrawn(Now));
        Assert.True(approval.IsWithdrawn(Now.AddDays(1)));
    }

    [Fact]
    public void A_live_approval_decides_over_a_withdrawn_one_then_the_latest_whatever_their_order()
    {
        var oldLive = Approved(Setting, DaysAgo(300));
        var newWithdrawn = Approved(Setting, DaysAgo(10), withdrawnAt: DaysAgo(1));
        Assert.Same(oldLive, TechnologyApproval.Select([oldLive, newWithdrawn], Technology, Setting));
        Assert.Same(oldLive, TechnologyApproval.Select([newWithdrawn, oldLive], Technology, Setting));

        var newLive = Approved(Setting, DaysAgo(5));
        Assert.Same(newLive, TechnologyApproval.Select([oldLive, newLive], Technology, Setting));
        Assert.Same(newLive, TechnologyApproval.Select([newLive, oldLive], Technology, Setting));

        var oldWithdrawn = Approved(Setting, DaysAgo(400), withdrawnAt: DaysAgo(350));
        Assert.Same(newWithdrawn, TechnologyApproval.Select([oldWithdrawn, newWithdrawn], Technology, Setting));
        Assert.Same(newWithdrawn, TechnologyApproval.Select([newWithdrawn, oldWithdrawn], Technology, Setting));

        // Another technology or setting never decides; a null setting means any setting of the technology.
        var picu = Approved("picu", DaysAgo(1));
        var other = Approved(Setting, DaysAgo(1), technology: OtherTechnology);
        Assert.Same(oldLive, TechnologyApproval.Select([other, picu, oldLive], Technology, Setting));
        Assert.Null(TechnologyApproval.Select([other, picu], Technology, Setting));
        Assert.Same(picu, TechnologyApproval.Select([other, oldLive, picu], Technology, null));
        Assert.Null(TechnologyApproval.Select([], Technology, null));
    }

    [Fact]
    public void An_approval_that_watches_or_restricts_cannot_rest_on_s63_and_an_unknown_route_is_refused_MHA_1983_s63()
    {
        var approval = Approval();
        Assert.Null(approval.Validate());
        approval.MentalDisorderTreatmentRoute = (MentalDisorderTreatmentRoute)99;
        Refused(approval.Validate(), "approval.treatment-route-missing");

        approval.MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.Section63Record;
        Assert.Null(approval.Validate());
        Assert.False(approval.IsMonitoring);
        approval.ContinuousMonitoringOrRestrictive = true;
        Assert.True(approval.IsMonitoring);
        Refused(approval.Validate(), "approval.detention-not-a-basis-for-monitoring", RefusalKind.FailedPrecondition);
        approval.ContinuousMonitoringOrRestrictive = false;
        approval.IsSurveillance = true;
        Refused(approval.Validate(), "approval.detention-not-a-basis-for-monitoring", RefusalKind.FailedPrecondition);
        approval.MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.ConsentFirst;
        Assert.Null(approval.Validate());
    }

    [Fact]
    public void The_trusts_choice_of_route_names_who_chose_and_a_choice_refused_leaves_the_route_as_it_was()
    {
        var approval = Approval(surveillance: true);
        approval.MentalDisorderTreatmentRoute = MentalDisorderTreatmentRoute.ConsentFirst;
        Refused(approval.ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, " ", Now).Refusal, "approval.actor-missing");
        Assert.Equal(MentalDisorderTreatmentRoute.ConsentFirst, approval.MentalDisorderTreatmentRoute);
        Refused(approval.ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute.Section63Record, "staff:CCIO-1", Now).Refusal,
            "approval.detention-not-a-basis-for-monitoring", RefusalKind.FailedPrecondition);
        Assert.Equal(MentalDisorderTreatmentRoute.ConsentFirst, approval.MentalDisorderTreatmentRoute);

        var chosen = approval.ChooseMentalDisorderTreatmentRoute(MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, "  staff:CCIO-1  ", Now).Value;
        Assert.Equal(new ApprovalRouteChosen(approval.Id, Technology, Setting, MentalDisorderTreatmentRoute.ConsentFirst,
            MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, "staff:CCIO-1", Now), chosen);
        Assert.Equal(MentalDisorderTreatmentRoute.NotTreatmentForMentalDisorder, approval.MentalDisorderTreatmentRoute);
    }

    // ---- Consent records ----

    [Fact]
    public void A_consent_record_is_refused_naming_what_it_lacks_and_a_refusal_stands_whatever_was_explained()
    {
        var given = Own(ConsentDecision.Given, Now);
        Assert.Null(given.Validate());
        given.RecordedAt = default;
        Refused(given.Validate(), "consent.recorded-at-missing");
        given = Own(ConsentDecision.Given, Now);
        given.RecordedBy = " ";
        Refused(given.Validate(), "consent.recorded-by-missing");
        given = Own(ConsentDecision.Given, Now);
        given.InformationGiven = " ";
        Refused(given.Validate(), "consent.information-given-missing");
        given = Own(ConsentDecision.Given, Now);
        given.InformationFormat = AccessibleFormat.Unspecified;
        Refused(given.Validate(), "consent.accessible-format-missing");

        var refused = Own(ConsentDecision.Refused, Now);
        refused.InformationGiven = "";
        refused.InformationFormat = AccessibleFormat.Unspecified;
        Assert.Null(refused.Validate());
        refused.RecordedBy = "";
        Refused(refused.Validate(), "consent.recorded-by-missing");
    }

    [Fact]
    public void A_proxys_consent_names_the_verified_authority_it_was_given_under_and_is_otherwise_checked_as_any_consent()
    {
        var deputy = Deputy();
        Assert.Null(By(deputy, ConsentDecision.Given, Now).Validate());
        var noAuthority = new ProxyConsent
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = Technology, ProxyAuthorityId = Guid.Empty, Decision = ConsentDecision.Given,
            InformationGiven = "x", InformationFormat = AccessibleFormat.EasyRead, RecordedAt = Now, RecordedBy = "staff:1",
        };
        Refused(noAuthority.Validate(), "consent.proxy-authority-missing");
        var incomplete = By(deputy, ConsentDecision.Given, Now);
        incomplete.InformationFormat = AccessibleFormat.Unspecified;
        Refused(incomplete.Validate(), "consent.accessible-format-missing");
        incomplete.Decision = ConsentDecision.Unspecified;
        Refused(incomplete.Validate(), "consent.decision-missing");

        var text = By(deputy, ConsentDecision.Given, Now);
        Assert.Null(text.ValidateText());
        text.InformationGiven = "a\u0007";
        Refused(text.ValidateText(), "information-given.control-characters");
        text = By(deputy, ConsentDecision.Given, Now);
        text.RecordedBy = "a\u0007";
        Refused(text.ValidateText(), "recorded-by.control-characters");
    }

    [Fact]
    public void A_proxys_consent_is_withdrawn_from_the_first_instant_recorded()
    {
        var consent = By(Deputy(), ConsentDecision.Given, DaysAgo(3));
        Assert.False(consent.IsWithdrawn(Now));
        consent.Withdraw(HoursAgo(2));
        consent.Withdraw(HoursAgo(1));
        Assert.Equal(HoursAgo(2), consent.WithdrawnAt);
        Assert.False(consent.IsWithdrawn(HoursAgo(2).AddTicks(-1)));
        Assert.True(consent.IsWithdrawn(HoursAgo(2)));

        var own = Own(ConsentDecision.Given, DaysAgo(3));
        own.Withdraw(HoursAgo(2));
        Assert.False(own.IsWithdrawn(HoursAgo(2).AddTicks(-1)));
        Assert.True(own.IsWithdrawn(HoursAgo(2)));
    }

    [Fact]
    public void The_patients_answer_on_whether_a_refusal_stands_if_capacity_is_lost_is_recorded_either_way_MCA_2005_s24()
    {
        var refusal = Own(ConsentDecision.Refused, DaysAgo(1));
        Assert.Null(refusal.RefusalStandsIfCapacityLost);
        Assert.Null(refusal.AnswerRefusalQuestion(stands: false));
        Assert.False(refusal.RefusalStandsIfCapacityLost);
        Assert.Null(refusal.AnswerRefusalQuestion(stands: true));
        Assert.True(refusal.RefusalStandsIfCapacityLost);
        var consent = Own(ConsentDecision.Given, DaysAgo(1));
        Refused(consent.AnswerRefusalQuestion(stands: true), "consent.not-a-refusal", RefusalKind.FailedPrecondition);
        Assert.Null(consent.RefusalStandsIfCapacityLost);
    }
}
