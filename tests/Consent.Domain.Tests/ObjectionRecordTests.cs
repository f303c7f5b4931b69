using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of Objection.cs found): an objection by a patient lacking capacity, and the
/// re-decision it forces (MCA 2005 s4(6)(a), s6), are refused by name until complete, dated within their limits, and
/// kept as recorded.
/// </summary>
public class ObjectionRecordTests
{
    private const string ControlCharacter = "staff:\u0007RN";

    private sealed record Scenario(PatientConsentRecords Records, TechnologyUse Use);

    private static Scenario OnBestInterests(bool restrictive = false, params object[] more)
    {
        var decision = BestInterests(DaysAgo(9));
        var use = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, decision.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        use.ContinuousMonitoringOrRestrictive = restrictive;
        return new Scenario(Records(AgeBand.Aged26To64, [Lacks(DaysAgo(10)), decision, use, .. more]), use);
    }

    private static Outcome<PatientObjection> Record(Scenario s, DateTime observedAt, ObjectionExpression expressed = ObjectionExpression.Words,
        string? description = "Says 'take it away' each night", string? recordedBy = "staff:RN-1042", TechnologyUse? use = null) =>
        PatientObjection.Record(s.Records, use ?? s.Use, observedAt, expressed, description, recordedBy, Guid.NewGuid(), Policy, Now);

    private static ObjectionRedecision Continue(DateTime at, Guid? screen = null) => new(
        at, "staff:Consultant-12", RedecisionOutcome.Continue, "Weighed her objection against three falls with injury",
        "Falls with head injury at night", "Alerts only, night-time only; hourly checks woke her", Balancing(), screen);

