using Npgsql;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Grpc.Core;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>Trust B cannot see, check or change trust A's patients, records or uses through any method.</summary>
public sealed class ConsentTenantIsolationTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private sealed record TrustARecords(
        string Patient, string Technology, string ApprovalId, string CapacityId, string ConsentId, TechnologyUse Use,
        string ChildPatient, string GillickId, string LpaPatient, string LpaId, string ProxyConsentId, string BestInterestsPatient, string BestInterestsId);

    private async Task<TrustARecords> SeedTrustAAsync(ConsentClient a)
    {
        var approval = await a.ApproveAsync();
        var technology = approval.TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        var capacity = await a.HasCapacityAsync(patient, technology);
        var consent = await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology);

        var child = await a.PatientAsync(AgeBand.Under16);
        var gillick = await a.GillickAsync(child, technology, competent: true);
        var lpaPatient = await a.PatientAsync(AgeBand._65AndOver);
        await a.LacksCapacityAsync(lpaPatient, technology);
        var lpa = await a.LpaAsync(lpaPatient);
        var proxyConsent = await a.ConsentAsync(lpaPatient, technology, lpa);
        var biPatient = await a.PatientAsync(AgeBand._26To64);
        await a.LacksCapacityAsync(biPatient, technology);
        var bi = await a.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(biPatient, technology)));
        return new TrustARecords(patient, technology, approval.ApprovalId, capacity.Id, consent, use, child, gillick, lpaPatient, lpa, proxyConsent, biPatient, bi.Id);
    }

    [Fact]
    public async Task Trust_B_gets_not_found_from_every_method_that_names_trust_As_patient_record_or_use()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var b = new ConsentClient(fixture.App, "RTQ");
        var r = await SeedTrustAAsync(a);
        // Trust B approves the same technology, so a refusal can only come from not seeing trust A's rows.
        await b.ApproveAsync(r.Technology);
        var bPatient = await b.PatientAsync(AgeBand._26To64);

        async Task NotFound<TResponse>(Func<ConsentService.ConsentServiceClient, AsyncUnaryCall<TResponse>> call) =>
            await b.Refused(call, StatusCode.NotFound);

        await NotFound(c => c.GetPatientAsync(new GetPatientRequest { PatientId = r.Patient }));
        await NotFound(c => c.CheckUseAsync(new CheckUseRequest { PatientId = r.Patient, TechnologyId = r.Technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment }));
        await NotFound(c => c.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = r.Patient, TechnologyId = r.Technology, Decision = "x", Determination = CapacityDetermination.StatutoryPresumption, AssessedBy = "someone",
        }));
        await NotFound(c => c.RecordGillickAssessmentAsync(new RecordGillickAssessmentRequest
        {
            PatientId = r.ChildPatient, TechnologyId = r.Technology, Decision = "x", Competent = true, AssessedBy = "someone",
        }));
        await NotFound(c => c.RegisterProxyAuthorityAsync(ConsentClient.Lpa(r.LpaPatient)));
        await NotFound(c => c.RecordConsentAsync(ConsentClient.Consent(r.Patient, r.Technology)));
        await NotFound(c => c.RecordConsentAsync(ConsentClient.Consent(r.LpaPatient, r.Technology, r.LpaId)));
        // Trust A's authority cannot be borrowed for trust B's own patient either.
        await NotFound(c => c.RecordConsentAsync(ConsentClient.Consent(bPatient, r.Technology, r.LpaId)));
        await NotFound(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(r.BestInterestsPatient, r.Technology)));
        await NotFound(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = r.ConsentId }));
        await NotFound(c => c.WithdrawConsentAsync(new WithdrawConsentRequest { ConsentId = r.ProxyConsentId }));
        await NotFound(c => c.ProposeUseAsync(ConsentClient.Use(r.Patient, r.Technology, ward: "ELM")));
        await NotFound(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = r.Use.UseId }));
        await NotFound(c => c.RecordReviewAsync(ConsentClient.Review(r.Use.UseId, DateTime.UtcNow.AddDays(10), "x")));
        await NotFound(c => c.EndUseAsync(new EndUseRequest { UseId = r.Use.UseId, Reason = UseEndReason.NoLongerNeeded }));
        await NotFound(c => c.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = r.Use.CarePlanRecordId }));
        await NotFound(c => c.WithdrawTechnologyApprovalAsync(new WithdrawTechnologyApprovalRequest { ApprovalId = r.ApprovalId, Reason = "Trust B tries" }));

        // Nothing trust B tried changed trust A's use.
        var check = await a.CheckAsync(r.Patient, r.Technology);
        Assert.Equal(UseCheckDecision.Permit, check.Decision);
        Assert.Equal(r.Use.CarePlanRecordId, check.CarePlanRecordId);
    }

    [Fact]
    public async Task Row_level_security_hides_every_new_consent_table_row_from_other_trusts_under_the_app_role()
    {
        var a = new ConsentClient(fixture.App, "RX3");
        var r = await SeedTrustAAsync(a);
        var rows = new (string Table, string Id)[]
        {
            ("capacity_assessments", r.CapacityId), ("gillick_assessments", r.GillickId), ("proxy_authorities", r.LpaId),
            ("own_consents", r.ConsentId), ("proxy_consents", r.ProxyConsentId), ("best_interests_decisions", r.BestInterestsId),
            ("technology_approvals", r.ApprovalId), ("technology_uses", r.Use.UseId),
        };
        foreach (var (table, id) in rows)
        {
            var guid = Guid.Parse(id);
            Assert.Equal((table, 1L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "RX3")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, "RTQ")));
            Assert.Equal((table, 0L), (table, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, table, guid, null)));
        }

        // trust_policies is keyed by tenant (no id column): check that the policy is on and forced for it too.
        await using var conn = new NpgsqlConnection(fixture.App.Postgres.SuperuserConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenant_isolation'
            WHERE c.relrowsecurity AND c.relforcerowsecurity AND c.relname = ANY(@tables)
            """, conn);
        var tables = rows.Select(x => x.Table).Append("trust_policies").ToArray();
        cmd.Parameters.AddWithValue("tables", tables);
        var secured = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) secured.Add(reader.GetString(0));
        Assert.Equal(tables.Order(), secured.Order());
    }
}
