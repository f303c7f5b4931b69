using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21: two rules whose removal once left every test green. Each test here fails when its rule is deleted
/// (checked by hand: see docs/quality/mutation.md).
/// </summary>
public class RulesOnceLeftUntestedTests
{
    private static Outcome<LawfulBasis> Evaluate(PatientConsentRecords records) => LawfulBasisRules.Evaluate(records, Technology, Policy, Now);

    // Gillick v West Norfolk and Wisbech AHA [1986] AC 112: a child under 16 consents for themselves only while they
    // have sufficient understanding and intelligence to understand fully what is proposed, and competence is judged
    // decision by decision and can be lost. Consent given while competent does not survive a later finding that the
    // child is not competent: after that finding, those with parental responsibility (Children Act 1989 s3) decide,
    // and if competence returns, the child must be asked again.
    [Fact]
    public void A_childs_consent_stops_counting_after_a_later_finding_that_they_are_not_competent_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(9));
        var competentThen = Records(AgeBand.Under16, Gillick(true, DaysAgo(10)), consent);
        Assert.Equal(consent.Id, Evaluate(competentThen).Value.RecordId);

        // Found not competent after consenting, and competent again since: the old consent is not this child's
        // present decision, and nothing else stands in for it.
        var competenceLostInBetween = Records(AgeBand.Under16, Gillick(true, DaysAgo(10)), consent, Gillick(false, DaysAgo(5)), Gillick(true, DaysAgo(1)));
        var outcome = Evaluate(competenceLostInBetween);
        Assert.True(outcome.IsRefused, $"the child's earlier consent was still taken as {(outcome.IsRefused ? "" : outcome.Value.Kind)}");
        Assert.Equal("lawful-basis.no-consent", outcome.Refusal!.Rule);
    }

    [Fact]
    public void A_childs_consent_does_not_count_while_the_latest_finding_is_not_competent_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var records = Records(AgeBand.Under16, Gillick(true, DaysAgo(10)), Own(ConsentDecision.Given, DaysAgo(9)), Gillick(false, DaysAgo(1)));
        var outcome = Evaluate(records);
        Assert.True(outcome.IsRefused, $"the child's consent was taken as {(outcome.IsRefused ? "" : outcome.Value.Kind)} after a finding of no competence");
        Assert.Equal("lawful-basis.under-16-no-verified-parental-responsibility", outcome.Refusal!.Rule);
    }

    [Fact]
    public void An_active_use_with_no_review_date_is_denied_until_one_is_set()
    {
        var consent = Own(ConsentDecision.Given, DaysAgo(3));
        var use = ActiveUse(OwnBasis(consent), DaysAgo(3));
        var records = Records(AgeBand.Aged26To64, Presumed(DaysAgo(4)), consent, use);
        Assert.Equal(UseCheckDecision.Permit, UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now).Decision);

        use.CarePlan.NextReviewDate = null;
        var result = UseCheck.Evaluate(records, Technology, Ward, UsePurpose.DirectCareOrTreatment, Approval(), Policy, Now);

        Assert.Equal(UseCheckDecision.Deny, result.Decision);
        Assert.Equal(UseDenyReasons.ReviewOverdue, result.DenyReasons);
        Assert.Equal(["use-check.review-not-scheduled"], result.Reasons.Select(r => r.Rule));
        Assert.Null(result.ReviewDueDate);
    }
}
