using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (survivors of the mutation run of UseCheck.cs): what the use check says when several things are wrong at
/// once, on the instants its warnings start, and with the purposes a refusal names (UK GDPR Article 5(1)(b)).
/// </summary>
public class UseCheckEdgeTests
{
    private static (PatientConsentRecords Records, TechnologyUse Use) Consented(PurposeSet dataUse = PurposeSet.None, AgeBand band = AgeBand.Aged26To64, params object[] more)
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var use = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(3)).Value;
        CompleteCarePlan(use, DaysAgo(3));
        use.CarePlan.DataUsePurposes = dataUse;
        Assert.Null(use.Activate(OwnBasis(consent), Approval(), Policy, DaysAgo(3)));
        object finding = band == AgeBand.Under16 ? Gillick(true, DaysAgo(4)) : Presumed(DaysAgo(4));
        return (Records(band, [finding, consent, use, .. more]), use);
    }

    private static UseCheckResult Check(PatientConsentRecords records, UsePurpose purpose = UsePurpose.DirectCareOrTreatment, DateTime? now = null) =>
        UseCheck.Evaluate(records, Technology, Ward, purpose, Approval(), Policy, now ?? Now);

    [Fact]
    public void Each_deny_reason_keeps_its_own_kind_in_the_order_found()
    {
        var (records, use) = Consented();
        records.OwnConsents[0].Withdraw(HoursAgo(2));
        use.Withdraw(HoursAgo(2));
        var result = Check(records, UsePurpose.Monitoring);
        Assert.Equal(
            [UseDenyReasons.ConsentWithdrawn, UseDenyReasons.PurposeNotAuthorised],
            result.Denials.Select(d => d.Kind));
        // The withdrawal is one reason, though the use and the decision table both find it.
        Assert.Equal(["lawful-basis.consent-withdrawn", "use-check.purpose-not-authorised"], result.Denials.Select(d => d.Refusal.Rule));
    }

    [Fact]
    public void A_use_the_patient_objects_to_needs_its_human_rights_record_even_on_their_own_consent_ECHR_Article_8()
    {
        var (records, use) = Consented();
        Assert.True(Check(records).IsPermitted);
        use.PatientObjects = true;
        var result = Check(records);
        Assert.Equal(UseDenyReasons.HumanRightsRecordRequired, Assert.Single(result.Denials).Kind);
        Assert.Equal("use-check.human-rights-record-required", result.Reasons[0].Rule);
        use.HumanRights = Balancing();
        Assert.True(Check(records).IsPermitted);
    }

    [Fact]
    public void An_objection_counts_from_the_instant_it_was_seen_and_two_open_objections_still_warn_MCA_2005_s4_6_a()
    {
        var (records, use) = Consented();
        PatientObjection Open(DateTime at) => new()
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = Technology, UseId = use.Id, ObservedAt = at, Expressed = ObjectionExpression.Words,
            Description = "Says no", RecordedBy = "staff:RN-1042",
        };
        var now = Open(Now);
        var withObjection = records.With(objection: now);
        var result = Check(withObjection);
        Assert.True(result.Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));
        Assert.Equal(Now + Policy.ObjectionRedecisionWithin, result.DecisionRequiredBy);
        Assert.False(Check(withObjection, now: Now.AddTicks(-1)).Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));

        var two = Records(AgeBand.Aged26To64, [.. records.CapacityAssessments, .. records.OwnConsents, use, Open(HoursAgo(2)), Open(HoursAgo(1))]);
        var both = Check(two);
        Assert.True(both.Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));
        Assert.Equal(HoursAgo(2) + Policy.ObjectionRedecisionWithin, both.DecisionRequiredBy);
    }

    [Fact]
    public void The_use_a_check_reads_among_ended_ones_is_the_one_that_ended_last()
    {
        var (records, first) = Consented();
        var second = ActiveUse(OwnBasis(records.OwnConsents[0]), DaysAgo(3));
        // The first started earlier but ended later, on the patient's withdrawal.
        first.ProposedAt = DaysAgo(20);
        first.ActivatedAt = DaysAgo(19);
        first.End(UseEndReason.ConsentWithdrawn, DaysAgo(1));
        second.ProposedAt = DaysAgo(10);
        second.ActivatedAt = DaysAgo(9);
        second.End(UseEndReason.NoLongerNeeded, DaysAgo(5));
        var withBoth = Records(AgeBand.Aged26To64, [.. records.CapacityAssessments, first, second]);
        Assert.Equal(first.Id, Check(withBoth).UseId);
        Assert.Equal(UseDenyReasons.ConsentWithdrawn, Check(withBoth).Denials[0].Kind);
        Assert.Equal(first.Id, Check(Records(AgeBand.Aged26To64, [.. records.CapacityAssessments, second, first])).UseId);
    }

    [Fact]
    public void A_purpose_refusal_names_the_purposes_this_use_was_authorised_for_and_no_other_uses()
    {
        var (a, _) = Consented(PurposeSet.PatientSafety);
        var (b, _) = Consented(PurposeSet.CommunicationOrFeedback);
        var forA = Check(a, UsePurpose.Monitoring).Reasons[0].Message;
        var forB = Check(b, UsePurpose.Monitoring).Reasons[0].Message;
        Assert.Contains("authorised only for: direct care or treatment, patient safety.", forA);
        Assert.Contains("authorised only for: direct care or treatment, communication or feedback.", forB);
        Assert.EndsWith("another purpose needs its own recorded basis.", forA);

        var releasing = Check(a, UsePurpose.ReleasingTimeToCare).Reasons[0].Message;
        Assert.StartsWith("The request is for releasing time to care,", releasing);
        Assert.StartsWith("The request is for monitoring,", forA);
    }

    [Fact]
    public void A_Gillick_finding_falling_stale_warns_from_exactly_the_trusts_notice_before_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var (records, _) = Consented(band: AgeBand.Under16);
        var finding = records.GillickAssessments[0];
        finding.ReassessBy = Now + Policy.DeadlineWarningNotice;
        Assert.True(Check(records).Warnings.HasFlag(UseCheckWarnings.ReassessmentDueSoon));
        finding.ReassessBy = Now + Policy.DeadlineWarningNotice + TimeSpan.FromTicks(1);
        Assert.False(Check(records).Warnings.HasFlag(UseCheckWarnings.ReassessmentDueSoon));
    }
}
