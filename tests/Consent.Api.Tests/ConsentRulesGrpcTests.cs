using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>The lawful-basis examples end to end: records over gRPC, then CheckUse, on real PostgreSQL.</summary>
public sealed class ConsentRulesGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private ConsentClient TrustA => new(fixture.App, "RX3");


    private Task<int> CountAsync(Func<ConsentDbContext, Task<int>> count) =>
        fixture.App.InTenantAsync("RX3", sp => count(sp.GetRequiredService<ConsentDbContext>()));

    [Fact]
    public async Task A_gillick_competent_15_year_old_who_consents_is_permitted_and_gets_a_plain_language_care_plan()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand.Under16);
        await a.GillickAsync(patient, technology, competent: true);
        var consent = await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal((LawfulBasisKind.OwnConsent, consent), (use.LawfulBasis, use.LawfulBasisRecordId));

        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.Empty(check.Reasons);
        Assert.Equal((LawfulBasisKind.OwnConsent, LawfulBasisStatus.Valid), (check.LawfulBasis, check.LawfulBasisStatus));
        Assert.Equal(use.CarePlanRecordId, check.CarePlanRecordId);
        Assert.Equal(use.NextReviewDate, check.ReviewDueDate);

        var plan = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = check.CarePlanRecordId }));
        Assert.Equal(use.UseId, plan.UseId);
        Assert.Contains("Your care plan: using bedside sleep sensor", plan.PatientCopyText);
        Assert.Contains("You agreed to this.", plan.PatientCopyText);
        Assert.Contains("You can change your mind at any time", plan.PatientCopyText);
    }

    [Fact]
    public async Task A_15_year_old_without_gillick_competence_cannot_consent_for_themselves()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand.Under16);
        await a.GillickAsync(patient, technology, competent: false);
        await a.ConsentAsync(patient, technology);
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        await a.Refused(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }), StatusCode.FailedPrecondition,
            "lawful-basis.under-16-no-verified-parental-responsibility");
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "use-check.not-started");
    }

    [Fact]
    public async Task An_attorney_cannot_consent_for_an_adult_who_has_capacity_and_nothing_is_written()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        var lpa = await a.LpaAsync(patient);

        var error = await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, lpa)), StatusCode.FailedPrecondition,
            "lawful-basis.lpa-donor-has-capacity");
        Assert.Contains("capacity", error.Status.Detail);
        var id = Guid.Parse(patient);
        Assert.Equal(0, await CountAsync(db => db.ProxyConsents.CountAsync(c => c.PatientId == id)));
    }

    [Fact]
    public async Task An_adult_lacking_capacity_with_a_registered_lpa_whose_attorney_consents_is_permitted()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        var assessment = await a.LacksCapacityAsync(patient, technology);
        Assert.Equal(CapacityResult.LacksCapacity, assessment.Result);
        var lpa = await a.LpaAsync(patient);
        var consent = await a.ConsentAsync(patient, technology, lpa);
        var use = await a.ActiveUseAsync(patient, technology);

        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.Equal((LawfulBasisKind.ProxyConsent, consent, use.UseId), (check.LawfulBasis, check.LawfulBasisRecordId, check.UseId));
        var plan = await a.Call(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = use.CarePlanRecordId }));
        Assert.Contains("Your attorney", plan.PatientCopyText);
    }

    [Fact]
    public async Task A_best_interests_decision_without_consultation_is_refused_and_nothing_is_written()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);

        await a.Refused(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, consulted: false)), StatusCode.FailedPrecondition, "lawful-basis.best-interests-no-one-consulted");
        var id = Guid.Parse(patient);
        Assert.Equal(0, await CountAsync(db => db.BestInterestsDecisions.CountAsync(d => d.PatientId == id)));

        // With the consultation recorded, the same decision stands and the use can start on it.
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(LawfulBasisKind.BestInterests, use.LawfulBasis);
    }

    [Fact]
    public async Task Capacity_regained_keeps_a_best_interests_use_as_consent_required_within_the_grace_period_and_denies_after_it()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var now = DateTime.UtcNow;

        var recent = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(recent, technology, at: now.AddDays(-10));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(recent, technology, at: now.AddDays(-9))));
        await a.ActiveUseAsync(recent, technology);
        await a.HasCapacityAsync(recent, technology, at: now.AddHours(-1));
        var within = await a.CheckAsync(recent, technology);
        Assert.Equal(UseCheckDecision.Permit, within.Decision);
        Assert.Contains("consent-required", within.Warnings);
        Assert.Equal(LawfulBasisStatus.ConsentRequired, within.LawfulBasisStatus);
        // Within the shift: the default grace period after regained capacity is 12 hours (ADR 0014).
        Assert.InRange(within.ConsentRequiredBy.ToDateTime(), now.AddHours(10), now.AddHours(12));

        // Capacity found four days ago means the patient's own consent was due days ago.
        var earlier = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(earlier, technology, at: now.AddDays(-10));
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(earlier, technology, at: now.AddDays(-9))));
        var use = await a.ActiveUseAsync(earlier, technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(earlier, technology)).Decision);
        await a.HasCapacityAsync(earlier, technology, at: now.AddDays(-4));
        var after = await a.CheckAsync(earlier, technology);
        Assert.Equal(UseCheckDecision.Deny, after.Decision);
        Assert.Contains(after.Reasons, r => r.Rule == "lawful-basis.consent-required-after-capacity-regained");

        // Once the patient consents, the use rests on that consent: permitted again, and withdrawing it ends the use.
        var consent = await a.ConsentAsync(earlier, technology);
        var rebased = await a.CheckAsync(earlier, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.OwnConsent, consent), (rebased.Decision, rebased.LawfulBasis, rebased.LawfulBasisRecordId));
        var withdrawn = await a.Call(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = consent }));
        Assert.Equal([use.UseId], withdrawn.EndedUseIds);
    }

    [Fact]
    public async Task A_fluctuating_finding_past_its_reassess_by_date_denies_the_use_until_capacity_is_reassessed()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var now = DateTime.UtcNow;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(patient, technology, at: now.AddDays(-10));
        var lpa = await a.LpaAsync(patient);
        await a.ConsentAsync(patient, technology, lpa, at: now.AddDays(-9));
        await a.ActiveUseAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);

        await a.LacksCapacityAsync(patient, technology, at: now.AddDays(-8), reassessBy: now.AddDays(-1), fluctuating: true);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "lawful-basis.reassessment-required");
    }

    [Fact]
    public async Task Withdrawing_consent_ends_the_use_at_once_and_the_check_denies()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._18To25);
        await a.HasCapacityAsync(patient, technology);
        var consent = await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision); // now cached

        var withdrawn = await a.Call(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = consent }));
        Assert.Equal([use.UseId], withdrawn.EndedUseIds);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule == "lawful-basis.consent-withdrawn");
        await a.Refused(c => c.EndUseAsync(new EndUseRequest { UseId = use.UseId, Reason = UseEndReason.NoLongerNeeded }), StatusCode.FailedPrecondition);
    }

    [Fact]
    public async Task Withdrawing_the_trusts_approval_suspends_the_use_and_the_check_denies()
    {
        var a = TrustA;
        var approval = await a.ApproveAsync();
        var technology = approval.TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);

        var withdrawn = await a.Call(c => c.WithdrawTechnologyApprovalAsync(new WithdrawTechnologyApprovalRequest { ApprovalId = approval.ApprovalId, Reason = "Supplier recalled the sensor" }));
        Assert.Equal([use.UseId], withdrawn.SuspendedUseIds);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Rule is "use.approval-withdrawn" or "use-check.suspended-approval-withdrawn");
        await a.WardAsync("ELM");
        await a.Refused(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology, ward: "ELM")), StatusCode.FailedPrecondition, "use.approval-withdrawn");

        // Approved again: the use suspended only for the withdrawal resumes, and the check permits.
        await a.ApproveAsync(technology);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
    }

    [Fact]
    public async Task A_request_for_several_patients_or_a_whole_ward_is_refused_as_blanket_and_nothing_is_written()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var first = await a.PatientAsync(AgeBand._26To64, ward: "BLANKET");
        var second = await a.PatientAsync(AgeBand._26To64, ward: "BLANKET");

        var several = ConsentClient.Use(first, technology, ward: "BLANKET");
        several.PatientIds.Add(second);
        await a.Refused(c => c.ProposeUseAsync(several), StatusCode.InvalidArgument, "use.blanket-approach");
        var ward = ConsentClient.Use(first, technology, ward: "BLANKET");
        ward.WholeWard = true;
        var error = await a.Refused(c => c.ProposeUseAsync(ward), StatusCode.InvalidArgument, "use.blanket-approach");
        Assert.Contains("P2", error.Status.Detail);
        Assert.Equal(0, await CountAsync(db => db.TechnologyUses.CountAsync(u => u.WardCode == "BLANKET")));
    }

    [Fact]
    public async Task Using_technology_to_cover_low_staffing_is_refused_when_proposed_and_denied_when_checked()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.Refused(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology, purpose: UsePurpose.CoverLowStaffing)),
            StatusCode.FailedPrecondition, "use.purpose-reduces-staff-time");

        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        await a.ActiveUseAsync(patient, technology);
        var check = await a.CheckAsync(patient, technology, purpose: UsePurpose.ReduceStaffTimeWithPatient);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Equal(["use.purpose-reduces-staff-time"], check.Reasons.Select(r => r.Rule));
    }

    [Fact]
    public async Task A_review_moves_the_review_due_date_the_check_returns()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);
        // Whole seconds: PostgreSQL keeps microseconds, a DateTime has ticks.
        var next = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.AddDays(60).ToUnixTimeSeconds());

        var reviewed = await a.Call(c => c.RecordReviewAsync(ConsentClient.Review(use.UseId, next, "sleep, falls, whether to continue")));
        Assert.Equal(ConsentClient.Ts(next), reviewed.NextReviewDate);
        Assert.Equal(ConsentClient.Ts(next), (await a.CheckAsync(patient, technology)).ReviewDueDate);
        await a.Refused(c => c.RecordReviewAsync(ConsentClient.Review(use.UseId, DateTime.UtcNow.AddDays(200), "everything")),
            StatusCode.InvalidArgument, "care-plan.next-review-too-far");
    }

    [Fact]
    public async Task A_use_whose_review_is_overdue_is_allowed_with_a_warning_within_the_trusts_grace_period_and_denied_after_it()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var now = DateTime.UtcNow;

        async Task<CheckUseResponse> ReviewDueAsync(DateTime due)
        {
            var patient = await a.PatientAsync(AgeBand._26To64);
            await a.HasCapacityAsync(patient, technology);
            await a.ConsentAsync(patient, technology);
            var use = await a.ActiveUseAsync(patient, technology);
            // The last review was held 30 days before the date it set; that date has since passed.
            await a.Call(c => c.RecordReviewAsync(ConsentClient.Review(use.UseId, due, "sleep, falls, whether to continue", reviewedAt: due.AddDays(-30))));
            return await a.CheckAsync(patient, technology);
        }

        var overdue = await ReviewDueAsync(now.AddDays(-1));
        Assert.Equal(UseCheckDecision.Permit, overdue.Decision);
        Assert.Contains("review-overdue", overdue.Warnings);

        // The default grace period is three days.
        var pastGrace = await ReviewDueAsync(now.AddDays(-4));
        Assert.Equal(UseCheckDecision.Deny, pastGrace.Decision);
        Assert.Equal(["use-check.review-overdue"], pastGrace.Reasons.Select(r => r.Rule));
    }

    [Fact]
    public async Task An_unknown_consent_decision_on_the_wire_is_refused_as_missing_rather_than_read_as_consent()
    {
        var a = TrustA;
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology);
        var request = ConsentClient.Consent(patient, technology);
        request.Decision = (ConsentDecision)99;
        await a.Refused(c => c.RecordConsentAsync(request), StatusCode.InvalidArgument, "consent.decision-missing");
        var id = Guid.Parse(patient);
        Assert.Equal(0, await CountAsync(db => db.OwnConsents.CountAsync(c => c.PatientId == id)));
    }
}
