using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Rows of the lawful-basis table (design/lawful-basis.md, ADR 0014) that had only domain tests, end to end over gRPC
/// on PostgreSQL (issue 17): what a clinician sees when each record is written and when the use is started and checked.
/// </summary>
public sealed class AgeAndProxyRowsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static RegisterProxyAuthorityRequest Parent(string patient) => new()
    {
        PatientId = patient,
        Kind = ProxyKind.ParentalResponsibility,
        Relationship = "mother",
        ParentalResponsibilityBasis = ParentalResponsibilityBasis.Parent,
        CoversDecision = true,
        DocumentReference = "birth certificate seen 4411",
        VerifiedBy = "ward manager 12",
        VerifiedAt = ConsentClient.Ts(DateTime.UtcNow.AddDays(-3)),
    };

    private static RegisterProxyAuthorityRequest Deputy(string patient) => new()
    {
        PatientId = patient,
        Kind = ProxyKind.Deputy,
        Relationship = "deputy for health and welfare (court-appointed)",
        CourtOrderReference = "COP-12345678",
        CoversDecision = true,
        DocumentReference = "court order scan 9921",
        VerifiedBy = "ward manager 12",
        VerifiedAt = ConsentClient.Ts(DateTime.UtcNow.AddDays(-3)),
    };

    private static RecordConsentRequest Refusal(string patient, string technology, string? proxy = null)
    {
        var request = ConsentClient.Consent(patient, technology, proxy);
        request.Decision = ConsentDecision.Refused;
        return request;
    }

    /// <summary>Proposes the use and tries to start it: the refusal a clinician sees, by rule code.</summary>
    private static async Task StartRefusedAsync(ConsentClient a, string patient, string technology, string? rule)
    {
        var proposed = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology)));
        await a.Refused(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }), StatusCode.FailedPrecondition, rule);
        var check = await a.CheckAsync(patient, technology);
        Assert.Equal(UseCheckDecision.Deny, check.Decision);
    }

    [Fact]
    public async Task A_gillick_competent_child_who_refuses_is_not_overridden_by_a_parent_who_consents_Gillick_v_West_Norfolk_1986()
    {
        var a = new ConsentClient(fixture.App, "ROW1");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand.Under16);
        await a.GillickAsync(patient, technology, competent: true);
        await a.Call(c => c.RecordConsentAsync(Refusal(patient, technology)));
        var parent = (await a.Call(c => c.RegisterProxyAuthorityAsync(Parent(patient)))).Id;
        // The parent's consent is refused when written: the competent child decides (the record the table forbids).
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, parent)), StatusCode.FailedPrecondition);
        await StartRefusedAsync(a, patient, technology, "lawful-basis.under-16-competent-child-refuses");
    }

    [Fact]
    public async Task A_17_year_old_lacking_capacity_cannot_have_an_lpa_made_for_them_MCA_2005_s9_2_c()
    {
        var a = new ConsentClient(fixture.App, "ROW2");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(patient, technology);
        var lpa = ConsentClient.Lpa(patient);
        lpa.DonorWas18OrOverWhenMade = false;
        var refused = await a.Refused(c => c.RegisterProxyAuthorityAsync(lpa), StatusCode.FailedPrecondition);
        Assert.Contains("donor must be 18 or over", refused.Status.Detail);
        // Even an "LPA" said to have been made at 18 or over cannot be registered for a patient recorded as 16-17, and
        // the ward is told the routes that are open.
        var offered = await a.Refused(c => c.RegisterProxyAuthorityAsync(ConsentClient.Lpa(patient)), StatusCode.FailedPrecondition);
        Assert.Contains("Use a deputy, a person with parental responsibility or a best-interests decision", offered.Status.Detail);
        await StartRefusedAsync(a, patient, technology, null);
    }

    [Fact]
    public async Task A_16_or_17_year_old_lacking_capacity_rests_on_a_deputy_before_a_parent_MCA_2005_s16_and_s2_5()
    {
        var a = new ConsentClient(fixture.App, "ROW3");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(patient, technology);
        var deputy = (await a.Call(c => c.RegisterProxyAuthorityAsync(Deputy(patient)))).Id;
        var consent = await a.ConsentAsync(patient, technology, deputy);

        var use = await a.ActiveUseAsync(patient, technology);
        Assert.Equal((LawfulBasisKind.ProxyConsent, consent), (use.LawfulBasis, use.LawfulBasisRecordId));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, technology)).Decision);
    }

    [Fact]
    public async Task A_16_or_17_year_old_lacking_capacity_with_a_parent_needs_the_zone_of_parental_control_recorded_and_with_no_one_rests_on_best_interests_MCA_2005_s4()
    {
        var a = new ConsentClient(fixture.App, "ROW4");
        var technology = (await a.ApproveAsync()).TechnologyId;

        // A verified parent, but no finding that the decision is within the zone of parental control (MHA Code of
        // Practice ch. 19): the parent's consent does not start the use, and a best-interests decision is refused
        // while the parent may be the one to decide.
        var withParent = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(withParent, technology);
        var parent = (await a.Call(c => c.RegisterProxyAuthorityAsync(Parent(withParent)))).Id;
        const string zone = "lawful-basis.zone-of-parental-control-not-recorded";
        var refused = await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(withParent, technology, parent)), StatusCode.FailedPrecondition, zone);
        Assert.Contains("or make a best-interests decision that consults the parents", refused.Status.Detail);
        await StartRefusedAsync(a, withParent, technology, null);
        // The route the refusal names: a best-interests decision consulting the family, on which the use then starts.
        var consultingParents = ConsentClient.BestInterests(withParent, technology);
        consultingParents.PeopleConsulted[0].Relationship = "mother (parental responsibility)";
        var decided = (await a.Call(c => c.RecordBestInterestsDecisionAsync(consultingParents))).Id;
        var proposedId = (await a.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = withParent }))).Uses[0].Use.UseId;
        var started = await a.Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposedId }));
        Assert.Equal((LawfulBasisKind.BestInterests, decided), (started.LawfulBasis, started.LawfulBasisRecordId));

        // No deputy and no one with parental responsibility: a best-interests decision.
        var alone = await a.PatientAsync(AgeBand._16To17);
        await a.LacksCapacityAsync(alone, technology);
        var decision = (await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(alone, technology)))).Id;
        var use = await a.ActiveUseAsync(alone, technology);
        Assert.Equal((LawfulBasisKind.BestInterests, decision), (use.LawfulBasis, use.LawfulBasisRecordId));
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(alone, technology)).Decision);
    }

    [Fact]
    public async Task An_unregistered_lpa_gives_its_attorney_no_authority_MCA_2005_s9_2_b()
    {
        var a = new ConsentClient(fixture.App, "ROW5");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(patient, technology);
        var unregistered = ConsentClient.Lpa(patient);
        unregistered.LpaRegistrationReference = "";
        unregistered.LpaRegisteredAt = null;
        var refused = await a.Refused(c => c.RegisterProxyAuthorityAsync(unregistered), StatusCode.FailedPrecondition);
        Assert.Contains("not registered with the Office of the Public Guardian", refused.Status.Detail);
        await StartRefusedAsync(a, patient, technology, null);
    }

    [Fact]
    public async Task A_16_or_17_year_old_with_capacity_who_refuses_is_not_overridden_by_a_parent_MCA_2005_s2_5_and_Family_Law_Reform_Act_1969_s8()
    {
        var a = new ConsentClient(fixture.App, "ROW6");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._16To17);
        await a.HasCapacityAsync(patient, technology);
        await a.Call(c => c.RecordConsentAsync(Refusal(patient, technology)));
        var parent = (await a.Call(c => c.RegisterProxyAuthorityAsync(Parent(patient)))).Id;
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, parent)), StatusCode.FailedPrecondition);
        await StartRefusedAsync(a, patient, technology, "lawful-basis.patient-with-capacity-refuses");
    }

    /// <summary>
    /// Records the table forbids are refused when written, not only at the check: once a newer assessment finds capacity,
    /// the patient decides (MCA 2005 s1(2), s5, s11(7)), so a new best-interests decision or attorney consent is refused
    /// even while the older use runs on in its grace period, and the use still rests on the old decision.
    /// </summary>
    [Fact]
    public async Task After_capacity_is_regained_a_new_best_interests_decision_or_attorney_consent_is_refused_when_written_even_within_the_grace_period_MCA_2005_s1_2()
    {
        var a = new ConsentClient(fixture.App, "ROW7");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._65AndOver);
        var now = DateTime.UtcNow;
        await a.LacksCapacityAsync(patient, technology, at: now.AddDays(-10));
        var old = (await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, at: now.AddDays(-9))))).Id;
        await a.ActiveUseAsync(patient, technology);
        await a.HasCapacityAsync(patient, technology, at: now.AddHours(-1));
        // The LPA comes to light now: registering it records a fact; its attorney deciding is what is refused.
        var lpa = await a.LpaAsync(patient);

        await a.Refused(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology)), StatusCode.FailedPrecondition,
            "lawful-basis.best-interests-patient-has-capacity");
        await a.Refused(c => c.RecordConsentAsync(ConsentClient.Consent(patient, technology, lpa)), StatusCode.FailedPrecondition,
            "lawful-basis.lpa-donor-has-capacity");

        var check = await a.CheckAsync(patient, technology);
        Assert.Equal((UseCheckDecision.Permit, LawfulBasisKind.BestInterests, old, LawfulBasisStatus.ConsentRequired),
            (check.Decision, check.LawfulBasis, check.LawfulBasisRecordId, check.LawfulBasisStatus));
        Assert.Single(await Outbox.PublishedAsync<BestInterestsDecisionRecorded>(fixture.App, "ROW7"));
    }
}
