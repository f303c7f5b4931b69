using Platform.Consent.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>Issue 20, "Objections count at any time": an objection by a patient lacking capacity forces a re-decision.</summary>
public class ObjectionTests
{
    private sealed record Scenario(PatientConsentRecords Records, TechnologyUse Use, BestInterestsDecision Decision);

    private static Scenario OnBestInterests(TechnologyApproval? approval = null, params object[] more)
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        if (approval is not null) use.ContinuousMonitoringOrRestrictive = approval.ContinuousMonitoringOrRestrictive;
        return new Scenario(Records(AgeBand.Aged26To64, [Lacks(DaysAgo(10)), decision, use, .. more]), use, decision);
    }

    private static PatientObjection Object(Scenario s, DateTime at) =>
        PatientObjection.Record(s.Records, s.Use, at, ObjectionExpression.Behaviour, "Pulls the sensor mat out from under the mattress and says 'no' each night",
            "staff:RN-1042", Guid.NewGuid(), Policy, Now).Value;

    private static PatientConsentRecords With(Scenario s, params PatientObjection[] objections) => s.Records.With(objection: objections[0]);

    private static ObjectionRedecision Continue(DateTime at, Guid? screen = null) => new(
        at, "staff:Consultant-12", RedecisionOutcome.Continue, "Weighed her objection against three falls with injury; keep for one week with daily review",
        "Falls with head injury at night", "Alerts only, no images, night-time only; hourly checks woke her and raised distress", Balancing(), screen);

    [Fact]
    public void An_objection_after_a_use_started_forces_a_re_decision_within_the_trusts_hours_MCA_s4_and_s6()
    {
        var s = OnBestInterests();
        var objection = Object(s, HoursAgo(2));
        var records = With(s, objection);

        var within = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);
        Assert.True(within.IsPermitted);
        Assert.True(within.Warnings.HasFlag(UseCheckWarnings.ObjectionRedecisionDue));
        Assert.Equal(HoursAgo(2) + Policy.ObjectionRedecisionWithin, within.DecisionRequiredBy);

        var after = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, HoursAgo(2) + Policy.ObjectionRedecisionWithin);
        Assert.False(after.IsPermitted);
        Assert.Contains(after.Denials, d => d.Kind == UseDenyReasons.ObjectionNotRedecided && d.Refusal.Rule == "use-check.objection-not-redecided");
    }

    [Fact]
    public void A_re_decision_to_continue_against_an_objection_needs_the_restraint_test_and_a_human_rights_record_MCA_s6()
    {
        var s = OnBestInterests();
        var objection = Object(s, HoursAgo(2));
        Assert.Equal("objection.harm-prevented-missing", objection.Redecide(Continue(HoursAgo(1)) with { HarmPrevented = " " }, s.Use, s.Records, Now)?.Rule);
        Assert.Equal("objection.why-proportionate-missing", objection.Redecide(Continue(HoursAgo(1)) with { WhyProportionate = null }, s.Use, s.Records, Now)?.Rule);
        Assert.Equal("objection.human-rights-missing", objection.Redecide(Continue(HoursAgo(1)) with { HumanRights = null }, s.Use, s.Records, Now)?.Rule);
        Assert.True(objection.IsOpen);

        Assert.Null(objection.Redecide(Continue(HoursAgo(1)), s.Use, s.Records, Now));
        Assert.True(s.Use.PatientObjects);
        var check = UseCheck.Evaluate(With(s, objection), Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now.AddDays(2));
        Assert.True(check.IsPermitted, string.Join(", ", check.Reasons.Select(r => r.Rule)));
        Assert.Equal("objection.already-redecided", objection.Redecide(Continue(HoursAgo(1)), s.Use, s.Records, Now)?.Rule);
    }

    [Fact]
    public void A_re_decision_to_stop_after_an_objection_ends_the_use_MCA_s4()
    {
        var s = OnBestInterests();
        var objection = Object(s, HoursAgo(2));
        var stop = new ObjectionRedecision(HoursAgo(1), "staff:Consultant-12", RedecisionOutcome.Stop, "Her distress outweighs the benefit; hourly checks instead", null, null, null, null);
        Assert.Null(objection.Redecide(stop, s.Use, s.Records, Now));
        Assert.Equal((UseStatus.Ended, UseEndReason.ObjectionRedecidedToStop), (s.Use.Status, s.Use.EndReason));
    }

    [Fact]
    public void A_re_decision_for_a_use_that_restricts_needs_a_deprivation_of_liberty_screen_since_the_objection_Cheshire_West_2014_UKSC_19()
    {
        var old = Screen(DaysAgo(9), deprivation: false);
        var fresh = Screen(HoursAgo(2), deprivation: false);
        var s = OnBestInterests(Restrictive(), old, fresh);
        var objection = Object(s, HoursAgo(3));
        Assert.Equal("objection.deprivation-of-liberty-screen-required", objection.Redecide(Continue(HoursAgo(1), old.Id), s.Use, s.Records, Now)?.Rule);
        Assert.Equal("objection.deprivation-of-liberty-screen-required", objection.Redecide(Continue(HoursAgo(1)), s.Use, s.Records, Now)?.Rule);
        Assert.Null(objection.Redecide(Continue(HoursAgo(1), fresh.Id), s.Use, s.Records, Now));
    }

    [Fact]
    public void A_patient_with_capacity_does_not_object_but_refuses_or_withdraws_MCA_s1_2()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(3));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), consent, use);
        var outcome = PatientObjection.Record(records, use, HoursAgo(1), ObjectionExpression.Words, "Says she wants it gone", "staff:RN-1042", Guid.NewGuid(), Policy, Now);
        Assert.Equal("objection.patient-decides", outcome.Refusal?.Rule);
    }

    [Fact]
    public void An_objection_is_described_and_dated_and_cannot_be_in_the_future()
    {
        var s = OnBestInterests();
        Assert.Equal("objection.observed-at-invalid", PatientObjection.Record(s.Records, s.Use, Now.AddHours(1), ObjectionExpression.Words, "No", "staff:1", Guid.NewGuid(), Policy, Now).Refusal?.Rule);
        Assert.Equal("objection.expression-missing", PatientObjection.Record(s.Records, s.Use, Now, ObjectionExpression.Unspecified, "No", "staff:1", Guid.NewGuid(), Policy, Now).Refusal?.Rule);
        Assert.Equal("description.control-characters", PatientObjection.Record(s.Records, s.Use, Now, ObjectionExpression.Words, "No\u0007", "staff:1", Guid.NewGuid(), Policy, Now).Refusal?.Rule);
    }
}
