using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The legal scenarios of issue 20 (ADR 0014) end to end over gRPC on PostgreSQL: a revoked, suspended or ended
/// authority and an ended best-interests decision stop the uses resting on them at once, with an event for each use
/// and an alert naming human observation for a safety use; an advance decision to refuse blocks the proxy and
/// best-interests routes; a capacitous refusal the patient says should stand is not overridden.
/// </summary>
public sealed class LegalScenariosGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>A patient lacking capacity, an attorney under a registered LPA who consented, and an active safety use on that consent.</summary>
    private static async Task<(string Patient, string Technology, string Lpa, TechnologyUse Use)> AttorneyConsentedSafetyUseAsync(ConsentClient a)
    {
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(patient, technology);
        var lpa = await a.LpaAsync(patient);
        await a.ConsentAsync(patient, technology, proxyAuthorityId: lpa);
        var request = ConsentClient.Use(patient, technology, purpose: UsePurpose.PatientSafety);
        request.Safety = new SafetyProportionality
        {
            WhyProportionate = "two falls at night this month; alerts only, no images",
            HowRelationalCareContinues = "night staff still check in person when she is awake",
        };
        var proposed = await a.Call(c => c.ProposeUseAsync(request));
        var use = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal((UseStatus.Active, LawfulBasisKind.ProxyConsent), (use.Status, use.LawfulBasis));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety)).Decision);
        return (patient, technology, lpa, use);
    }

    [Fact]
    public async Task An_lpa_revoked_by_the_donor_ends_the_attorneys_basis_at_once_with_a_safety_alert_naming_human_observation_MCA_s13()
    {
        var a = new ConsentClient(fixture.App, "LEG1");
        var (patient, technology, lpa, use) = await AttorneyConsentedSafetyUseAsync(a);

        var revoked = await a.Call(c => c.EndProxyAuthorityAsync(new EndProxyAuthorityRequest
        {
            ProxyAuthorityId = lpa, Reason = ProxyAuthorityEndReason.RevokedByDonor, Reference = "OPG revocation 55120",
        }));
        var reevaluated = Assert.Single(revoked.ReevaluatedUses);
        Assert.Equal((use.UseId, UseCheckDecision.Permit, UseCheckDecision.Deny, SafetyFallback.HumanObservation),
            (reevaluated.UseId, reevaluated.Before, reevaluated.After, reevaluated.Fallback));

        var check = await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety);
        Assert.Equal((UseCheckDecision.Deny, SafetyFallback.HumanObservation), (check.Decision, check.Fallback));
        Assert.All(check.Reasons, r => Assert.False(string.IsNullOrEmpty(r.Kind)));

        var ended = Assert.Single(await Outbox.PublishedAsync<ProxyAuthorityEnded>(fixture.App, "LEG1"));
        Assert.Equal((lpa, ProxyAuthorityEndReason.RevokedByDonor), (ended.ProxyAuthorityId, ended.Reason));
        var alert = Assert.Single(await Outbox.PublishedAsync<SafetyAlert>(fixture.App, "LEG1"));
        Assert.Equal((use.UseId, SafetyFallback.HumanObservation), (alert.UseId, alert.Fallback));
        var changed = Assert.Single(await Outbox.PublishedAsync<UseReevaluated>(fixture.App, "LEG1"));
        Assert.Equal(("proxy_authority_ended", lpa), (changed.Cause, changed.CauseRecordId));

        // Ended is ended: a second revocation is refused, and the attorney cannot consent again under it.
        await a.Refused(c => c.EndProxyAuthorityAsync(new EndProxyAuthorityRequest { ProxyAuthorityId = lpa, Reason = ProxyAuthorityEndReason.RevokedByCourt }),
            StatusCode.FailedPrecondition, "proxy.already-ended");
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, lpa)), StatusCode.FailedPrecondition);
    }

    [Fact]
    public async Task A_court_suspension_of_the_lpa_denies_while_it_lasts_and_lifting_it_permits_again_MCA_s48()
    {
        var a = new ConsentClient(fixture.App, "LEG2");
        var (patient, technology, lpa, _) = await AttorneyConsentedSafetyUseAsync(a);

        await a.Refused(c => c.SuspendProxyAuthorityAsync(new SuspendProxyAuthorityRequest { ProxyAuthorityId = lpa }), StatusCode.InvalidArgument);
        var suspended = await a.Call(c => c.SuspendProxyAuthorityAsync(new SuspendProxyAuthorityRequest { ProxyAuthorityId = lpa, Reference = "COP interim order 1187" }));
        Assert.Equal(UseCheckDecision.Deny, Assert.Single(suspended.ReevaluatedUses).After);
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety)).Decision);

        var lifted = await a.Call(c => c.LiftProxyAuthoritySuspensionAsync(new LiftProxyAuthoritySuspensionRequest { ProxyAuthorityId = lpa }));
        Assert.Equal(UseCheckDecision.Permit, Assert.Single(lifted.ReevaluatedUses).After);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology, purpose: UsePurpose.PatientSafety)).Decision);
        Assert.Single(await Outbox.PublishedAsync<ProxyAuthoritySuspended>(fixture.App, "LEG2"));
        Assert.Single(await Outbox.PublishedAsync<ProxyAuthoritySuspensionLifted>(fixture.App, "LEG2"));
    }

    [Fact]
    public async Task Ending_a_best_interests_decision_denies_every_use_resting_on_it_at_once()
    {
        var a = new ConsentClient(fixture.App, "LEG3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);
        var decision = (await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)))).Id;
        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal(LawfulBasisKind.BestInterests, use.LawfulBasis);

        await a.Refused(c => c.EndBestInterestsDecisionAsync(new EndBestInterestsDecisionRequest { DecisionId = decision }), StatusCode.InvalidArgument, "best-interests.ended-because-missing");
        var ended = await a.Call(c => c.EndBestInterestsDecisionAsync(new EndBestInterestsDecisionRequest { DecisionId = decision, Because = "the MDT agreed the sensor is no longer needed" }));
        Assert.Equal((use.UseId, UseCheckDecision.Deny), (Assert.Single(ended.ReevaluatedUses).UseId, ended.ReevaluatedUses[0].After));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology)).Decision);
        Assert.Equal(decision, Assert.Single(await Outbox.PublishedAsync<BestInterestsDecisionEnded>(fixture.App, "LEG3")).DecisionId);

        var b = new ConsentClient(fixture.App, "LEG4");
        await b.Refused(c => c.EndBestInterestsDecisionAsync(new EndBestInterestsDecisionRequest { DecisionId = decision, Because = "x" }), StatusCode.NotFound);
    }

    [Fact]
    public async Task An_advance_decision_to_refuse_blocks_the_best_interests_route_until_it_is_found_not_to_apply_MCA_ss24_to_26()
    {
        var a = new ConsentClient(fixture.App, "LEG5");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(patient, technology);
        await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)));
        var use = await a.ActiveUseAsync(patient, technology);

        var advance = new RecordAdvanceDecisionRequest
        {
            PatientId = patient, TechnologyId = technology, TreatmentRefused = "any sensor under my mattress",
            MadeAt = ConsentClient.Ts(DateTime.UtcNow.AddYears(-1)), Aged18OrOverWhenMade = true, HadCapacityWhenMade = true,
            InWriting = true, RecordedBy = "named nurse 4411",
        };
        var recorded = await a.Call(c => c.RecordAdvanceDecisionAsync(advance));
        Assert.Equal((use.UseId, UseCheckDecision.Deny), (Assert.Single(recorded.ReevaluatedUses).UseId, recorded.ReevaluatedUses[0].After));
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
        Assert.Contains(check.Reasons, r => r.Kind == "advance-decision-to-refuse");
        Assert.Single(await Outbox.PublishedAsync<AdvanceDecisionRecorded>(fixture.App, "LEG5"));

        // A new best-interests decision cannot override it.
        await a.Refused(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)), StatusCode.FailedPrecondition);

        // Made under 18, it is not an advance decision at all: refused by name, and nothing changes.
        advance.Aged18OrOverWhenMade = false;
        await a.Refused(c => c.RecordAdvanceDecisionAsync(advance), StatusCode.FailedPrecondition, "advance-decision.made-under-18");

        var notApplicable = await a.Call(c => c.RecordAdvanceDecisionNotApplicableAsync(new RecordAdvanceDecisionNotApplicableRequest
        {
            AdvanceDecisionId = recorded.Id, Reason = AdvanceDecisionInapplicability.UnanticipatedCircumstances,
            Note = "she made it before the falls began; the MDT and her son believe she did not anticipate them",
        }));
        Assert.Equal(UseCheckDecision.Permit, Assert.Single(notApplicable.ReevaluatedUses).After);
        Assert.Single(await Outbox.PublishedAsync<AdvanceDecisionInvalidated>(fixture.App, "LEG5"));
    }

    [Fact]
    public async Task A_refusal_made_with_capacity_that_the_patient_says_should_stand_is_not_overridden_by_a_later_best_interests_decision()
    {
        var a = new ConsentClient(fixture.App, "LEG6");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        await a.HasCapacityAsync(patient, technology, DateTime.UtcNow.AddHours(-3));
        var refusal = ConsentClient.Consent(patient, technology, at: DateTime.UtcNow.AddHours(-2));
        refusal.Decision = ConsentDecision.Refused;
        var refused = (await a.Call(c => c.RecordConsentAsync(refusal))).Id;

        await a.Call(c => c.AnswerRefusalQuestionAsync(new AnswerRefusalQuestionRequest { ConsentId = refused, RefusalStands = true }));
        Assert.True(Assert.Single(await Outbox.PublishedAsync<RefusalQuestionAnswered>(fixture.App, "LEG6")).RefusalStands);

        await a.LacksCapacityAsync(patient, technology);
        var decision = ConsentClient.BestInterests(patient, technology);
        decision.CapacitousRefusalWeighed = "she refused it with capacity; weighed against the falls risk";
        await a.Refused(c => c.RecordBestInterestsDecisionAsync(decision), StatusCode.FailedPrecondition);
    }
}