    private static void Refused(Refusal? refusal, string rule, RefusalKind kind = RefusalKind.InvalidArgument)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(kind, refusal.Kind);
    }

    [Fact]
    public void An_objection_is_kept_as_recorded_and_falls_due_for_re_decision_within_the_trusts_hours_MCA_2005_s4_6_a()
    {
        var s = OnBestInterests();
        var objection = Record(s, HoursAgo(2), ObjectionExpression.WordsAndBehaviour, "  Says 'no' and pulls the mat out  ", "  staff:RN-1042  ").Value;
        Assert.Equal((ThePatient, Technology, s.Use.Id, HoursAgo(2), ObjectionExpression.WordsAndBehaviour, "Says 'no' and pulls the mat out", "staff:RN-1042"),
            (objection.PatientId, objection.TechnologyId, objection.UseId, objection.ObservedAt, objection.Expressed, objection.Description, objection.RecordedBy));
        Assert.True(objection.IsOpen);
        Assert.Equal(HoursAgo(2) + Policy.ObjectionRedecisionWithin, objection.RedecisionDueBy(Policy));
        Assert.Equal(HoursAgo(2) + TimeSpan.FromHours(6), objection.RedecisionDueBy(Policy with { ObjectionRedecisionWithin = TimeSpan.FromHours(6) }));
    }

    [Fact]
    public void An_objection_is_refused_naming_what_it_lacks()
    {
        var s = OnBestInterests();
        Assert.False(Record(s, Now).IsRefused);
        Refused(Record(s, default).Refusal, "objection.observed-at-invalid");
        Refused(Record(s, Now.AddTicks(1)).Refusal, "objection.observed-at-invalid");
        Refused(Record(s, Now, (ObjectionExpression)99).Refusal, "objection.expression-missing");
        Refused(Record(s, Now, description: " ").Refusal, "objection.description-missing");
        Refused(Record(s, Now, description: null).Refusal, "objection.description-missing");
        Refused(Record(s, Now, recordedBy: " ").Refusal, "objection.recorded-by-missing");
        Refused(Record(s, Now, recordedBy: ControlCharacter).Refusal, "recorded-by.control-characters");
    }

    [Fact]
    public void Only_a_live_use_of_this_patient_can_be_objected_to()
    {
        var s = OnBestInterests();
        var otherPatients = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9),
            patient: Guid.NewGuid());
        Refused(Record(s, Now, use: otherPatients).Refusal, "objection.use-mismatch");

        s.Use.SuspendForApprovalWithdrawn(HoursAgo(5));
        Assert.False(Record(s, Now).IsRefused);
        s.Use.End(UseEndReason.NoLongerNeeded, HoursAgo(4));
        Refused(Record(s, Now).Refusal, "objection.use-not-live", RefusalKind.FailedPrecondition);

        var proposed = TechnologyUse.Propose(Request(), Approval(), Guid.NewGuid(), Guid.NewGuid(), DaysAgo(1)).Value;
        Refused(Record(s, Now, use: proposed).Refusal, "objection.use-not-live", RefusalKind.FailedPrecondition);
    }

    [Fact]
    public void A_re_decision_is_dated_from_the_objection_up_to_now_names_who_made_it_its_outcome_and_reasons()
    {
        var s = OnBestInterests();
        var observed = HoursAgo(3);
        var objection = Record(s, observed).Value;
        Refused(objection.Redecide(Continue(default), s.Use, s.Records, Now), "objection.decided-at-invalid");
        Refused(objection.Redecide(Continue(observed.AddTicks(-1)), s.Use, s.Records, Now), "objection.decided-at-invalid");
        Refused(objection.Redecide(Continue(Now.AddTicks(1)), s.Use, s.Records, Now), "objection.decided-at-invalid");
        Refused(objection.Redecide(Continue(Now) with { DecidedBy = " " }, s.Use, s.Records, Now), "objection.decided-by-missing");
        Refused(objection.Redecide(Continue(Now) with { Outcome = RedecisionOutcome.Unspecified }, s.Use, s.Records, Now), "objection.outcome-missing");
        Refused(objection.Redecide(Continue(Now) with { Outcome = (RedecisionOutcome)99 }, s.Use, s.Records, Now), "objection.outcome-missing");
        Refused(objection.Redecide(Continue(Now) with { Reasons = " " }, s.Use, s.Records, Now), "objection.reasons-missing");
        Refused(objection.Redecide(Continue(Now) with { DecidedBy = ControlCharacter }, s.Use, s.Records, Now), "decided-by.control-characters");
        Refused(objection.Redecide(Continue(Now) with { Reasons = "a\u0000" }, s.Use, s.Records, Now), "reasons.control-characters");
        Refused(objection.Redecide(Continue(Now) with { HarmPrevented = "a\u0000" }, s.Use, s.Records, Now), "harm-prevented.control-characters");
        Refused(objection.Redecide(Continue(Now) with { WhyProportionate = "a\u0000" }, s.Use, s.Records, Now), "why-proportionate.control-characters");
        var incompleteRights = Balancing();
        incompleteRights.RightsEngaged = HumanRight.None;
        Refused(objection.Redecide(Continue(Now) with { HumanRights = incompleteRights }, s.Use, s.Records, Now), "human-rights.rights-engaged-missing");
        var anotherUse = ActiveUse(new LawfulBasis(LawfulBasisKind.BestInterests, Guid.NewGuid(), ProxyKind.Unspecified, LawfulBasisStatus.Valid, null), DaysAgo(9));
        Refused(objection.Redecide(Continue(Now), anotherUse, s.Records, Now), "objection.use-mismatch");
        Assert.True(objection.IsOpen);
        Assert.False(s.Use.PatientObjects);

        // At the instant of the objection is not before it.
        Assert.Null(objection.Redecide(Continue(observed) with { DecidedBy = "  staff:Consultant-12 ", Reasons = "  Weighed her objection  " }, s.Use, s.Records, Now));
        Assert.False(objection.IsOpen);
        Assert.Equal(("staff:Consultant-12", "Weighed her objection", RedecisionOutcome.Continue), (objection.Redecision!.DecidedBy, objection.Redecision.Reasons, objection.Redecision.Outcome));
        Assert.True(s.Use.PatientObjects);
        Assert.Same(objection.Redecision.HumanRights, s.Use.HumanRights);
        Assert.Equal(UseStatus.Active, s.Use.Status);
    }

    [Fact]
    public void A_re_decision_made_now_is_not_in_the_future()
    {
        var s = OnBestInterests();
        var objection = Record(s, HoursAgo(3)).Value;
        Assert.Null(objection.Redecide(Continue(Now) with { Outcome = RedecisionOutcome.Change }, s.Use, s.Records, Now));
        Assert.Equal(RedecisionOutcome.Change, objection.Redecision!.Outcome);
        Assert.True(s.Use.PatientObjects);
    }

    [Fact]
    public void A_decision_to_stop_needs_no_restraint_test_and_ends_the_use_when_it_was_made_MCA_2005_s4()
    {
        var s = OnBestInterests(restrictive: true);
        var objection = Record(s, HoursAgo(3)).Value;
        var stop = new ObjectionRedecision(HoursAgo(1), "staff:Consultant-12", RedecisionOutcome.Stop, "Her distress outweighs the benefit", null, null, null, null);
        Assert.Null(objection.Redecide(stop, s.Use, s.Records, Now));
        Assert.Equal((UseStatus.Ended, UseEndReason.ObjectionRedecidedToStop, HoursAgo(1)), (s.Use.Status, s.Use.EndReason, s.Use.EndedAt));
        Assert.False(s.Use.PatientObjects);
    }

    [Fact]
    public void The_screen_a_re_decision_relies_on_is_for_this_technology_done_since_the_objection_and_complete_Cheshire_West_2014_UKSC_19()
    {
        var observed = HoursAgo(3);
        var atObjection = Screen(observed, deprivation: false);
        var incomplete = Screen(HoursAgo(2), deprivation: false);
        incomplete.ReviewBy = null;
        var otherTechnology = new DeprivationOfLibertyScreen
        {
            Id = Guid.NewGuid(), PatientId = ThePatient, TechnologyId = OtherTechnology, ScreenedAt = HoursAgo(2), ScreenedBy = "staff:Dr-12",
            ContinuousSupervisionAndControl = false, FreeToLeave = true, ReviewBy = Now.AddDays(28),
        };
        var s = OnBestInterests(restrictive: true, atObjection, incomplete, otherTechnology);
        var objection = Record(s, observed).Value;
        Refused(objection.Redecide(Continue(HoursAgo(1), otherTechnology.Id), s.Use, s.Records, Now), "objection.deprivation-of-liberty-screen-required", RefusalKind.FailedPrecondition);
        Refused(objection.Redecide(Continue(HoursAgo(1), Guid.NewGuid()), s.Use, s.Records, Now), "objection.deprivation-of-liberty-screen-required", RefusalKind.FailedPrecondition);
        Refused(objection.Redecide(Continue(HoursAgo(1), incomplete.Id), s.Use, s.Records, Now), "deprivation-of-liberty.review-by-missing");
        Assert.Null(objection.Redecide(Continue(HoursAgo(1), atObjection.Id), s.Use, s.Records, Now));

        // A use that neither monitors continuously nor restricts needs no screen.
        var plain = OnBestInterests();
        Assert.Null(Record(plain, observed).Value.Redecide(Continue(HoursAgo(1)), plain.Use, plain.Records, Now));
    }
}
